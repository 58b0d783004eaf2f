"""Staff verification in chat (city plan 五.4): at the designated place an inspector of the
unit's group (or the bureau) chooses the unit and marks each worker present (ID card and
户口本 seen), absent, or excused with a reason. Names are masked on screen; an absence, which
removes the worker and leaves the post vacant, is confirmed first, with a warning when the bot
could not have told the worker.

Steps: ``ask_unit`` → ``show_workers`` → ``record_present`` / ``confirm_absent`` →
``record_absent`` / ``ask_excuse`` → ``process_excuse``. Open to bureau staff, admins and
inspectors; an inspector only for their group's units.
"""

from __future__ import annotations

from sqlmodel import col, select

from domain.attendance import EXCUSE_MAX, excuse_text
from domain.masking import mask_name
from handlers.context import Context
from handlers.core import Router
from handlers.inspector_scope import NO_PLACE, NOT_YOURS, my_place, only_inspector
from messages.callbacks_inspection import InsUnit
from messages.callbacks_verification import (
    VerifyMark,
    VerifyUnit,
    VerifyUnits,
    parse_verification,
)
from messages.i18n import N_
from messages.replies import Button
from messages.wording import NO_UNITS_YET, STALE_BUTTON, back_to_menu
from services.attendance import record_and_tell
from services.verification_sessions import record_at_session
from storage.inspection import InspectorPlace, unit_in_group, units_of_group
from storage.models import Cycle, Unit, Worker
from storage.unit_tasks import latest_cycle
from storage.verification import ABSENT_REASON, unit_roster
from storage.verification_sessions import worker_chats

ROLES = ["bureau", "admin", "inspector"]
EXCUSE = "verify_excuse"
UNITS_PER_PAGE = 8
WORKERS_PER_PAGE = 8

NO_CYCLE = N_("There is no assessment cycle yet.")
NO_UNITS = NO_UNITS_YET
CHOOSE_UNIT = N_("Staff verification, {year}: which unit?")
UNIT_PAGE = N_("{unit} — staff verification, {year} ({recorded} of {total} recorded)")
NOBODY = N_("This unit has no workers on the roster.")
PRESENT = N_("came")
ABSENT = N_("did not come — post vacant, removed")
NOT_YET = N_("not recorded")
CONFIRM_ABSENT = N_(
    "{name} did not come? The post is then treated as vacant, the worker is removed from the "
    "roster and the unit is told."
)
YES_ABSENT = N_("Yes, did not come")
BACK = N_("Back")
RECORDED = N_("Recorded.")
WORKER_GONE = N_("That worker is no longer on the roster.")
EXCUSED = N_("excused: {reason}")
UNREACHABLE = N_(
    "Careful: this worker is not bound to the bot and may not have been told of the session. "
    "Strike off only once the unit confirms it told them."
)
ASK_EXCUSE = N_("{name} is excused: type the reason (at most {most} characters).")


def router() -> Router:
    r = Router()
    r.button(VerifyUnits.prefix, roles=ROLES)(process_verification_button)
    r.state(EXCUSE, roles=ROLES)(process_excuse)
    return r


async def _scope(ctx: Context) -> tuple[bool, InspectorPlace | None]:
    """Whether the user may go on, and an inspector's place (None for bureau and admins)."""
    if not only_inspector(ctx):
        return True, None
    place = await my_place(ctx)
    if place is None:
        ctx.say(ctx.t(NO_PLACE), [[back_to_menu(ctx.t)]], edit=True)
        return False, None
    return True, place


async def _unit_allowed(ctx: Context, place: InspectorPlace | None, unit_id: int) -> bool:
    if place is None or await unit_in_group(ctx.session, place, unit_id):
        return True
    ctx.answer(ctx.t(NOT_YOURS), alert=True)
    return False


