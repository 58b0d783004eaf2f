"""Workers: binding to their roster row, and their own assessment result.

Steps: ``ask_binding`` → ``process_binding`` (a typed code, or their own shared contact);
``redeem_link`` for ``/start w_<code>``; ``show_result`` for a bound worker. Unit contacts
and the bureau: ``show_bound_workers`` → ``process_revoke``. During an open 公示 a bound
worker may file an objection (申辩): ``ask_objection`` → ``process_objection_reason`` →
``submit_objection``, a case for the bureau desk followed with /status like a complaint.

A worker sees their grade, the renewal decision, what follows and by when, and the 公示
window; never a complaint about them, nor whether one holds their result.
"""

from __future__ import annotations

from domain.complaints import DESCRIPTION_MAX, DESCRIPTION_MIN, OFFICES
from domain.grades import Grade
from domain.masking import mask_name
from handlers.citizen import _accept_due
from handlers.context import Context
from handlers.core import Router, load_roles
from messages.i18n import N_, translate
from messages.replies import Button
from messages.tasks import day_text
from storage.audiences import bureau_staff
from storage.complaints import ComplaintDraft, ContactDraft, open_cycle, submit_complaint
from storage.models import Worker
from storage.outbox import enqueue
from storage.workers import (
    MAX_FAILURES,
    WorkerView,
    bind_by_phone,
    bound_workers,
    failures_in_window,
    open_objection,
    record_failure,
    redeem_code,
    revoke_binding,
    worker_view,
)

AWAIT_BINDING = "worker_binding"
OBJECTION_REASON = "worker_objection_reason"
OBJECTION_CONFIRM = "worker_objection_confirm"
# Stored under an existing hotline category, so every case view can name it; the complaint's
# kind ("objection") is what tells it apart.
OBJECTION_CATEGORY = "unfair"
BUREAU_ROLES = ("bureau", "admin")
REVOKERS = ("unit", *BUREAU_ROLES)

ASK_BINDING = N_(
    "To see your own assessment result, type the 8-character code your unit gave you, "
    "or share your phone number with the button below: it is matched with the number on "
    "your unit's roster."
)
SHARE_PHONE = N_("Share my phone number")
BOUND = N_("You are now bound as a worker of {unit}.")
CODE_REFUSED = N_(
    "This code is not valid: it may have been used already, withdrawn or mistyped. "
    "Check it, or ask your unit for a new one."
)
NOT_YOUR_CONTACT = N_(
    "Please share your own phone number with the button below, not someone else's contact."
)
PHONE_UNKNOWN = N_(
    "Sorry, this phone number is not on any unit's roster (or is on it more than once). "
    "Ask your unit for a binding code instead."
)
THROTTLED = N_(
    "Too many attempts that did not match. For your safety, please try again in an hour, "
    "or ask your unit for a new code."
)
NOT_A_CODE = N_("Please type the code from your unit, share your phone number, or send /cancel.")

NO_RESULT = N_("No assessment result has been recorded for you yet.")
RESULT_HEAD = N_("Your assessment result for {year}")
RESULT_WHO = N_("{unit} · post: {post}")
RESULT_GRADE = N_("Grade: {grade}")
RENEWED = N_("Renewal: the post agreement may be renewed for one year.")
NOT_RENEWED = N_("Renewal: the post agreement is not renewed.")
FOLLOWS = N_("What follows:")
BY_DATE = N_("{what} (by {date})")
FINAL = N_("This result is final.")
NOT_FINAL = N_("This result is not final yet.")
WINDOW_OPEN = N_("The public notice (公示) runs from {opens} to {closes}: it is open now.")
WINDOW_LATER = N_("The public notice (公示) will run from {opens} to {closes}.")
WINDOW_OVER = N_("The public notice (公示) ran from {opens} to {closes}.")
GRADE_NAMES = {
    Grade.PASS: N_("合格 (pass)"),
    Grade.BASIC: N_("基本合格 (basic pass)"),
    Grade.FAIL: N_("不合格 (fail)"),
}

BOUND_LIST = N_("Workers bound to the bot:")
BOUND_NONE = N_("No worker is bound to the bot yet.")
VIA = {"code": N_("by code"), "contact": N_("by phone")}
REVOKE = N_("Revoke {name}")
REVOKED = N_("The binding was revoked.")
REVOKE_REFUSED = N_("This binding no longer exists or is not yours to revoke.")
BACK = N_("Back to the menu")
STALE = N_("This button is no longer valid. Send /start for the menu.")

