"""The officials' steps on a case, each in the caller's transaction: the rules of
``domain.cases`` checked against the role and the case's state, one event appended, the
complainant and the officials told through the outbox, and a confirmed serious finding carried
back to the worker's result and to a task for the unit.

A refused step raises ``CaseRefused`` after writing the refusal to the audit log: the caller
commits, so the refusal is kept and nothing else happened.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import cases as rules
from domain.workdays import UnknownYearError, WorkCalendar
from messages.i18n import N_, translate
from storage.audiences import bureau_staff, unit_contacts
from storage.complaints import add_event, forget_complainant
from storage.models import (
    AuditLog,
    Case,
    CaseEvent,
    Complaint,
    Cycle,
    Official,
    Result,
    RoleBinding,
    TelegramUser,
    Unit,
    UnitTask,
)
from storage.outbox import enqueue
from storage.publication import release_held_results

log = logging.getLogger(__name__)

FINDING_TASK_WORKDAYS = 5  # the unit's time to act on a confirmed finding (ours)

TOLD_ACCEPTED = N_(
    "Your complaint {code} was accepted (受理). It is to be concluded by {due}; you will be "
    "told the outcome."
)
TOLD_REJECTED = N_("Your complaint {code} was not accepted. Reason: {reason}")
TOLD_CLOSED = N_(
    "Your complaint {code} was concluded (办结).\nFinding: {finding}\nHandling opinion: {opinion}"
)
ASK_RATING = N_("How was your complaint handled? Rate it from 1 (very poor) to 5 (very good).")
TOLD_ASSIGNED = N_("Case #{case} was assigned to you for investigation.")
TOLD_REOPENED = N_(
    "Case #{case} was rated {rating} by the complainant and is reopened for your review."
)
TOLD_UNIT_TASK = N_(
    "A finding on a complaint about your unit was confirmed (case #{case}). Act on it and "
    "report back by {due}: {opinion}"
)
FINDING_TASK_TITLE = N_("Act on the finding of case #{case}")
# A reply names the office, never the official (the complainant's notices never do).
TOLD_REPLY = {
    "bureau": N_(
        "The employment bureau's hotline desk replied on your complaint {code}:\n\n{text}"
    ),
    "investigator": N_(
        "The county HR and social security bureau (人社局) replied on your complaint {code}:"
        "\n\n{text}"
    ),
}
OPEN_CASE = N_("Open the case")


class CaseRefused(Exception):
    """A step the rules do not allow now: ``reason`` is a domain refusal, or ``missing``."""

    def __init__(self, reason: str, *, case_id: int, action: str) -> None:
        self.reason = reason
        self.case_id = case_id
        self.action = action
        super().__init__(f"{action} on case {case_id} refused: {reason}")


@dataclass(frozen=True)
class Actor:
    """Who takes a step, in which role. ``official_id`` and ``unit_id`` come from the
    actor's role binding, read on the server."""

    user_id: int | None
    role: str
    official_id: int | None = None
    unit_id: int | None = None


SYSTEM = Actor(user_id=None, role="system")
# The complainant's own steps are recorded without their Telegram id: the history outlives
# the link between the case and the chat.
COMPLAINANT = Actor(user_id=None, role="complainant")


# --- the steps ------------------------------------------------------------------------------


async def accept(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, calendar: WorkCalendar
) -> Case:
    case = await _checked(session, case_id, "accept", actor, now)
    today = now.date()
    renewals = await renewals_from(session, case=case, calendar=calendar)
    try:
        case.conclude_due = rules.conclusion_due(
            today, renewals_from=renewals, is_workday=calendar.is_workday
        )
    except UnknownYearError:
        case.conclude_due = today + timedelta(days=rules.CONCLUDE_OUTER_DAYS)
    await _step(
        session, case, "accept", actor, now, detail={"conclude_due": str(case.conclude_due)}
    )
    await _tell_complainant(
        session, case, TOLD_ACCEPTED, key="accepted", due=str(case.conclude_due)
    )
    return case


