"""The 公示 in the bot: anyone reads the published lists by unit or finds a name while the
公示 is open; an administrator opens and closes it, and gets the printable notices.

Steps: ``show_units``, ``show_unit``, ``ask_name`` / ``process_name`` (masked matching,
throttled), ``complain_about`` (a person's button starts the hotline's complaint about them);
for the administrator ``show_admin``, ``confirm_open`` / ``process_open``, ``confirm_close`` /
``process_close``, ``choose_notice`` / ``send_notice``.

The administrator's steps are in ``handlers.publication_admin``. Only masked names leave these
modules: the lists come from ``storage.public_rows``.
"""

from __future__ import annotations

from collections.abc import Callable

from handlers import publication_admin as admin
from handlers.context import Context
from handlers.core import Router
from handlers.name_search import search_allowed
from handlers.publication_admin import BACK
from messages.callbacks_menu import MENU_HOME
from messages.callbacks_publication import (
    FIND as FIND_DATA,
)
from messages.callbacks_publication import (
    FIRST_UNITS,
    AdminHome,
    ComplainAbout,
    FindName,
    UnitRows,
    UnitsPage,
    parse_browse,
)
from messages.callbacks_publication import (
    HOME as ADMIN_HOME,
)
from messages.i18n import N_
from messages.replies import Button
from messages.tasks import day_text
from messages.wording import STALE_BUTTON
from services import publication_texts as texts
from storage import public_rows as rows_store
from storage import publication as store
from storage.models import Cycle
from storage.name_search import NameQuery

UNITS_PER_PAGE = 8
ROWS_PER_PAGE = 15
FOUND_AT_MOST = 20
FIND = "gs_find"

NONE_OPEN = N_("No public notice is open right now. The lists are shown here while one is open.")
CLOSED_NOTICE = N_("The public notice of {year} closed on {date}; its lists are no longer shown.")
UNITS_HEAD = N_(
    "Public notice of the {year} assessment results, {opens} to {closes}. "
    "Choose a unit, or find a person by name."
)
FIND_BUTTON = N_("Find a name")
ASK_NAME = N_(
    "Type the name as the lists show it (张*三), or the full name; a surname alone lists "
    "everyone under it. The search, like the lists, shows names masked."
)
FOUND_NONE = N_("Nobody in the published lists is shown as “{masked}”.")
FOUND_NONE_SURNAME = N_("Nobody in the published lists has the surname “{surname}”.")
FOUND_HEAD = N_("Found in the published lists:")
FOUND_MORE = N_("More than {n} found: type the full name, or the name as the lists show it.")
COMPLAIN_HINT = N_("To report a problem about someone, press their button.")
ALL_UNITS = N_("« All units")
PREVIOUS = N_("« Previous")
NEXT = N_("Next »")
BROWSE = N_("Published results (公示)")
ADMIN_BUTTON = N_("公示: open, close, printable notices")


def router() -> Router:
    r = Router()
    r.command("gongshi")(show_units)
    r.button(UnitsPage.prefix)(process_browse)
    r.state(FIND)(process_name)
    r.button(AdminHome.prefix, roles=("admin",))(admin.process_admin)
    r.menu_rows(publication_menu_rows, place=60)
    return r


def publication_menu_rows(ctx: Context) -> list[list[Button]]:
    rows = [[Button(ctx.t(BROWSE), FIRST_UNITS)]]
    if ctx.roles.has("admin"):
        rows.append([Button(ctx.t(ADMIN_BUTTON), ADMIN_HOME)])
    return rows


# Reading the lists ---------------------------------------------------------------------------


async def process_browse(ctx: Context) -> None:
    data = parse_browse(ctx.incoming.button)
    if isinstance(data, UnitsPage):
        await show_units(ctx, page=data.page, edit=True)
    elif isinstance(data, UnitRows):
        await show_unit(ctx, unit_id=data.unit_id, page=data.page)
    elif isinstance(data, FindName):
        await ask_name(ctx)
    elif isinstance(data, ComplainAbout):
        await complain_about(ctx, data.result_id)
    else:
        ctx.answer(ctx.t(STALE_BUTTON))


async def _open_cycle(ctx: Context, *, edit: bool = False) -> Cycle | None:
    """The cycle whose 公示 is open; otherwise says why there is nothing to read."""
    cycle = await store.current_cycle(ctx.session)
    if cycle is not None and cycle.state == store.OPEN:
        return cycle
    t = ctx.t
    if cycle is not None and cycle.state == store.CLOSED and cycle.closed_at is not None:
        closed_on = cycle.closed_at.astimezone(ctx.clock.now().tzinfo).date()
        text = t(CLOSED_NOTICE, year=cycle.year, date=day_text(t, closed_on))
    else:
        text = t(NONE_OPEN)
    ctx.say(text, [[Button(t(BACK), MENU_HOME)]], edit=edit)
    return None