FILE_OBJECTION = N_("File an objection (申辩)")
OBJECTION_ASK = N_(
    "You may object (申辩) to your result while the public notice is open. Write your reasons "
    "in one message ({min} to {max} characters). The county employment bureau will handle it."
)
OBJECTION_LENGTH = N_(
    "Sorry, the reasons must be {min} to {max} characters long (yours: {length}). "
    "Please send them again."
)
OBJECTION_TEXT_ONLY = N_("Please write your reasons as a text message, or send /cancel.")
OBJECTION_CONFIRM_TEXT = N_("Your objection to send to the employment bureau:\n\n{reason}")
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
OBJECTION_ALERT = N_(
    "New objection (申辩) from a worker, case #{case} ({severity})\n"
    "Worker: {unit} · {name} · post: {post}\n\n{reason}"
)


def router() -> Router:
    r = Router()
    r.button("wk")(ask_binding)
    r.button("wkme", roles=["worker"])(show_result)
    r.button("wkb", roles=REVOKERS)(process_bound_button)
    r.button("wkob", roles=["worker"])(process_objection_button)
    r.state(AWAIT_BINDING)(process_binding)
    r.state(OBJECTION_REASON, roles=["worker"])(process_objection_reason)
    r.state(OBJECTION_CONFIRM, roles=["worker"])(process_objection_other)
    r.deep_link("w_", redeem_link)
    r.menu_rows(worker_menu_rows, place=50)
    return r


def worker_menu_rows(ctx: Context) -> list[list[Button]]:
    """The main menu's entries for workers, would-be workers, and those who may revoke."""
    t = ctx.t
    rows: list[list[Button]] = []
    if ctx.roles.has("worker"):
        rows.append([Button(t(N_("My assessment result")), "wkme:show")])
    elif not ctx.roles.is_official:
        rows.append([Button(t(N_("I am a worker: bind my identity")), "wk:bind")])
    if ctx.roles.has(*REVOKERS):
        rows.append([Button(t(N_("Workers bound to the bot")), "wkb:list")])
    return rows


async def ask_binding(ctx: Context) -> None:
    ctx.goto(AWAIT_BINDING)
    ctx.say(ctx.t(ASK_BINDING), request_contact=ctx.t(SHARE_PHONE))


async def redeem_link(ctx: Context, code: str) -> None:
    """``/start w_<code>``: the deep link printed on the unit's sheet."""
    ctx.reset()
    await _try_code(ctx, code)


async def process_binding(ctx: Context) -> None:
    contact = ctx.incoming.contact
    if contact is not None:
        await _try_contact(ctx, contact.phone, contact.user_id)
    elif ctx.incoming.text:
        await _try_code(ctx, ctx.incoming.text)
    else:
        ctx.say(ctx.t(NOT_A_CODE))


async def _throttled(ctx: Context) -> bool:
    failures = await failures_in_window(
        session=ctx.session, user_id=ctx.user_id, now=ctx.clock.now()
    )
    if failures >= MAX_FAILURES:
        ctx.say(ctx.t(THROTTLED), remove_keyboard=True)
        return True
    return False


async def _try_code(ctx: Context, code: str) -> None:
    if await _throttled(ctx):
        return
    now = ctx.clock.now()
    binding = await redeem_code(
        session=ctx.session,
        code=code,
        user_id=ctx.user_id,
        now=now,
    )
    if binding is None:
        record_failure(session=ctx.session, user_id=ctx.user_id, now=now, via="code")
        ctx.say(ctx.t(CODE_REFUSED))
        return
    await _bound(ctx)


async def _try_contact(ctx: Context, phone: str, contact_user: int | None) -> None:
    if await _throttled(ctx):
        return
    now = ctx.clock.now()
    if contact_user != ctx.user_id:
        record_failure(session=ctx.session, user_id=ctx.user_id, now=now, via="other_contact")
        ctx.say(ctx.t(NOT_YOUR_CONTACT), request_contact=ctx.t(SHARE_PHONE))
        return
    binding = await bind_by_phone(
        session=ctx.session,
        secret_key=ctx.settings.secret_key.get_secret_value(),
        phone=phone,
        user_id=ctx.user_id,
        now=now,
    )
    if binding is None:
        record_failure(session=ctx.session, user_id=ctx.user_id, now=now, via="contact")
        ctx.say(ctx.t(PHONE_UNKNOWN), remove_keyboard=True)
        return
    await _bound(ctx)


