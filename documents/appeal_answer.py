"""The answer to an appeal (复查意见书 / 复核意见书), as PDF, like the 处理意见书
(documents.opinion): the case, the handling opinion appealed, the complainant's reasons, the
outcome and the answer, the office and the date. No complainant field and no ticket code: it
is the public copy, which the complainant receives and the bureau files. The caller hands in
labels already translated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from documents.opinion import format_date
from documents.pdf import Block, Fields, Heading, Paragraph, PdfDocument, render_pdf
from messages.i18n import N_, Translator

TITLES = {
    "review": N_("复查意见书 (review answer)"),
    "recheck": N_("复核意见书 (re-examination answer)"),
}
LABEL_CASE = N_("Case number")
LABEL_LEVEL = N_("Appeal")
LABEL_REQUESTED = N_("Requested on")
LABEL_DUE = N_("To be answered by")
LABEL_CATEGORY = N_("Kind of problem")
LABEL_UNIT = N_("Unit complained about")
SECTION_APPEALED = N_("1. The handling opinion appealed")
SECTION_REASONS = N_("2. The complainant's reasons")
SECTION_ANSWER = N_("3. Answer")
LABEL_FINDING = N_("Finding")
LABEL_OUTCOME = N_("Outcome")
FINAL_NOTE = N_(
    "This is the re-examination answer: a complaint on the same facts and reasons is not "
    "taken again (信访工作条例, art. 36)."
)
NEXT_NOTE = N_(
    "A complainant who does not accept this answer may ask for 复核 within 30 days of "
    "receiving it (信访工作条例, art. 36)."
)
ANSWERED_BY = N_("Answered by: {office}")
SIGNED_ON = N_("Date: {date}")
FOOTER = N_("Case {case} · {level}")


@dataclass(frozen=True)
class AppealFacts:
    case_number: str
    level: str  # review | recheck
    level_name: str
    unit_name: str
    category: str
    finding: str
    opinion: str
    reasons: str
    requested_on: date
    answer_due: date
    outcome: str
    answer: str
    answered_by: str
    answered_on: date


def render_appeal_answer(
    facts: AppealFacts, *, language: str = "zh", font_file: Path | None = None
) -> bytes:
    t = Translator(language)
    blocks: list[Block] = [
        Fields(
            [
                (t(LABEL_CASE), facts.case_number),
                (t(LABEL_LEVEL), facts.level_name),
                (t(LABEL_UNIT), facts.unit_name),
                (t(LABEL_CATEGORY), facts.category),
                (t(LABEL_REQUESTED), format_date(facts.requested_on, t)),
                (t(LABEL_DUE), format_date(facts.answer_due, t)),
            ]
        ),
        Heading(t(SECTION_APPEALED), level=2),
        Fields([(t(LABEL_FINDING), facts.finding)]),
        Paragraph(facts.opinion),
        Heading(t(SECTION_REASONS), level=2),
        Paragraph(facts.reasons),
        Heading(t(SECTION_ANSWER), level=2),
        Fields([(t(LABEL_OUTCOME), facts.outcome)]),
        Paragraph(facts.answer),
        Paragraph(t(_closing_note(facts.level)), small=True),
        Paragraph(t(ANSWERED_BY, office=facts.answered_by), align="right"),
        Paragraph(t(SIGNED_ON, date=format_date(facts.answered_on, t)), align="right"),
    ]
    return render_pdf(
        PdfDocument(
            title=t(TITLES[facts.level]),
            blocks=blocks,
            footer=t(FOOTER, case=facts.case_number, level=facts.level_name),
            language=t.language,
            subject=facts.case_number,
        ),
        font_file=font_file,
    )


def _closing_note(level: str) -> str:
    return FINAL_NOTE if level == "recheck" else NEXT_NOTE


def appeal_filename(case_id: int, level: str) -> str:
    """Written in Chinese, as its file's name."""
    return f"{'复核' if level == 'recheck' else '复查'}意见书_案件{case_id}.pdf"
