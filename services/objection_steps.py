"""The steps of a worker's objection (申辩), each in the caller's transaction (never commits):
the desk accepts it, which asks the unit for its statement, or does not accept it with a
reason; the unit states its side; the desk decides 维持原等次 / 更正等次 / 更正续签决定 with
reasons. A correction changes the result and, while the 公示 runs, the published line is
posted again to the channel (through the outbox, withdrawn with the rest at the close). The
worker is told each step in the objection's own words.

The rules are domain.objections'; a refused step is written to the audit log and raised as
``CaseRefused`` (services.case_steps), like a case's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain import cases as case_rules
from domain import objections as rules
from domain.masking import mask_name
from domain.workdays import UnknownYearError, WorkCalendar
from messages.callbacks_objection import act
from messages.i18n import N_, Translator, translate
from messages.replies import Button
from messages.style import date_text
from services import publication_texts as texts
from services.case_alerts import queue_alerts
from services.case_steps import CaseRefused, audit_case, refuse
from services.objections import open_button, renewal_name
from storage.audiences import bureau_staff, unit_contacts
from storage.cases import Actor, event_seq, load_for_step, renewals_from
from storage.complaints import add_event, forget_complainant
from storage.models import ChannelPost, Cycle
from storage.objections import ObjectionFile, load
from storage.outbox import enqueue
from storage.public_rows import public_rows

__all__ = ["CaseRefused", "accept", "decide", "note", "reject", "state_statement"]

TOLD = {
    "accept": N_(
        "Your objection (申辩) {code} was accepted (受理). Your unit is asked for its "
        "statement; the employment bureau decides by {due}."
    ),
    "reject": N_("Your objection (申辩) {code} was not accepted (不予受理). Reason: {reason}"),
    "maintain": N_(
        "The employment bureau decided on your objection (申辩) {code}: 维持原等次, your "
        "result stands ({grade}, {renewal}).\nReasons: {reasons}"
    ),
    "regrade": N_(
        "The employment bureau decided on your objection (申辩) {code}: 更正等次, your grade "
        "is corrected from {grade_then} to {grade} ({renewal}).\nReasons: {reasons}"
    ),
    "renewal": N_(
        "The employment bureau decided on your objection (申辩) {code}: 更正续签决定, the "
        "renewal decision is corrected from {renewal_then} to {renewal} (grade: {grade})."
        "\nReasons: {reasons}"
    ),
}
ASK_STATEMENT = N_(
    "Objection (申辩) #{case}: {name} ({post}) of your unit objects to {subject} ({grade}, "
    "{renewal}). "
    "Her reasons:\n{reason}\n\nThe employment bureau asks for your unit's statement (单位说明) "
    "by {due}."
)
GIVE_STATEMENT = N_("Give the unit's statement")
STATEMENT_IN = N_("Objection (申辩) #{case}: the unit gave its statement:\n{statement}")
CORRECTION_POST = N_(
    "Correction to the public notice: {unit}, {year} (decided on an objection)\n{line}"
)
STATEMENT_WORKDAYS = 3  # the unit's time to state its side (ours)


async def _checked(
    session: AsyncSession,
    case_id: int,
    action: str,
    actor: Actor,
    now: datetime,
    *,
    text: str | None = None,
) -> ObjectionFile:
    """The objection, its case locked, when ``actor`` may take ``action`` now; else the
    refusal is logged and raised."""
    case = await load_for_step(session, case_id)
    found = await load(session, case_id) if case is not None else None
    if found is None:
        await refuse(session, case_id, action, actor, now, "missing")
    assert found is not None
    own_unit = actor.unit_id == found.case.unit_id
    refused: str | None = rules.refusal(
        action, role=actor.role, state=found.case.state, own_unit=own_unit
    )
    if refused is None and text is not None and not 0 < len(text.strip()) <= rules.REASONS_MAX:
        refused = "input"
    if refused is not None:
        await refuse(session, case_id, action, actor, now, refused, state=found.case.state)
    return found


async def check(
    *, session: AsyncSession, case_id: int, action: str, actor: Actor, now: datetime
) -> ObjectionFile:
    """Whether ``actor`` may take ``action`` now, before they are asked to type anything."""
    return await _checked(session, case_id, action, actor, now)


async def _record(
    session: AsyncSession,
    found: ObjectionFile,
    action: str,
    actor: Actor,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    case = found.case
    to_state = rules.next_state(action, case.state)
    await add_event(
        session,
        case,
        action,
        now=now,
        to_state=to_state if rules.STEPS[action].to_state else None,
        public=action in rules.PUBLIC_STEPS,
        actor_user_id=actor.user_id,
        actor_role=actor.role,
        detail=detail,
    )
    case.state, case.updated_at = to_state, now


async def _tell_worker(
    session: AsyncSession, found: ObjectionFile, key: str, **params: Any
) -> None:
    complaint = found.complaint
    if complaint.submitted_by is None:
        return
    language = complaint.language
    await enqueue(
        session,
        chat_id=complaint.submitted_by,
        kind="notice",
        text=translate(TOLD[key], language, code=complaint.ticket_code, **params),
        dedup_key=f"ob:{found.case.id}:{key}:{await event_seq(session, found.case)}",
    )


async def accept(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, calendar: WorkCalendar
) -> ObjectionFile:
    """受理: the decision's clock starts and the unit's contacts are asked for its statement."""
    found = await _checked(session, case_id, "accept", actor, now)
    case, today = found.case, now.date()
    renewals = await renewals_from(session, case=case, calendar=calendar)
    try:
        case.conclude_due = case_rules.conclusion_due(
            today, renewals_from=renewals, is_workday=calendar.is_workday
        )
        statement_due = calendar.add_workdays(today, STATEMENT_WORKDAYS)
    except UnknownYearError:
        case.conclude_due = today + timedelta(days=case_rules.CONCLUDE_OUTER_DAYS)
        statement_due = today + timedelta(days=STATEMENT_WORKDAYS + 2)
    statement_due = min(statement_due, case.conclude_due)
    await _record(session, found, "accept", actor, now, {"conclude_due": str(case.conclude_due)})
    await _tell_worker(
        session, found, "accept", due=date_text(found.complaint.language, case.conclude_due)
    )
    objection, result = found.objection, found.result
    if case.unit_id is None:
        return found

    def asked(language: str) -> str:
        return translate(
            ASK_STATEMENT,
            language,
            case=case.id,
            # Masked, as everywhere a unit reads a case; the post tells the unit who it is.
            name=mask_name(found.worker_name),
            post=result.post_title if result else "—",
            subject=translate(rules.SUBJECTS[objection.subject], language),
            grade=result.grade if result else objection.grade_then or "—",
            renewal=translate(
                renewal_name(result.renew if result else objection.renew_then), language
            ),
            reason=found.complaint.description,
            due=date_text(language, statement_due),
        )

    await queue_alerts(
        session,
        recipients=await unit_contacts(session, case.unit_id),
        occasion=f"ob:{case.id}:statement",
        text=asked,
        buttons=lambda language: [
            [Button(translate(GIVE_STATEMENT, language), act("stmt", case.id))]
        ],
    )
    return found


async def reject(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, reason: str
) -> ObjectionFile:
    found = await _checked(session, case_id, "reject", actor, now, text=reason)
    found.case.closed_at = now
    await _record(session, found, "reject", actor, now, {"reason": reason})
    await forget_complainant(session, found.case.complaint_id, now=now)
    await _tell_worker(session, found, "reject", reason=reason)
    return found


async def state_statement(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, text: str
) -> ObjectionFile:
    """The unit's statement (单位说明); the desk is told, with the objection to open."""
    found = await _checked(session, case_id, "statement", actor, now, text=text)
    found.objection.statement, found.objection.statement_at = text, now
    await _record(session, found, "statement", actor, now, {"statement": text})
    await queue_alerts(
        session,
        recipients=await bureau_staff(session),
        occasion=f"ob:{case_id}:statement_in",
        text=lambda language: translate(STATEMENT_IN, language, case=case_id, statement=text),
        buttons=lambda language: [[open_button(language, case_id)]],
    )
    return found


