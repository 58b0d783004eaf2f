"""An official's request for a case's evidence files: a use case (services.case_evidence)
that queues the files to their chat and writes the request to the audit log."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from case_helpers import (
    BUREAU,
    CALENDAR,
    CITIZEN,
    DESCRIPTION,
    INVESTIGATORS,
    SECRET_KEY,
    UNIT_A_CONTACT,
    actor,
    audits,
    outbox_to,
)

from services import case_evidence
from services.case_steps import CaseRefused
from services.complaints import submit_complaint
from storage.complaints import ComplaintDraft, Evidence

NOW = datetime(2026, 12, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FILES = (
    Evidence(file_id="photo-file-1", kind="photo", mime_type="image/jpeg", size=10),
    # Not kept by Telegram (no file id): nothing to send.
    Evidence(file_id="", kind="document", mime_type="application/pdf", size=20),
    Evidence(file_id="doc-file-3", kind="document", mime_type="application/pdf", size=30),
)


async def case_with_evidence(storage, *, unit_id: int, category: str) -> int:
    async with storage.sessions() as session, session.begin():
        submitted = await submit_complaint(
            session=session,
            draft=ComplaintDraft(
                unit_id=unit_id,
                worker_id=None,
                category=category,
                description=DESCRIPTION,
                evidence=FILES,
            ),
            user_id=CITIZEN,
            language="zh",
            now=NOW,
            accept_due=CALENDAR.add_workdays(NOW.date(), 1),
            threshold=3,
            secret_key=SECRET_KEY,
        )
        assert submitted.case.id is not None
        return submitted.case.id


async def test_the_files_are_queued_to_the_officials_chat_and_audited(storage, county):
    case_id = await case_with_evidence(storage, unit_id=county.units["01号单位"], category="other")
    before = len(await outbox_to(storage, BUREAU))
    async with storage.sessions() as session, session.begin():
        queued = await case_evidence.send_evidence(
            session=session,
            case_id=case_id,
            actor=actor(BUREAU, "bureau"),
            chat_id=BUREAU,
            language="zh",
            now=NOW,
        )
    assert queued == 2
    sent = (await outbox_to(storage, BUREAU))[before:]
    assert [(r.method, r.payload["file_id"]) for r in sent] == [
        ("sendPhoto", "photo-file-1"),
        ("sendDocument", "doc-file-3"),
    ]
    assert [r.payload["text"] for r in sent] == [
        f"案件 #{case_id}，证据材料 1",
        f"案件 #{case_id}，证据材料 3",
    ]
    [logged] = await audits(storage, case_evidence.EVIDENCE_SENT)
    assert (logged.actor_user_id, logged.target_type, logged.target_id) == (
        BUREAU,
        "case",
        str(case_id),
    )
    assert logged.detail["files"] == 2


async def test_a_unit_gets_no_evidence(storage, county):
    unit_id = county.units["01号单位"]
    case_id = await case_with_evidence(storage, unit_id=unit_id, category="conduct")
    async with storage.sessions() as session, session.begin():
        with pytest.raises(CaseRefused) as refused:
            await case_evidence.send_evidence(
                session=session,
                case_id=case_id,
                actor=actor(UNIT_A_CONTACT, "unit", unit_id),
                chat_id=UNIT_A_CONTACT,
                language="zh",
                now=NOW,
            )
    assert refused.value.reason == "role"
    assert await outbox_to(storage, UNIT_A_CONTACT) == []
    assert await audits(storage, case_evidence.EVIDENCE_SENT) == []


async def test_at_the_desk_the_button_sends_them_and_a_forged_one_is_denied(chat, storage, county):
    case_id = await case_with_evidence(storage, unit_id=county.units["01号单位"], category="fraud")
    investigator = chat(INVESTIGATORS[0])
    await investigator.press(f"cs:open:{case_id}")
    await investigator.click("证据材料（3）")
    assert investigator.answers[-1] == "文件正在发送给您。"
    files = [r for r in await outbox_to(storage, INVESTIGATORS[0]) if "file_id" in r.payload]
    assert [r.payload["file_id"] for r in files] == ["photo-file-1", "doc-file-3"]

    unit = chat(UNIT_A_CONTACT)  # a serious case is not the unit's to see
    await unit.press(f"cs:ev:{case_id}")
    assert unit.answers[-1] == "该案件不在您的办理范围内。"
    assert [r for r in await outbox_to(storage, UNIT_A_CONTACT) if "file_id" in r.payload] == []
    assert [a.actor_user_id for a in await audits(storage, "denied")] == [UNIT_A_CONTACT]
    assert [a.actor_user_id for a in await audits(storage, case_evidence.EVIDENCE_SENT)] == [
        INVESTIGATORS[0]
    ]
