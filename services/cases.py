"""The officials' steps on a case, and the complainant's rating, each in the caller's
transaction: the rules of ``domain.cases`` checked against the role and the case's state, one
event appended, the complainant and the officials told through the outbox, and a confirmed
serious finding's chosen consequences carried back (services.case_findings).

A refused step raises ``CaseRefused`` after writing the refusal to the audit log: the caller
commits, so the refusal is kept and nothing else happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from domain import cases as rules
from domain.complaints import BY_KEY
from domain.workdays import UnknownYearError, WorkCalendar
from messages import callbacks_cases as buttons
from messages.i18n import N_, translate
from services import case_findings as findings
from services.case_alerts import alert_case
from services.case_clocks import owners
from services.case_opinion import archive_opinion
from services.case_steps import (
    CaseRefused,
    audit_case,
    checked,
    refuse,
    tell_complainant,
)
from services.merged_complainants import tell_merged_of_close, tell_merged_of_reply
from storage.audiences import bureau_staff
from storage.case_desk import card
from storage.cases import (
    COMPLAINANT,
    SYSTEM,
    Actor,
    accepted_on,
    event_seq,
    investigator_official,
    load_for_step,
    record_step,
    renewals_from,
    user_language,
)
from storage.complaints import add_event, forget_complainant, made_serious_by_count
from storage.dispatch import dispatched_on
from storage.merged import chain_full, concluded_case
from storage.models import Case, Complaint
from storage.outbox import enqueue
from storage.publication import release_held_results

__all__ = ["COMPLAINANT", "SYSTEM", "Actor", "CaseRefused"]

TOLD_ASSIGNED = N_("Case #{case} was assigned to you for investigation.")
TOLD_REOPENED = N_(
    "Case #{case} was rated {rating} by the complainant and is reopened for your review."
)
OPEN_CASE = N_("Open the case")


async def check(
    *, session: AsyncSession, case_id: int, action: str, actor: Actor, now: datetime
) -> Case:
    """The case, when ``actor`` may take ``action`` on it now (before asking them for the
    step's text); otherwise the refusal is logged and raised."""
    return await checked(session, case_id, action, actor, now)


async def accept(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, calendar: WorkCalendar
) -> Case:
    case = await checked(session, case_id, "accept", actor, now)
    # The conclusion clock runs from the day the case was routed to this office (派单), not
    # from the day someone there accepted it (domain.dispatch).
    today = await dispatched_on(session, case, zone=now.tzinfo) or now.date()
    renewals = await renewals_from(session, case=case, calendar=calendar)
    try:
        case.conclude_due = rules.conclusion_due(
            today, renewals_from=renewals, is_workday=calendar.is_workday
        )
    except UnknownYearError:
        case.conclude_due = today + timedelta(days=rules.CONCLUDE_OUTER_DAYS)
    detail = {"conclude_due": str(case.conclude_due)}
    await record_step(session, case, "accept", actor, now, detail=detail)
    await tell_complainant(session, case, "accept", actor, due=case.conclude_due)
    return case


async def reject(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, reason: str
) -> Case:
    case = await checked(session, case_id, "reject", actor, now, text=reason)
    case.closed_at = now
    await record_step(session, case, "reject", actor, now, detail={"reason": reason})
    await _release(session, case, now=now)
    await tell_complainant(session, case, "reject", actor, reason=reason)
    return case


async def assign(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, investigator: int
) -> Case:
    """Assign the investigator bound as Telegram user ``investigator``."""
    case = await checked(session, case_id, "assign", actor, now)
    official_id = await investigator_official(session, user_id=investigator)
    if official_id is None:
        await refuse(session, case_id, "assign", actor, now, "input")
    case.assignee_id = official_id
    await record_step(session, case, "assign", actor, now, detail={"assignee": official_id})
    language = await user_language(session, investigator)
    await enqueue(
        session,
        chat_id=investigator,
        kind="alert",
        text=translate(TOLD_ASSIGNED, language, case=case.id),
        buttons=[[(translate(OPEN_CASE, language), buttons.action("open", case.id))]],
        dedup_key=f"cs:{case.id}:assigned:{await event_seq(session, case)}",
    )
    return case


async def note(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, text: str
) -> Case:
    case = await checked(session, case_id, "note", actor, now, text=text)
    await record_step(session, case, "note", actor, now, detail={"note": text})
    return case


async def reply(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, text: str
) -> Case:
    """The desk's or the investigator's typed reply, sent to the complainant's chat (anonymous
    ones too: they are reachable by the chat they filed from) with the ticket code."""
    case = await checked(session, case_id, "reply", actor, now, text=text)
    complaint = await session.get(Complaint, case.complaint_id)
    if len(text) > rules.REPLY_MAX or complaint is None or complaint.submitted_by is None:
        await refuse(session, case_id, "reply", actor, now, "input", state=case.state)
    await record_step(session, case, "reply", actor, now, detail={"reply": text})
    await tell_complainant(session, case, "reply", actor, text=text)
    await tell_merged_of_reply(session, case, role=actor.role, text=text)
    return case


@dataclass(frozen=True)
class Reclassified:
    case: Case
    before_route: str


async def reclassify(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, category: str
) -> Reclassified:
    """The case put in another category, with that category's severity and route, by the desk
    (the 人社局 for a serious case: domain.cases.PERMITS); never into the unit's own hands when
    several complainants made it serious. The event and the audit entry are written with it,
    and whoever the new route brings in is alerted as for a new case (services.case_alerts), in
    the same transaction.

    The due dates stay: neither clock depends on the category. The acceptance clock follows
    the 公示 (domain.complaints.acceptance_due) and the conclusion clock the renewals
    (rules.conclusion_due), whatever the severity."""
    case = await checked(session, case_id, "reclassify", actor, now)
    escalated = await made_serious_by_count(session, case_id)
    refused = rules.reclassify_refusal(case.category, category, escalated=escalated)
    if refused is not None:
        await refuse(session, case_id, "reclassify", actor, now, refused, state=case.state)
    chosen = BY_KEY[category]
    before = {"from": case.category, "from_severity": case.severity, "from_route": case.route}
    case.category, case.severity, case.route = chosen.key, chosen.severity, chosen.route
    detail = {**before, "to": chosen.key, "to_severity": chosen.severity, "to_route": chosen.route}
    await record_step(session, case, "reclassify", actor, now, detail=detail)
    audit_case(session, actor, now, "case_reclassified", case_id, detail)
    # A worker's result held at the 公示's close waits for serious cases only.
    serious_no_more = before["from_severity"] == "serious" and chosen.severity != "serious"
    if serious_no_more and case.worker_id is not None:
        await release_held_results(session=session, worker_id=case.worker_id, now=now)
    found = await card(session, case_id)
    assert found is not None
    await alert_case(
        session,
        case=case,
        complaint=found.complaint,
        general=found.complaint.cycle_id is None,
        evidence=len(found.evidence),
        reclassified_from=before["from_route"],
        occasion=f"reclassified{await event_seq(session, case)}",
    )
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
    consequences: Sequence[str] = (),
    responsible: str = "",
    sanction: str = "",
) -> Case:
    """The finding and the handling opinion; only the ``consequences`` it states flow back
    (services.case_findings)."""
    case = await checked(session, case_id, "record_finding", actor, now, text=opinion)
    await findings.record(
        session,
        case,
        actor=actor,
        now=now,
        finding=finding,
        opinion=opinion,
        consequences=consequences,
        responsible=responsible,
        sanction=sanction,
        calendar=calendar,
    )
    return case


