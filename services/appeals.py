"""Appeals of a concluded case, in the caller's transaction (domain.appeals has the rules and
the clocks): the complainant asks for 复查, then 复核, with reasons; the reviewing office is
alerted and answers with an outcome and a text; the answer is rendered as a document like the
处理意见书, filed with the case, sent to the complainant and to the bureau's desk. Each is an
event of the same case. A refused request or answer is audited and raised as ``CaseRefused``.

The complainant of a case merged into another (并单), directly or through a case merged in turn
(storage.merged), is told of the written reply of the case the chain ended in as its own
complainant is, and appeals it through the case they filed: on the clocks of that reply, on
its handling opinion, to the office above the one that concluded it. Each complainant's appeals
are their own: answered to them alone, counted on their own way to the 复核, never shown to the
other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from documents.appeal_answer import AppealFacts, appeal_filename, render_appeal_answer
from documents.pdf import FontNotFoundError
from domain import appeals as rules
from domain.complaints import BY_KEY, OFFICES
from domain.workdays import UnknownYearError, WorkCalendar
from messages.callbacks_appeals import AppealAction
from messages.i18n import N_, translate
from messages.style import date_text
from services.case_steps import audit_case, refuse
from storage import appeals as store
from storage.audiences import Recipient, bureau_staff
from storage.case_desk import card
from storage.case_opinion import keep_opinion
from storage.cases import COMPLAINANT, Actor, load_for_step
from storage.complaints import add_event, investigators
from storage.merged import concluded_case
from storage.models import Case, CaseAppeal, Complaint
from storage.outbox import Attachment, enqueue

log = logging.getLogger(__name__)

ALERT_REQUESTED = N_(
    "⚖️ Case #{case}: the complainant asks for {level}, to be answered by {due}.\nReasons: {reasons}"
)
ALERT_REQUESTED_MERGED = N_(
    "⚖️ Case #{case}, merged into case #{into}: its complainant asks for {level} of case "
    "#{into}'s handling opinion, to be answered by {due}.\nReasons: {reasons}"
)
TOLD_ANSWERED = N_("The {level} of your complaint {code} is answered: {outcome}.\n{answer}")
TOLD_NEXT = N_("If you do not accept it, you may ask for 复核 by {deadline}.")
TOLD_FINAL = N_("This answer is final: the same facts and reasons are not taken again.")
ANSWER_BUTTON = N_("Answer the appeal")
ASK_BUTTON = N_("Not satisfied: ask for {level}")
CAPTION = N_("{level} of case #{case}.")


def _workday(calendar: WorkCalendar) -> Callable[[date], bool]:
    """The calendar's working days; a year it does not know counts every day as worked, so
    a period never ends on a guessed holiday and the warning is logged."""

    def is_workday(day: date) -> bool:
        try:
            return calendar.is_workday(day)
        except UnknownYearError:
            log.warning("appeal clocks: no working-day calendar for %s", day.year)
            return True

    return is_workday


@dataclass(frozen=True)
class Standing:
    """Where the complainant stands: the level they may ask for now and by when, or why not;
    ``reviewer``, the role that would answer it."""

    level: rules.Level | None
    deadline: date | None
    refusal: rules.Refusal | None
    reviewer: str | None = None


async def standing(
    *,
    session: AsyncSession,
    case: Case,
    user_id: int,
    today: date,
    calendar: WorkCalendar,
    zone: tzinfo | None,
) -> Standing:
    """Where the complainant of ``case`` stands: the written reply is that of the case it was
    merged into, if it was; the appeals made are those on ``case``, theirs alone."""
    complaint = await session.get(Complaint, case.complaint_id)
    own = complaint is not None and complaint.submitted_by == user_id
    replied = await concluded_case(session, case)
    closing = await store.replied_at_event(session, replied.id or 0)
    replied_on = closing.at.astimezone(zone).date() if closing is not None else None
    earlier = store.earlier(await store.appeals_of(session, case.id or 0), zone)
    is_workday = _workday(calendar)
    refusal = rules.request_refusal(
        state=replied.state,
        own=own,
        replied_on=replied_on,
        earlier=earlier,
        today=today,
        is_workday=is_workday,
    )
    deadline = (
        rules.request_deadline(replied_on=replied_on, earlier=earlier, is_workday=is_workday)
        if replied_on is not None
        else None
    )
    level = rules.next_level(earlier)
    reviewer = rules.reviewer(replied.route, level) if level is not None else None
    return Standing(level, deadline, refusal, reviewer)


async def request_appeal(
    *,
    session: AsyncSession,
    case_id: int,
    user_id: int,
    now: datetime,
    reasons: str,
    calendar: WorkCalendar,
) -> CaseAppeal:
    """The complainant's 复查 or 复核 of the closed case, with reasons; the reviewing office is
    alerted (the complainant's chat is answered by the caller). The case is locked first: two
    requests pressed at once take turns, and the second finds the first pending."""
    case = await load_for_step(session, case_id)
    if case is None:
        await refuse(session, case_id, "appeal", COMPLAINANT, now, "missing")
    assert case is not None
    found = await standing(
        session=session,
        case=case,
        user_id=user_id,
        today=now.date(),
        calendar=calendar,
        zone=now.tzinfo,
    )
    text = rules.check_text(reasons, rules.REASONS_MAX)
    refused = found.refusal or (None if text else "input")
    if refused is not None or found.level is None or found.reviewer is None or text is None:
        await refuse(session, case_id, "appeal", COMPLAINANT, now, refused or "state")
    assert found.level is not None and found.reviewer is not None and text is not None
    due = rules.answer_due(now.date(), is_workday=_workday(calendar))
    appeal = CaseAppeal(
        case_id=case_id,
        level=found.level,
        reasons=text,
        requested_at=now,
        answer_due=due,
        reviewer_role=found.reviewer,
    )
    session.add(appeal)
    await session.flush()
    detail = {"level": found.level, "appeal": appeal.id, "due": str(due)}
    await add_event(
        session, case, "appeal", now=now, public=True, actor_role="complainant", detail=detail
    )
    audit_case(session, COMPLAINANT, now, "case_appeal_requested", case_id, detail)
    into = (await concluded_case(session, case)).id if case.state == "merged" else None
    for person in await reviewers(session, appeal.reviewer_role):
        await enqueue(
            session,
            chat_id=person.user_id,
            kind="alert",
            text=translate(
                ALERT_REQUESTED if into is None else ALERT_REQUESTED_MERGED,
                person.language,
                case=case_id,
                into=into,
                level=translate(rules.LEVEL_NAMES[found.level], person.language),
                due=date_text(person.language, due),
                reasons=text,
            ),
            buttons=[[(translate(ANSWER_BUTTON, person.language), answer_button(appeal))]],
            dedup_key=f"ap:{appeal.id}:alert:{person.user_id}",
        )
    return appeal


def answer_button(appeal: CaseAppeal) -> str:
    return AppealAction(action="ans", target=appeal.id or 0).pack()


def ask_button(case_id: int) -> str:
    return AppealAction(action="req", target=case_id).pack()


async def reviewers(session: AsyncSession, role: str) -> list[Recipient]:
    return await (investigators(session) if role == "investigator" else bureau_staff(session))


def office_name(role: str) -> str:
    return OFFICES["investigators" if role == "investigator" else "bureau"]


async def check_answer(
    *, session: AsyncSession, appeal_id: int, actor: Actor, now: datetime
) -> CaseAppeal:
    """The pending appeal, locked, when ``actor`` is of the office that answers it."""
    appeal = await store.appeal_for_answer(session, appeal_id)
    case_id = appeal.case_id if appeal is not None else 0
    if appeal is None:
        await refuse(session, case_id, "appeal_answer", actor, now, "missing")
    assert appeal is not None
    if actor.role != appeal.reviewer_role:
        await refuse(session, case_id, "appeal_answer", actor, now, "role")
    if appeal.answered_at is not None:
        await refuse(session, case_id, "appeal_answer", actor, now, "state")
    return appeal


async def answer_appeal(
    *,
    session: AsyncSession,
    appeal_id: int,
    actor: Actor,
    now: datetime,
    outcome: str,
    answer: str,
    calendar: WorkCalendar,
    font_file: Path | None = None,
) -> CaseAppeal:
    """The reviewing office's answer: the outcome and its text, the document filed and sent."""
    appeal = await check_answer(session=session, appeal_id=appeal_id, actor=actor, now=now)
    text = rules.check_text(answer, rules.ANSWER_MAX)
    if outcome not in rules.OUTCOMES or text is None:
        await refuse(session, appeal.case_id, "appeal_answer", actor, now, "input")
    assert text is not None
    appeal.outcome, appeal.answer = outcome, text
    appeal.answered_at, appeal.answered_by = now, actor.user_id
    case = await session.get(Case, appeal.case_id)
    assert case is not None
    detail = {"level": appeal.level, "appeal": appeal.id, "outcome": outcome}
    await add_event(
        session,
        case,
        "appeal_answered",
        now=now,
        public=True,
        actor_user_id=actor.user_id,
        actor_role=actor.role,
        detail={**detail, "reply": text},
    )
    audit_case(session, actor, now, "case_appeal_answered", case.id or 0, detail)
    document = await _document(session, case, appeal, now=now, font_file=font_file)
    await _tell_answer(session, case, appeal, now=now, calendar=calendar, document=document)
    return appeal


async def _document(
    session: AsyncSession, case: Case, appeal: CaseAppeal, *, now: datetime, font_file: Path | None
) -> Attachment | None:
    # The handling opinion appealed: a merged case's is that of the case it joined.
    replied = await concluded_case(session, case)
    found = await card(session, replied.id or 0)
    assert found is not None
    zone = now.tzinfo
    facts = AppealFacts(
        case_number=f"#{replied.id}",
        level=appeal.level,
        level_name=rules.SHORT_NAMES[appeal.level],
        unit_name=found.unit_name,
        category=translate(BY_KEY[replied.category].label, "zh"),
        finding=replied.finding or "—",
        opinion=replied.opinion or "—",
        reasons=appeal.reasons,
        requested_on=appeal.requested_at.astimezone(zone).date(),
        answer_due=appeal.answer_due,
        outcome=translate(rules.OUTCOME_NAMES[appeal.outcome or "upheld"], "zh"),
        answer=appeal.answer,
        answered_by=translate(office_name(appeal.reviewer_role), "zh"),
        answered_on=now.date(),
    )
    try:
        content = render_appeal_answer(facts, font_file=font_file)
    except FontNotFoundError:
        log.exception("appeal %s answered without its document: no PDF font", appeal.id)
        return None
    filename = appeal_filename(case.id or 0, appeal.level)
    keep_opinion(
        session,
        case_id=case.id or 0,
        filename=filename,
        content=content,
        now=now,
        kind=appeal.level,
    )
    return Attachment(filename, content)


async def _tell_answer(
    session: AsyncSession,
    case: Case,
    appeal: CaseAppeal,
    *,
    now: datetime,
    calendar: WorkCalendar,
    document: Attachment | None,
) -> None:
    level = rules.SHORT_NAMES[appeal.level]
    for official in await bureau_staff(session):
        if document is not None:
            await enqueue(
                session,
                chat_id=official.user_id,
                kind="notice",
                method="sendDocument",
                file=document,
                text=translate(CAPTION, official.language, level=level, case=case.id),
                dedup_key=f"ap:{appeal.id}:document:{official.user_id}",
            )
    complaint = await session.get(Complaint, case.complaint_id)
    if complaint is None or complaint.submitted_by is None:
        return
    language = complaint.language
    text = translate(
        TOLD_ANSWERED,
        language,
        level=translate(rules.LEVEL_NAMES[appeal.level], language),
        code=complaint.ticket_code,
        outcome=translate(rules.OUTCOME_NAMES[appeal.outcome or "upheld"], language),
        answer=appeal.answer,
    )
    buttons = None
    if appeal.level == "review":
        deadline = rules.period_end(now.date(), rules.REQUEST_DAYS, is_workday=_workday(calendar))
        text += "\n\n" + translate(TOLD_NEXT, language, deadline=date_text(language, deadline))
        label = translate(
            ASK_BUTTON, language, level=translate(rules.LEVEL_NAMES["recheck"], language)
        )
        buttons = [[(label, ask_button(case.id or 0))]]
    else:
        text += "\n\n" + translate(TOLD_FINAL, language)
    await enqueue(
        session,
        chat_id=complaint.submitted_by,
        kind="notice",
        method="sendDocument" if document is not None else "sendMessage",
        file=document,
        text=text[:1000],
        buttons=buttons,
        dedup_key=f"ap:{appeal.id}:answered",
    )
