"""A bound worker's objection (申辩) to her own result, while the 公示 is open: ``ask_objection``
(her grade or the renewal decision?) → ``ask_reason`` → ``process_objection_reason`` →
``process_objection_file`` (photos or documents, optional) → ``submit_objection``
(services.objections.file_objection): an objection for the bureau desk, followed with
/status in its own words. One pending objection per worker and 公示.
"""

from __future__ import annotations

from typing import Any

from domain.complaints import DESCRIPTION_MAX, DESCRIPTION_MIN, MAX_EVIDENCE
from domain.objections import OFFICE, SUBJECTS
from handlers.complaint_draft import work_calendar
from handlers.complaint_evidence import evidence_of, receive_file
from handlers.context import Context
from handlers.core import Router
from messages.callbacks_menu import MENU_HOME
from messages.callbacks_objection import ObjectionSubject
from messages.callbacks_worker import ObjectionStep
from messages.i18n import N_
from messages.replies import Button
from messages.style import date_text
from messages.wording import BACK_TO_MENU, STALE_BUTTON
from services.objections import file_objection
from storage.complaints import open_cycle
from storage.workers import open_objection

OBJECTION_SUBJECT = "worker_objection_subject"
OBJECTION_REASON = "worker_objection_reason"
OBJECTION_FILES = "worker_objection_files"
OBJECTION_CONFIRM = "worker_objection_confirm"

BACK = BACK_TO_MENU
FILE_OBJECTION = N_("File an objection (申辩)")
OBJECTION_WHAT = N_(
    "You may object (申辩) to your own result while the public notice is open. What do you "
    "object to?"
)
OBJECTION_ASK = N_(
    "You object to {subject}. Write your reasons in one message ({min} to {max} characters). "
    "The county employment bureau will handle it and ask your unit for its statement."
)
OBJECTION_FILES_ASK = N_(
    "Supporting files are optional: send up to {max} photos or documents (JPEG, PNG, PDF, "
    "DOCX, XLSX). Files so far: {count}. Press Continue when done."
)
OBJECTION_FILE_IN = N_("File received ({count} of at most {max}).")
OBJECTION_FILE_ONLY = N_("Send a photo or a document, or press Continue.")
CONTINUE = N_("Continue")
OBJECTION_LENGTH = N_(
    "Sorry, the reasons must be {min} to {max} characters long (yours: {length}). "
    "Please send them again."
)
OBJECTION_TEXT_ONLY = N_("Please write your reasons as a text message, or send /cancel.")
OBJECTION_CONFIRM_TEXT = N_(
    "Your objection to send to the employment bureau:\nYou object to: {subject}\n"
    "Files: {files}\n\n{reason}"
)
OBJECTION_SEND = N_("Send the objection")
OBJECTION_PRESS = N_("Please press 「Send the objection」 below, or send /cancel.")
OBJECTION_CANCEL = N_("Cancel")
OBJECTION_CANCELLED = N_("The objection was not sent.")
OBJECTION_CLOSED = N_(
    "Sorry, an objection can only be filed while the public notice (公示) is open."
)
OBJECTION_EXISTS = N_(
    "You already filed an objection in this public notice; it is still being handled. "
    "Follow it with /status {code}."
)
OBJECTION_SENT = N_(
    "Your objection was sent. Your ticket code is {code}. Keep it: with /status {code} you "
    "can follow it.\n\nIt is held by: {office}. Expected acceptance by {date}."
)


def router() -> Router:
    r = Router()
    r.button(ObjectionStep.prefix, roles=["worker"])(process_objection_button)
    r.button(ObjectionSubject.prefix, roles=["worker"])(ask_reason)
    r.state(OBJECTION_SUBJECT, roles=["worker"])(ask_objection)
    r.state(OBJECTION_REASON, roles=["worker"])(process_objection_reason)
    r.state(OBJECTION_FILES, roles=["worker"])(process_objection_file)
    r.state(OBJECTION_CONFIRM, roles=["worker"])(process_objection_other)
    return r


def objection_button(ctx: Context) -> Button:
    """「File an objection」, shown under a worker's result while the 公示 is open."""
    return Button(ctx.t(FILE_OBJECTION), ObjectionStep(action="start").pack())


def _own_worker_id(ctx: Context) -> int | None:
    binding = ctx.roles.binding("worker")
    return binding.worker_id if binding is not None else None


async def process_objection_button(ctx: Context) -> None:
    pressed = ObjectionStep.parse(ctx.incoming.button)
    action = pressed.action if pressed is not None else None
    if action == "start":
        await ask_objection(ctx)
    elif action == "send":
        await submit_objection(ctx)
    elif action == "files":
        confirm_objection(ctx)
    elif action == "cancel":
        ctx.reset()
        ctx.say(ctx.t(OBJECTION_CANCELLED), [[Button(ctx.t(BACK), MENU_HOME)]])
    else:
        ctx.answer(ctx.t(STALE_BUTTON))


async def _may_object(ctx: Context) -> tuple[int, int] | None:
    """(worker id, open cycle id) when this worker may file an objection now; else says why."""
    worker_id = _own_worker_id(ctx)
    cycle = await open_cycle(ctx.session)
    if worker_id is None or cycle is None or cycle.id is None:
        ctx.reset()
        if ctx.incoming.button is not None:
            ctx.answer(ctx.t(OBJECTION_CLOSED), alert=True)
        else:
            ctx.say(ctx.t(OBJECTION_CLOSED))
        return None
    code = await open_objection(
        session=ctx.session, worker_id=worker_id, cycle_id=cycle.id, user_id=ctx.user_id
    )
    if code is not None:
        ctx.reset()
        ctx.say(ctx.t(OBJECTION_EXISTS, code=code), [[Button(ctx.t(BACK), MENU_HOME)]])
        return None
    return worker_id, cycle.id