async def extend(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, reason: str
) -> Case:
    case = await checked(session, case_id, "extend", actor, now, text=reason)
    current = case.conclude_due or now.date()
    accepted = await accepted_on(session, case) or now.date()
    case.conclude_due = rules.extended_due(current, accepted_on=accepted)
    case.extended = True
    detail = {"reason": reason, "from": str(current), "to": str(case.conclude_due)}
    await record_step(session, case, "extend", actor, now, detail=detail)
    return case


async def close(
    *,
    session: AsyncSession,
    case_id: int,
    actor: Actor,
    now: datetime,
    font_file: Path | None = None,
) -> Case:
    """办结: the complainant is told and asked to rate it; the 处理意见书, drawn with the font
    in ``font_file`` (the deployment's ``Deps.pdf_font``), is archived with the case and sent
    to the bureau's desk; a worker's result held for the case is released; the complainants of
    the cases merged into it are told too."""
    case = await checked(session, case_id, "close", actor, now)
    case.closed_at = now
    await record_step(session, case, "close", actor, now)
    await archive_opinion(session, case, now=now, font_file=font_file)
    await _release(session, case, now=now)
    outcome = {"finding": case.finding or "—", "opinion": case.opinion or "—"}
    await tell_complainant(session, case, "close", actor, **outcome)
    await tell_merged_of_close(session, case, **outcome)
    return case


