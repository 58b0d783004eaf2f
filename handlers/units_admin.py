"""The administrator's units menu: the registered units (paged), adding one, renaming one, and a
units sheet sent as a document (imported in the background as results sheets are).

Steps: ``show_units`` (menu button, paging) → ``ask_unit_name`` → ``process_unit_name`` →
``process_unit_quota``; ``ask_new_name`` (a unit's button) → ``process_new_name``;
``ask_units_file`` → ``process_units_file``.
"""

from __future__ import annotations

from domain.unit_rows import parse_quota
from handlers.context import Context
from handlers.core import Router
from handlers.uploads import queue_sheet, sheet_document
from messages.callbacks_units import UnitRename, UnitsAction, UnitsPage
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON, back_to_menu
from services.units import UnitError, add_unit, list_units, rename_unit
from storage.models import Unit

AWAIT_NAME = "units:await_name"
AWAIT_QUOTA = "units:await_quota"
AWAIT_NEW_NAME = "units:await_new_name"
AWAIT_FILE = "units:await_file"
ROLES = ("admin",)
UNITS_PER_PAGE = 8

UNITS = N_("Units")
UNITS_TITLE = N_("Registered units (page {page}), with quota, posts in use and workers on duty:")
UNIT_LINE = N_("{name}: quota {quota}, {in_use} posts in use, {on_duty} on duty")
NO_UNITS = N_("No unit is registered yet. Add one, or send a units sheet.")
RENAME_HINT = N_("Press a unit's name to rename it.")
ADD_UNIT = N_("Add a unit")
UPLOAD_UNITS = N_("Upload a units sheet")
PREVIOUS = N_("« Previous")
NEXT = N_("Next »")
ASK_NAME = N_(
    "Send the new unit's name, exactly as it will appear in rosters and results. /cancel stops."
)
ASK_QUOTA = N_("How many public-welfare posts may “{name}” fill (岗位指标)? Send a whole number.")
BAD_QUOTA = N_("Please send the post quota as a whole number from 1 to 9999, or /cancel.")
ADDED = N_("Registered the unit “{name}” with a quota of {quota} posts.")
ASK_NEW_NAME = N_("Send the new name for “{name}”. /cancel stops.")
RENAMED = N_("The unit “{old}” is now called “{new}”.")
GONE = N_("That unit no longer exists.")
ASK_FILE = N_(
    "Send the units sheet as a document (XLSX or CSV).\n"
    "Columns: 单位, 岗位指标, and optionally 联系电话 and 主管部门.\n"
    "Every row is checked; if any row is wrong nothing is registered and you get the list. "
    "/cancel stops."
)


def router() -> Router:
    r = Router()
    r.button(UnitsPage.prefix, roles=ROLES)(process_units_button)
    r.state(AWAIT_NAME, roles=ROLES)(process_unit_name)
    r.state(AWAIT_QUOTA, roles=ROLES)(process_unit_quota)
    r.state(AWAIT_NEW_NAME, roles=ROLES)(process_new_name)
    r.state(AWAIT_FILE, roles=ROLES)(process_units_file)
    r.menu_rows(units_menu_rows, place=65)
    return r


def units_menu_rows(ctx: Context) -> list[list[Button]]:
    if not ctx.roles.has(*ROLES):
        return []
    return [[Button(ctx.t(UNITS), UnitsPage(step="page", page=0).pack())]]


async def process_units_button(ctx: Context) -> None:
    data = ctx.incoming.button
    page = UnitsPage.parse(data)
    action = UnitsAction.parse(data)
    rename = UnitRename.parse(data)
    if page is not None and page.page >= 0:
        await show_units(ctx, page=page.page)
    elif action is not None and action.action == "add":
        ctx.goto(AWAIT_NAME)
        ctx.say(ctx.t(ASK_NAME))
    elif action is not None:
        ctx.goto(AWAIT_FILE)
        ctx.say(ctx.t(ASK_FILE))
    elif rename is not None:
        await ask_new_name(ctx, unit_id=rename.unit_id)
    else:
        ctx.answer(ctx.t(STALE_BUTTON))


