"""The handling opinion (处理意见书) of a concluded case, as PDF.

Two copies: the public one, which may reach the unit, the worker or the complainant, has no
complainant field at all (信访工作条例: the complainant's identity never reaches the unit or
the worker complained about), nor the ticket code, with which anyone can follow the case by
/status; the internal one, for the bureau's file, adds both.
The caller hands in labels already translated (category, severity, finding) and the worker's
masked name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from documents.pdf import (
    Block,
    Fields,
    Heading,
    Paragraph,
    PdfDocument,
    Table,
    render_pdf,
)
from domain.consequences import LIST_SEPARATOR
from messages.i18n import N_, Translator

TITLE = N_("Handling opinion")
INTERNAL_MARK = N_(
    "Internal copy: holds the complainant's identity. For the bureau's file only; do not pass "
    "it to the unit or the worker."
)
LABEL_CASE = N_("Case number")
LABEL_TICKET = N_("Ticket code")
LABEL_CYCLE = N_("Assessment year")
LABEL_UNIT = N_("Unit complained about")
LABEL_WORKER = N_("Worker complained about")
LABEL_CATEGORY = N_("Kind of problem")
LABEL_SEVERITY = N_("Severity")
LABEL_COMPLAINANT = N_("Complainant and contact")
LABEL_RECEIVED = N_("Received on")
LABEL_ACCEPTED = N_("Accepted on")
LABEL_CONCLUDED = N_("Concluded on")
SECTION_FACTS = N_("1. What was reported")
SECTION_FINDING = N_("2. Finding of the investigation")
SECTION_OPINION = N_("3. Handling opinion")
SECTION_HISTORY = N_("4. Steps taken")
COLUMN_DATE = N_("Date")
COLUMN_STEP = N_("Step")
LABEL_FINDING = N_("Finding")
LABEL_CONSEQUENCES = N_("Consequences")
LABEL_RESPONSIBLE = N_("Person responsible")
LABEL_SANCTION = N_("Sanction")
NO_CONSEQUENCES = N_("none")
HANDLED_BY = N_("Handled by: {office}")
SIGNED_ON = N_("Date: {date}")
NOT_GIVEN = N_("not given")
NOT_RECORDED = N_("not recorded")
FOOTER_PUBLIC = N_("Case {case} · handling opinion")
FOOTER_INTERNAL = N_("Case {case} · handling opinion · internal copy")
DATE_FORMAT = N_("{year}-{month:02d}-{day:02d}")


@dataclass(frozen=True)
class OpinionFacts:
    case_number: str
    cycle_year: int | None
    unit_name: str
    worker_masked: str
    category: str
    severity: str
    summary: str
    received_on: date
    accepted_on: date | None
    concluded_on: date
    finding: str
    opinion: str
    handled_by: str
    history: Sequence[tuple[date, str]]
    complainant: str | None = None
    ticket_code: str | None = None  # the internal copy's only
    # The consequences the opinion decides, translated; a fraud finding's person and sanction.
    consequences: Sequence[str] = ()
    responsible_person: str = ""
    sanction: str = ""


def render_opinion(
    facts: OpinionFacts,
    *,
    internal: bool = False,
    language: str = "zh",
    font_file: Path | None = None,
) -> bytes:
    """The public copy, or with ``internal`` the bureau's copy that names the complainant."""
    t = Translator(language)
    blocks: list[Block] = []
    if internal:
        blocks.append(Paragraph(t(INTERNAL_MARK), small=True))
    blocks += [
        Fields(_case_fields(facts, internal=internal, t=t)),
        Heading(t(SECTION_FACTS), level=2),
        Paragraph(facts.summary),
        Heading(t(SECTION_FINDING), level=2),
        Fields([(t(LABEL_FINDING), facts.finding)]),
        Heading(t(SECTION_OPINION), level=2),
        Paragraph(facts.opinion),
        Fields(_handling_fields(facts, t=t)),
    ]
    if facts.history:
        blocks += [
            Heading(t(SECTION_HISTORY), level=2),
            Table(
                header=[t(COLUMN_DATE), t(COLUMN_STEP)],
                rows=[[format_date(day, t), step] for day, step in facts.history],
                widths=[1, 4],
            ),
        ]
    blocks += [
        Paragraph(t(HANDLED_BY, office=facts.handled_by), align="right"),
        Paragraph(t(SIGNED_ON, date=format_date(facts.concluded_on, t)), align="right"),
    ]
    footer = FOOTER_INTERNAL if internal else FOOTER_PUBLIC
    return render_pdf(
        PdfDocument(
            title=t(TITLE),
            blocks=blocks,
            footer=t(footer, case=facts.case_number),
            language=t.language,
            subject=facts.case_number,
        ),
        font_file=font_file,
    )


def format_date(day: date, t: Translator) -> str:
    return t(DATE_FORMAT, year=day.year, month=day.month, day=day.day)


def _handling_fields(facts: OpinionFacts, *, t: Translator) -> list[tuple[str, str]]:
    pairs = [
        (t(LABEL_CONSEQUENCES), t(LIST_SEPARATOR).join(facts.consequences) or t(NO_CONSEQUENCES))
    ]
    if facts.responsible_person:
        pairs.append((t(LABEL_RESPONSIBLE), facts.responsible_person))
    if facts.sanction:
        pairs.append((t(LABEL_SANCTION), facts.sanction))
    return pairs


def _case_fields(facts: OpinionFacts, *, internal: bool, t: Translator) -> list[tuple[str, str]]:
    pairs = [(t(LABEL_CASE), facts.case_number)]
    if internal:
        pairs.append((t(LABEL_TICKET), facts.ticket_code or t(NOT_RECORDED)))
    if facts.cycle_year is not None:
        pairs.append((t(LABEL_CYCLE), str(facts.cycle_year)))
    pairs.append((t(LABEL_UNIT), facts.unit_name))
    if facts.worker_masked:
        pairs.append((t(LABEL_WORKER), facts.worker_masked))
    pairs += [(t(LABEL_CATEGORY), facts.category), (t(LABEL_SEVERITY), facts.severity)]
    if internal:
        pairs.append((t(LABEL_COMPLAINANT), facts.complainant or t(NOT_GIVEN)))
    accepted = format_date(facts.accepted_on, t) if facts.accepted_on else t(NOT_RECORDED)
    pairs += [
        (t(LABEL_RECEIVED), format_date(facts.received_on, t)),
        (t(LABEL_ACCEPTED), accepted),
        (t(LABEL_CONCLUDED), format_date(facts.concluded_on, t)),
    ]
    return pairs