async def process_verification_button(ctx: Context) -> None:
    data = parse_verification(ctx.incoming.button)
    if data is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    allowed, place = await _scope(ctx)
    if not allowed:
        return
    cycle = place.cycle if place is not None else await _cycle(ctx)
    if cycle is None or cycle.id is None:
        ctx.say(ctx.t(NO_CYCLE), edit=True)
        return
    if isinstance(data, VerifyUnits):
        await ask_unit(ctx, cycle, page=data.page, place=place)
        return
    if isinstance(data, VerifyUnit):
        if await _unit_allowed(ctx, place, data.unit_id):
            ctx.reset()
            await show_workers(ctx, cycle, unit_id=data.unit_id, page=data.page)
        return
    worker = await ctx.session.get(Worker, data.worker_id)
    if worker is None or (worker.status == "removed" and worker.removed_reason != ABSENT_REASON):
        ctx.answer(ctx.t(WORKER_GONE), alert=True)
    elif not await _unit_allowed(ctx, place, worker.unit_id):
        return
    elif data.action == "a":
        await confirm_absent(ctx, worker, page=data.page)
    elif data.action == "x":
        ctx.goto(EXCUSE, worker_id=_id(worker), page=data.page)
        ctx.say(
            ctx.t(ASK_EXCUSE, name=mask_name(worker.name), most=EXCUSE_MAX),
            _back(ctx, worker, data.page),
        )
    else:
        await record(
            ctx,
            cycle,
            worker,
            outcome="present" if data.action == "p" else "absent",
            page=data.page,
            place=place,
        )


def _back(ctx: Context, worker: Worker, page: int) -> list[list[Button]]:
    return [
        [Button(ctx.t(BACK), VerifyUnit(action="unit", unit_id=worker.unit_id, page=page).pack())]
    ]


async def process_excuse(ctx: Context) -> None:
    t = ctx.t
    worker_id, page = ctx.data.get("worker_id"), ctx.data.get("page", 0)
    worker = await ctx.session.get(Worker, worker_id) if isinstance(worker_id, int) else None
    allowed, place = await _scope(ctx)
    if worker is None or not isinstance(page, int) or not allowed:
        ctx.reset()
        ctx.say(t(STALE_BUTTON), [[back_to_menu(t)]])
        return
    if not await _unit_allowed(ctx, place, worker.unit_id):
        ctx.reset()
        return
    reason = excuse_text(ctx.incoming.text or "")
    if not reason or len(reason) > EXCUSE_MAX:
        ctx.say(
            t(ASK_EXCUSE, name=mask_name(worker.name), most=EXCUSE_MAX), _back(ctx, worker, page)
        )
        return
    cycle = place.cycle if place is not None else await _cycle(ctx)
    if cycle is None:
        ctx.reset()
        ctx.say(t(NO_CYCLE))
        return
    ctx.reset()
    await record(ctx, cycle, worker, outcome="excused", page=page, place=place, excuse=reason)


async def _cycle(ctx: Context) -> Cycle | None:
    cycle = await latest_cycle(ctx.session)
    if cycle is not None:
        return cycle
    found = await ctx.session.execute(select(Cycle).order_by(col(Cycle.year).desc()).limit(1))
    return found.scalars().first()


async def ask_unit(
    ctx: Context, cycle: Cycle, *, page: int, place: InspectorPlace | None = None
) -> None:
    t = ctx.t
    if place is not None:
        mine = await units_of_group(ctx.session, place.group_id)
        rows = mine[page * UNITS_PER_PAGE : (page + 1) * UNITS_PER_PAGE + 1]
    else:
        rows = [
            (uid, str(name))
            for uid, name in (
                await ctx.session.execute(
                    select(Unit.id, Unit.name)
                    .order_by(col(Unit.name))
                    .offset(page * UNITS_PER_PAGE)
                    .limit(UNITS_PER_PAGE + 1)
                )
            ).all()
            if uid is not None
        ]
    back = [back_to_menu(t)]
    if not rows and page == 0:
        ctx.say(t(NO_UNITS), [back], edit=True)
        return
    buttons = [
        [Button(str(name), VerifyUnit(action="unit", unit_id=uid, page=0).pack())]
        for uid, name in rows[:UNITS_PER_PAGE]
    ]
    paging = []
    if page > 0:
        paging.append(
            Button(t(N_("« Previous")), VerifyUnits(action="units", page=page - 1).pack())
        )
    if len(rows) > UNITS_PER_PAGE:
        paging.append(Button(t(N_("Next »")), VerifyUnits(action="units", page=page + 1).pack()))
    if paging:
        buttons.append(paging)
    buttons.append(back)
    ctx.say(t(CHOOSE_UNIT, year=cycle.year), buttons, edit=True)


