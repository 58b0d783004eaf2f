"""The bureau's view of the renewal paperwork: each unit's completion, then the unit worker by
worker (signed with its term, or the reason and each task's state). Read only; bureau staff and
administrators.

Steps: ``show_units`` (menu button, paged) → ``show_unit`` (paged).
"""

from __future__ import annotations

from collections.abc import Callable

from handlers.context import Context
from handlers.core import Router
from handlers.renewal_card import card_lines
from messages.callbacks import CallbackData
from messages.callbacks_renewal import (
    PaperUnit,
    PaperUnits,
    RecordsExport,
    parse_bureau_paper_button,
)
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON, back_to_menu
from services.history import export_history
from storage.models import Unit
from storage.renewal import closed_cycle, paperwork

ROLES = ["bureau", "admin"]
UNITS_PER_PAGE = 8
WORKERS_PER_PAGE = 10
# A page of ten workers stays well within Telegram's 4,096 characters with reasons this long.
REASON_SHOWN = 120

MENU = N_("Renewal paperwork by unit")
NO_CYCLE = N_("No 公示 has closed yet: the renewal paperwork starts when it does.")
NO_RESULTS = N_("No unit has final results in the {year} assessment.")
UNITS_HEADER = N_(
    "Renewal paperwork after the {year} 公示: {done} of {total} workers done, "
    "{overdue} with overdue tasks."
)
UNIT_BUTTON = N_("{unit}: {done}/{total} done, {overdue} overdue")
UNIT_HEADER = N_(
    "{unit}, paperwork after the {year} 公示 ({done} of {total} done), page {page} of {pages}:"
)
PREVIOUS = N_("« Previous")
NEXT = N_("Next »")
BACK_TO_UNITS = N_("Back to the units")
RECORDS = N_("Workers' records over the years (XLSX)")
UNIT_RECORDS = N_("This unit's records over the years (XLSX)")
RECORDS_CAPTION = N_("Workers' records over the years: {count} yearly results.")
RECORDS_SENT = N_("The spreadsheet is on its way.")


def router() -> Router:
    r = Router()
    r.button(PaperUnits.prefix, roles=ROLES)(process_button)
    r.menu_rows(menu_rows, place=41)
    return r


def menu_rows(ctx: Context) -> list[list[Button]]:
    if not ctx.roles.has(*ROLES):
        return []
    return [
        [Button(ctx.t(MENU), PaperUnits(step="units", page=0).pack())],
        [Button(ctx.t(RECORDS), RecordsExport(step="rec", unit_id=0).pack())],
    ]


async def process_button(ctx: Context) -> None:
    match parse_bureau_paper_button(ctx.incoming.button):
        case PaperUnits(page=page):
            await show_units(ctx, page=page)
        case PaperUnit(unit_id=unit_id, page=page):
            await show_unit(ctx, unit_id=unit_id, page=page)
        case RecordsExport(unit_id=unit_id):
            await send_records(ctx, unit_id=unit_id or None)
        case _:
            ctx.answer(ctx.t(STALE_BUTTON))


def _paging(
    ctx: Context, page: int, pages: int, make: Callable[..., CallbackData], **fixed: int
) -> list[Button]:
    row = []
    if page > 0:
        row.append(Button(ctx.t(PREVIOUS), make(page=page - 1, **fixed).pack()))
    if page + 1 < pages:
        row.append(Button(ctx.t(NEXT), make(page=page + 1, **fixed).pack()))
    return row


async def show_units(ctx: Context, *, page: int) -> None:
    t = ctx.t
    cycle = await closed_cycle(ctx.session)
    if cycle is None:
        ctx.say(t(NO_CYCLE), [[back_to_menu(t)]], edit=True)
        return
    units = await paperwork(
        ctx.session, cycle=cycle, basic_may_renew=ctx.deps.renewal.basic_may_renew
    )
    if not units:
        ctx.say(t(NO_RESULTS, year=cycle.year), [[back_to_menu(t)]], edit=True)
        return
    today = ctx.clock.today()
    pages = (len(units) + UNITS_PER_PAGE - 1) // UNITS_PER_PAGE
    page = min(page, pages - 1)
    buttons = [
        [
            Button(
                t(
                    UNIT_BUTTON,
                    unit=unit.unit_name,
                    done=unit.done,
                    total=len(unit.rows),
                    overdue=unit.overdue(today),
                ),
                PaperUnit(step="unit", unit_id=unit.unit_id, page=0).pack(),
            )
        ]
        for unit in units[page * UNITS_PER_PAGE : (page + 1) * UNITS_PER_PAGE]
    ]
    paging = _paging(ctx, page, pages, _units_page)
    if paging:
        buttons.append(paging)
    buttons.append([back_to_menu(t)])
    header = t(
        UNITS_HEADER,
        year=cycle.year,
        done=sum(unit.done for unit in units),
        total=sum(len(unit.rows) for unit in units),
        overdue=sum(unit.overdue(today) for unit in units),
    )
    ctx.say(header, buttons, edit=True)


def _units_page(*, page: int) -> PaperUnits:
    return PaperUnits(step="units", page=page)


def _unit_page(*, page: int, unit_id: int) -> PaperUnit:
    return PaperUnit(step="unit", unit_id=unit_id, page=page)


async def show_unit(ctx: Context, *, unit_id: int, page: int) -> None:
    t = ctx.t
    cycle = await closed_cycle(ctx.session)
    found = (
        await paperwork(
            ctx.session,
            cycle=cycle,
            basic_may_renew=ctx.deps.renewal.basic_may_renew,
            unit_id=unit_id,
        )
        if cycle is not None
        else []
    )
    if cycle is None or not found:
        ctx.answer(t(STALE_BUTTON))
        return
    unit = found[0]
    pages = (len(unit.rows) + WORKERS_PER_PAGE - 1) // WORKERS_PER_PAGE
    page = min(page, pages - 1)
    lines = [
        t(
            UNIT_HEADER,
            unit=unit.unit_name,
            year=cycle.year,
            done=unit.done,
            total=len(unit.rows),
            page=page + 1,
            pages=pages,
        )
    ]
    for row in unit.rows[page * WORKERS_PER_PAGE : (page + 1) * WORKERS_PER_PAGE]:
        lines.append("")
        lines.extend(card_lines(ctx, row, reason_chars=REASON_SHOWN))
    buttons = []
    paging = _paging(ctx, page, pages, _unit_page, unit_id=unit_id)
    if paging:
        buttons.append(paging)
    buttons.append([Button(t(UNIT_RECORDS), RecordsExport(step="rec", unit_id=unit_id).pack())])
    buttons.append([Button(t(BACK_TO_UNITS), PaperUnits(step="units", page=0).pack())])
    buttons.append([back_to_menu(t)])
    ctx.say("\n".join(lines), buttons, edit=True)


async def send_records(ctx: Context, *, unit_id: int | None) -> None:
    """Every worker's record over the years, or one unit's, as a spreadsheet (audited)."""
    if unit_id is not None and await ctx.session.get(Unit, unit_id) is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    name, content, count = await export_history(
        session=ctx.session,
        basic_may_renew=ctx.deps.renewal.basic_may_renew,
        language=ctx.language,
        unit_id=unit_id,
        actor_user_id=ctx.user_id,
    )
    ctx.send_file(name, content, ctx.t(RECORDS_CAPTION, count=count))
    ctx.answer(ctx.t(RECORDS_SENT))
