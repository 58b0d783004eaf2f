"""What every step of the citizen's hotline shares: its states, declared once, the draft
kept in the chat's state (committed with every step, so a restart loses nothing), the
back/cancel row, and the per-user message throttle (domain.complaints.HotlineLimits).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from domain.complaints import HotlineLimits
from domain.workdays import WorkCalendar
from handlers.context import Context
from messages.callbacks_hotline import ComplaintStep
from messages.i18n import N_
from messages.replies import Button
from messages.wording import back_to_menu
from storage import complaints as store

# The conversation's states, declared once.
SUBJECT_UNIT = "complaint_unit"
SUBJECT_WORKER = "complaint_subject"
CATEGORY = "complaint_category"
DESCRIPTION = "complaint_description"
EVIDENCE = "complaint_evidence"
IDENTITY = "complaint_identity"
CONFIRM = "complaint_confirm"
STATUS_CODE = "status_code"
STATES = (SUBJECT_UNIT, SUBJECT_WORKER, CATEGORY, DESCRIPTION, EVIDENCE, IDENTITY, CONFIRM)

TOO_FAST = N_(
    "You are sending messages faster than the hotline can take them. Please wait a minute "
    "and try again; nothing you said before is lost."
)
TOO_MANY = N_(
    "You have filed {limit} complaints in the last 24 hours, the most the hotline takes from "
    "one person in a day. Please try again tomorrow, or call the bureau's hotline desk."
)

Step = Callable[[Context], Awaitable[None]]


def limits(ctx: Context) -> HotlineLimits:
    return ctx.deps.hotline_limits


def throttled(step: Step) -> Step:
    """At most so many hotline messages a minute per user, answered, never dropped silently."""

    async def guarded(ctx: Context) -> None:
        throttle = ctx.deps.hotline_throttle
        if throttle is not None and not throttle.allow(ctx.user_id, ctx.clock.now()):
            if ctx.incoming.button is not None:
                ctx.answer(ctx.t(TOO_FAST), alert=True)
            else:
                ctx.say(ctx.t(TOO_FAST))
            return
        await step(ctx)

    guarded.__name__ = step.__name__
    return guarded


def work_calendar(ctx: Context) -> WorkCalendar:
    return ctx.deps.calendar


def draft(ctx: Context) -> dict[str, Any]:
    found = ctx.data.get("draft")
    return dict(found) if isinstance(found, dict) else {}


def nav(ctx: Context, *, back: bool = True) -> list[Button]:
    row = [Button(ctx.t(N_("« Back")), ComplaintStep(action="back").pack())] if back else []
    return [*row, Button(ctx.t(N_("Cancel")), ComplaintStep(action="cancel").pack())]


async def may_file_another(ctx: Context) -> bool:
    allowed = limits(ctx).complaints_per_day
    since = store.day_ago(ctx.clock.now())
    filed = await store.complaints_since(
        ctx.session,
        user_id=ctx.user_id,
        since=since,
        secret_key=ctx.deps.secret_key,
    )
    if filed < allowed:
        return True
    ctx.reset()
    ctx.say(ctx.t(TOO_MANY, limit=allowed), [[back_to_menu(ctx.t)]])
    return False