async def note(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, text: str
) -> ObjectionFile:
    found = await _checked(session, case_id, "note", actor, now, text=text)
    await _record(session, found, "note", actor, now, {"note": text})
    return found


async def decide(
    *,
    session: AsyncSession,
    case_id: int,
    actor: Actor,
    now: datetime,
    decision: str,
    reasons: str,
    to_grade: str | None = None,
    channel_id: int | None = None,
    language: str = "zh",
) -> ObjectionFile:
    """The bureau's decision with its reasons; a correction changes the result (audited) and,
    while the 公示 runs and a channel is set, posts the corrected line to it."""
    found = await _checked(session, case_id, "decide", actor, now, text=reasons)
    objection, result = found.objection, found.result
    grade = result.grade if result else objection.grade_then
    renew = result.renew if result else objection.renew_then
    outcome = rules.decided(decision, grade=grade, renew=renew, to_grade=to_grade)
    if outcome is None or (result is None and decision != "maintain"):
        await refuse(session, case_id, "decide", actor, now, "input", state=found.case.state)
    assert outcome is not None
    objection.decision, objection.reasons, objection.decided_at = decision, reasons, now
    objection.grade_after, objection.renew_after = outcome.grade, outcome.renew
    found.case.closed_at = now
    detail = {
        "decision": decision,
        "reasons": reasons,
        "grade": [grade, outcome.grade],
        "renew": [renew, outcome.renew],
    }
    await _record(session, found, "decide", actor, now, detail)
    await forget_complainant(session, found.case.complaint_id, now=now)
    changed = (grade, renew) != (outcome.grade, outcome.renew)
    if changed and result is not None:
        result.grade, result.renew, result.updated_at = outcome.grade, outcome.renew, now
        audit_case(session, actor, now, "result_corrected", case_id, detail)
        await _repost(session, found, channel_id=channel_id, language=language)
    w = found.complaint.language
    await _tell_worker(
        session,
        found,
        decision,
        grade=outcome.grade,
        grade_then=grade,
        renewal=translate(renewal_name(outcome.renew), w),
        renewal_then=translate(renewal_name(renew), w),
        reasons=reasons,
    )
    return found


