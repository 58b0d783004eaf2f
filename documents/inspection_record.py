"""The inspection's documents: a unit's inspection record (检查记录) as PDF — the group and its
members, the date, every checklist item with its methods, result and note, the staff
verification's counts, the self-check, the vouchers, the findings, and the place for
signatures — and the summary for the leading group as XLSX (units × items, the year's
newcomers, problems found, workers struck off, subsidies stopped, quota cut). The caller hands
in text already translated and names already masked."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from documents.pdf import Block, Fields, Heading, Paragraph, PdfDocument, Table, render_pdf
from documents.tables import safe_cell
from messages.i18n import N_, Translator

TITLE = N_("Inspection record")
LABEL_UNIT = N_("Unit")
LABEL_YEAR = N_("Assessment year")
LABEL_GROUP = N_("Inspection group")
LABEL_WINDOW = N_("Inspection period")
LABEL_SESSION = N_("Staff verification")
LABEL_SELF_CHECK = N_("Self-check")
SECTION_MEMBERS = N_("1. The group")
SECTION_ITEMS = N_("2. The checklist")
SECTION_VERIFICATION = N_("3. Staff verification")
SECTION_VOUCHERS = N_("4. Social-insurance vouchers")
SECTION_FINDINGS = N_("5. Findings")
COLUMN_POSITION = N_("Position")
COLUMN_NAME = N_("Name")
COLUMN_POST = N_("Post")
COLUMN_DEPARTMENT = N_("Department")
COLUMN_ITEM = N_("Item")
COLUMN_METHODS = N_("Methods")
COLUMN_RESULT = N_("Result")
COLUMN_NOTE = N_("Note")
COLUMN_NUMBER = N_("No.")
COLUMN_KIND = N_("Kind")
COLUMN_WORKER = N_("Worker")
COLUMN_DESCRIPTION = N_("Description")
COLUMN_STATE = N_("State")
COLUMN_CONSEQUENCES = N_("Consequences")
VERIFICATION_COUNTS = N_(
    "On the roster: {on_roster}; present: {present}; excused: {excused}; absent and struck "
    "off: {struck_off}."
)
RECRUITMENT_COUNTS = N_(
    "Recruitment (人员招录): {newcomers} joined this year; {flagged} of them without recruitment "
    "method or eligibility on the roster, or not eligible."
)
NO_FINDINGS = N_("No findings.")
SIGNATURES = N_("Signatures of the group: ____________")
HEAD_SIGNATURE = N_("Head of the unit: ____________")
SIGNED_ON = N_("Date: ____________")
FOOTER = N_("{unit} · inspection record {year}")

SUMMARY_TITLE = N_("Inspection of the units, {year}: summary for the leading group")
SUMMARY_SHEET = N_("Summary")
SUMMARY_NOTE = N_(
    "Problems found: checklist items with problems plus confirmed findings. Subsidies "
    "stopped: confirmed findings that stop them plus workers struck off at the verification."
)
SUMMARY_NEWCOMERS_NOTE = N_(
    "Recruitment (人员招录): workers who joined the unit this year, and those of them to look "
    "at (⚠️): recruitment method or eligibility not on the roster, or not eligible."
)
COLUMN_GROUP = N_("Group")
COLUMN_WORKERS = N_("Workers")
COLUMN_PROBLEMS = N_("Problems found")
COLUMN_STRUCK_OFF = N_("Struck off")
COLUMN_STOPPED = N_("Subsidies stopped")
COLUMN_CUT = N_("Quota cut")
COLUMN_NEWCOMERS = N_("Newcomers this year (⚠️ to look at)")
CHART_TITLE = N_("Inspection {year}: problems, strike-offs, subsidies stopped, quota cut")


@dataclass(frozen=True)
class RecordFacts:
    year: int
    unit: str
    group: str
    window: str
    session: str
    self_check: str
    members: Sequence[Sequence[str]]  # position, name, post, department
    items: Sequence[Sequence[str]]  # item, methods, result, note
    on_roster: int
    present: int
    excused: int
    struck_off: int
    vouchers: str
    findings: Sequence[Sequence[str]]  # number, kind, worker, description, state, consequences
    newcomers: int = 0
    recruitment_flagged: int = 0


def render_record(
    facts: RecordFacts, *, language: str = "zh", font_file: Path | None = None
) -> bytes:
    t = Translator(language)
    blocks: list[Block] = [
        Fields(
            [
                (t(LABEL_UNIT), facts.unit),
                (t(LABEL_YEAR), str(facts.year)),
                (t(LABEL_GROUP), facts.group),
                (t(LABEL_WINDOW), facts.window),
                (t(LABEL_SESSION), facts.session),
                (t(LABEL_SELF_CHECK), facts.self_check),
            ]
        ),
        Heading(t(SECTION_MEMBERS), level=2),
        Table(
            header=[t(COLUMN_POSITION), t(COLUMN_NAME), t(COLUMN_POST), t(COLUMN_DEPARTMENT)],
            rows=facts.members,
            widths=[1, 1, 2, 1],
        ),
        Heading(t(SECTION_ITEMS), level=2),
        Table(
            header=[t(COLUMN_ITEM), t(COLUMN_METHODS), t(COLUMN_RESULT), t(COLUMN_NOTE)],
            rows=facts.items,
            widths=[2, 2, 1, 3],
        ),
        Paragraph(
            t(
                RECRUITMENT_COUNTS,
                newcomers=facts.newcomers,
                flagged=facts.recruitment_flagged,
            )
        ),
        Heading(t(SECTION_VERIFICATION), level=2),
        Paragraph(
            t(
                VERIFICATION_COUNTS,
                on_roster=facts.on_roster,
                present=facts.present,
                excused=facts.excused,
                struck_off=facts.struck_off,
            )
        ),
        Heading(t(SECTION_VOUCHERS), level=2),
        Paragraph(facts.vouchers),
        Heading(t(SECTION_FINDINGS), level=2),
    ]
    if facts.findings:
        blocks.append(
            Table(
                header=[
                    t(COLUMN_NUMBER),
                    t(COLUMN_KIND),
                    t(COLUMN_WORKER),
                    t(COLUMN_DESCRIPTION),
                    t(COLUMN_STATE),
                    t(COLUMN_CONSEQUENCES),
                ],
                rows=facts.findings,
                widths=[0.6, 1.4, 1, 3, 1, 2],
            )
        )
    else:
        blocks.append(Paragraph(t(NO_FINDINGS)))
    blocks += [
        Paragraph(t(SIGNATURES), align="right"),
        Paragraph(t(HEAD_SIGNATURE), align="right"),
        Paragraph(t(SIGNED_ON), align="right"),
    ]
    return render_pdf(
        PdfDocument(
            title=t(TITLE),
            blocks=blocks,
            footer=t(FOOTER, unit=facts.unit, year=facts.year),
            language=t.language,
            subject=facts.unit,
        ),
        font_file=font_file,
    )


def render_summary(
    rows: Sequence[Sequence[str | int]], items: Sequence[str], *, year: int, language: str = "zh"
) -> bytes:
    """``rows``: unit, group, workers, one result per item, the year's newcomers (their count
    and those to look at, as text), then four counts (problems, struck off, subsidies stopped,
    quota cut); ``items``: the items' names, translated. A bar chart of the four counts per
    unit stands beside the table (a native Excel chart)."""
    t = Translator(language)
    header = [
        t(LABEL_UNIT),
        t(COLUMN_GROUP),
        t(COLUMN_WORKERS),
        *items,
        t(COLUMN_NEWCOMERS),
        t(COLUMN_PROBLEMS),
        t(COLUMN_STRUCK_OFF),
        t(COLUMN_STOPPED),
        t(COLUMN_CUT),
    ]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(t(SUMMARY_SHEET))
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, t(SUMMARY_TITLE, year=year), bold)
    sheet.write_string(1, 0, t(SUMMARY_NOTE))
    sheet.write_string(2, 0, t(SUMMARY_NEWCOMERS_NOTE))
    top = 4
    for column, name in enumerate(header):
        sheet.write_string(top, column, name, bold)
    for offset, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(top + offset, column, value)
            else:
                sheet.write_string(top + offset, column, safe_cell(value))
    for column, width in enumerate([24, 8, 8, *[14] * len(items), 22, 10, 10, 10, 10]):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(top + 1, 1)
    if rows:
        chart = book.add_chart({"type": "bar"})
        last = top + len(rows)
        first_count = 3 + len(items) + 1  # after the newcomers
        for column in range(first_count, first_count + 4):
            chart.add_series(
                {
                    "name": [sheet.name, top, column],
                    "categories": [sheet.name, top + 1, 0, last, 0],
                    "values": [sheet.name, top + 1, column, last, column],
                }
            )
        chart.set_title({"name": t(CHART_TITLE, year=year)})
        chart.set_size({"width": 720, "height": max(320, 24 * len(rows) + 120)})
        sheet.insert_chart(top, len(header) + 1, chart)
    book.close()
    return buffer.getvalue()