async def show_units(ctx: Context, *, page: int) -> None:
    units = await list_units(session=ctx.session)
    shown = units[page * UNITS_PER_PAGE : (page + 1) * UNITS_PER_PAGE]
    if shown:
        lines = [ctx.t(UNITS_TITLE, page=page + 1)]
        lines += [
            ctx.t(UNIT_LINE, name=u.name, quota=u.quota, in_use=u.posts_in_use, on_duty=u.on_duty)
            for u in shown
        ]
        lines.append(ctx.t(RENAME_HINT))
    else:
        lines = [ctx.t(NO_UNITS)]
    buttons = [[Button(u.name, UnitRename(step="rename", unit_id=u.id).pack())] for u in shown]
    paging = []
    if page > 0:
        paging.append(Button(ctx.t(PREVIOUS), UnitsPage(step="page", page=page - 1).pack()))
    if len(units) > (page + 1) * UNITS_PER_PAGE:
        paging.append(Button(ctx.t(NEXT), UnitsPage(step="page", page=page + 1).pack()))
    if paging:
        buttons.append(paging)
    buttons.append(
        [
            Button(ctx.t(ADD_UNIT), UnitsAction(action="add").pack()),
            Button(ctx.t(UPLOAD_UNITS), UnitsAction(action="upload").pack()),
        ]
    )
    buttons.append([back_to_menu(ctx.t)])
    ctx.say("\n".join(lines), buttons, edit=True)


async def process_unit_name(ctx: Context) -> None:
    name = (ctx.incoming.text or "").strip()
    if not name:
        ctx.say(ctx.t(ASK_NAME))
        return
    ctx.goto(AWAIT_QUOTA, name=name)
    ctx.say(ctx.t(ASK_QUOTA, name=name))


async def process_unit_quota(ctx: Context) -> None:
    quota = parse_quota(ctx.incoming.text or "")
    if quota is None:
        ctx.say(ctx.t(BAD_QUOTA))
        return
    name = str(ctx.data.get("name", ""))
    try:
        unit = await add_unit(
            session=ctx.session, name=name, quota=quota, actor=f"tg:{ctx.user_id}",
            now=ctx.clock.now(),
        )  # fmt: skip
    except UnitError as error:
        ctx.reset()
        ctx.say(ctx.t(error.reason, **error.params), [[back_to_menu(ctx.t)]])
        return
    ctx.reset()
    ctx.say(ctx.t(ADDED, name=unit.name, quota=quota), [[back_to_menu(ctx.t)]])


async def ask_new_name(ctx: Context, *, unit_id: int) -> None:
    unit = await ctx.session.get(Unit, unit_id)
    if unit is None:
        ctx.answer(ctx.t(GONE), alert=True)
        return
    ctx.goto(AWAIT_NEW_NAME, unit_id=unit_id)
    ctx.say(ctx.t(ASK_NEW_NAME, name=unit.name))


async def process_new_name(ctx: Context) -> None:
    unit_id = ctx.data.get("unit_id")
    unit = await ctx.session.get(Unit, unit_id) if isinstance(unit_id, int) else None
    ctx.reset()
    if unit is None:
        ctx.say(ctx.t(GONE), [[back_to_menu(ctx.t)]])
        return
    old = unit.name
    try:
        await rename_unit(
            session=ctx.session, old=old, new=ctx.incoming.text or "",
            actor=f"tg:{ctx.user_id}", now=ctx.clock.now(),
        )  # fmt: skip
    except UnitError as error:
        ctx.say(ctx.t(error.reason, **error.params), [[back_to_menu(ctx.t)]])
        return
    ctx.say(ctx.t(RENAMED, old=old, new=unit.name), [[back_to_menu(ctx.t)]])


async def process_units_file(ctx: Context) -> None:
    file = sheet_document(ctx)
    if file is None:
        return
    await queue_sheet(ctx, file, kind="units", cycle_year=ctx.clock.today().year, only_unit_id=None)