async def reject(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, reason: str
) -> Case:
    case = await _checked(session, case_id, "reject", actor, now, text=reason)
    case.closed_at = now
    await _step(session, case, "reject", actor, now, detail={"reason": reason})
    await _release(session, case, now=now)
    await _tell_complainant(session, case, TOLD_REJECTED, key="rejected", reason=reason)
    return case


async def assign(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, investigator: int
) -> Case:
    """Assign the investigator bound as Telegram user ``investigator``."""
    case = await _checked(session, case_id, "assign", actor, now)
    official_id = await investigator_official(session, user_id=investigator)
    if official_id is None:
        await refuse(session, case_id, "assign", actor, now, "input")
    case.assignee_id = official_id
    await _step(session, case, "assign", actor, now, detail={"assignee": official_id})
    language = await _language(session, investigator)
    await enqueue(
        session,
        chat_id=investigator,
        kind="alert",
        text=translate(TOLD_ASSIGNED, language, case=case.id),
        buttons=[[(translate(OPEN_CASE, language), f"cs:open:{case.id}")]],
        dedup_key=f"cs:{case.id}:assigned:{await event_seq(session, case)}",
    )
    return case


async def note(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, text: str
) -> Case:
    case = await _checked(session, case_id, "note", actor, now, text=text)
    await _step(session, case, "note", actor, now, detail={"note": text})
    return case


async def reply(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, text: str
) -> Case:
    """The desk's or the investigator's typed reply, sent to the complainant's chat (anonymous
    ones too: they are reachable by the chat they filed from) with the ticket code."""
    case = await _checked(session, case_id, "reply", actor, now, text=text)
    complaint = await session.get(Complaint, case.complaint_id)
    if len(text) > rules.REPLY_MAX or complaint is None or complaint.submitted_by is None:
        await refuse(session, case_id, "reply", actor, now, "input", state=case.state)
    await _step(session, case, "reply", actor, now, detail={"reply": text})
    await _tell_complainant(session, case, TOLD_REPLY[actor.role], key="reply", text=text)
    return case


@dataclass(frozen=True)
class Reclassified:
    case: Case
    before_route: str


async def reclassify(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, category: str
) -> Reclassified:
    """The bureau puts the case in another category, with that category's severity and route;
    the event and the audit entry are written with it. Alerting the new route's officials is
    the caller's, as it is for a new case (handlers.hotline.alert_case).

    The due dates stay: neither clock depends on the category. The acceptance clock follows
    the 公示 (domain.complaints.acceptance_due) and the conclusion clock the renewals
    (rules.conclusion_due), whatever the severity."""
    case = await _checked(session, case_id, "reclassify", actor, now)
    chosen = rules.reclassification(case.category, category)
    if chosen is None:
        await refuse(session, case_id, "reclassify", actor, now, "input", state=case.state)
    assert chosen is not None
    before = {"from": case.category, "from_severity": case.severity, "from_route": case.route}
    case.category, case.severity, case.route = chosen.key, chosen.severity, chosen.route
    detail = {**before, "to": chosen.key, "to_severity": chosen.severity, "to_route": chosen.route}
    await _step(session, case, "reclassify", actor, now, detail=detail)
    _audit(session, actor, now, "case_reclassified", case_id, detail)
    # A worker's result held at the 公示's close waits for serious cases only.
    serious_no_more = before["from_severity"] == "serious" and chosen.severity != "serious"
    if serious_no_more and case.worker_id is not None:
        await release_held_results(session=session, worker_id=case.worker_id, now=now)
    return Reclassified(case, before["from_route"])


async def record_finding(
    *,
    session: AsyncSession,
    case_id: int,
    actor: Actor,
    now: datetime,
    finding: str,
    opinion: str,
    calendar: WorkCalendar,
) -> Case:
    case = await _checked(session, case_id, "record_finding", actor, now, text=opinion)
    if finding not in rules.FINDINGS:
        await refuse(session, case_id, "record_finding", actor, now, "input")
    case.finding, case.opinion = finding, opinion
    await _step(
        session, case, "record_finding", actor, now, detail={"finding": finding, "opinion": opinion}
    )
    if finding == rules.CONFIRMED and case.severity == "serious":
        await _carry_back(session, case, now=now, calendar=calendar)
    return case