async def _bound(ctx: Context) -> None:
    ctx.roles = await load_roles(ctx.session, ctx.user_id)
    ctx.reset()
    binding = ctx.roles.binding("worker")
    view = None
    if binding is not None and binding.worker_id is not None:
        view = await worker_view(session=ctx.session, worker_id=binding.worker_id)
    unit = view.unit_name if view is not None else ""
    ctx.say(ctx.t(BOUND, unit=unit), remove_keyboard=True)
    if view is not None:
        _say_result(ctx, view)


async def show_result(ctx: Context) -> None:
    binding = ctx.roles.binding("worker")
    view = None
    if binding is not None and binding.worker_id is not None:
        view = await worker_view(session=ctx.session, worker_id=binding.worker_id)
    if view is None:
        ctx.say(ctx.t(NO_RESULT), [[Button(ctx.t(BACK), "menu:home")]])
        return
    _say_result(ctx, view)


def result_text(ctx: Context, view: WorkerView) -> str:
    t = ctx.t
    if view.grade is None or view.year is None:
        return t(NO_RESULT)
    lines = [
        t(RESULT_HEAD, year=view.year),
        t(RESULT_WHO, unit=view.unit_name, post=view.post_title),
        t(RESULT_GRADE, grade=t(GRADE_NAMES[view.grade])),
        t(RENEWED) if view.renew else t(NOT_RENEWED),
    ]
    if view.follow_ups:
        lines.append("")
        lines.append(t(FOLLOWS))
        for follow in view.follow_ups:
            what = t(follow.consequence.summary)
            if follow.due_on is not None:
                what = t(BY_DATE, what=what, date=day_text(t, follow.due_on))
            lines.append(f"• {what}")
    lines.append("")
    # "held" (a serious case still open) reads as "not final": a worker is never told of it.
    lines.append(t(FINAL) if view.status == "final" else t(NOT_FINAL))
    if view.opens_on is not None and view.closes_on is not None:
        window = {
            "open": WINDOW_OPEN,
            "closed": WINDOW_OVER,
        }.get(view.cycle_state, WINDOW_LATER)
        lines.append(
            t(window, opens=day_text(t, view.opens_on), closes=day_text(t, view.closes_on))
        )
    return "\n".join(lines)


def _say_result(ctx: Context, view: WorkerView) -> None:
    rows = [[Button(ctx.t(BACK), "menu:home")]]
    if view.cycle_state == "open":
        rows.insert(0, [Button(ctx.t(FILE_OBJECTION), "wkob:start")])
    ctx.say(result_text(ctx, view), rows)


# --- objections (申辩) ----------------------------------------------------------------------


def _own_worker_id(ctx: Context) -> int | None:
    binding = ctx.roles.binding("worker")
    return binding.worker_id if binding is not None else None


async def process_objection_button(ctx: Context) -> None:
    action = (ctx.incoming.button or "").partition(":")[2]
    if action == "start":
        await ask_objection(ctx)
    elif action == "send":
        await submit_objection(ctx)
    elif action == "cancel":
        ctx.reset()
        ctx.say(ctx.t(OBJECTION_CANCELLED), [[Button(ctx.t(BACK), "menu:home")]])
    else:
        ctx.answer(ctx.t(STALE))


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
        ctx.say(ctx.t(OBJECTION_EXISTS, code=code), [[Button(ctx.t(BACK), "menu:home")]])
        return None
    return worker_id, cycle.id


def _objection_nav(ctx: Context) -> list[Button]:
    return [Button(ctx.t(OBJECTION_CANCEL), "wkob:cancel")]


async def ask_objection(ctx: Context) -> None:
    if await _may_object(ctx) is None:
        return
    ctx.goto(OBJECTION_REASON)
    ctx.say(ctx.t(OBJECTION_ASK, min=DESCRIPTION_MIN, max=DESCRIPTION_MAX), [_objection_nav(ctx)])


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
    ctx.goto(OBJECTION_CONFIRM, reason=text)
    ctx.say(
        ctx.t(OBJECTION_CONFIRM_TEXT, reason=text),
        [[Button(ctx.t(OBJECTION_SEND), "wkob:send")], _objection_nav(ctx)],
    )


