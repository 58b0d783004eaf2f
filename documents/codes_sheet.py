"""The binding codes sheet as PDF: one slip per worker, cut apart along dashed lines.

A slip carries what the worker needs and nothing more: the unit, the masked name (张*三), the
post, the one-time code, the deep link and its QR code, and how to use them. The sheet is
handed around an office, so the caller passes names already masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from documents.pdf import (
    Block,
    CutLine,
    Fields,
    Group,
    Paragraph,
    PdfDocument,
    render_pdf,
)
from messages.i18n import N_, Translator

SHEET_TITLE = N_("{unit}: binding codes for workers")
SHEET_HINT = N_(
    "Open the bot and press 「I am a worker: bind my identity」, then type your code, or open "
    "the link. Each code works once. Keep it to yourself."
)
COLUMN_NAME = N_("Name")
COLUMN_POST = N_("Post")
COLUMN_CODE = N_("Code")
COLUMN_LINK = N_("Link")
FIELD_UNIT = N_("Unit")
CUT_HERE = N_("cut along the line")
SLIP_HINT = N_("Scan the QR code or open the link on your phone; the code works once.")
SHEET_FOOTER = N_("{unit} · {count} binding codes · earlier unused codes no longer work")


@dataclass(frozen=True)
class CodeSlip:
    masked_name: str
    post: str
    code: str
    link: str


def render_codes_sheet(
    slips: Sequence[CodeSlip],
    *,
    unit_name: str,
    language: str = "zh",
    font_file: Path | None = None,
) -> bytes:
    """The sheet: title and instructions, then a slip per worker between cut lines."""
    t = Translator(language)
    blocks: list[Block] = [Paragraph(t(SHEET_HINT)), CutLine(t(CUT_HERE))]
    for slip in slips:
        blocks.append(Group([*_slip(slip, unit_name=unit_name, t=t), CutLine(t(CUT_HERE))]))
    return render_pdf(
        PdfDocument(
            title=t(SHEET_TITLE, unit=unit_name),
            blocks=blocks,
            footer=t(SHEET_FOOTER, unit=unit_name, count=len(slips)),
            language=t.language,
        ),
        font_file=font_file,
    )


def _slip(slip: CodeSlip, *, unit_name: str, t: Translator) -> list[Fields | Paragraph]:
    code = (t(COLUMN_CODE), slip.code)
    pairs = [
        (t(FIELD_UNIT), unit_name),
        (t(COLUMN_NAME), slip.masked_name),
        (t(COLUMN_POST), slip.post),
        code,
        (t(COLUMN_LINK), slip.link),
    ]
    # The code prints large: the worker types it.
    fields = Fields(pairs, qr=slip.link, emphasis=(pairs.index(code),))
    return [fields, Paragraph(t(SLIP_HINT), small=True)]
