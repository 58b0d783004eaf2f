"""The 公示 in the bot: anyone reads the published lists by unit or finds a name while the
公示 is open; an administrator opens and closes it, and gets the printable notices.

Steps: ``show_units``, ``show_unit``, ``ask_name`` / ``process_name`` (masked matching,
throttled), ``complain_about`` (a person's button starts the hotline's complaint about them);
for the administrator ``show_admin``, ``confirm_open`` / ``process_open``, ``confirm_close`` /
``process_close``, ``choose_notice`` / ``send_notice``.

Only masked names leave this module: the lists come from ``storage.publication``'s public rows.
"""

from __future__ import annotations

import asyncio

from domain.workdays import UnknownYearError, WorkCalendar
from handlers.context import Context
from handlers.core import Router
from handlers.name_search import search_allowed
from messages.i18n import N_
from messages.replies import Button
from messages.tasks import day_text
from notices import publication as texts
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
BACK = N_("Back to the menu")
BROWSE = N_("Published results (公示)")

ADMIN_BUTTON = N_("公示: open, close, printable notices")
ADMIN_NO_CYCLE = N_("There is no assessment cycle yet: import results first.")
ADMIN_STATE = {
    "assessing": N_("The 公示 of {year} has not been opened."),
    "open": N_("The 公示 of {year} is open from {opens} to {closes}."),
    "closed": N_("The 公示 of {year} is closed."),
}
OPEN_BUTTON = N_("Open the 公示 of {year}")
CLOSE_BUTTON = N_("Close the 公示 now")
NOTICES_BUTTON = N_("Printable notices (PDF)")
CONFIRM_OPEN = N_(
    "The 公示 of {year} would run from {opens} to {closes}, {days} working days on the "
    "holiday calendar. Each unit's list goes to the public channel and the bot, subscribers are "
    "told, and the hotline opens for this cycle. Open it now?"
)
CONFIRM_CLOSE = N_(
    "Close the 公示 of {year} now? The lists are withdrawn from the channel and the bot, and "
    "the results become final, except those held while a serious case is open."
)
YES_OPEN = N_("Yes, open it")
YES_CLOSE = N_("Yes, close it")
CANCEL = N_("Cancel")
OPENED = N_(
    "The 公示 of {year} is open from {opens} to {closes}: {posts} channel posts queued, "
    "{subscribers} subscribers told."
)
CLOSED = N_(
    "The 公示 of {year} is closed: {final} results final, {held} held while a serious case "
    "is open; {withdrawn} channel posts withdrawn."
)
CHOOSE_UNIT = N_("Which unit's printable notice do you want?")
NOTICE_CAPTION = N_("{unit}: the {year} 公示 notice for the notice board. Names are masked.")
STALE = N_("This button is no longer valid. Send /start for the menu.")


def router() -> Router:
    r = Router()
    r.command("gongshi")(show_units)
    r.button("gs")(process_browse)
    r.state(FIND)(process_name)
    r.button("gsa", roles=("admin",))(process_admin)
    r.menu_rows(publication_menu_rows, place=60)
    return r


def publication_menu_rows(ctx: Context) -> list[list[Button]]:
    rows = [[Button(ctx.t(BROWSE), "gs:units:0")]]
    if ctx.roles.has("admin"):
        rows.append([Button(ctx.t(ADMIN_BUTTON), "gsa:home")])
    return rows


# Reading the lists ---------------------------------------------------------------------------


async def process_browse(ctx: Context) -> None:
    parts = (ctx.incoming.button or "").split(":")
    action, args = parts[1] if len(parts) > 1 else "", parts[2:]
    numbers = [int(a) for a in args if a.isdigit()]
    if len(numbers) != len(args):
        ctx.answer(ctx.t(STALE))
    elif action == "units" and len(numbers) == 1:
        await show_units(ctx, page=numbers[0], edit=True)
    elif action == "u" and len(numbers) == 2:
        await show_unit(ctx, unit_id=numbers[0], page=numbers[1])
    elif action == "find" and not numbers:
        await ask_name(ctx)
    elif action == "c" and len(numbers) == 1:
        await complain_about(ctx, numbers[0])
    else:
        ctx.answer(ctx.t(STALE))


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
    ctx.say(text, [[Button(t(BACK), "menu:home")]], edit=edit)
    return None


