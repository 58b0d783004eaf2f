"""The officials' sheets and exports in chat (「表格与导出」), which the CLI also writes: the
results-sheet template (both), the subsidy list of the last closed 公示 (the administrator),
and a unit's binding-code sheet (the administrator for any unit, a unit contact for their
own; issuing withdraws the unit's unused codes, so it asks first).

Steps: ``show_files`` → ``send_template`` | ``send_subsidy`` | ``show_units`` (paged) →
``ask_codes`` → ``send_codes``. The role and the unit come from the database for every press.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from documents.results_template import TEMPLATE_FILE, results_template
from handlers.context import Context
from handlers.core import Router
from messages.callbacks_files import OfficialFile
from messages.i18n import N_
from messages.replies import Button
from messages.style import file_name
from messages.wording import STALE_BUTTON, back_to_menu
from services.code_sheets import issue_code_sheet
from services.subsidy_export import SUBSIDY_FILE, subsidy_list, subsidy_xlsx, summary
from storage.models import Cycle, Unit

ROLES = ["admin", "unit"]
UNITS_PER_PAGE = 8

MENU_ENTRY = N_("Sheets and exports")
TITLE = N_("Sheets and exports: which file do you need?")
TEMPLATE = N_("Results sheet template (Excel)")
SUBSIDY = N_("Subsidy list after the {year} 公示 (Excel)")
NO_CLOSED = N_("No 公示 has closed yet: the subsidy list follows the final results.")
CODES_ANY = N_("Binding codes of a unit (Excel)")
CODES_OWN = N_("Binding codes of my unit (Excel)")
PICK_UNIT = N_("Whose binding codes? (page {page})")
ASK_CODES = N_(
    "A new code for every worker on duty in {unit}. The unit's codes not used yet stop "
    "working. Issue the sheet?"
)
ISSUE = N_("Issue the codes sheet")
BACK = N_("Back")
TEMPLATE_SENT = N_(
    "The results template: fill it in, delete the sample row and send it back with “Upload "
    "results (spreadsheet)”."
)
SUBSIDY_SENT = N_("Subsidies after the {year} 公示. {summary}")
CODES_SENT = N_("{count} binding codes for {unit}. Hand each worker their own slip.")
NO_UNITS = N_("No unit is registered yet: register them under “Units” first.")
SENT = N_("Sent: {name}")


def router() -> Router:
    r = Router()
    r.button(OfficialFile.prefix, roles=ROLES)(process_files_button)
    r.menu_rows(files_menu_rows, place=70)
    return r


def files_menu_rows(ctx: Context) -> list[list[Button]]:
    if not ctx.roles.has(*ROLES):
        return []
    return [[Button(ctx.t(MENU_ENTRY), OfficialFile(action="menu").pack())]]


async def process_files_button(ctx: Context) -> None:
    pressed = OfficialFile.parse(ctx.incoming.button)
    if pressed is None or min(pressed.unit_id, pressed.page) < 0:
        ctx.answer(ctx.t(STALE_BUTTON))
    elif pressed.action == "menu":
        await show_files(ctx)
    elif pressed.action == "template":
        await send_template(ctx)
    elif pressed.action == "subsidy" and ctx.roles.has("admin"):
        await send_subsidy(ctx)
    elif pressed.action == "units" and ctx.roles.has("admin"):
        await show_units(ctx, page=pressed.page)
    elif pressed.action in ("ask", "codes") and _may_issue(ctx, pressed.unit_id):
        if pressed.action == "ask":
            await ask_codes(ctx, unit_id=pressed.unit_id)
        else:
            await send_codes(ctx, unit_id=pressed.unit_id)
    else:
        ctx.answer(ctx.t(STALE_BUTTON))


def _own_unit(ctx: Context) -> int | None:
    binding = ctx.roles.binding("unit")
    return binding.unit_id if binding is not None else None


def _may_issue(ctx: Context, unit_id: int) -> bool:
    return ctx.roles.has("admin") or (unit_id > 0 and unit_id == _own_unit(ctx))


async def _last_closed_year(ctx: Context) -> int | None:
    found = await ctx.session.execute(
        select(col(Cycle.year)).where(col(Cycle.state) == "closed").order_by(col(Cycle.year).desc())
    )
    year = found.scalars().first()
    return int(year) if year is not None else None


async def show_files(ctx: Context, *, edit: bool = True) -> None:
    t = ctx.t
    rows = [[Button(t(TEMPLATE), OfficialFile(action="template").pack())]]
    if ctx.roles.has("admin"):
        year = await _last_closed_year(ctx)
        label = t(SUBSIDY, year=year) if year else t(SUBSIDY, year="—")
        rows.append([Button(label, OfficialFile(action="subsidy").pack())])
        rows.append([Button(t(CODES_ANY), OfficialFile(action="units").pack())])
    elif (unit_id := _own_unit(ctx)) is not None:
        rows.append([Button(t(CODES_OWN), OfficialFile(action="ask", unit_id=unit_id).pack())])
    rows.append([back_to_menu(t)])
    ctx.say(t(TITLE), rows, edit=edit)


async def send_template(ctx: Context) -> None:
    unit_id = _own_unit(ctx)
    unit = await ctx.session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None:
        first = await ctx.session.execute(select(Unit).order_by(col(Unit.name)).limit(1))
        unit = first.scalars().first()
    name = unit.name if unit is not None else ctx.t(N_("Your unit's name"))
    content = results_template(ctx.t, unit_name=name)
    name = file_name(ctx.t, TEMPLATE_FILE, "xlsx")
    ctx.send_file(name, content, ctx.t(TEMPLATE_SENT))
    await _after_the_file(ctx, name)


async def send_subsidy(ctx: Context) -> None:
    year = await _last_closed_year(ctx)
    if year is None:
        ctx.answer(ctx.t(NO_CLOSED), alert=True)
        return
    rows = await subsidy_list(
        session=ctx.session, year=year, basic_may_renew=ctx.deps.renewal.basic_may_renew
    )
    content = subsidy_xlsx(rows, year=year, t=ctx.t)
    caption = ctx.t(SUBSIDY_SENT, year=year, summary=summary(rows, ctx.t))
    name = file_name(ctx.t, SUBSIDY_FILE, "xlsx", year)
    ctx.send_file(name, content, caption)
    await _after_the_file(ctx, name)


async def show_units(ctx: Context, *, page: int) -> None:
    t = ctx.t
    found = await ctx.session.execute(
        select(col(Unit.id), col(Unit.name))
        .order_by(col(Unit.name))
        .offset(page * UNITS_PER_PAGE)
        .limit(UNITS_PER_PAGE + 1)
    )
    units = found.all()
    if not units and page == 0:
        ctx.say(t(NO_UNITS), [[back_to_menu(t)]], edit=True)
        return
    rows = [
        [Button(str(name), OfficialFile(action="ask", unit_id=int(uid or 0)).pack())]
        for uid, name in units[:UNITS_PER_PAGE]
    ]
    paging = []
    if page > 0:
        paging.append(
            Button(t(N_("« Previous")), OfficialFile(action="units", page=page - 1).pack())
        )
    if len(units) > UNITS_PER_PAGE:
        paging.append(Button(t(N_("Next »")), OfficialFile(action="units", page=page + 1).pack()))
    if paging:
        rows.append(paging)
    rows.append([Button(t(BACK), OfficialFile(action="menu").pack()), back_to_menu(t)])
    ctx.say(t(PICK_UNIT, page=page + 1), rows, edit=True)


async def ask_codes(ctx: Context, *, unit_id: int) -> None:
    unit = await ctx.session.get(Unit, unit_id)
    if unit is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    rows = [
        [Button(ctx.t(ISSUE), OfficialFile(action="codes", unit_id=unit_id).pack())],
        [Button(ctx.t(BACK), OfficialFile(action="menu").pack()), back_to_menu(ctx.t)],
    ]
    ctx.say(ctx.t(ASK_CODES, unit=unit.name), rows, edit=True)


async def send_codes(ctx: Context, *, unit_id: int) -> None:
    issued = await issue_code_sheet(
        session=ctx.session,
        unit_id=unit_id,
        now=ctx.clock.now(),
        actor_user_id=ctx.user_id,
        bot_username=ctx.deps.bot_username,
        t=ctx.t,
    )
    if issued is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    name, content, count = issued
    unit = await ctx.session.get(Unit, unit_id)
    ctx.send_file(name, content, ctx.t(CODES_SENT, count=count, unit=unit.name if unit else ""))
    await _after_the_file(ctx, name)


async def _after_the_file(ctx: Context, name: str) -> None:
    """The screen the file was asked on says what was sent and loses its buttons (a second
    press would issue the codes again); the choices come back below the file."""
    ctx.say(ctx.t(SENT, name=name), edit=True)
    await show_files(ctx, edit=False)