async def extend(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, reason: str
) -> Case:
    case = await _checked(session, case_id, "extend", actor, now, text=reason)
    current = case.conclude_due or now.date()
    accepted_on = await _accepted_on(session, case) or now.date()
    case.conclude_due = rules.extended_due(current, accepted_on=accepted_on)
    case.extended = True
    await _step(
        session,
        case,
        "extend",
        actor,
        now,
        detail={"reason": reason, "from": str(current), "to": str(case.conclude_due)},
    )
    return case


async def close(*, session: AsyncSession, case_id: int, actor: Actor, now: datetime) -> Case:
    """办结: the complainant is told and asked to rate it; the 处理意见书 is archived with the
    case and sent to the bureau's desk; a worker's result held for the case is released."""
    case = await _checked(session, case_id, "close", actor, now)
    case.closed_at = now
    await _step(session, case, "close", actor, now)
    from storage.case_opinion import archive_opinion  # it renders with this module's helpers

    await archive_opinion(session, case, now=now)
    await _release(session, case, now=now)
    complaint = await session.get(Complaint, case.complaint_id)
    if complaint is not None and complaint.submitted_by is not None:
        language = complaint.language
        told = translate(
            TOLD_CLOSED,
            language,
            code=complaint.ticket_code,
            finding=case.finding or "—",
            opinion=case.opinion or "—",
        )
        # Rated once: a case closed again after the bureau's review is not rated again.
        asks = case.rating is None
        await enqueue(
            session,
            chat_id=complaint.submitted_by,
            kind="notice",
            text=f"{told}\n\n{translate(ASK_RATING, language)}" if asks else told,
            buttons=[[(str(n), f"rt:{case.id}:{n}") for n in range(1, 6)]] if asks else None,
            dedup_key=f"cs:{case.id}:closed:{await event_seq(session, case)}",
        )
    seq = await event_seq(session, case)
    for merged in await _merged_complaints(session, case):
        if merged.submitted_by is not None:
            await enqueue(
                session,
                chat_id=merged.submitted_by,
                kind="notice",
                text=translate(
                    TOLD_CLOSED,
                    merged.language,
                    code=merged.ticket_code,
                    finding=case.finding or "—",
                    opinion=case.opinion or "—",
                ),
                dedup_key=f"cs:{case.id}:closed:{merged.ticket_code}:{seq}",
            )
    return case


async def merge(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, into: int
) -> Case:
    """并单: the case joins case ``into``, which must be another case still open."""
    case = await _checked(session, case_id, "merge", actor, now)
    target = await session.get(Case, into)
    if target is None or target.id == case.id or target.state in rules.FINAL_STATES:
        await refuse(session, case_id, "merge", actor, now, "input")
    assert target is not None
    case.merged_into_id = target.id
    case.closed_at = now
    await _step(session, case, "merge", actor, now, detail={"into": target.id})
    await _release(session, case, now=now)
    await add_event(
        session,
        target,
        "merged_in",
        now=now,
        actor_user_id=actor.user_id,
        actor_role=actor.role,
        detail={"case": case.id},
    )
    return case


async def rate(
    *,
    session: AsyncSession,
    case_id: int,
    user_id: int,
    now: datetime,
    rating: int,
    comment: str = "",
) -> Case:
    """The complainant's rating; 1 or 2 reopens the case for the bureau's review, once."""
    # A refusal is audited without the presser's id: it would be theirs, pressing a button of
    # their own case, as often as anyone else's.
    actor = COMPLAINANT
    case = await _checked(session, case_id, "rate", actor, now)
    complaint = await session.get(Complaint, case.complaint_id)
    if complaint is None or complaint.submitted_by != user_id:
        await refuse(session, case_id, "rate", actor, now, "scope")
    if not rules.check_rating(rating):
        await refuse(session, case_id, "rate", actor, now, "input")
    case.rating, case.rating_comment = rating, comment
    await _step(session, case, "rate", actor, now, detail={"rating": rating})
    if rules.reopens(rating) and not case.reopened:
        await reopen(session=session, case_id=case_id, now=now)
    return case


