"""The hotline's figures in chat, for bureau staff and administrators: pick a period (this
公示, this month, this year), receive the chart as a picture and the spreadsheet
(services.figures; the definitions are domain.figures').

Steps: the menu's 「热线统计」 → ``show_periods`` → a period → ``send_figures``.
"""

from __future__ import annotations

from handlers.context import Context
from handlers.core import Router
from messages.callbacks_figures import FiguresPick, pick
from messages.i18n import N_
from messages.replies import Button, FileReply
from messages.wording import STALE_BUTTON, back_to_menu
from services.figures import Period, figures_files, period_days

ROLES = ("bureau", "admin")
PERIODS: tuple[tuple[Period, str], ...] = (
    ("gongshi", N_("This 公示")),
    ("month", N_("This month")),
    ("year", N_("This year")),
)
ASK_PERIOD = N_("The hotline's figures: for which period?")
NO_GONGSHI = N_("No 公示 has dates yet: pick this month or this year.")
SENT = N_("The figures are on their way: the chart and the spreadsheet.")


def router() -> Router:
    r = Router()
    r.button(FiguresPick.prefix, roles=ROLES)(process_figures_button)
    r.menu_rows(figures_menu_rows, place=45)
    return r


def figures_menu_rows(ctx: Context) -> list[list[Button]]:
    if not ctx.roles.has(*ROLES):
        return []
    return [[Button(ctx.t(N_("Hotline figures (chart and Excel)")), pick("menu"))]]


async def process_figures_button(ctx: Context) -> None:
    pressed = FiguresPick.parse(ctx.incoming.button)
    if pressed is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    if pressed.period == "menu":
        show_periods(ctx)
    else:
        await send_figures(ctx, pressed.period)


def show_periods(ctx: Context) -> None:
    rows = [[Button(ctx.t(label), pick(key))] for key, label in PERIODS]
    rows.append([back_to_menu(ctx.t)])
    ctx.say(ctx.t(ASK_PERIOD), rows, edit=True)


async def send_figures(ctx: Context, period: Period) -> None:
    now = ctx.clock.now()
    span = await period_days(session=ctx.session, period=period, today=now.date())
    if span is None:
        ctx.answer(ctx.t(NO_GONGSHI), alert=True)
        return
    files = await figures_files(
        session=ctx.session, first=span[0], last=span[1], now=now, language=ctx.language
    )
    ctx.outcome.replies.append(
        FileReply(files.chart_name, files.chart, files.summary[:1000], as_photo=True)
    )
    ctx.send_file(files.xlsx_name, files.xlsx)
    ctx.answer(ctx.t(SENT))