async def merge(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, into: int
) -> Case:
    """并单: the case joins case ``into``, which must be another case still open. The cases
    merged into this one follow it there (storage.merged): a chain of merges, which cannot
    loop, since a merged case is never open again, and is kept at most storage.merged.MAX_CHAIN
    merges long."""
    case = await checked(session, case_id, "merge", actor, now)
    target = await session.get(Case, into)
    if target is None or target.id == case.id or target.state in rules.FINAL_STATES:
        await refuse(session, case_id, "merge", actor, now, "input")
    if await chain_full(session, case):
        await refuse(session, case_id, "merge", actor, now, "chain")
    assert target is not None
    case.merged_into_id = target.id
    case.closed_at = now
    await record_step(session, case, "merge", actor, now, detail={"into": target.id})
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
    """The complainant's rating; 1 or 2 reopens the case for review, once."""
    # A refusal is audited without the presser's id: it would be theirs, pressing a button of
    # their own case, as often as anyone else's.
    actor = COMPLAINANT
    case = await checked(session, case_id, "rate", actor, now)
    complaint = await session.get(Complaint, case.complaint_id)
    if complaint is None or complaint.submitted_by != user_id:
        await refuse(session, case_id, "rate", actor, now, "scope")
    if not rules.check_rating(rating):
        await refuse(session, case_id, "rate", actor, now, "input")
    # A merged complainant rates the case theirs ended in (through a chain of merges, the
    # last), once that one is closed; a low rating asks for that case's review.
    reviewed = await concluded_case(session, case)
    if reviewed.state != "closed":
        await refuse(session, case_id, "rate", actor, now, "state")
    assert reviewed.id is not None
    case.rating, case.rating_comment = rating, comment
    await record_step(session, case, "rate", actor, now, detail={"rating": rating})
    if rules.reopens(rating) and not reviewed.reopened:
        await reopen(session=session, case_id=reviewed.id, now=now)
    return case


async def comment_rating(
    *, session: AsyncSession, case_id: int, user_id: int, now: datetime, comment: str
) -> Case:
    """The optional comment after a rating, by the one who rated."""
    case = await load_for_step(session, case_id)
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
    """The case back for review by the office that decides it (rules.REVIEWER), who is told:
    a serious case goes to its investigator, or to every investigator when it has none."""
    case = await checked(session, case_id, "reopen", SYSTEM, now)
    case.reopened, case.closed_at = True, None
    await record_step(session, case, "reopen", SYSTEM, now, detail={"rating": case.rating})
    by_investigators = rules.REVIEWER.get(case.route) == "investigator"
    recipients = await owners(session, case) if by_investigators else await bureau_staff(session)
    for recipient in recipients:
        await enqueue(
            session,
            chat_id=recipient.user_id,
            kind="alert",
            text=translate(TOLD_REOPENED, recipient.language, case=case.id, rating=case.rating),
            buttons=[[(translate(OPEN_CASE, recipient.language), buttons.action("open", case.id))]],
            dedup_key=f"cs:{case.id}:reopened:{recipient.user_id}",
        )
    return case


async def _release(session: AsyncSession, case: Case, *, now: datetime) -> None:
    """A case ended: who filed it no longer counts (after the day of the daily limit); a
    serious case about a worker ended: their result held at the 公示's close is final now,
    unless another serious case about them is still open."""
    await forget_complainant(session, case.complaint_id, now=now)
    if case.severity == "serious" and case.worker_id is not None:
        await release_held_results(session=session, worker_id=case.worker_id, now=now)