async def comment_rating(
    *, session: AsyncSession, case_id: int, user_id: int, now: datetime, comment: str
) -> Case:
    """The optional comment after a rating, by the one who rated."""
    case = await _load(session, case_id)
    complaint = await session.get(Complaint, case.complaint_id) if case else None
    actor = COMPLAINANT
    if case is None or complaint is None or complaint.submitted_by != user_id:
        await refuse(session, case_id, "rate", actor, now, "scope")
    assert case is not None
    if case.rating is None:
        await refuse(session, case_id, "rate", actor, now, "state")
    case.rating_comment = comment
    await add_event(
        session,
        case,
        "rating_comment",
        now=now,
        actor_role="complainant",
        detail={"comment": comment},
    )
    return case


async def reopen(*, session: AsyncSession, case_id: int, now: datetime) -> Case:
    case = await _checked(session, case_id, "reopen", SYSTEM, now)
    case.reopened, case.closed_at = True, None
    await _step(session, case, "reopen", SYSTEM, now, detail={"rating": case.rating})
    for recipient in await bureau_staff(session):
        await enqueue(
            session,
            chat_id=recipient.user_id,
            kind="alert",
            text=translate(TOLD_REOPENED, recipient.language, case=case.id, rating=case.rating),
            buttons=[[(translate(OPEN_CASE, recipient.language), f"cs:open:{case.id}")]],
            dedup_key=f"cs:{case.id}:reopened:{recipient.user_id}",
        )
    return case


# --- checks and events ----------------------------------------------------------------------


async def _load(session: AsyncSession, case_id: int) -> Case | None:
    # Locked for the step on PostgreSQL: two officials pressing at once take turns, and the
    # second finds the state the first left.
    found = await session.execute(select(Case).where(col(Case.id) == case_id).with_for_update())
    return found.scalars().first()


async def facts_for(session: AsyncSession, case: Case, actor: Actor) -> rules.Facts:
    own_official = actor.official_id
    if actor.role == "investigator" and own_official is None and actor.user_id is not None:
        own_official = await investigator_official(session, user_id=actor.user_id, create=False)
    return rules.Facts(
        state=case.state,
        route=case.route,
        extended=case.extended,
        reopened=case.reopened,
        rated=case.rating is not None,
        assigned_to_other=case.assignee_id is not None and case.assignee_id != own_official,
        own_unit=actor.unit_id is not None and actor.unit_id == case.unit_id,
    )


async def refusal_of(
    session: AsyncSession, case: Case, action: str, actor: Actor
) -> rules.Refusal | None:
    return rules.refusal(action, role=actor.role, facts=await facts_for(session, case, actor))


async def check(
    *, session: AsyncSession, case_id: int, action: str, actor: Actor, now: datetime
) -> Case:
    """The case, when ``actor`` may take ``action`` on it now (before asking them for the
    step's text); otherwise the refusal is logged and raised."""
    return await _checked(session, case_id, action, actor, now)


async def _checked(
    session: AsyncSession,
    case_id: int,
    action: str,
    actor: Actor,
    now: datetime,
    *,
    text: str | None = None,
) -> Case:
    case = await _load(session, case_id)
    if case is None:
        await refuse(session, case_id, action, actor, now, "missing")
    assert case is not None
    refused = await refusal_of(session, case, action, actor)
    if refused is None and rules.STEPS[action].needs and text is not None and not text.strip():
        refused = "input"
    if refused is not None:
        await refuse(session, case_id, action, actor, now, refused, state=case.state)
    return case


async def refuse(
    session: AsyncSession,
    case_id: int,
    action: str,
    actor: Actor,
    now: datetime,
    reason: str,
    *,
    state: str | None = None,
) -> None:
    detail = {"step": action, "role": actor.role, "reason": reason, "state": state}
    _audit(session, actor, now, "case_step_refused", case_id, detail)
    await session.flush()
    raise CaseRefused(reason, case_id=case_id, action=action)


