"""A worker's objection (申辩) to her own grade or renewal decision during 公示: its complaint
row (kind objection), its case for the bureau desk, its own row (what she objects to, the
result as it stood) and the desk's alert with a button to open it, in the caller's
transaction (never commits). The steps that follow are services.objection_steps'.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain import objections as rules
from domain.workdays import WorkCalendar
from messages import N_
from messages.callbacks_cases import CaseAction
from messages.i18n import translate
from messages.replies import Button
from messages.wording import back_to_menu
from services.case_alerts import queue_alerts
from services.complaints import Submitted, accept_due, submit_complaint
from storage.audiences import bureau_staff
from storage.complaints import ComplaintDraft, ContactDraft, Evidence
from storage.models import Objection, Worker
from storage.objections import result_of
from storage.workers import worker_view

OBJECTION_ALERT = N_(
    "New objection (申辩) #{case} from a worker against her own result\n"
    "Worker: {unit} · {name} · post: {post}\n"
    "Objects to: {subject} (now: {grade}, {renewal})\n"
    "Files: {files}\n\n{reason}"
)
OPEN_OBJECTION = N_("Open the objection")
RENEWS = N_("renewed")
DOES_NOT_RENEW = N_("not renewed")


def renewal_name(renew: bool) -> str:
    return RENEWS if renew else DOES_NOT_RENEW


async def file_objection(
    *,
    session: AsyncSession,
    worker_id: int,
    user_id: int,
    reason: str,
    language: str,
    now: datetime,
    calendar: WorkCalendar,
    secret_key: str,
    subject: str = "grade",
    evidence: Sequence[Evidence] = (),
) -> Submitted | None:
    """The objection, its case and first event, its own row, and one alert to each of the
    bureau desk; None when the worker is no longer on the roster or the subject is unknown.

    Whether the 公示 is open and whether one is already pending is the caller's to check
    first, since each refusal is worded for the chat."""
    view = await worker_view(session=session, worker_id=worker_id)
    worker = await session.get(Worker, worker_id)
    if view is None or worker is None or subject not in rules.SUBJECTS:
        return None
    submitted = await submit_complaint(
        session=session,
        draft=ComplaintDraft(
            unit_id=worker.unit_id,
            worker_id=worker_id,
            category=rules.CATEGORY,
            description=reason,
            evidence=evidence,
            contact=ContactDraft(user_id=user_id, name=worker.name, phone=""),
        ),
        user_id=user_id,
        language=language,
        now=now,
        accept_due=accept_due(today=now.date(), in_gongshi=True, calendar=calendar),
        threshold=0,  # an objection counts no complainants and escalates nothing
        secret_key=secret_key,
        kind=rules.KIND,
    )
    case, complaint = submitted.case, submitted.complaint
    assert case.id is not None and complaint.id is not None
    result = (
        await result_of(session, worker_id=worker_id, cycle_id=case.cycle_id)
        if case.cycle_id is not None
        else None
    )
    session.add(
        Objection(
            complaint_id=complaint.id,
            case_id=case.id,
            result_id=result.id if result else None,
            subject=subject,
            grade_then=result.grade if result else "",
            renew_then=bool(result.renew) if result else False,
        )
    )
    await session.flush()
    await queue_alerts(
        session,
        recipients=await bureau_staff(session),
        occasion=f"case:{case.id}:new",
        text=lambda language: translate(
            OBJECTION_ALERT,
            language,
            case=case.id,
            unit=view.unit_name,
            name=worker.name,
            post=view.post_title or "—",
            subject=translate(rules.SUBJECTS[subject], language),
            grade=result.grade if result else "—",
            renewal=translate(renewal_name(result.renew), language) if result else "—",
            files=len(evidence),
            reason=reason,
        ),
        buttons=lambda language: [
            [open_button(language, case.id or 0)],
            [back_to_menu(lambda text: translate(text, language))],
        ],
    )
    return submitted


def open_button(language: str, case_id: int) -> Button:
    """「Open the objection」 under an alert: the case card, which shows it as an objection."""
    return Button(
        translate(OPEN_OBJECTION, language), CaseAction(action="open", case_id=case_id).pack()
    )
