"""The year's social-insurance vouchers in chat (city plan 五.3, 五.5). A unit contact sees the
twelve months with what is missing and uploads each month's electronic voucher; an inspector of
the unit's group records each month's paper as received and ticks 账目查看 against it.

Steps (unit): ``show_unit_months`` → ``ask_month`` → ``process_month_file``.
Steps (inspector): ``show_inspector_months`` → ``toggle``.
"""

from __future__ import annotations

from domain.inspection import METHODS
from handlers.context import Context
from handlers.core import Router
from handlers.inspector_scope import accepted_file, scoped
from messages.callbacks_inspection import InsItem
from messages.callbacks_vouchers import InsVoucher, UnitVoucher
from messages.i18n import N_, Translator
from messages.replies import Button
from messages.wording import STALE_BUTTON, back_to_menu
from services.inspection_checks import NotTheGroupsUnit
from services.inspection_vouchers import MONTHS, mark_voucher, missing, months_of, upload_voucher
from storage.models import Cycle, Unit, VoucherMonth
from storage.unit_tasks import latest_cycle

AWAIT_VOUCHER = "unit:voucher"
HEADER = N_("{unit}: social-insurance payment vouchers of {year}, paper and electronic, by month.")
MONTH_LINE = N_("{month}: electronic {file}, paper {paper}, checked {checked}")
MONTH = N_("Month {n}")
MISSING_FILES = N_("Electronic vouchers missing: {months}.")
MISSING_PAPER = N_("Paper vouchers not received yet: {months}.")
ALL_THERE = N_("All twelve months are received, on paper and electronically.")
ASK_FILE = N_("Send the electronic voucher of {month} {year} (PDF, a photo, or Excel).")
SAVED = N_("The voucher of {month} is saved.")
FILE_REFUSED = N_("That file is not accepted: JPEG, PNG, PDF, DOCX or XLSX, at most {mb} MB.")
NO_CYCLE = N_("There is no assessment cycle yet.")
PAPER = N_("📄 {month} paper")
CHECKED = N_("☑ {month} checked")
BACK_TO_ITEM = N_("Back to the item")
YES, NO = "✅", "▫️"
SEPARATOR = N_(", ")


def router() -> Router:
    r = Router()
    r.button(UnitVoucher.prefix, roles=["unit"])(process_unit_button)
    r.state(AWAIT_VOUCHER, roles=["unit"])(process_month_file)
    r.button(InsVoucher.prefix, roles=["inspector"])(process_inspector_button)
    return r


def _unit_id(ctx: Context) -> int | None:
    units = [b.unit_id for b in ctx.roles.bindings if b.role == "unit" and b.unit_id is not None]
    return units[0] if units else None


def _months(t: Translator, numbers: list[int]) -> str:
    return t(SEPARATOR).join(t(MONTH, n=n) for n in numbers)


def month_lines(t: Translator, months: dict[int, VoucherMonth]) -> list[str]:
    """Each month's state, then what is missing."""
    lines = []
    for n in MONTHS:
        row = months.get(n)
        lines.append(
            t(
                MONTH_LINE,
                month=t(MONTH, n=n),
                file=YES if row and row.file else NO,
                paper=YES if row and row.paper else NO,
                checked=YES if row and row.checked else NO,
            )
        )
    files, paper = missing(months)
    if files:
        lines.append(t(MISSING_FILES, months=_months(t, files)))
    if paper:
        lines.append(t(MISSING_PAPER, months=_months(t, paper)))
    if not files and not paper:
        lines.append(t(ALL_THERE))
    return lines


async def show_unit_months(ctx: Context, unit_id: int, cycle: Cycle, *, edit: bool) -> None:
    t = ctx.t
    assert cycle.id is not None
    unit = await ctx.session.get(Unit, unit_id)
    months = await months_of(ctx.session, cycle_id=cycle.id, unit_id=unit_id)
    lines = [t(HEADER, unit=unit.name if unit else "?", year=cycle.year), *month_lines(t, months)]
    buttons = [
        [
            Button(f"📎 {t(MONTH, n=n)}", UnitVoucher(action="m", month=n).pack())
            for n in MONTHS[row : row + 4]
        ]
        for row in range(0, 12, 4)
    ]
    buttons.append([back_to_menu(t)])
    ctx.say("\n".join(lines), buttons, edit=edit)


