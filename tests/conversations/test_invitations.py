"""Invitations: one-time, expiring, hashed; a bad token is refused without saying why."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from storage.identity import token_hash
from storage.invitations import create_invitation
from storage.models import Invitation, RoleBinding, Unit

REFUSED = "该邀请链接无效，请向县就业局索取新的链接。"


async def invite(storage, clock, role, unit_id=None, ttl=timedelta(days=7)) -> str:
    async with storage.sessions() as session, session.begin():
        return await create_invitation(
            session=session, role=role, unit_id=unit_id, now=clock.now(), ttl=ttl
        )


async def bindings(storage, user_id):
    async with storage.sessions() as session:
        rows = await session.execute(select(RoleBinding).where(RoleBinding.user_id == user_id))
        return [(b.role, b.unit_id) for b in rows.scalars()]


async def test_token_is_random_hashed_and_works_once(storage, clock, chat):
    token = await invite(storage, clock, "bureau")
    assert len(token) >= 16 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    async with storage.sessions() as session:
        stored = (await session.execute(select(Invitation))).scalar_one()
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash

    staff = chat(6001)
    await staff.send(f"/start inv_{token}")
    assert "投诉受理台（县就业局）" in staff.shown[0].reply.text
    assert await bindings(storage, 6001) == [("bureau", None)]

    other = chat(6002)
    await other.send(f"/start inv_{token}")
    assert other.last == REFUSED
    assert await bindings(storage, 6002) == []


async def test_expired_and_forged_tokens_get_the_same_answer(storage, clock, chat):
    expired = await invite(storage, clock, "investigator", ttl=timedelta(days=7))
    clock.advance(timedelta(days=7, seconds=1))
    late = chat(6003)
    await late.send(f"/start inv_{expired}")
    forged = chat(6004)
    await forged.send("/start inv_AAAAAAAAAAAAAAAAAAAAAA")
    assert late.last == forged.last == REFUSED
    assert await bindings(storage, 6003) == [] and await bindings(storage, 6004) == []


async def test_admin_invites_a_unit_contact_in_chat(storage, clock, chat):
    async with storage.sessions() as session, session.begin():
        session.add_all([Unit(name=f"单位{n:02d}") for n in range(10)])
    admin = chat(7001)
    await admin.send(f"/start inv_{await invite(storage, clock, 'admin')}")
    await admin.click("邀请工作人员")
    await admin.click("用人单位联系人")
    assert "单位00" in admin.buttons() and "单位09" not in admin.buttons()
    await admin.click("下一页 »")
    await admin.click("单位09")
    link = re.search(r"https://t\.me/(\w+)\?start=inv_([\w-]+)", admin.last)
    assert link is not None and link.group(1) == storage.settings.bot_username

    contact = chat(7002)
    await contact.send(f"/start inv_{link.group(2)}")
    async with storage.sessions() as session:
        unit_id = (await session.execute(select(Unit.id).where(Unit.name == "单位09"))).scalar()
    assert await bindings(storage, 7002) == [("unit", unit_id)]
    assert "用人单位联系人 · 单位09" in contact.last


async def test_a_citizen_cannot_make_invitations(storage, chat):
    citizen = chat(7003)
    await citizen.send("/start")
    await citizen.press("adm:role:admin")
    assert citizen.answers[-1] == "您没有权限进行此操作。"
    async with storage.sessions() as session:
        assert (await session.execute(select(Invitation))).first() is None


async def test_with_no_units_the_admin_is_told_how_to_register_them(storage, clock, chat):
    """A county's first day: rosters no longer create units, so the answer names what does."""
    admin = chat(7003)
    await admin.send(f"/start inv_{await invite(storage, clock, 'admin')}")
    await admin.click("邀请工作人员")
    await admin.click("用人单位联系人")
    assert "单位管理" in admin.last and "gongshi import units" in admin.last
    assert "名册" not in admin.last