def _audit(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    action: str,
    case_id: int,
    detail: dict[str, Any],
) -> None:
    session.add(
        AuditLog(
            at=now,
            actor_user_id=actor.user_id,
            actor="telegram" if actor.user_id is not None else "system",
            action=action,
            target_type="case",
            target_id=str(case_id),
            detail=detail,
        )
    )


async def _step(
    session: AsyncSession,
    case: Case,
    action: str,
    actor: Actor,
    now: datetime,
    *,
    detail: dict[str, Any] | None = None,
) -> CaseEvent:
    step = rules.STEPS[action]
    event = await add_event(
        session,
        case,
        action,
        now=now,
        to_state=rules.next_state(action, case.state),
        public=step.public,
        actor_user_id=actor.user_id,
        actor_role=actor.role,
        detail=detail,
    )
    case.state = rules.next_state(action, case.state)
    case.updated_at = now
    return event


async def event_seq(session: AsyncSession, case: Case) -> int:
    found = await session.execute(
        select(func.max(col(CaseEvent.seq))).where(col(CaseEvent.case_id) == case.id)
    )
    return int(found.scalar_one() or 0)


async def _tell_complainant(
    session: AsyncSession, case: Case, message: str, *, key: str, **params: Any
) -> None:
    complaint = await session.get(Complaint, case.complaint_id)
    if complaint is None or complaint.submitted_by is None:
        return
    await enqueue(
        session,
        chat_id=complaint.submitted_by,
        kind="notice",
        text=translate(message, complaint.language, code=complaint.ticket_code, **params),
        dedup_key=f"cs:{case.id}:{key}:{await event_seq(session, case)}",
    )


async def _merged_complaints(session: AsyncSession, case: Case) -> list[Complaint]:
    found = await session.execute(
        select(Complaint)
        .join(Case, col(Case.complaint_id) == col(Complaint.id))
        .where(col(Case.merged_into_id) == case.id)
        .order_by(col(Complaint.id))
    )
    return list(found.scalars())


async def _accepted_on(session: AsyncSession, case: Case) -> date | None:
    found = await session.execute(
        select(col(CaseEvent.at))
        .where(col(CaseEvent.case_id) == case.id, col(CaseEvent.action) == "accept")
        .order_by(col(CaseEvent.seq))
        .limit(1)
    )
    at = found.scalar_one_or_none()
    return at.date() if at is not None else None


async def _language(session: AsyncSession, user_id: int) -> str:
    user = await session.get(TelegramUser, user_id)
    return user.language if user is not None else "zh"


# --- investigators --------------------------------------------------------------------------


async def investigator_official(
    session: AsyncSession, *, user_id: int, create: bool = True
) -> int | None:
    """The official record of a bound investigator; one is made for a binding without it,
    since a case is assigned to an official, not to a Telegram account."""
    found = await session.execute(
        select(RoleBinding).where(
            col(RoleBinding.user_id) == user_id,
            col(RoleBinding.role) == "investigator",
            col(RoleBinding.revoked_at).is_(None),
        )
    )
    binding = found.scalars().first()
    if binding is None:
        return None
    if binding.official_id is None and create:
        official = Official(name=f"#{user_id}", role="investigator")
        session.add(official)
        await session.flush()
        binding.official_id = official.id
    return binding.official_id


async def assignee_user(session: AsyncSession, case: Case) -> int | None:
    """The Telegram user of the case's assignee, if one is bound."""
    if case.assignee_id is None:
        return None
    found = await session.execute(
        select(col(RoleBinding.user_id)).where(
            col(RoleBinding.official_id) == case.assignee_id, col(RoleBinding.revoked_at).is_(None)
        )
    )
    user = found.scalars().first()
    return int(user) if user is not None else None