def _objection_nav(ctx: Context) -> list[Button]:
    return [Button(ctx.t(OBJECTION_CANCEL), ObjectionStep(action="cancel").pack())]


async def ask_objection(ctx: Context) -> None:
    if await _may_object(ctx) is None:
        return
    ctx.goto(OBJECTION_SUBJECT, objection={})
    rows = [
        [Button(ctx.t(name), ObjectionSubject(subject=key).pack())]  # type: ignore[arg-type]
        for key, name in SUBJECTS.items()
    ]
    ctx.say(ctx.t(OBJECTION_WHAT), [*rows, _objection_nav(ctx)])


async def ask_reason(ctx: Context) -> None:
    pressed = ObjectionSubject.parse(ctx.incoming.button)
    if pressed is None or ctx.state != OBJECTION_SUBJECT:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ctx.goto(OBJECTION_REASON, objection={"subject": pressed.subject})
    ctx.say(
        ctx.t(
            OBJECTION_ASK,
            subject=ctx.t(SUBJECTS[pressed.subject]),
            min=DESCRIPTION_MIN,
            max=DESCRIPTION_MAX,
        ),
        [_objection_nav(ctx)],
    )


def _pending(ctx: Context) -> dict[str, Any]:
    pending = ctx.data.get("objection")
    return pending if isinstance(pending, dict) else {}


async def process_objection_reason(ctx: Context) -> None:
    text = (ctx.incoming.text or "").strip()
    if not text:
        ctx.say(ctx.t(OBJECTION_TEXT_ONLY), [_objection_nav(ctx)])
        return
    if not DESCRIPTION_MIN <= len(text) <= DESCRIPTION_MAX:
        ctx.say(
            ctx.t(OBJECTION_LENGTH, min=DESCRIPTION_MIN, max=DESCRIPTION_MAX, length=len(text)),
            [_objection_nav(ctx)],
        )
        return
    ctx.goto(OBJECTION_FILES, objection={**_pending(ctx), "reason": text, "files": []})
    _ask_files(ctx, 0)


def _files_nav(ctx: Context) -> list[list[Button]]:
    return [
        [Button(ctx.t(CONTINUE), ObjectionStep(action="files").pack())],
        _objection_nav(ctx),
    ]


def _ask_files(ctx: Context, count: int) -> None:
    ctx.say(ctx.t(OBJECTION_FILES_ASK, max=MAX_EVIDENCE, count=count), _files_nav(ctx))


async def process_objection_file(ctx: Context) -> None:
    ref = ctx.incoming.file
    if ref is None:
        ctx.say(ctx.t(OBJECTION_FILE_ONLY), _files_nav(ctx))
        return
    pending = _pending(ctx)
    files = list(pending.get("files", []))
    item = await receive_file(ctx, ref, count=len(files), buttons=_files_nav(ctx))
    if item is None:
        return
    files.append(item)
    ctx.goto(OBJECTION_FILES, objection={**pending, "files": files})
    ctx.say(ctx.t(OBJECTION_FILE_IN, count=len(files), max=MAX_EVIDENCE), _files_nav(ctx))


def confirm_objection(ctx: Context) -> None:
    pending = _pending(ctx)
    if ctx.state != OBJECTION_FILES or not isinstance(pending.get("reason"), str):
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ctx.goto(OBJECTION_CONFIRM)
    ctx.say(
        ctx.t(
            OBJECTION_CONFIRM_TEXT,
            subject=ctx.t(SUBJECTS.get(str(pending.get("subject")), "—")),
            files=len(pending.get("files", [])),
            reason=pending["reason"],
        ),
        [[Button(ctx.t(OBJECTION_SEND), ObjectionStep(action="send").pack())], _objection_nav(ctx)],
    )


async def process_objection_other(ctx: Context) -> None:
    ctx.say(
        ctx.t(OBJECTION_PRESS),
        [[Button(ctx.t(OBJECTION_SEND), ObjectionStep(action="send").pack())], _objection_nav(ctx)],
    )


async def submit_objection(ctx: Context) -> None:
    """The objection, its case and the desk's alerts (services.objections), all in this
    update's transaction."""
    pending = _pending(ctx)
    reason = pending.get("reason")
    if ctx.state != OBJECTION_CONFIRM or not isinstance(reason, str):
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    allowed = await _may_object(ctx)
    if allowed is None:
        return
    worker_id, _ = allowed
    submitted = await file_objection(
        session=ctx.session,
        worker_id=worker_id,
        user_id=ctx.user_id,
        reason=reason,
        language=ctx.language,
        now=ctx.clock.now(),
        calendar=work_calendar(ctx),
        secret_key=ctx.deps.secret_key,
        subject=str(pending.get("subject", "grade")),
        evidence=evidence_of(pending.get("files", [])),
    )
    if submitted is None:
        ctx.reset()
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    case = submitted.case
    ctx.reset()
    ctx.say(
        ctx.t(
            OBJECTION_SENT,
            code=submitted.complaint.ticket_code,
            office=ctx.t(OFFICE),
            date=date_text(ctx.t, case.accept_due) if case.accept_due else "—",
        ),
        [[Button(ctx.t(BACK), MENU_HOME)]],
    )