async def process_unit_button(ctx: Context) -> None:
    data = UnitVoucher.parse(ctx.incoming.button)
    unit_id = _unit_id(ctx)
    cycle = await latest_cycle(ctx.session)
    if data is None or unit_id is None or (data.action == "m" and data.month not in MONTHS):
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    if cycle is None:
        ctx.say(ctx.t(NO_CYCLE), [[back_to_menu(ctx.t)]], edit=True)
        return
    if data.action == "list":
        ctx.reset()
        await show_unit_months(ctx, unit_id, cycle, edit=True)
        return
    ctx.goto(AWAIT_VOUCHER, month=data.month)
    ctx.say(ctx.t(ASK_FILE, month=ctx.t(MONTH, n=data.month), year=cycle.year))


async def process_month_file(ctx: Context) -> None:
    t = ctx.t
    month, unit_id = ctx.data.get("month"), _unit_id(ctx)
    cycle = await latest_cycle(ctx.session)
    if month not in MONTHS or unit_id is None or cycle is None or cycle.id is None:
        ctx.reset()
        ctx.say(t(STALE_BUTTON), [[back_to_menu(t)]])
        return
    assert isinstance(month, int)
    file = accepted_file(ctx)
    if file is None:
        ctx.say(t(FILE_REFUSED, mb=ctx.deps.max_upload_mb))
        return
    await upload_voucher(
        session=ctx.session,
        cycle_id=cycle.id,
        unit_id=unit_id,
        month=month,
        file=file,
        user_id=ctx.user_id,
        now=ctx.clock.now(),
    )
    ctx.reset()
    ctx.say(t(SAVED, month=t(MONTH, n=month)))
    await show_unit_months(ctx, unit_id, cycle, edit=False)


def inspector_row(ctx: Context, unit_id: int) -> list[Button]:
    """The funds item's way to the vouchers."""
    label = f"{ctx.t(METHODS['accounts'])}"
    return [Button(label, InsVoucher(action="list", unit_id=unit_id).pack())]


async def process_inspector_button(ctx: Context) -> None:
    data = InsVoucher.parse(ctx.incoming.button)
    if data is None or (data.action != "list" and data.month not in MONTHS):
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    place = await scoped(ctx, data.unit_id)
    if place is None or place.cycle.id is None:
        return
    if data.action != "list":
        try:
            await mark_voucher(
                session=ctx.session,
                place=place,
                unit_id=data.unit_id,
                month=data.month,
                what="paper" if data.action == "paper" else "checked",
                user_id=ctx.user_id,
                now=ctx.clock.now(),
            )
        except NotTheGroupsUnit:
            return
    t = ctx.t
    unit = await ctx.session.get(Unit, data.unit_id)
    months = await months_of(ctx.session, cycle_id=place.cycle.id, unit_id=data.unit_id)
    lines = [
        t(HEADER, unit=unit.name if unit else "?", year=place.cycle.year),
        *month_lines(t, months),
    ]
    buttons = [
        [
            Button(
                t(PAPER, month=t(MONTH, n=n)),
                InsVoucher(action="paper", unit_id=data.unit_id, month=n).pack(),
            ),
            Button(
                t(CHECKED, month=t(MONTH, n=n)),
                InsVoucher(action="check", unit_id=data.unit_id, month=n).pack(),
            ),
        ]
        for n in MONTHS
    ]
    buttons.append(
        [
            Button(
                t(BACK_TO_ITEM),
                InsItem(action="item", unit_id=data.unit_id, item="funds").pack(),
            )
        ]
    )
    ctx.say("\n".join(lines), buttons, edit=True)
