"""A worker's objection (申辩) to their own result during 公示: a case for the bureau desk,
followed with /status like a complaint, and the desk's alerts, in the caller's transaction
(never commits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.workdays import WorkCalendar
from messages import N_
from messages.i18n import translate
from messages.wording import back_to_menu
from services.case_alerts import open_case_button, queue_alerts
from services.complaints import Submitted, accept_due, submit_complaint
from storage.audiences import bureau_staff
from storage.complaints import ComplaintDraft, ContactDraft
from storage.models import Worker
from storage.workers import worker_view

# Stored under an existing hotline category, so every case view can name it; the complaint's
# kind ("objection") is what tells it apart.
OBJECTION_CATEGORY = "unfair"
OBJECTION_ALERT = N_(
    "New objection (申辩) from a worker, case #{case} ({severity})\n"
    "Worker: {unit} · {name} · post: {post}\n\n{reason}"
)


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
) -> Submitted | None:
    """The objection's complaint (kind objection), its case and first event, and one alert
    to each of the bureau desk; None when the worker is no longer on the roster.

    Whether the 公示 is open and whether one is already pending is the caller's to check
    first, since each refusal is worded for the chat."""
    view = await worker_view(session=session, worker_id=worker_id)
    worker = await session.get(Worker, worker_id)
    if view is None or worker is None:
        return None
    submitted = await submit_complaint(
        session=session,
        draft=ComplaintDraft(
            unit_id=worker.unit_id,
            worker_id=worker_id,
            category=OBJECTION_CATEGORY,
            description=reason,
            contact=ContactDraft(user_id=user_id, name=worker.name, phone=""),
        ),
        user_id=user_id,
        language=language,
        now=now,
        accept_due=accept_due(today=now.date(), in_gongshi=True, calendar=calendar),
        threshold=0,  # an objection counts no complainants and escalates nothing
        secret_key=secret_key,
        kind="objection",
    )
    case = submitted.case
    await queue_alerts(
        session,
        recipients=await bureau_staff(session),
        occasion=f"case:{case.id}:new",
        text=lambda language: translate(
            OBJECTION_ALERT,
            language,
            case=case.id,
            severity=translate(N_("medium"), language),
            unit=view.unit_name,
            name=worker.name,
            post=view.post_title or "—",
            reason=reason,
        ),
        buttons=lambda language: [
            [open_case_button(language, case)],
            [back_to_menu(lambda text: translate(text, language))],
        ],
    )
    return submitted