async def investigator_names(session: AsyncSession) -> dict[int, str]:
    """Bound investigators' names by Telegram user, where their official record has one."""
    found = await session.execute(
        select(col(RoleBinding.user_id), col(Official.name))
        .join(Official, col(Official.id) == col(RoleBinding.official_id))
        .where(col(RoleBinding.role) == "investigator", col(RoleBinding.revoked_at).is_(None))
    )
    return {int(user_id): str(name) for user_id, name in found.all()}


# --- the finding flows back -----------------------------------------------------------------


async def _carry_back(
    session: AsyncSession, case: Case, *, now: datetime, calendar: WorkCalendar
) -> None:
    """A confirmed serious finding: the worker's result is marked (renewal blocked; subsidies
    stopped and the unit's quota cut for 人岗不符 and 不在岗), and the unit gets a task."""
    worker_finding = rules.FINDING_OF_CATEGORY.get(case.category)
    if case.worker_id is not None and case.cycle_id is not None:
        found = await session.execute(
            select(Result).where(
                col(Result.cycle_id) == case.cycle_id, col(Result.worker_id) == case.worker_id
            )
        )
        result = found.scalars().first()
        if result is not None:
            result.renewal_blocked = True
            if worker_finding is not None and worker_finding not in (result.findings or []):
                result.findings = [*(result.findings or []), worker_finding]
                result.subsidy_stopped = True
                unit = await session.get(Unit, case.unit_id) if case.unit_id else None
                if unit is not None:
                    unit.quota_cut += 1
            result.updated_at = now
    if case.unit_id is not None and case.cycle_id is not None:
        await _unit_task(session, case, now=now, calendar=calendar)


async def _unit_task(
    session: AsyncSession, case: Case, *, now: datetime, calendar: WorkCalendar
) -> None:
    assert case.unit_id is not None and case.cycle_id is not None
    try:
        due = calendar.add_workdays(now.date(), FINDING_TASK_WORKDAYS)
    except UnknownYearError:
        due = now.date() + timedelta(days=7)
    session.add(
        UnitTask(
            cycle_id=case.cycle_id,
            unit_id=case.unit_id,
            kind=f"case_{case.id}",
            starts_on=now.date(),
            due_on=due,
            needs_file=True,
            title=translate(FINDING_TASK_TITLE, "zh", case=case.id),
            note=case.opinion[:1000],
            case_id=case.id,
        )
    )
    for recipient in await unit_contacts(session, case.unit_id):
        await enqueue(
            session,
            chat_id=recipient.user_id,
            kind="alert",
            text=translate(
                TOLD_UNIT_TASK, recipient.language, case=case.id, due=str(due), opinion=case.opinion
            ),
            dedup_key=f"cs:{case.id}:unit_task:{recipient.user_id}",
        )


async def renewals_from(
    session: AsyncSession, *, case: Case, calendar: WorkCalendar
) -> date | None:
    """When the cycle's renewal decisions start: the unit's renewal task, else the first
    working day after the 公示 closes."""
    if case.cycle_id is None:
        return None
    if case.unit_id is not None:
        found = await session.execute(
            select(col(UnitTask.starts_on)).where(
                col(UnitTask.cycle_id) == case.cycle_id,
                col(UnitTask.unit_id) == case.unit_id,
                col(UnitTask.kind) == "renewals_signed",
            )
        )
        starts = found.scalar_one_or_none()
        if starts is not None:
            return starts
    cycle = await session.get(Cycle, case.cycle_id)
    if cycle is None or cycle.gongshi_closes_on is None:
        return None
    try:
        return calendar.add_workdays(cycle.gongshi_closes_on, 1)
    except UnknownYearError:
        return None


# --- when a case ends -----------------------------------------------------------------------


async def _release(session: AsyncSession, case: Case, *, now: datetime) -> None:
    """A case ended: who filed it no longer counts (after the day of the daily limit); a
    serious case about a worker ended: their result held at the 公示's close is final now,
    unless another serious case about them is still open."""
    await forget_complainant(session, case.complaint_id, now=now)
    if case.severity == "serious" and case.worker_id is not None:
        await release_held_results(session=session, worker_id=case.worker_id, now=now)