async def show_units(ctx: Context, *, page: int = 0, edit: bool = False) -> None:
    ctx.reset()
    cycle = await _open_cycle(ctx, edit=edit)
    if cycle is None:
        return
    t = ctx.t
    units = await rows_store.published_units(session=ctx.session, cycle_id=_id(cycle))
    pages = max(1, -(-len(units) // UNITS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = units[page * UNITS_PER_PAGE : (page + 1) * UNITS_PER_PAGE]
    rows = [
        [Button(f"{name} ({count})", UnitRows(action="u", unit_id=unit_id, page=0).pack())]
        for unit_id, name, count in shown
    ]
    rows += _nav(ctx, lambda to: UnitsPage(action="units", page=to).pack(), page, pages)
    rows.append([Button(t(FIND_BUTTON), FIND_DATA), Button(t(BACK), MENU_HOME)])
    ctx.say(_head(ctx, cycle), rows, edit=edit)


def _head(ctx: Context, cycle: Cycle) -> str:
    t = ctx.t
    assert cycle.gongshi_opens_on is not None and cycle.gongshi_closes_on is not None
    return t(
        UNITS_HEAD,
        year=cycle.year,
        opens=day_text(t, cycle.gongshi_opens_on),
        closes=day_text(t, cycle.gongshi_closes_on),
    )


async def show_unit(ctx: Context, *, unit_id: int, page: int) -> None:
    cycle = await _open_cycle(ctx, edit=True)
    if cycle is None:
        return
    t = ctx.t
    shown = await rows_store.unit_page(
        session=ctx.session,
        cycle_id=_id(cycle),
        unit_id=unit_id,
        page=page,
        per_page=ROWS_PER_PAGE,
    )
    if not shown.rows:
        ctx.answer(t(STALE_BUTTON))
        return
    first = shown.page * ROWS_PER_PAGE + 1
    assert cycle.gongshi_opens_on is not None and cycle.gongshi_closes_on is not None
    lines = [
        texts.head_line(
            t,
            unit=shown.rows[0].unit_name,
            year=cycle.year,
            page=shown.page + 1,
            pages=shown.pages,
        ),
        texts.window_line(t, cycle.gongshi_opens_on, cycle.gongshi_closes_on),
        t(texts.COLUMNS),
        "",
        *(texts.entry_line(t, first + i, row) for i, row in enumerate(shown.rows)),
        "",
        t(COMPLAIN_HINT),
    ]
    if line := ctx.deps.hotline.line(t):
        lines.append(line)
    rows = _complaint_rows(shown.rows, first)
    rows += _nav(
        ctx,
        lambda to: UnitRows(action="u", unit_id=unit_id, page=to).pack(),
        shown.page,
        shown.pages,
    )
    rows.append([Button(t(ALL_UNITS), FIRST_UNITS), Button(t(FIND_BUTTON), FIND_DATA)])
    # The list names people (masked) with their grades: protected like the channel's posts.
    ctx.say("\n".join(lines), rows, edit=True, protect=True)


def _complaint_rows(rows: list[rows_store.PublicRow], first: int) -> list[list[Button]]:
    buttons = [
        Button(
            f"{first + i}. {row.masked_name[: texts.BUTTON_NAME]}",
            ComplainAbout(action="c", result_id=row.result_id).pack(),
        )
        for i, row in enumerate(rows)
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def _nav(ctx: Context, data: Callable[[int], str], page: int, pages: int) -> list[list[Button]]:
    row = []
    if page > 0:
        row.append(Button(ctx.t(PREVIOUS), data(page - 1)))
    if page + 1 < pages:
        row.append(Button(ctx.t(NEXT), data(page + 1)))
    return [row] if row else []


async def ask_name(ctx: Context) -> None:
    if await _open_cycle(ctx) is None:
        return
    ctx.goto(FIND)
    ctx.say(ctx.t(ASK_NAME), [[Button(ctx.t(ALL_UNITS), FIRST_UNITS)]])


async def process_name(ctx: Context) -> None:
    """Names match on their masked form only (storage.name_search), and each search counts
    against the user's limits (handlers.name_search)."""
    ctx.reset()
    cycle = await _open_cycle(ctx)
    if cycle is None or not search_allowed(ctx):
        return
    t = ctx.t
    query = NameQuery.parse((ctx.incoming.text or "")[:64])
    found = await rows_store.search_public(
        session=ctx.session, cycle_id=_id(cycle), query=query, limit=FOUND_AT_MOST
    )
    again = [Button(t(FIND_BUTTON), FIND_DATA), Button(t(ALL_UNITS), FIRST_UNITS)]
    if not found:
        if query.surname is not None:
            ctx.say(t(FOUND_NONE_SURNAME, surname=query.surname), [again])
        else:
            ctx.say(t(FOUND_NONE, masked="、".join(sorted(query.forms))), [again])
        return
    shown = found[:FOUND_AT_MOST]
    lines = [t(FOUND_HEAD), ""]
    lines += [f"{row.unit_name}: {texts.entry_line(t, i, row)}" for i, row in enumerate(shown, 1)]
    if len(found) > FOUND_AT_MOST:
        lines += ["", t(FOUND_MORE, n=FOUND_AT_MOST)]
    lines += ["", t(COMPLAIN_HINT)]
    ctx.say("\n".join(lines), [*_complaint_rows(shown, 1), again], protect=True)


async def complain_about(ctx: Context, result_id: int) -> None:
    from handlers.citizen import start_from_entry

    if await rows_store.published_result(session=ctx.session, result_id=result_id) is None:
        await _open_cycle(ctx)
        return
    ctx.reset()
    await start_from_entry(ctx, str(result_id))


def _id(cycle: Cycle) -> int:
    assert cycle.id is not None
    return cycle.id