async def _repost(
    session: AsyncSession, found: ObjectionFile, *, channel_id: int | None, language: str
) -> None:
    """The corrected line, numbered as in the unit's list, posted to the channel while the
    公示 runs; a ChannelPost, so the close withdraws it with the lists."""
    result = found.result
    if channel_id is None or result is None:
        return
    cycle = await session.get(Cycle, result.cycle_id)
    if cycle is None or cycle.state != "open":
        return
    await session.flush()
    rows = await public_rows(session=session, cycle_id=result.cycle_id, unit_id=result.unit_id)
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if row.result_id == result.id]
    if not numbered:
        return
    number, row = numbered[0]
    t = Translator(language)
    text = t(
        CORRECTION_POST,
        unit=row.unit_name,
        year=cycle.year,
        line=texts.entry_line(t, number, row),
    )
    posted = await enqueue(
        session,
        chat_id=channel_id,
        kind="notice",
        text=text,
        dedup_key=f"gs:{cycle.id}:fix:{found.case.id}",
        protect=True,
    )
    await session.flush()
    # Page 0: a correction, apart from the list's own numbered pages.
    session.add(
        ChannelPost(
            cycle_id=result.cycle_id,
            unit_id=result.unit_id,
            page=0,
            chat_id=channel_id,
            outbox_id=posted.id,
        )
    )
