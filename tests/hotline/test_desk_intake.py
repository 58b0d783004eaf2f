"""The desk logs a complaint taken by telephone or letter, in the official's words: it becomes
the same complaint and case as one from chat, with its channel and ticket code, which the
caller follows by /status; the caller's number is confidential like any complainant's. A
unit contact logs only what its own line took about its own unit."""

from __future__ import annotations

import re

from hotline_helpers import BUREAU, INVESTIGATORS, UNIT_A_CONTACT, outbox_chats
from sqlalchemy import select

from handlers.types import FileRef
from storage.models import AuditLog, Case, ComplainantContact, Complaint, DeskIntake

CODE = re.compile(r"查询码：([2-9A-HJKMNP-Z]{8})")
CALL = "来电人反映该人员本月多次不在岗位，由其亲属代为打扫。"


async def log_call(desk, *, caller: str | None, unit: str | None = "01号") -> str:
    await desk.send("/start")
    await desk.click("登记来电来信来访")
    await desk.click("来电")
    await desk.click("昨天")
    if caller is None:
        await desk.click("匿名")
    else:
        await desk.send(caller)
    if unit is not None:
        await desk.send(unit)
    await desk.send("张小")
    assert "张小三" in desk.buttons(), [s.reply.text for s in desk.shown[-4:]]
    await desk.click("张小三")
    await desk.click("不在岗 / 吃空饷")
    await desk.send(CALL)
    await desk.click("继续")
    return desk.last


async def test_a_call_logged_by_the_desk_is_a_case_followed_by_its_code(chat, county, storage):
    desk = chat(BUREAU)
    summary = await log_call(desk, caller="王大妈 138 1234 5678")
    assert "受理渠道：来电" in summary and "王大妈 13812345678" in summary
    assert "2026年12月15日" in summary  # yesterday, from the test's clock
    await desk.click("确认登记")
    said = desk.last
    code = CODE.search(said).group(1)
    assert f"{code[0]} {code[1]} {code[2]} {code[3]} - " in said  # spelled out to read back
    assert f"/status {code}" in said and "打开案件" in desk.buttons()

    async with storage.sessions() as session:
        complaint = (
            await session.execute(select(Complaint).where(Complaint.ticket_code == code))
        ).scalar_one()
        case = (
            await session.execute(select(Case).where(Case.complaint_id == complaint.id))
        ).scalar_one()
        contact = await session.get(ComplainantContact, complaint.id)
        intake = await session.get(DeskIntake, complaint.id)
        logged = (
            await session.execute(select(AuditLog).where(AuditLog.action == "complaint_logged"))
        ).scalar_one()
    assert (complaint.channel, complaint.submitted_by, complaint.anonymous) == (
        "phone",
        None,
        False,
    )
    assert complaint.complainant_hash and "13812345678" not in complaint.complainant_hash
    assert (case.severity, case.route) == ("serious", "investigators")
    assert (contact.name, contact.phone, contact.user_id) == ("王大妈", "13812345678", None)
    assert str(intake.received_on) == "2026-12-15" and intake.logged_by == BUREAU
    assert "13812345678" not in str(logged.detail) and "王大妈" not in str(logged.detail)
    # The investigators are alerted as for a complaint from chat.
    assert set(INVESTIGATORS) <= await outbox_chats(storage, case.id)

    # The caller, on the bot later, follows it by the code.
    caller = chat(9901)
    await caller.send(f"/status {code}")
    assert "人社局" in caller.last and "没有" not in caller.last

    # Its contact is shown to the bureau on request, audited, with no Telegram id.
    await desk.click("打开案件")
    await desk.click("查看联系方式")
    assert "王大妈" in desk.last and "13812345678" in desk.last


async def test_anonymous_letter_with_a_photo_and_bad_input_kept(chat, county, storage):
    desk = chat(BUREAU)
    await desk.send("/start")
    await desk.click("登记来电来信来访")
    await desk.click("来信")
    await desk.send("明天")
    assert "请按 2026-12-15" in desk.last
    await desk.send("2026-12-30")
    assert "尚未到来" in desk.last
    await desk.send("12月14日")
    await desk.click("匿名")
    await desk.send("不存在的单位")
    assert "没有名称包含" in desk.last
    await desk.send("02号")
    await desk.click("针对单位整体")
    await desk.click("工作作风 / 服务态度")
    await desk.send("太短")
    assert "10 至 2000" in desk.last
    await desk.send("来信反映该单位窗口人员态度生硬，推诿群众。")
    photo = FileRef(
        file_id="letter-1", file_unique_id="u1", kind="photo", mime_type="image/jpeg", size=9000
    )
    await desk.deliver(desk.incoming(file=photo))
    assert "第 1 件" in desk.last
    await desk.click("继续")
    assert "投诉人：匿名" in desk.last and "材料：1 件" in desk.last
    await desk.click("确认登记")
    code = CODE.search(desk.last).group(1)
    async with storage.sessions() as session:
        complaint = (
            await session.execute(select(Complaint).where(Complaint.ticket_code == code))
        ).scalar_one()
        contact = await session.get(ComplainantContact, complaint.id)
        intake = await session.get(DeskIntake, complaint.id)
    assert (complaint.channel, complaint.anonymous, contact) == ("letter", True, None)
    assert str(intake.received_on) == "2026-12-14"


async def test_a_unit_contact_logs_its_own_line_only(chat, county, storage):
    unit = chat(UNIT_A_CONTACT)
    summary = await log_call(unit, caller="李先生", unit=None)  # its own unit is taken
    assert "01号单位" in summary
    await unit.click("确认登记")
    assert CODE.search(unit.last) and "打开案件" not in unit.buttons()
    async with storage.sessions() as session:
        intake = (await session.execute(select(DeskIntake))).scalar_one()
    assert intake.logged_role == "unit"

    citizen = chat(9902)
    await citizen.send("/start")
    assert "登记来电来信来访" not in citizen.buttons()
    await citizen.press("dk:start")
    async with storage.sessions() as session:
        assert len(list((await session.execute(select(DeskIntake))).scalars())) == 1
