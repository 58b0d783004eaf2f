"""Staff verification in chat (city plan 五.4): the bureau official at the designated place
chooses the unit and marks each worker present or absent. Names are masked on screen; an
absence, which removes the worker and leaves the post vacant, is confirmed first.

Steps: ``ask_unit`` → ``show_workers`` → ``record_present`` / ``confirm_absent`` →
``record_absent``. Open to bureau staff and admins.
"""

from __future__ import annotations

from sqlmodel import col, select

from domain.masking import mask_name
from handlers.context import Context
from handlers.core import Router
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
from storage.models import Cycle, Unit, Worker
from storage.unit_tasks import latest_cycle
from storage.verification import ABSENT_REASON, unit_roster

ROLES = ["bureau", "admin"]
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


def router() -> Router:
    r = Router()
    r.button(VerifyUnits.prefix, roles=ROLES)(process_verification_button)
    return r


async def process_verification_button(ctx: Context) -> None:
    data = parse_verification(ctx.incoming.button)
    if data is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    cycle = await _cycle(ctx)
    if cycle is None or cycle.id is None:
        ctx.say(ctx.t(NO_CYCLE), edit=True)
        return
    if isinstance(data, VerifyUnits):
        await ask_unit(ctx, cycle, page=data.page)
    elif isinstance(data, VerifyUnit):
        await show_workers(ctx, cycle, unit_id=data.unit_id, page=data.page)
    else:
        worker = await ctx.session.get(Worker, data.worker_id)
        if worker is None or (
            worker.status == "removed" and worker.removed_reason != ABSENT_REASON
        ):
            ctx.answer(ctx.t(WORKER_GONE), alert=True)
        elif data.action == "a":
            await confirm_absent(ctx, worker, page=data.page)
        else:
            await record(ctx, cycle, worker, present=data.action == "p", page=data.page)


async def _cycle(ctx: Context) -> Cycle | None:
    cycle = await latest_cycle(ctx.session)
    if cycle is not None:
        return cycle
    found = await ctx.session.execute(select(Cycle).order_by(col(Cycle.year).desc()).limit(1))
    return found.scalars().first()


async def ask_unit(ctx: Context, cycle: Cycle, *, page: int) -> None:
    t = ctx.t
    rows = (
        await ctx.session.execute(
            select(Unit.id, Unit.name)
            .order_by(col(Unit.name))
            .offset(page * UNITS_PER_PAGE)
            .limit(UNITS_PER_PAGE + 1)
        )
    ).all()
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
        state = NOT_YET if entry.present is None else (PRESENT if entry.present else ABSENT)
        lines.append(f"{number}. {name} — {t(state)}")
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
    buttons.append([Button(t(N_("Back to the units")), VerifyUnits(action="units", page=0).pack())])
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
    ctx.say(
        t(CONFIRM_ABSENT, name=mask_name(worker.name)),
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


async def record(ctx: Context, cycle: Cycle, worker: Worker, *, present: bool, page: int) -> None:
    assert cycle.id is not None
    binding = ctx.roles.binding("bureau") or ctx.roles.binding("admin")
    await record_and_tell(
        session=ctx.session,
        cycle_id=cycle.id,
        worker=worker,
        present=present,
        now=ctx.clock.now(),
        official_id=binding.official_id if binding else None,
        user_id=ctx.user_id,
    )
    ctx.answer(ctx.t(RECORDED))
    await show_workers(ctx, cycle, unit_id=worker.unit_id, page=page)


def _id(worker: Worker) -> int:
    assert worker.id is not None
    return worker.id