async def process_objection_other(ctx: Context) -> None:
    ctx.say(
        ctx.t(OBJECTION_PRESS),
        [[Button(ctx.t(OBJECTION_SEND), "wkob:send")], _objection_nav(ctx)],
    )


async def submit_objection(ctx: Context) -> None:
    """Complaint (kind objection) + case for the bureau desk + first event + the desk's
    alerts, all in this update's transaction."""
    reason = ctx.data.get("reason")
    if ctx.state != OBJECTION_CONFIRM or not isinstance(reason, str):
        ctx.answer(ctx.t(STALE))
        return
    allowed = await _may_object(ctx)
    if allowed is None:
        return
    worker_id, _ = allowed
    view = await worker_view(session=ctx.session, worker_id=worker_id)
    if view is None:
        ctx.reset()
        ctx.answer(ctx.t(STALE))
        return
    worker = await ctx.session.get(Worker, worker_id)
    assert worker is not None
    submitted = await submit_complaint(
        session=ctx.session,
        draft=ComplaintDraft(
            unit_id=worker.unit_id,
            worker_id=worker_id,
            category=OBJECTION_CATEGORY,
            description=reason,
            contact=ContactDraft(user_id=ctx.user_id, name=worker.name, phone=""),
        ),
        user_id=ctx.user_id,
        language=ctx.language,
        now=ctx.clock.now(),
        accept_due=_accept_due(ctx, in_gongshi=True),
        threshold=ctx.settings.serious_complainants,
        secret_key=ctx.settings.secret_key.get_secret_value(),
        kind="objection",
    )
    case = submitted.case
    for recipient in await bureau_staff(ctx.session):
        await enqueue(
            ctx.session,
            chat_id=recipient.user_id,
            kind="alert",
            text=translate(
                OBJECTION_ALERT,
                recipient.language,
                case=case.id,
                severity=translate(N_("medium"), recipient.language),
                unit=view.unit_name,
                name=worker.name,
                post=view.post_title or "—",
                reason=reason,
            ),
            dedup_key=f"case:{case.id}:new:{recipient.user_id}",
        )
    ctx.reset()
    ctx.say(
        ctx.t(
            OBJECTION_SENT,
            code=submitted.complaint.ticket_code,
            office=ctx.t(OFFICES[case.route]),
            date=str(case.accept_due or "—"),
        ),
        [[Button(ctx.t(BACK), "menu:home")]],
    )


def _unit_scope(ctx: Context) -> list[int] | None:
    """None for the bureau (every unit), else the unit contact's own units."""
    if ctx.roles.has(*BUREAU_ROLES):
        return None
    return [b.unit_id for b in ctx.roles.bindings if b.role == "unit" and b.unit_id is not None]


async def process_bound_button(ctx: Context) -> None:
    parts = (ctx.incoming.button or "").split(":")
    if parts[1:2] == ["list"]:
        await show_bound_workers(ctx)
    elif len(parts) == 3 and parts[1] == "rv" and parts[2].isdigit():
        await process_revoke(ctx, int(parts[2]))
    else:
        ctx.answer(ctx.t(STALE))


async def show_bound_workers(ctx: Context) -> None:
    scope = _unit_scope(ctx)
    found = []
    for unit_id in [None] if scope is None else scope:
        found += await bound_workers(session=ctx.session, unit_id=unit_id)
    back = [Button(ctx.t(BACK), "menu:home")]
    if not found:
        ctx.say(ctx.t(BOUND_NONE), [back], edit=ctx.incoming.button is not None)
        return
    t = ctx.t
    lines = [t(BOUND_LIST)]
    buttons: list[list[Button]] = []
    for bound in found:
        masked = mask_name(bound.name)
        lines.append(f"• {masked} · {bound.post_title} · {t(VIA.get(bound.via, bound.via))}")
        buttons.append([Button(t(REVOKE, name=masked), f"wkb:rv:{bound.binding_id}")])
    ctx.say("\n".join(lines), [*buttons, back], edit=ctx.incoming.button is not None)


async def process_revoke(ctx: Context, binding_id: int) -> None:
    done = await revoke_binding(
        session=ctx.session,
        binding_id=binding_id,
        by_user=ctx.user_id,
        now=ctx.clock.now(),
        unit_ids=_unit_scope(ctx),
    )
    if not done:
        ctx.answer(ctx.t(REVOKE_REFUSED), alert=True)
        return
    ctx.answer(ctx.t(REVOKED))
    await show_bound_workers(ctx)
