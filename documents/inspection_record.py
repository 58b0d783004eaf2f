"""The inspection's documents: a unit's inspection record (检查记录) as PDF — the group and its
members, the date, every checklist item with its methods, result and note, the staff
verification's counts, the self-check, the vouchers, the findings, and the place for
signatures — and the summary for the leading group as XLSX (units × items, problems found,
workers struck off, subsidies stopped, quota cut). The caller hands in text already
translated and names already masked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from documents.pdf import Block, Fields, Heading, Paragraph, PdfDocument, Table, render_pdf
from documents.tables import xlsx_bytes
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
COLUMN_GROUP = N_("Group")
COLUMN_WORKERS = N_("Workers")
COLUMN_PROBLEMS = N_("Problems found")
COLUMN_STRUCK_OFF = N_("Struck off")
COLUMN_STOPPED = N_("Subsidies stopped")
COLUMN_CUT = N_("Quota cut")


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
    rows: Sequence[Sequence[str]], items: Sequence[str], *, year: int, language: str = "zh"
) -> bytes:
    """``rows``: unit, group, workers, one result per item, problems, struck off, subsidies
    stopped, quota cut; ``items``: the items' names, translated."""
    t = Translator(language)
    header = [
        t(LABEL_UNIT),
        t(COLUMN_GROUP),
        t(COLUMN_WORKERS),
        *items,
        t(COLUMN_PROBLEMS),
        t(COLUMN_STRUCK_OFF),
        t(COLUMN_STOPPED),
        t(COLUMN_CUT),
    ]
    return xlsx_bytes(
        [header, *rows],
        sheet=t(SUMMARY_SHEET),
        title=t(SUMMARY_TITLE, year=year),
        notes=[t(SUMMARY_NOTE)],
        widths=[24, 8, 8, *[14] * len(items), 10, 10, 10, 10],
    )
