"""Filing a complaint and a worker's objection as use cases, against a real database: the
rows, the escalation and the alerts land in the caller's transaction, and nothing commits."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hotline_helpers import BUREAU, DESCRIPTION, INVESTIGATORS, UNIT_A_CONTACT, WORKER_USER
from sqlalchemy import func, select

from domain.workdays import WorkCalendar
from services.complaints import file_complaint
from services.objections import file_objection
from storage.complaints import ComplaintDraft, ContactDraft, made_serious_by_count
from storage.models import Case, Complaint, Outbox

NOW = datetime(2026, 12, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
KEY = "a-secret-key-of-the-deployment-long-enough-1234"
CITIZENS = (9_200_000_001, 9_200_000_002, 9_200_000_003)


def draft(county, category: str, *, contact: int | None = None) -> ComplaintDraft:
    return ComplaintDraft(
        unit_id=county.units["01号单位"],
        worker_id=county.workers["张小三"],
        category=category,
        description=DESCRIPTION,
        contact=ContactDraft(contact, "王二", "13800138000") if contact else None,
    )


async def file(session, county, category: str, user_id: int, *, contact: bool = False):
    return await file_complaint(
        session=session,
        draft=draft(county, category, contact=user_id if contact else None),
        user_id=user_id,
        language="zh",
        now=NOW,
        calendar=WorkCalendar(),
        threshold=3,
        secret_key=KEY,
    )


async def alerts(session) -> dict[str, Outbox]:
    rows = await session.execute(select(Outbox).where(Outbox.kind == "alert"))
    return {row.dedup_key: row for row in rows.scalars()}


async def test_a_serious_complaint_alerts_investigators_and_desk_never_the_unit(storage, county):
    async with storage.sessions() as session, session.begin():
        submitted = await file(session, county, "absent", CITIZENS[0], contact=True)
        case_id = submitted.case.id
        queued = await alerts(session)
        assert sorted(queued) == sorted(
            f"case:{case_id}:new:{user}" for user in (*INVESTIGATORS, BUREAU)
        )
        buttons = queued[f"case:{case_id}:new:{BUREAU}"].payload["buttons"]
        assert [b["data"] for b in buttons[0]] == [f"cs:open:{case_id}", f"hl:contact:{case_id}"]
        assert all(row.chat_id != UNIT_A_CONTACT for row in queued.values())
        await session.rollback()
    async with storage.sessions() as session:
        # Nothing was committed by the use case: the rollback took the complaint and alerts.
        assert await session.scalar(select(func.count()).select_from(Complaint)) == 0
        assert await session.scalar(select(func.count()).select_from(Outbox)) == 0


async def test_the_third_complainant_escalates_the_earlier_cases_and_tells_investigators(
    storage, county
):
    async with storage.sessions() as session, session.begin():
        first = await file(session, county, "conduct", CITIZENS[0])
        second = await file(session, county, "conduct", CITIZENS[1])
        assert (first.case.severity, first.case.route) == ("minor", "unit")
        third = await file(session, county, "conduct", CITIZENS[2])
        assert (third.case.severity, third.complainants) == ("serious", 3)
        assert {c.id for c in third.escalated} == {first.case.id, second.case.id}
        queued = await alerts(session)
    for earlier in (first.case.id, second.case.id):
        for user in (*INVESTIGATORS, BUREAU):
            assert f"case:{earlier}:escalated:{user}" in queued
        # The minor case went to the unit's contact when it was new, masked.
        unit_alert = queued[f"case:{earlier}:new:unit:{UNIT_A_CONTACT}"]
        assert "张*三" in unit_alert.payload["text"]
        assert "张小三" not in unit_alert.payload["text"]
    async with storage.sessions() as session:
        severities = await session.execute(select(Case.severity).order_by(Case.id))
        assert list(severities.scalars()) == ["serious", "serious", "serious"]


async def test_the_count_is_per_matter_and_marks_the_cases_it_made_serious(storage, county):
    """Distinct complainant hashes about one worker, or one unit and category, are counted;
    the cases the count made serious are marked so for good, the others are not."""
    unit = county.units["01号单位"]

    def about(worker: str | None, category: str) -> ComplaintDraft:
        return ComplaintDraft(
            unit_id=unit,
            worker_id=county.workers[worker] if worker else None,
            category=category,
            description=DESCRIPTION,
        )

    async def filed(session, what: ComplaintDraft, user_id: int):
        return await file_complaint(
            session=session,
            draft=what,
            user_id=user_id,
            language="zh",
            now=NOW,
            calendar=WorkCalendar(),
            threshold=3,
            secret_key=KEY,
        )

    async with storage.sessions() as session, session.begin():
        # Lateness of three different workers: three matters of one person each.
        for user, worker in zip(CITIZENS, ("张小三", "张大伟", "李四"), strict=True):
            assert (await filed(session, about(worker, "conduct"), user)).complainants == 1
        # 张小三 again, by two more people, in other categories: the worker is the matter.
        absent = await filed(session, about("张小三", "absent"), CITIZENS[1])
        assert (absent.complainants, absent.triage.by_count) == (2, False)
        third = await filed(session, about("张小三", "unfair"), CITIZENS[2])
        assert (third.complainants, third.triage.by_count) == (3, True)
        assert {c.worker_id for c in third.escalated} == {county.workers["张小三"]}
        assert len(third.escalated) == 1  # the lateness case; the absence one was serious
        # The unit itself, same category, one person twice: counted once.
        for user in (CITIZENS[0], CITIZENS[0], CITIZENS[1]):
            unit_case = await filed(session, about(None, "conduct"), user)
        assert (unit_case.complainants, unit_case.case.severity) == (2, "minor")
        marked = {
            case_id: await made_serious_by_count(session, case_id)
            for case_id in (third.case.id, third.escalated[0].id, absent.case.id)
        }
    assert marked == {third.case.id: True, third.escalated[0].id: True, absent.case.id: False}


async def test_an_objection_is_a_medium_case_for_the_desk_alone(storage, county):
    worker_id = county.workers["张小三"]
    async with storage.sessions() as session, session.begin():
        submitted = await file_objection(
            session=session,
            worker_id=worker_id,
            user_id=WORKER_USER,
            reason="我的考核结果与实际出勤不符，请复核。",
            language="zh",
            now=NOW,
            calendar=WorkCalendar(),
            secret_key=KEY,
        )
        assert submitted is not None
        case = submitted.case
        assert (submitted.complaint.kind, case.severity, case.route) == (
            "objection",
            "medium",
            "bureau",
        )
        queued = await alerts(session)
    assert list(queued) == [f"case:{case.id}:new:{BUREAU}"]
    alert = queued[f"case:{case.id}:new:{BUREAU}"]
    assert "我的考核结果与实际出勤不符" in alert.payload["text"]
    assert "张小三" in alert.payload["text"]
    # The desk opens the objection from its alert, or goes back to the menu.
    assert alert.payload["buttons"][0] == [{"text": "打开申辩", "data": f"cs:open:{case.id}"}]
    labels = [button["text"] for row in alert.payload["buttons"] for button in row]
    assert labels == ["打开申辩", "返回菜单"]


async def test_no_objection_for_a_worker_not_on_the_roster(storage, county):
    async with storage.sessions() as session, session.begin():
        submitted = await file_objection(
            session=session,
            worker_id=999_999,
            user_id=WORKER_USER,
            reason="我的考核结果与实际出勤不符，请复核。",
            language="zh",
            now=NOW,
            calendar=WorkCalendar(),
            secret_key=KEY,
        )
        assert submitted is None
        assert await session.scalar(select(func.count()).select_from(Outbox)) == 0