async def show_workers(ctx: Context, cycle: Cycle, *, unit_id: int, page: int) -> None:
    t = ctx.t
    assert cycle.id is not None
    unit = await ctx.session.get(Unit, unit_id)
    if unit is None:
        ctx.answer(t(STALE_BUTTON))
        return
    entries, total = await unit_roster(
        ctx.session,
        cycle_id=cycle.id,
        unit_id=unit_id,
        offset=page * WORKERS_PER_PAGE,
        limit=WORKERS_PER_PAGE,
    )
    recorded = await _recorded(ctx, cycle.id, unit_id)
    lines = [t(UNIT_PAGE, unit=unit.name, year=cycle.year, recorded=recorded, total=total)]
    if not entries:
        lines.append(t(NOBODY))
    buttons = []
    for number, entry in enumerate(entries, page * WORKERS_PER_PAGE + 1):
        name = mask_name(entry.name)
        if entry.present is None:
            state = t(NOT_YET)
        elif entry.present:
            state = t(PRESENT)
        elif entry.excuse:
            state = t(EXCUSED, reason=entry.excuse)
        else:
            state = t(ABSENT)
        lines.append(f"{number}. {name} — {state}")
        buttons.append(
            [
                Button(
                    f"✅ {number}. {name}",
                    VerifyMark(action="p", worker_id=entry.worker_id, page=page).pack(),
                ),
                Button(
                    f"❌ {number}. {name}",
                    VerifyMark(action="a", worker_id=entry.worker_id, page=page).pack(),
                ),
                Button(
                    f"📝 {number}",
                    VerifyMark(action="x", worker_id=entry.worker_id, page=page).pack(),
                ),
            ]
        )
    paging = []
    if page > 0:
        paging.append(
            Button(
                t(N_("« Previous")),
                VerifyUnit(action="unit", unit_id=unit_id, page=page - 1).pack(),
            )
        )
    if (page + 1) * WORKERS_PER_PAGE < total:
        paging.append(
            Button(
                t(N_("Next »")), VerifyUnit(action="unit", unit_id=unit_id, page=page + 1).pack()
            )
        )
    if paging:
        buttons.append(paging)
    if only_inspector(ctx):  # the inspector came from the unit's checklist
        back = InsUnit(action="unit", unit_id=unit_id).pack()
        buttons.append([Button(t(N_("Back to the checklist")), back)])
    else:
        buttons.append(
            [Button(t(N_("Back to the units")), VerifyUnits(action="units", page=0).pack())]
        )
    ctx.say("\n".join(lines), buttons, edit=True)


async def _recorded(ctx: Context, cycle_id: int, unit_id: int) -> int:
    from sqlalchemy import func

    from storage.models import Verification

    count = await ctx.session.scalar(
        select(func.count())
        .select_from(Verification)
        .join(Worker, col(Worker.id) == col(Verification.worker_id))
        .where(col(Verification.cycle_id) == cycle_id, col(Worker.unit_id) == unit_id)
    )
    return int(count or 0)


async def confirm_absent(ctx: Context, worker: Worker, *, page: int) -> None:
    t = ctx.t
    text = t(CONFIRM_ABSENT, name=mask_name(worker.name))
    if not await worker_chats(ctx.session, _id(worker)):
        text += "\n" + t(UNREACHABLE)
    ctx.say(
        text,
        [
            [
                Button(
                    t(YES_ABSENT), VerifyMark(action="ax", worker_id=_id(worker), page=page).pack()
                ),
                Button(
                    t(BACK), VerifyUnit(action="unit", unit_id=worker.unit_id, page=page).pack()
                ),
            ]
        ],
        edit=True,
    )


async def record(
    ctx: Context,
    cycle: Cycle,
    worker: Worker,
    *,
    outcome: str,
    page: int,
    place: InspectorPlace | None,
    excuse: str = "",
) -> None:
    assert cycle.id is not None
    if place is not None:
        await record_at_session(
            session=ctx.session,
            place=place,
            worker=worker,
            outcome=outcome,
            user_id=ctx.user_id,
            now=ctx.clock.now(),
            excuse=excuse,
        )
    else:
        binding = ctx.roles.binding("bureau") or ctx.roles.binding("admin")
        await record_and_tell(
            session=ctx.session,
            cycle_id=cycle.id,
            worker=worker,
            present=outcome == "present",
            now=ctx.clock.now(),
            official_id=binding.official_id if binding else None,
            user_id=ctx.user_id,
            excuse=excuse,
            papers_seen=outcome == "present",
        )
    ctx.answer(ctx.t(RECORDED))
    await show_workers(ctx, cycle, unit_id=worker.unit_id, page=page)


def _id(worker: Worker) -> int:
    assert worker.id is not None
    return worker.id
