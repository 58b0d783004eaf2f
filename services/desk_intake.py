"""A complaint the desk logs from a telephone call, a letter or a visit: the same complaint and
case as one from chat (services.complaints.file_complaint: triage, escalation, alerts), with
its channel, the day it was received and who logged it, in the caller's transaction (never
commits).

The caller has no chat: the desk reads the ticket code back (or writes it in the reply letter)
and the caller follows the case with /status like anyone else. Their name and number are the
complaint's contact, kept apart, shown only to bureau staff and investigators and audited, and
purged with the complaint's retention; the distinct-complainant count reads a keyed hash of the
number, never the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.desk_intake import CHANNELS, Caller, received_refusal
from domain.workdays import WorkCalendar
from services.complaints import Submitted, file_complaint
from storage.audit import audit
from storage.cases import Actor
from storage.complaints import ComplaintDraft, ContactDraft, Evidence
from storage.models import DeskIntake, Unit

LOGGERS = ("bureau", "unit")


class DeskRefused(Exception):
    """A complaint the desk may not log as given: ``reason`` is role, scope or input."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Logged:
    unit_id: int
    worker_id: int | None
    category: str
    description: str
    channel: str
    received_on: date
    caller: Caller | None  # None: anonymous
    evidence: tuple[Evidence, ...] = ()


async def log_complaint(
    *,
    session: AsyncSession,
    logged: Logged,
    actor: Actor,
    now: datetime,
    calendar: WorkCalendar,
    threshold: int,
    secret_key: str,
    language: str = "zh",
) -> Submitted:
    """The logged complaint; a unit contact logs only what its own line took about its own
    unit. Refused (``DeskRefused``) before anything is written."""
    if actor.role not in LOGGERS:
        raise DeskRefused("role")
    if actor.role == "unit" and actor.unit_id != logged.unit_id:
        raise DeskRefused("scope")
    unit = await session.get(Unit, logged.unit_id)
    if (
        unit is None
        or logged.channel not in CHANNELS
        or received_refusal(logged.received_on, today=now.date()) is not None
    ):
        raise DeskRefused("input")
    caller = logged.caller
    submitted = await file_complaint(
        session=session,
        draft=ComplaintDraft(
            unit_id=logged.unit_id,
            worker_id=logged.worker_id,
            category=logged.category,
            description=logged.description,
            evidence=logged.evidence,
            contact=ContactDraft(None, caller.name, caller.phone) if caller else None,
        ),
        user_id=None,
        language=language,
        now=now,
        calendar=calendar,
        threshold=threshold,
        secret_key=secret_key,
        channel=logged.channel,
        complainant_key=f"tel:{caller.phone}" if caller and caller.phone else None,
    )
    complaint = submitted.complaint
    assert complaint.id is not None
    session.add(
        DeskIntake(
            complaint_id=complaint.id,
            received_on=logged.received_on,
            logged_by=actor.user_id,
            logged_role=actor.role,
            logged_at=now,
        )
    )
    # Who logged what, never who called.
    audit(
        session,
        action="complaint_logged",
        actor_user_id=actor.user_id,
        target_type="case",
        target_id=submitted.case.id,
        at=now,
        channel=logged.channel,
        received_on=logged.received_on.isoformat(),
        anonymous=caller is None,
    )
    await session.flush()
    return submitted
