"""The 处理意见书: rendered and archived when a case closes, sent to the bureau's desk, with
the finding and no complainant field; the bureau's internal copy names the complainant, and
every request for it is in the audit log. A result held for the case is released."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from case_helpers import (
    BUREAU,
    CALENDAR,
    INVESTIGATORS,
    UNIT_A_CONTACT,
    actor,
    audits,
    file_case,
    outbox_to,
)
from pdftext import pdf_text
from sqlalchemy import select

from documents.opinion import LABEL_COMPLAINANT
from messages.i18n import translate
from messages.replies import FileReply
from services import cases as store
from storage.complaints import IDENTITY_VIEWED
from storage.models import Complaint, Result
from storage.models.cases import CaseDocument

NOW = datetime(2026, 12, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
OPINION = "经查属实。责令用人单位解除岗位协议，追回违规领取的岗位补贴。"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


async def closed_case(storage, county, *, hold: bool = False) -> int:
    worker = county.workers["张小三"]
    case_id = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=worker,
        category="absent",
        now=NOW,
        contact=True,
    )
    if hold:
        async with storage.sessions() as session, session.begin():
            result = (
                await session.execute(select(Result).where(Result.worker_id == worker))
            ).scalar_one()
            result.status = "held"
    hr = investigator = actor(INVESTIGATORS[0], "investigator")
    async with storage.sessions() as session, session.begin():
        await store.accept(session=session, case_id=case_id, actor=hr, now=NOW, calendar=CALENDAR)
        await store.assign(
            session=session, case_id=case_id, actor=hr, now=NOW, investigator=INVESTIGATORS[0]
        )
        await store.record_finding(
            session=session,
            case_id=case_id,
            actor=investigator,
            now=NOW,
            finding="属实",
            opinion=OPINION,
            calendar=CALENDAR,
        )
        await store.close(session=session, case_id=case_id, actor=investigator, now=NOW)
    return case_id


async def test_the_public_copy_is_archived_and_sent_without_the_complainant(storage, county):
    case_id = await closed_case(storage, county, hold=True)
    async with storage.sessions() as session:
        [document] = (
            (await session.execute(select(CaseDocument).where(CaseDocument.case_id == case_id)))
            .scalars()
            .all()
        )
        result = (
            await session.execute(
                select(Result).where(Result.worker_id == county.workers["张小三"])
            )
        ).scalar_one()
    assert document.content.startswith(b"%PDF-")
    text = squeeze(pdf_text(document.content))
    assert "属实" in text and squeeze(OPINION) in text
    assert "张*三" in text and "张小三" not in text
    for secret in ("王二", "13800138000", squeeze(translate(LABEL_COMPLAINANT, "zh"))):
        assert secret not in text
    assert result.status == "final"  # held while the case was open, released on closing

    [sent] = [row for row in await outbox_to(storage, BUREAU) if row.method == "sendDocument"]
    assert sent.attachment_id is not None and f"#{case_id}" in sent.payload["text"]


async def test_the_internal_copy_only_for_the_bureau_and_audited(chat, storage, county):
    case_id = await closed_case(storage, county)
    desk = chat(BUREAU)
    await desk.send("/cases")
    await desk.click("全部")
    await desk.click(next(b for b in desk.buttons() if b.startswith(f"#{case_id} ")))
    outcome = await desk.press(f"cs:doc:{case_id}")
    [public] = [r for r in outcome.replies if isinstance(r, FileReply)]
    assert "13800138000" not in squeeze(pdf_text(public.content))

    outcome = await desk.press(f"cs:idoc:{case_id}")
    [internal] = [r for r in outcome.replies if isinstance(r, FileReply)]
    text = squeeze(pdf_text(internal.content))
    assert "13800138000" in text and "王二" in text and "属实" in text

    investigator = chat(INVESTIGATORS[0])
    outcome = await investigator.press(f"cs:idoc:{case_id}")
    assert not [r for r in outcome.replies if isinstance(r, FileReply)]
    await investigator.press(f"hl:contact:{case_id}")

    views = await audits(storage, IDENTITY_VIEWED)
    assert [(v.actor_user_id, v.detail.get("via")) for v in views] == [
        (BUREAU, "internal_opinion"),
        (INVESTIGATORS[0], None),
    ]
    [refused] = await audits(storage, "case_step_refused")
    assert (refused.actor_user_id, refused.detail["step"]) == (INVESTIGATORS[0], "internal_opinion")


async def test_the_units_copy_does_not_carry_the_ticket_code(chat, storage, county):
    case_id = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=None,
        category="conduct",
        now=NOW,
        contact=True,
    )
    async with storage.sessions() as session:
        code = (await session.execute(select(Complaint.ticket_code))).scalar_one()
    unit = chat(UNIT_A_CONTACT)
    await unit.press(f"cs:open:{case_id}")
    await unit.click("受理")
    await unit.click("记录核查结论和处理意见")
    await unit.click("部分属实")
    await unit.send("已对该人员进行批评教育，责令改正。")
    await unit.click("办结")
    await unit.click("确认办结")
    outcome = await unit.click("处理意见书（PDF）")
    [copy] = [r for r in outcome.replies if isinstance(r, FileReply)]
    text = squeeze(pdf_text(copy.content))
    assert "批评教育" in text and f"#{case_id}" in text
    for secret in (code, "受理编号", "王二", "13800138000"):
        assert secret not in text
