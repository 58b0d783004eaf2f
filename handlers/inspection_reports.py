"""The inspection's reports in chat: a unit's inspection record (PDF) for an inspector of its
group or the bureau, and the cycle's summary for the leading group (XLSX) for the bureau and
administrators, from the main menu."""

from __future__ import annotations

from handlers.context import Context
from handlers.core import Router
from handlers.inspector_scope import only_inspector, scoped
from messages.callbacks_inspection import InsReport
from messages.i18n import N_
from messages.replies import Button, FileReply
from messages.wording import STALE_BUTTON, back_to_menu
from services.inspection_reports import record_pdf, summary_chart, summary_xlsx
from storage.inspection import latest_plan

ROLES = ["inspector", "bureau", "admin"]
NO_PLAN = N_("There is no inspection plan yet.")
SUMMARY_BUTTON = N_("Inspection: summary (chart and XLSX)")
RECORD_BUTTON = N_("Inspection record (PDF)")
SENT = N_("The file is on its way to you.")


def router() -> Router:
    r = Router()
    r.button(InsReport.prefix, roles=ROLES)(process_report_button)
    r.menu_rows(summary_menu_rows, place=46)
    return r


def summary_menu_rows(ctx: Context) -> list[list[Button]]:
    if not ctx.roles.has("bureau", "admin"):
        return []
    return [[Button(ctx.t(SUMMARY_BUTTON), InsReport(action="xlsx").pack())]]


def unit_rows(ctx: Context, unit_id: int) -> list[list[Button]]:
    return [[Button(ctx.t(RECORD_BUTTON), InsReport(action="pdf", unit_id=unit_id).pack())]]


async def process_report_button(ctx: Context) -> None:
    t = ctx.t
    data = InsReport.parse(ctx.incoming.button)
    if data is None or (data.action == "xlsx" and only_inspector(ctx)):
        ctx.answer(t(STALE_BUTTON))
        return
    if only_inspector(ctx):
        place = await scoped(ctx, data.unit_id)
        if place is None:
            return
        plan, cycle = place.plan, place.cycle
    else:
        latest = await latest_plan(ctx.session)
        if latest is None:
            ctx.say(t(NO_PLAN), [[back_to_menu(t)]], edit=True)
            return
        plan, cycle = latest
    if data.action == "xlsx":
        name, content, _units = await summary_xlsx(
            session=ctx.session, plan=plan, cycle=cycle, language=ctx.language
        )
        chart_name, chart = await summary_chart(
            session=ctx.session, plan=plan, cycle=cycle, language=ctx.language
        )
        ctx.outcome.replies.append(FileReply(chart_name, chart, as_photo=True))
    else:
        made = await record_pdf(
            session=ctx.session,
            plan=plan,
            cycle=cycle,
            unit_id=data.unit_id,
            language=ctx.language,
            font_file=ctx.deps.pdf_font,
        )
        if made is None:
            ctx.answer(t(STALE_BUTTON))
            return
        name, content = made
    ctx.answer(t(SENT))
    ctx.send_file(name, content)
