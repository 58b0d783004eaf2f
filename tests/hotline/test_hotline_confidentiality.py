"""The complainant's identity reaches bureau staff and investigators only, on request, and
every such view is audited; nothing a unit contact or a worker receives carries it."""

from __future__ import annotations

from datetime import timedelta

from hotline_helpers import (
    BUREAU,
    INVESTIGATORS,
    UNIT_A_CONTACT,
    WORKER_USER,
    case_of,
    count,
    ticket_of,
)
from sqlalchemy import select

from storage.models import AuditLog, Outbox

NAME, USERNAME, PHONE, USER_ID = "王大锤", "wangdachui", "13912345678", 5123456


def complainant(chat):
    me = chat(USER_ID, first_name=NAME)
    return me


async def share_named(me):
    # The driver's contact carries only a phone; give it the complainant's name as well.
    from handlers.types import SharedContact

    contact = SharedContact(phone=PHONE, user_id=me.user_id, first_name=NAME)
    return await me.deliver(me.incoming(contact=contact))


async def file_named(chat, category: str) -> str:
    me = complainant(chat)
    await me.send("/start")
    await me.click("我要投诉")
    await me.click("01号单位")
    await me.send("张小三")
    await me.click("张*三 · 环卫")
    await me.click(category)
    await me.send("这位人员经常迟到，态度恶劣，请核查。")
    await me.click("继续")
    await share_named(me)
    await me.click("提交投诉")
    return ticket_of(me)


async def outbox_for(storage, chat_id: int) -> list[Outbox]:
    async with storage.sessions() as session:
        rows = await session.execute(select(Outbox).where(Outbox.chat_id == chat_id))
        return list(rows.scalars())


async def test_bureau_sees_contact_only_by_pressing_and_it_is_audited(chat, storage, county):
    code = await file_named(chat, "不在岗 / 吃空饷")
    case = await case_of(storage, code)
    for official in (BUREAU, *INVESTIGATORS):
        [alert] = await outbox_for(storage, official)
        assert PHONE not in alert.payload["text"] and NAME not in alert.payload["text"]
        [[open_case, button]] = alert.payload["buttons"]
        assert open_case["data"] == f"cs:open:{case.id}"
        assert (button["text"], button["data"]) == ("查看联系方式", f"hl:contact:{case.id}")
    desk = chat(BUREAU)
    await desk.press(f"hl:contact:{case.id}")
    assert PHONE in desk.last and NAME in desk.last
    investigator = chat(INVESTIGATORS[0])
    await investigator.press(f"hl:contact:{case.id}")
    assert PHONE in investigator.last
    async with storage.sessions() as session:
        views = (
            (
                await session.execute(
                    select(AuditLog).where(AuditLog.action == "complainant_contact_viewed")
                )
            )
            .scalars()
            .all()
        )
    assert [(v.actor_user_id, v.target_type, v.target_id) for v in views] == [
        (BUREAU, "case", str(case.id)),
        (INVESTIGATORS[0], "case", str(case.id)),
    ]
    assert all(v.at is not None for v in views)


async def test_a_forged_show_contact_press_is_refused_on_the_server(chat, storage, county):
    code = await file_named(chat, "不在岗 / 吃空饷")
    case = await case_of(storage, code)
    for intruder in (UNIT_A_CONTACT, WORKER_USER, 5999):
        someone = chat(intruder)
        await someone.press(f"hl:contact:{case.id}")
        assert someone.answers[-1] == "您没有权限进行此操作。"
        assert not any(PHONE in shown.reply.text for shown in someone.shown)
    assert await count(storage, AuditLog, AuditLog.action == "complainant_contact_viewed") == 0
    assert await count(storage, AuditLog, AuditLog.action == "denied") == 3


async def test_nothing_sent_to_a_unit_or_a_worker_carries_the_complainant(
    chat, storage, county, clock
):
    # Every route that can reach a unit, plus escalation traffic, from a named complainant;
    # a minute apart, as the message throttle allows one person about one complaint a minute.
    for category in ("工作作风 / 服务态度", "其他", "人岗不符"):
        await file_named(chat, category)
        clock.advance(timedelta(minutes=1))
    texts = []
    for chat_id in (UNIT_A_CONTACT, WORKER_USER):
        rows = await outbox_for(storage, chat_id)
        texts += [str(row.payload) for row in rows]
        # What they see in their own chats too: their menus after all of this.
        them = chat(chat_id)
        await them.send("/start")
        texts += [shown.reply.text + str(shown.reply.buttons) for shown in them.shown]
    unit_alerts = await outbox_for(storage, UNIT_A_CONTACT)
    assert len(unit_alerts) == 1 and "张*三" in unit_alerts[0].payload["text"]
    assert await outbox_for(storage, WORKER_USER) == []
    for forbidden in (NAME, USERNAME, PHONE, PHONE[-4:], str(USER_ID)):
        assert not any(forbidden in text for text in texts), forbidden