async def show_units(ctx: Context, *, page: int = 0, edit: bool = False) -> None:
    ctx.reset()
    cycle = await _open_cycle(ctx, edit=edit)
    if cycle is None:
        return
    t = ctx.t
    units = await store.published_units(session=ctx.session, cycle_id=_id(cycle))
    pages = max(1, -(-len(units) // UNITS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = units[page * UNITS_PER_PAGE : (page + 1) * UNITS_PER_PAGE]
    rows = [[Button(f"{name} ({count})", f"gs:u:{unit_id}:0")] for unit_id, name, count in shown]
    rows += _nav(ctx, "gs:units", page, pages)
    rows.append([Button(t(FIND_BUTTON), "gs:find"), Button(t(BACK), "menu:home")])
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
    shown = await store.unit_page(
        session=ctx.session,
        cycle_id=_id(cycle),
        unit_id=unit_id,
        page=page,
        per_page=ROWS_PER_PAGE,
    )
    if not shown.rows:
        ctx.answer(t(STALE))
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
    rows = _complaint_rows(shown.rows, first)
    rows += _nav(ctx, f"gs:u:{unit_id}", shown.page, shown.pages)
    rows.append([Button(t(ALL_UNITS), "gs:units:0"), Button(t(FIND_BUTTON), "gs:find")])
    ctx.say("\n".join(lines), rows, edit=True)


def _complaint_rows(rows: list[store.PublicRow], first: int) -> list[list[Button]]:
    buttons = [
        Button(f"{first + i}. {row.masked_name[: texts.BUTTON_NAME]}", f"gs:c:{row.result_id}")
        for i, row in enumerate(rows)
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def _nav(ctx: Context, prefix: str, page: int, pages: int) -> list[list[Button]]:
    row = []
    if page > 0:
        row.append(Button(ctx.t(PREVIOUS), f"{prefix}:{page - 1}"))
    if page + 1 < pages:
        row.append(Button(ctx.t(NEXT), f"{prefix}:{page + 1}"))
    return [row] if row else []


async def ask_name(ctx: Context) -> None:
    if await _open_cycle(ctx) is None:
        return
    ctx.goto(FIND)
    ctx.say(ctx.t(ASK_NAME), [[Button(ctx.t(ALL_UNITS), "gs:units:0")]])


async def process_name(ctx: Context) -> None:
    """Names match on their masked form only (storage.name_search), and each search counts
    against the user's limits (handlers.name_search)."""
    ctx.reset()
    cycle = await _open_cycle(ctx)
    if cycle is None or not search_allowed(ctx):
        return
    t = ctx.t
    query = NameQuery.parse((ctx.incoming.text or "")[:64])
    found = await store.search_public(
        session=ctx.session, cycle_id=_id(cycle), query=query, limit=FOUND_AT_MOST
    )
    again = [Button(t(FIND_BUTTON), "gs:find"), Button(t(ALL_UNITS), "gs:units:0")]
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
    ctx.say("\n".join(lines), [*_complaint_rows(shown, 1), again])


async def complain_about(ctx: Context, result_id: int) -> None:
    from handlers.citizen import start_from_entry

    if await store.published_result(session=ctx.session, result_id=result_id) is None:
        await _open_cycle(ctx)
        return
    ctx.reset()
    await start_from_entry(ctx, str(result_id))


# The administrator ---------------------------------------------------------------------------


async def process_admin(ctx: Context) -> None:
    parts = (ctx.incoming.button or "").split(":")
    action, args = parts[1] if len(parts) > 1 else "", parts[2:]
    year = int(args[0]) if args and args[0].isdigit() else None
    if action == "home":
        await show_admin(ctx)
    elif action == "open" and year is not None:
        await confirm_open(ctx, year)
    elif action == "openok" and year is not None and len(args) == 2:
        await process_open(ctx, year, args[1])
    elif action == "close" and year is not None:
        confirm_close(ctx, year)
    elif action == "closeok" and year is not None:
        await process_close(ctx, year)
    elif action == "pdf" and year is not None:
        await choose_notice(ctx, year, args[1:])
    else:
        ctx.answer(ctx.t(STALE))


async def show_admin(ctx: Context) -> None:
    t = ctx.t
    cycle = await store.current_cycle(ctx.session)
    back = [Button(t(BACK), "menu:home")]
    if cycle is None:
        ctx.say(t(ADMIN_NO_CYCLE), [back], edit=True)
        return
    opens, closes = cycle.gongshi_opens_on, cycle.gongshi_closes_on
    text = t(
        ADMIN_STATE.get(cycle.state, ADMIN_STATE["assessing"]),
        year=cycle.year,
        opens=day_text(t, opens) if opens else "",
        closes=day_text(t, closes) if closes else "",
    )
    rows: list[list[Button]] = []
    if cycle.state == store.OPEN:
        rows.append([Button(t(CLOSE_BUTTON), f"gsa:close:{cycle.year}")])
    elif cycle.state != store.CLOSED:
        rows.append([Button(t(OPEN_BUTTON, year=cycle.year), f"gsa:open:{cycle.year}")])
    rows.append([Button(t(NOTICES_BUTTON), f"gsa:pdf:{cycle.year}")])
    rows.append(back)
    ctx.say(text, rows, edit=True)


def _calendar(ctx: Context) -> WorkCalendar:
    return ctx.deps.calendar


def _refused(ctx: Context, error: store.PublicationError | UnknownYearError) -> None:
    ctx.say(ctx.t(error.reason, **error.params), [[Button(ctx.t(BACK), "menu:home")]])


async def confirm_open(ctx: Context, year: int) -> None:
    t = ctx.t
    days = ctx.settings.gongshi_min_workdays
    try:
        window = store.plan_window(calendar=_calendar(ctx), today=ctx.clock.today(), workdays=days)
    except UnknownYearError as error:
        _refused(ctx, error)
        return
    text = t(
        CONFIRM_OPEN,
        year=year,
        opens=day_text(t, window.opens_on),
        closes=day_text(t, window.closes_on),
        days=days,
    )
    ctx.say(
        text,
        [
            [
                Button(t(YES_OPEN), f"gsa:openok:{year}:{window.opens_on:%Y%m%d}"),
                Button(t(CANCEL), "gsa:home"),
            ]
        ],
    )


async def process_open(ctx: Context, year: int, shown_opens: str) -> None:
    t = ctx.t
    today = ctx.clock.today()
    calendar = _calendar(ctx)
    try:
        planned = store.plan_window(
            calendar=calendar, today=today, workdays=ctx.settings.gongshi_min_workdays
        )
        if f"{planned.opens_on:%Y%m%d}" != shown_opens:
            # The day changed since the window was shown: confirm the new one.
            await confirm_open(ctx, year)
            return
        opened = await store.open_gongshi(
            session=ctx.session,
            year=year,
            calendar=calendar,
            now=ctx.clock.now(),
            today=today,
            workdays=ctx.settings.gongshi_min_workdays,
            min_workdays=ctx.settings.gongshi_min_workdays,
            channel_id=_channel(ctx),
            bot_username=ctx.settings.bot_username,
            language=ctx.settings.language,
            actor="telegram",
            actor_user_id=ctx.user_id,
        )
    except (store.PublicationError, UnknownYearError) as error:
        _refused(ctx, error)
        return
    ctx.say(
        t(
            OPENED,
            year=year,
            opens=day_text(t, opened.window.opens_on),
            closes=day_text(t, opened.window.closes_on),
            posts=opened.posts,
            subscribers=opened.subscribers,
        ),
        [[Button(t(BACK), "menu:home")]],
        edit=True,
    )


def _channel(ctx: Context) -> int | None:
    channel = ctx.settings.public_channel
    return int(channel) if channel else None


def confirm_close(ctx: Context, year: int) -> None:
    t = ctx.t
    ctx.say(
        t(CONFIRM_CLOSE, year=year),
        [[Button(t(YES_CLOSE), f"gsa:closeok:{year}"), Button(t(CANCEL), "gsa:home")]],
    )


async def process_close(ctx: Context, year: int) -> None:
    t = ctx.t
    try:
        closed = await store.close_gongshi(
            session=ctx.session,
            year=year,
            now=ctx.clock.now(),
            actor="telegram",
            actor_user_id=ctx.user_id,
        )
    except store.PublicationError as error:
        _refused(ctx, error)
        return
    ctx.say(
        t(CLOSED, year=year, final=closed.final, held=closed.held, withdrawn=closed.withdrawn),
        [[Button(t(BACK), "menu:home")]],
        edit=True,
    )


async def choose_notice(ctx: Context, year: int, args: list[str]) -> None:
    t = ctx.t
    if args and not args[0].isdigit():
        ctx.answer(t(STALE))
        return
    try:
        if not args:
            cycle = await store.cycle_by_year(ctx.session, year)
            if cycle.gongshi_opens_on is None:
                raise store.PublicationError(store.NO_WINDOW, year=year)
            units = await store.published_units(session=ctx.session, cycle_id=_id(cycle))
            rows = [[Button(name, f"gsa:pdf:{year}:{unit_id}")] for unit_id, name, _ in units]
            rows.append([Button(t(BACK), "gsa:home")])
            ctx.say(t(CHOOSE_UNIT), rows)
            return
        lists = await store.notice_lists(session=ctx.session, year=year, unit_id=int(args[0]))
    except store.PublicationError as error:
        if error.reason == store.UNKNOWN_UNIT:
            ctx.answer(t(STALE))
        else:
            _refused(ctx, error)
        return
    await send_notice(ctx, lists)


async def send_notice(ctx: Context, lists: store.NoticeLists) -> None:
    from documents.notice import notice_filename, notice_pdf
    from documents.pdf import FontNotFoundError

    (notice,) = texts.unit_notices(lists, language=ctx.language, issued_on=ctx.clock.today())
    try:
        # Rendering is CPU work: in a thread, so other chats are answered meanwhile.
        data = await asyncio.to_thread(
            notice_pdf, notice, bot_username=ctx.settings.bot_username, language=ctx.language
        )
    except FontNotFoundError as error:
        ctx.say(str(error))
        return
    caption = ctx.t(NOTICE_CAPTION, unit=notice.unit_name, year=notice.year)
    ctx.send_file(notice_filename(notice), data, caption)


def _id(cycle: Cycle) -> int:
    assert cycle.id is not None
    return cycle.id
