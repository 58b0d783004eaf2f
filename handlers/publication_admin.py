"""The 公示 for the administrator: open it and close it (services.publication), and get each
unit's printable notice.

Steps: ``show_admin``, ``confirm_open`` / ``process_open``, ``confirm_close`` /
``process_close``, ``choose_notice`` / ``send_notice``.
"""

from __future__ import annotations

import asyncio

from domain.workdays import UnknownYearError, WorkCalendar
from handlers.context import Context
from messages.callbacks_menu import MENU_HOME
from messages.callbacks_procedure import OpenAnyway
from messages.callbacks_publication import (
    HOME,
    AdminHome,
    AdminStep,
    ConfirmOpen,
    UnitNotice,
    parse_admin,
)
from messages.i18n import N_
from messages.replies import Button
from messages.tasks import day_text
from messages.wording import BACK_TO_MENU, STALE_BUTTON
from services import publication as gongshi
from services import publication_texts as texts
from services.publication_checks import IncompleteError, shortfall_lines
from storage import public_rows as rows_store
from storage import publication as store
from storage.models import Cycle

BACK = BACK_TO_MENU
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
    "holiday calendar. Each unit's list goes to the public channel and the bot, bound workers "
    "and subscribers are told, and the hotline opens for this cycle. Open it now?"
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
    "{workers} bound workers told their result is published, {subscribers} subscribers told."
)
CLOSED = N_(
    "The 公示 of {year} is closed: {final} results final, {held} held while a serious case "
    "is open; {withdrawn} channel posts withdrawn."
)
CHOOSE_UNIT = N_("Which unit's printable notice do you want?")
NOTICE_CAPTION = N_("{unit}: the {year} 公示 notice for the notice board. Names are masked.")


async def process_admin(ctx: Context) -> None:
    data = parse_admin(ctx.incoming.button)
    if isinstance(data, AdminHome):
        await show_admin(ctx)
    elif isinstance(data, ConfirmOpen | AdminStep) and not await _still_applies(ctx, data):
        # An old 开始公示 (or 结束公示) from before the 公示 moved on: say so, show where it is.
        ctx.answer(ctx.t(STALE_BUTTON))
        await show_admin(ctx)
    elif isinstance(data, ConfirmOpen):
        await process_open(ctx, data.year, data.opens)
    elif isinstance(data, UnitNotice):
        await choose_notice(ctx, data.year, data.unit_id)
    elif data is None:
        ctx.answer(ctx.t(STALE_BUTTON))
    elif data.action == "open":
        await confirm_open(ctx, data.year)
    elif data.action == "close":
        confirm_close(ctx, data.year)
    elif data.action == "closeok":
        await process_close(ctx, data.year)
    else:
        await choose_notice(ctx, data.year, None)


async def _still_applies(ctx: Context, data: ConfirmOpen | AdminStep) -> bool:
    """Whether an opening or closing button still fits the cycle's state (the notices'
    button always does)."""
    action = data.action
    if action not in ("open", "openok", "close", "closeok"):
        return True
    try:
        cycle = await store.cycle_by_year(ctx.session, data.year)
    except store.PublicationError:
        return False
    if action in ("open", "openok"):
        return cycle.state not in (store.OPEN, store.CLOSED)
    return cycle.state == store.OPEN


async def show_admin(ctx: Context) -> None:
    t = ctx.t
    cycle = await store.current_cycle(ctx.session)
    back = [Button(t(BACK), MENU_HOME)]
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
        rows.append([Button(t(CLOSE_BUTTON), AdminStep(action="close", year=cycle.year).pack())])
    elif cycle.state != store.CLOSED:
        rows.append(
            [
                Button(
                    t(OPEN_BUTTON, year=cycle.year),
                    AdminStep(action="open", year=cycle.year).pack(),
                )
            ]
        )
    rows.append([Button(t(NOTICES_BUTTON), AdminStep(action="pdf", year=cycle.year).pack())])
    rows.append(back)
    ctx.say(text, rows, edit=True)


def _calendar(ctx: Context) -> WorkCalendar:
    return ctx.deps.calendar


OPEN_ANYWAY = N_("Open anyway, with a reason")


def _refused(ctx: Context, error: store.PublicationError | UnknownYearError) -> None:
    text = ctx.t(error.reason, **error.params)
    rows = [[Button(ctx.t(BACK), MENU_HOME)]]
    if isinstance(error, IncompleteError):
        # What each unit lacks, and the administrator's way past it (services.publication).
        text = "\n".join([text, *shortfall_lines(ctx.t, error.shortfalls)])[:3900]
        year = int(error.params["year"])
        rows.insert(0, [Button(ctx.t(OPEN_ANYWAY), OpenAnyway(action="ask", year=year).pack())])
    ctx.say(text, rows)


