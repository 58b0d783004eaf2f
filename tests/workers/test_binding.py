"""Workers bind to their roster row by code (typed or deep link) or by their own contact."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from worker_county import UNIT_A, UNIT_A_CONTACT, UNIT_B_CONTACT

from domain.masking import mask_name
from storage.models import RoleBinding

BIND = "我是从业人员：绑定身份"
MY_RESULT = "我的考核结果"


async def live_worker_bindings(storage, user_id):
    async with storage.sessions() as session:
        found = await session.execute(
            select(RoleBinding).where(
                RoleBinding.user_id == user_id,
                RoleBinding.role == "worker",
                RoleBinding.revoked_at.is_(None),
            )
        )
        return list(found.scalars())


async def test_typed_code_binds_and_shows_the_result(chat, county, issue, storage):
    codes = await issue(county.units[UNIT_A])
    worker = county.people["pass"]
    me = chat(6001)
    await me.send("/start")
    await me.click(BIND)
    assert me.shown[-1].reply.request_contact == "分享我的手机号码"
    code = codes[worker.worker_id]
    await me.send(f" {code[:4].lower()}-{code[4:]} ")  # as people type it
    texts = [shown.reply.text for shown in me.shown[-2:]]
    assert f"绑定成功：您是{UNIT_A}" in texts[0]
    assert "考核等次：合格" in texts[1]
    [binding] = await live_worker_bindings(storage, 6001)
    assert (binding.worker_id, binding.via) == (worker.worker_id, "code")
    await me.send("/start")
    assert MY_RESULT in me.buttons()
    assert BIND not in me.buttons()


async def test_deep_link_binds(chat, county, issue, storage):
    codes = await issue(county.units[UNIT_A])
    worker = county.people["basic"]
    me = chat(6002)
    await me.send(f"/start w_{codes[worker.worker_id]}")
    assert any("绑定成功" in shown.reply.text for shown in me.shown)
    [binding] = await live_worker_bindings(storage, 6002)
    assert binding.worker_id == worker.worker_id


async def test_used_code_is_refused(chat, county, issue, storage):
    codes = await issue(county.units[UNIT_A])
    code = codes[county.people["pass"].worker_id]
    await chat(6001).send(f"/start w_{code}")
    other = chat(6002)
    await other.send(f"/start w_{code}")
    assert "绑定码无效" in other.last
    assert await live_worker_bindings(storage, 6002) == []
    assert len(await live_worker_bindings(storage, 6001)) == 1


async def test_new_sheet_withdraws_unused_codes(chat, county, issue, storage):
    old = await issue(county.units[UNIT_A])
    new = await issue(county.units[UNIT_A])
    worker_id = county.people["fail"].worker_id
    me = chat(6003)
    await me.send(f"/start w_{old[worker_id]}")
    assert "绑定码无效" in me.last
    await me.send(f"/start w_{new[worker_id]}")
    assert [b.worker_id for b in await live_worker_bindings(storage, 6003)] == [worker_id]


async def test_unit_contact_revokes_and_access_ends(chat, county, issue, storage):
    codes = await issue(county.units[UNIT_A])
    worker = county.people["pass"]
    me = chat(6001)
    await me.send(f"/start w_{codes[worker.worker_id]}")
    outsider = chat(UNIT_B_CONTACT)
    [binding] = await live_worker_bindings(storage, 6001)
    await outsider.press(f"wkb:rv:{binding.id}")
    assert outsider.answers[-1] == "该绑定已不存在，或您无权解除。"
    assert len(await live_worker_bindings(storage, 6001)) == 1

    contact = chat(UNIT_A_CONTACT)
    await contact.send("/start")
    await contact.click("已绑定的从业人员")
    masked = mask_name(worker.name)
    assert masked in contact.last
    assert worker.name not in contact.last
    await contact.click(f"解除绑定：{masked}")
    assert contact.answers[-1] == "已解除绑定。"
    assert await live_worker_bindings(storage, 6001) == []

    await me.press("wkme:show")
    assert me.answers[-1] == "您没有权限进行此操作。"
    await me.send("/start")
    assert MY_RESULT not in me.buttons()


async def test_own_contact_matched_to_the_roster_phone(chat, county, storage):
    worker = county.people["fail2"]
    me = chat(6004)
    await me.send("/start")
    await me.click(BIND)
    await me.share_contact("+86 " + worker.phone)
    assert any("绑定成功" in shown.reply.text for shown in me.shown)
    [binding] = await live_worker_bindings(storage, 6004)
    assert (binding.worker_id, binding.via) == (worker.worker_id, "contact")


async def test_someone_elses_contact_is_refused(chat, county, storage):
    worker = county.people["pass"]
    me = chat(6005)
    await me.send("/start")
    await me.click(BIND)
    await me.share_contact(worker.phone, user_id=9999)
    assert "本人的手机号码" in me.last
    assert await live_worker_bindings(storage, 6005) == []


async def test_unknown_phone_is_refused_politely(chat, county, storage):
    me = chat(6006)
    await me.send("/start")
    await me.click(BIND)
    await me.share_contact("13900000000")
    assert me.last.startswith("抱歉，该手机号码不在任何单位的花名册上")
    assert me.shown[-1].reply.remove_keyboard
    assert await live_worker_bindings(storage, 6006) == []


async def test_failed_attempts_are_throttled(chat, county, issue, clock, storage):
    codes = await issue(county.units[UNIT_A])
    good = codes[county.people["pass"].worker_id]
    me = chat(6007)
    await me.send("/start")
    await me.click(BIND)
    for _ in range(5):
        await me.send("AAAA2222")
        assert "绑定码无效" in me.last
    await me.send(good)
    assert "尝试次数过多" in me.last
    assert await live_worker_bindings(storage, 6007) == []
    # Someone else is not held back by this user's failures.
    await chat(6008).send(f"/start w_{codes[county.people['basic'].worker_id]}")
    assert len(await live_worker_bindings(storage, 6008)) == 1
    clock.advance(timedelta(hours=1, minutes=1))
    await me.send(f"/start w_{good}")
    assert len(await live_worker_bindings(storage, 6007)) == 1
