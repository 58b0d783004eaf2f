"""File a complaint: its rows, its triage, the escalation of earlier cases about the same
target, and the alerts, in the caller's transaction (never commits).

The rules come from domain.complaints: a category's severity and route, a general complaint
outside 公示, and ``threshold`` distinct complainants about one matter (the worker named, else
the unit and the category: domain.complaints.Matter) in one 公示 making the case, and every
live case about that matter, serious. Who hears of it is
services.case_alerts'.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.complaints import Matter, Triage, acceptance_due, matter, triage
from domain.workdays import UnknownYearError, WorkCalendar
from services.case_alerts import alert_case, alert_escalated
from storage import complaints as store
from storage.complaints import ComplaintDraft
from storage.models import Case, Complaint

log = logging.getLogger(__name__)


@dataclass
class Submitted:
    complaint: Complaint
    case: Case
    triage: Triage
    complainants: int = 0  # distinct people about the same matter in this 公示, this one included
    escalated: list[Case] = field(default_factory=list)


def accept_due(*, today: date, in_gongshi: bool, calendar: WorkCalendar) -> date | None:
    """When a new case must be accepted by, or None when the year's calendar is missing."""
    try:
        return acceptance_due(today, in_gongshi=in_gongshi, add_workdays=calendar.add_workdays)
    except UnknownYearError:
        # Never guess working days: the complaint is taken without a due date, and the
        # admins are already asked every day to supply the year's calendar file.
        log.warning("no working-day calendar for %s: case taken without a due date", today.year)
        return None


async def file_complaint(
    *,
    session: AsyncSession,
    draft: ComplaintDraft,
    user_id: int | None,
    language: str,
    now: datetime,
    calendar: WorkCalendar,
    threshold: int,
    secret_key: str,
    channel: str = "chat",
    complainant_key: str | None = None,
) -> Submitted:
    """A citizen's complaint: the case, the earlier cases it escalates, and everyone's alerts.
    The desk's logged calls, letters and visits come here too (services.desk_intake), with
    their ``channel`` and no chat (``user_id`` None)."""
    cycle = await store.open_cycle(session)
    submitted = await submit_complaint(
        session=session,
        draft=draft,
        user_id=user_id,
        language=language,
        now=now,
        accept_due=accept_due(today=now.date(), in_gongshi=cycle is not None, calendar=calendar),
        threshold=threshold,
        secret_key=secret_key,
        channel=channel,
        complainant_key=complainant_key,
    )
    await alert_case(
        session,
        case=submitted.case,
        complaint=submitted.complaint,
        general=submitted.triage.general,
        evidence=len(draft.evidence),
    )
    for earlier in submitted.escalated:
        await alert_escalated(session, case=earlier, complainants=submitted.complainants)
    return submitted


async def submit_complaint(
    *,
    session: AsyncSession,
    draft: ComplaintDraft,
    user_id: int | None,
    language: str,
    now: datetime,
    accept_due: date | None,
    threshold: int,
    secret_key: str,
    kind: str = "complaint",
    channel: str = "chat",
    complainant_key: str | None = None,
) -> Submitted:
    """Write the complaint, its contact, its case and the case's first event; escalate the
    target's earlier cases when this complaint makes it serious. No alert: ``file_complaint``
    and services.objections add those.

    No event names the citizen. A worker's objection (``kind="objection"``) always goes to
    the bureau desk as a medium case: it never counts as a complaint against its own worker,
    nor escalates anything."""
    objection = kind == "objection"
    cycle = await store.open_cycle(session)
    complaint = await store.add_complaint(
        session,
        draft=draft,
        kind=kind,
        cycle_id=cycle.id if cycle else None,
        user_id=user_id,
        language=language,
        now=now,
        secret_key=secret_key,
        channel=channel,
        complainant_key=complainant_key,
    )
    about = matter(unit_id=draft.unit_id, worker_id=draft.worker_id, category=draft.category)
    people = (
        await store.distinct_complainants(session, cycle_id=cycle.id, matter=about)
        if cycle is not None and cycle.id is not None and not objection
        else 0
    )
    decided = (
        Triage("medium", "bureau")
        if objection
        else triage(
            draft.category, in_gongshi=cycle is not None, complainants=people, threshold=threshold
        )
    )
    case = await store.add_case(
        session, complaint=complaint, triage=decided, accept_due=accept_due, now=now
    )
    await store.add_event(
        session,
        case,
        "submitted",
        to_state="submitted",
        public=True,
        # A worker's objection is theirs by name; a citizen's complaint names nobody here.
        actor_user_id=user_id if objection else None,
        actor_role="worker" if objection else "citizen",
        now=now,
        detail={
            "severity": decided.severity,
            "route": decided.route,
            "general": decided.general,
            # Read back by storage.complaints.made_serious_by_count, for as long as the case lives.
            "by_count": decided.by_count,
        },
    )
    submitted = Submitted(complaint, case, decided, people)
    if not objection and decided.by_count and cycle:
        submitted.escalated = await _escalate_related(
            session, case=case, about=about, people=people, now=now
        )
    return submitted


async def _escalate_related(
    session: AsyncSession, *, case: Case, about: Matter, people: int, now: datetime
) -> list[Case]:
    escalated = await store.open_cases_below_serious(session, case=case, matter=about)
    for earlier in escalated:
        before = earlier.severity
        earlier.severity, earlier.route, earlier.updated_at = "serious", "investigators", now
        await store.add_event(
            session,
            earlier,
            "escalated",
            now=now,
            detail={"from_severity": before, "complainants": people, "by_case": case.id},
        )
    return escalated
