"""The inspection's reports (point 7): a unit's inspection record as PDF and the cycle's
summary for the leading group as XLSX, in the reader's language, names masked. Used by the
chat and by `gongshi export inspection`."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from documents.charts import cjk_font
from documents.inspection_chart import inspection_chart
from documents.inspection_record import RecordFacts, render_record, render_summary
from domain import inspection as rules
from domain import inspection_findings as kinds
from domain.masking import mask_name
from messages.i18n import N_, Translator
from messages.style import date_text, file_name, moment_text
from services.case_findings import consequence_names
from storage.inspection_report import summary_rows, unit_record
from storage.models import Cycle, InspectionPlan

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECORD_FILE = N_("inspection-record")
SUMMARY_FILE = N_("inspection-summary")
WINDOW = N_("{starts} to {due}")
SESSION = N_("{moment}, {place}")
NOT_SET = N_("not set")
NOT_CHECKED = N_("not checked yet")
SELF_CHECK = N_("submitted {day} (head of the unit: {head}; done by: {person})")
NOT_SUBMITTED = N_("not submitted")
VOUCHERS = N_("Electronic {files}/12, paper {paper}/12, checked {checked}/12.")
GROUP = N_("Group {n}")
WITH_RESPONSIBLE = N_("{description} (person responsible: {person})")
NONE = N_("none")
SEPARATOR = N_(", ")
CHART_FILE = N_("inspection-chart")
CHART_TITLE = N_("The {year} inspection of {units} units")
CHART_ITEMS = N_("Units per checklist item")
CHART_TOTALS = N_("The cycle's totals")
CHART_CHECKED = N_("checked")
CHART_PROBLEMS = N_("problem found")
TOTAL_PROBLEMS = N_("problems found")
TOTAL_STRUCK_OFF = N_("struck off")
TOTAL_STOPPED = N_("subsidies stopped")
TOTAL_QUOTA_CUT = N_("quota cut")
NEWCOMERS = N_("{newcomers} joined; to look at (⚠️): {flagged}")


async def record_pdf(
    *,
    session: AsyncSession,
    plan: InspectionPlan,
    cycle: Cycle,
    unit_id: int,
    language: str,
    font_file: Path | None,
) -> tuple[str, bytes] | None:
    """The unit's record as (file name, PDF), or None for an unknown unit."""
    record = await unit_record(session, plan=plan, cycle=cycle, unit_id=unit_id)
    if record is None:
        return None
    t = Translator(language)
    session_text = (
        t(SESSION, moment=moment_text(t, record.session.starts_at), place=record.session.place)
        if record.session
        else t(NOT_SET)
    )
    own = record.self_check
    self_check = (
        t(
            SELF_CHECK,
            day=own.submitted_at.astimezone(SHANGHAI).date(),
            head=own.head_name,
            person=own.done_by_name,
        )
        if own
        else t(NOT_SUBMITTED)
    )
    items = []
    for item in rules.ITEMS:
        check = record.checks.get(item.key)
        methods = check.methods if check else []
        items.append(
            [
                t(item.name),
                t(SEPARATOR).join(t(rules.METHODS[m]) for m in methods) or t(NONE),
                t(rules.RESULTS[check.result]) if check and check.result else t(NOT_CHECKED),
                check.note if check else "",
            ]
        )
    facts = RecordFacts(
        year=cycle.year,
        unit=record.unit.name,
        group=t(GROUP, n=record.group) if record.group else t(NOT_SET),
        window=t(WINDOW, starts=date_text(t, plan.starts_on), due=date_text(t, plan.due_on)),
        session=session_text,
        self_check=self_check,
        members=[
            [t(rules.POSITIONS[m.position]), m.name, m.post, t(rules.DEPARTMENTS[m.department])]
            for m in record.members
        ],
        items=items,
        on_roster=record.on_roster,
        present=record.present,
        excused=record.excused,
        struck_off=record.struck_off,
        newcomers=record.newcomers,
        recruitment_flagged=record.recruitment_flagged,
        vouchers=t(
            VOUCHERS,
            files=sum(1 for v in record.vouchers if v.file),
            paper=sum(1 for v in record.vouchers if v.paper),
            checked=sum(1 for v in record.vouchers if v.checked),
        ),
        findings=[
            [
                f"#{f.id}",
                t(kinds.KINDS.get(f.kind, f.kind)),
                mask_name(name) if name else "",
                t(WITH_RESPONSIBLE, description=f.description, person=f.responsible_person)
                if f.responsible_person
                else f.description,
                t(kinds.STATES.get(f.state, f.state)),
                consequence_names(f.consequences, t.language) or t(NONE),
            ]
            for f, name in record.findings
        ],
    )
    content = render_record(facts, language=t.language, font_file=font_file)
    return file_name(t, RECORD_FILE, "pdf", record.unit.name, cycle.year), content


async def summary_xlsx(
    *, session: AsyncSession, plan: InspectionPlan, cycle: Cycle, language: str
) -> tuple[str, bytes, int]:
    """The cycle's summary as (file name, XLSX, units)."""
    t = Translator(language)
    rows = await summary_rows(session, plan=plan, cycle=cycle)
    lines: list[list[str | int]] = [
        [
            r.unit,
            str(r.group or ""),
            str(r.workers),
            *[
                t(rules.RESULTS[r.results[i.key]]) if r.results.get(i.key) else ""
                for i in rules.ITEMS
            ],
            t(NEWCOMERS, newcomers=r.newcomers, flagged=r.recruitment_flagged),
            r.problems,
            r.struck_off,
            r.subsidies_stopped,
            r.quota_cut,
        ]
        for r in rows
    ]
    content = render_summary(
        lines, [t(i.name) for i in rules.ITEMS], year=cycle.year, language=t.language
    )
    return file_name(t, SUMMARY_FILE, "xlsx", cycle.year), content, len(rows)


async def summary_chart(
    *, session: AsyncSession, plan: InspectionPlan, cycle: Cycle, language: str
) -> tuple[str, bytes]:
    """The cycle's summary as (file name, PNG): units checked and with problems per item, and
    the totals. In English where no installed font draws Chinese."""
    rows = await summary_rows(session, plan=plan, cycle=cycle)
    font = cjk_font()
    t = Translator(language if font or language != "zh" else "en")
    items = [
        (
            t(item.name),
            sum(1 for r in rows if r.results.get(item.key)),
            sum(1 for r in rows if r.results.get(item.key) == "problem"),
        )
        for item in rules.ITEMS
    ]
    totals = [
        (t(TOTAL_PROBLEMS), sum(r.problems for r in rows)),
        (t(TOTAL_STRUCK_OFF), sum(r.struck_off for r in rows)),
        (t(TOTAL_STOPPED), sum(r.subsidies_stopped for r in rows)),
        (t(TOTAL_QUOTA_CUT), sum(r.quota_cut for r in rows)),
    ]
    content = inspection_chart(
        title=t(CHART_TITLE, year=cycle.year, units=len(rows)),
        items=items,
        totals=totals,
        legend=(t(CHART_CHECKED), t(CHART_PROBLEMS)),
        headings=(t(CHART_ITEMS), t(CHART_TOTALS)),
        font=font,
    )
    return file_name(Translator(language), CHART_FILE, "png", cycle.year), content
