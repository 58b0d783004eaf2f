"""Workers: binding to their roster row, and their own assessment result.

Steps: ``ask_binding`` → ``process_binding`` (a typed code, or their own shared contact);
``redeem_link`` for ``/start w_<code>``; ``show_result`` for a bound worker. Unit contacts
and the bureau: ``show_bound_workers`` → ``process_revoke``. During an open 公示 a bound
worker may file an objection (申辩): handlers.objection.

A worker sees their grade, the renewal decision, what follows and by when, and the 公示
window; never a complaint about them, nor whether one holds their result.
"""

from __future__ import annotations

from domain.grades import Grade
from domain.masking import mask_name
from handlers import objection
from handlers.context import Context
from handlers.core import Router
from handlers.procedure_view import basis_lines
from messages.callbacks_menu import MENU_HOME
from messages.callbacks_worker import BindMe, BoundList, MyResult, RevokeBinding
from messages.i18n import N_
from messages.replies import Button
from messages.tasks import day_text
from messages.wording import BACK_TO_MENU, STALE_BUTTON
from services.workers import bind_by_code, bind_by_contact, revoke_binding
from storage.conversations import load_roles
from storage.workers import MAX_FAILURES, WorkerView, bound_workers, failures_in_window, worker_view

AWAIT_BINDING = "worker_binding"
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
AGREEMENT_SIGNED = N_("Your renewed post agreement is signed: {start} to {end}.")
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
BACK = BACK_TO_MENU


def router() -> Router:
    r = Router()
    r.button(BindMe.prefix)(ask_binding)
    r.button(MyResult.prefix, roles=["worker"])(show_result)
    r.button(BoundList.prefix, roles=REVOKERS)(process_bound_button)
    r.state(AWAIT_BINDING)(process_binding)
    r.include(objection.router())
    r.deep_link("w_", redeem_link)
    r.menu_rows(worker_menu_rows, place=50)
    return r


def worker_menu_rows(ctx: Context) -> list[list[Button]]:
    """The main menu's entries for workers, would-be workers, and those who may revoke."""
    t = ctx.t
    rows: list[list[Button]] = []
    if ctx.roles.has("worker"):
        rows.append([Button(t(N_("My assessment result")), MyResult(action="show").pack())])
    elif not ctx.roles.is_official:
        rows.append(
            [Button(t(N_("I am a worker: bind my identity")), BindMe(action="bind").pack())]
        )
    if ctx.roles.has(*REVOKERS):
        rows.append([Button(t(N_("Workers bound to the bot")), BoundList(action="list").pack())])
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
    binding = await bind_by_code(
        session=ctx.session,
        code=code,
        user_id=ctx.user_id,
        now=ctx.clock.now(),
        default_language=ctx.deps.language,
    )
    if binding is None:
        ctx.say(ctx.t(CODE_REFUSED))
        return
    await _bound(ctx)


async def _try_contact(ctx: Context, phone: str, contact_user: int | None) -> None:
    if await _throttled(ctx):
        return
    outcome = await bind_by_contact(
        session=ctx.session,
        secret_key=ctx.deps.secret_key,
        phone=phone,
        contact_user_id=contact_user,
        user_id=ctx.user_id,
        now=ctx.clock.now(),
        default_language=ctx.deps.language,
    )
    if outcome == "not_yours":
        ctx.say(ctx.t(NOT_YOUR_CONTACT), request_contact=ctx.t(SHARE_PHONE))
        return
    if outcome == "unknown":
        ctx.say(ctx.t(PHONE_UNKNOWN), remove_keyboard=True)
        return
    await _bound(ctx)


async def _bound(ctx: Context) -> None:
    ctx.roles = await load_roles(session=ctx.session, user_id=ctx.user_id)
    ctx.reset()
    binding = ctx.roles.binding("worker")
    view = None
    if binding is not None and binding.worker_id is not None:
        view = await worker_view(
            session=ctx.session,
            worker_id=binding.worker_id,
            basic_may_renew=ctx.deps.renewal.basic_may_renew,
        )
    unit = view.unit_name if view is not None else ""
    ctx.say(ctx.t(BOUND, unit=unit), remove_keyboard=True)
    if view is not None:
        _say_result(ctx, view)


async def show_result(ctx: Context) -> None:
    binding = ctx.roles.binding("worker")
    view = None
    if binding is not None and binding.worker_id is not None:
        view = await worker_view(
            session=ctx.session,
            worker_id=binding.worker_id,
            basic_may_renew=ctx.deps.renewal.basic_may_renew,
        )
    if view is None:
        ctx.say(ctx.t(NO_RESULT), [[Button(ctx.t(BACK), MENU_HOME)]])
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
        *basis_lines(t, view.basis),
        t(RENEWED) if view.renew else t(NOT_RENEWED),
    ]
    if view.term is not None:
        start, end = (day_text(t, day) for day in view.term)
        lines.append(t(AGREEMENT_SIGNED, start=start, end=end))
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
    rows = [[Button(ctx.t(BACK), MENU_HOME)]]
    if view.cycle_state == "open":
        rows.insert(0, [objection.objection_button(ctx)])
    ctx.say(result_text(ctx, view), rows)


# --- objections (申辩) ----------------------------------------------------------------------


def _unit_scope(ctx: Context) -> list[int] | None:
    """None for the bureau (every unit), else the unit contact's own units."""
    if ctx.roles.has(*BUREAU_ROLES):
        return None
    return [b.unit_id for b in ctx.roles.bindings if b.role == "unit" and b.unit_id is not None]


async def process_bound_button(ctx: Context) -> None:
    data = ctx.incoming.button
    if BoundList.parse(data):
        await show_bound_workers(ctx)
    elif revoke := RevokeBinding.parse(data):
        await process_revoke(ctx, revoke.binding_id)
    else:
        ctx.answer(ctx.t(STALE_BUTTON))


async def show_bound_workers(ctx: Context) -> None:
    scope = _unit_scope(ctx)
    found = []
    for unit_id in [None] if scope is None else scope:
        found += await bound_workers(session=ctx.session, unit_id=unit_id)
    back = [Button(ctx.t(BACK), MENU_HOME)]
    if not found:
        ctx.say(ctx.t(BOUND_NONE), [back], edit=ctx.incoming.button is not None)
        return
    t = ctx.t
    lines = [t(BOUND_LIST)]
    buttons: list[list[Button]] = []
    for bound in found:
        masked = mask_name(bound.name)
        lines.append(f"• {masked} · {bound.post_title} · {t(VIA.get(bound.via, bound.via))}")
        buttons.append(
            [
                Button(
                    t(REVOKE, name=masked),
                    RevokeBinding(action="rv", binding_id=bound.binding_id).pack(),
                )
            ]
        )
    ctx.say("\n".join(lines), [*buttons, back], edit=ctx.incoming.button is not None)


async def process_revoke(ctx: Context, binding_id: int) -> None:
    done = await revoke_binding(
        session=ctx.session,
        binding_id=binding_id,
        by_user=ctx.user_id,
        now=ctx.clock.now(),
        unit_ids=_unit_scope(ctx),
        default_language=ctx.deps.language,
    )
    if not done:
        ctx.answer(ctx.t(REVOKE_REFUSED), alert=True)
        return
    ctx.answer(ctx.t(REVOKED))
    await show_bound_workers(ctx)