async def confirm_open(ctx: Context, year: int) -> None:
    t = ctx.t
    days = ctx.deps.gongshi_min_workdays
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
                Button(
                    t(YES_OPEN),
                    ConfirmOpen(
                        action="openok", year=year, opens=f"{window.opens_on:%Y%m%d}"
                    ).pack(),
                ),
                Button(t(CANCEL), HOME),
            ]
        ],
    )


async def process_open(ctx: Context, year: int, shown_opens: str) -> None:
    today = ctx.clock.today()
    calendar = _calendar(ctx)
    try:
        planned = store.plan_window(
            calendar=calendar, today=today, workdays=ctx.deps.gongshi_min_workdays
        )
        if f"{planned.opens_on:%Y%m%d}" != shown_opens:
            # The day changed since the window was shown: confirm the new one.
            await confirm_open(ctx, year)
            return
        opened = await gongshi.open_gongshi(
            session=ctx.session,
            rules=_rules(ctx, calendar),
            clock=ctx.clock,
            year=year,
            actor="telegram",
            actor_user_id=ctx.user_id,
        )
    except (store.PublicationError, UnknownYearError) as error:
        _refused(ctx, error)
        return
    say_opened(ctx, opened, edit=True)


def say_opened(ctx: Context, opened: gongshi.Opened, *, edit: bool) -> None:
    t = ctx.t
    ctx.say(
        t(
            OPENED,
            year=opened.cycle.year,
            opens=day_text(t, opened.window.opens_on),
            closes=day_text(t, opened.window.closes_on),
            posts=opened.posts,
            workers=opened.workers,
            subscribers=opened.subscribers,
        ),
        [[Button(t(BACK), MENU_HOME)]],
        edit=edit,
    )


def _rules(ctx: Context, calendar: WorkCalendar) -> gongshi.PublicationRules:
    channel = ctx.deps.public_channel
    return gongshi.PublicationRules(
        calendar=calendar,
        min_workdays=ctx.deps.gongshi_min_workdays,
        channel_id=int(channel) if channel else None,
        bot_username=ctx.deps.bot_username,
        language=ctx.deps.language,
        hotline=ctx.deps.hotline,
    )


def confirm_close(ctx: Context, year: int) -> None:
    t = ctx.t
    ctx.say(
        t(CONFIRM_CLOSE, year=year),
        [
            [
                Button(t(YES_CLOSE), AdminStep(action="closeok", year=year).pack()),
                Button(t(CANCEL), HOME),
            ]
        ],
    )


async def process_close(ctx: Context, year: int) -> None:
    t = ctx.t
    try:
        closed = await gongshi.close_gongshi(
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
        [[Button(t(BACK), MENU_HOME)]],
        edit=True,
    )


async def choose_notice(ctx: Context, year: int, unit_id: int | None) -> None:
    t = ctx.t
    try:
        if unit_id is None:
            cycle = await store.cycle_by_year(ctx.session, year)
            if cycle.gongshi_opens_on is None:
                raise store.PublicationError(store.NO_WINDOW, year=year)
            units = await rows_store.published_units(session=ctx.session, cycle_id=_id(cycle))
            rows = [
                [Button(name, UnitNotice(action="pdf", year=year, unit_id=unit).pack())]
                for unit, name, _ in units
            ]
            rows.append([Button(t(BACK), HOME)])
            ctx.say(t(CHOOSE_UNIT), rows)
            return
        lists = await rows_store.notice_lists(session=ctx.session, year=year, unit_id=unit_id)
    except store.PublicationError as error:
        if error.reason == store.UNKNOWN_UNIT:
            ctx.answer(t(STALE_BUTTON))
        else:
            _refused(ctx, error)
        return
    await send_notice(ctx, lists)


async def send_notice(ctx: Context, lists: rows_store.NoticeLists) -> None:
    from documents.notice import notice_filename, notice_pdf
    from documents.pdf import FontNotFoundError

    (notice,) = texts.unit_notices(
        lists, language=ctx.language, issued_on=ctx.clock.today(), hotline=ctx.deps.hotline
    )
    try:
        # Rendering is CPU work: in a thread, so other chats are answered meanwhile.
        data = await asyncio.to_thread(
            notice_pdf,
            notice,
            bot_username=ctx.deps.bot_username,
            language=ctx.language,
            font_file=ctx.deps.pdf_font,
        )
    except FontNotFoundError as error:
        ctx.say(str(error))
        return
    caption = ctx.t(NOTICE_CAPTION, unit=notice.unit_name, year=notice.year)
    ctx.send_file(notice_filename(notice), data, caption)


def _id(cycle: Cycle) -> int:
    assert cycle.id is not None
    return cycle.id
