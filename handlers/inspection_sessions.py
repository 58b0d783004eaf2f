"""The group sets a unit's staff verification session in chat (city plan 五.4): the day, the
time and the place in one line; the unit's contacts and bound workers are told at once, and
the workers the bot cannot reach are listed to the group.

Steps: ``ask_session`` → ``process_session``.
"""

from __future__ import annotations

from domain.verification_sessions import SessionInputError, parse_session
from handlers.context import Context
from messages.callbacks_inspection import InsUnit
from messages.callbacks_verification import VerifyUnit
from messages.i18n import N_
from messages.replies import Button
from messages.style import moment_text
from messages.wording import STALE_BUTTON, back_to_menu
from services.verification_sessions import set_session
from storage.inspection import InspectorPlace
from storage.models import Unit
from storage.verification_sessions import session_of

SESSION = "inspection_session"
ASK = N_(
    "{unit}: staff verification. Type the day, the time and the place in one line, like "
    '"12-22 09:00 县人社局三楼会议室" ({starts} to {due}).'
)
NOW_SET = N_("Set now: {moment}, {place}.")
SET = N_(
    "Staff verification of {unit}: {moment}, {place}. Told: {told} chats (the unit's contacts "
    "and bound workers). Not reachable by the bot: {unreachable} workers."
)
CANCEL = N_("Cancel")
SESSION_BUTTON = N_("Staff verification: place and time")
ATTENDANCE_BUTTON = N_("Staff verification: record attendance")


def unit_rows(ctx: Context, unit_id: int) -> list[list[Button]]:
    """The unit page's rows for the verification."""
    t = ctx.t
    return [
        [Button(t(SESSION_BUTTON), InsUnit(action="session", unit_id=unit_id).pack())],
        [Button(t(ATTENDANCE_BUTTON), VerifyUnit(action="unit", unit_id=unit_id, page=0).pack())],
    ]


async def ask_session(ctx: Context, place: InspectorPlace, unit_id: int) -> None:
    t = ctx.t
    assert place.plan.id is not None
    unit = await ctx.session.get(Unit, unit_id)
    row = await session_of(ctx.session, plan_id=place.plan.id, unit_id=unit_id)
    now = [t(NOW_SET, moment=moment_text(t, row.starts_at), place=row.place)] if row else []
    ctx.goto(SESSION, unit_id=unit_id)
    ask = t(
        ASK, unit=unit.name if unit else "?", starts=place.plan.starts_on, due=place.plan.due_on
    )
    ctx.say(
        "\n".join([ask, *now]),
        [[Button(t(CANCEL), InsUnit(action="unit", unit_id=unit_id).pack())]],
    )


async def process_session(ctx: Context, place: InspectorPlace | None) -> None:
    t = ctx.t
    unit_id = ctx.data.get("unit_id")
    if place is None or not isinstance(unit_id, int):
        ctx.reset()
        ctx.say(t(STALE_BUTTON), [[back_to_menu(t)]])
        return
    cancel = [[Button(t(CANCEL), InsUnit(action="unit", unit_id=unit_id).pack())]]
    try:
        chosen = parse_session(
            ctx.incoming.text or "",
            year=place.cycle.year,
            starts_on=place.plan.starts_on,
            due_on=place.plan.due_on,
        )
    except SessionInputError as error:
        ctx.say(t(error.reason, **error.params), cancel)
        return
    announced = await set_session(
        session=ctx.session,
        place=place,
        unit_id=unit_id,
        chosen=chosen,
        user_id=ctx.user_id,
        now=ctx.clock.now(),
    )
    ctx.reset()
    unit = await ctx.session.get(Unit, unit_id)
    ctx.say(
        t(
            SET,
            unit=unit.name if unit else "?",
            moment=moment_text(t, announced.session.starts_at),
            place=announced.session.place,
            told=announced.told,
            unreachable=announced.unreachable,
        ),
        [[Button(t(N_("Back to the checklist")), InsUnit(action="unit", unit_id=unit_id).pack())]],
    )
