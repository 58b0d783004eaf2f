"""The printable 公示 notice of one unit, for the notice board (张榜): the same masked list as
the channel and the bot, the notice period, and how to reach the hotline.

五(五) has the unit post its results and, with the county employment bureau, staff a complaint
line during the 公示: the notice is issued in the unit's name together with the bureau's, and
carries the unit's own line when the unit registered one.

It is handed the published rows only (masked name, post, grade, renewal decision; see
``notices.publication.unit_notices``): an ID number or phone cannot reach the paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from documents.pdf import Fields, Paragraph, PdfDocument, Table, render_pdf
from messages.i18n import N_, Translator

TITLE = N_("Public notice of the {year} assessment results of public-welfare posts")
INTRO = N_(
    "Following the county's assessment plan, the assessment results and renewal decisions of "
    "the public-welfare post workers of {unit} are made public below."
)
LABEL_UNIT = N_("Unit")
LABEL_PERIOD = N_("Notice period")
LABEL_HOTLINE = N_("Hotline")
LABEL_UNIT_LINE = N_("The unit's complaint line")
LABEL_LINE = N_("Telephone and letters")
HOTLINE = N_(
    "Anyone who finds something wrong in this list may tell the hotline during the notice "
    "period, anonymously if they wish: scan the code or open {link} in Telegram."
)
COLUMNS = (N_("No."), N_("Name"), N_("Post"), N_("Grade"), N_("Renewal"))
FOOTER = N_("{unit}, {year} 公示: names are masked to protect personal information")
ISSUERS = N_("{unit} and the county employment bureau")


@dataclass(frozen=True)
class NoticeRow:
    """One line of the list, as published: the name already masked, the labels translated."""

    masked_name: str
    post: str
    grade: str
    renewal: str


@dataclass(frozen=True)
class UnitNotice:
    unit_name: str
    year: int
    period: str  # "12月16日（周三）至12月22日（周二）"
    issued: str  # the date under the bureau's name
    rows: Sequence[NoticeRow]
    unit_phone: str = ""  # the unit's own line (五(五)), as registered
    # The hotline's telephone and address, as a sentence; "" when the county has set none.
    hotline: str = ""


def notice_filename(notice: UnitNotice) -> str:
    """公示_2026_县林业局.pdf: the unit's name made safe for any file system."""
    safe = "".join(ch if ch.isalnum() or ch in "-_（）()" else "_" for ch in notice.unit_name)
    return f"公示_{notice.year}_{safe}.pdf"


def notice_pdf(
    notice: UnitNotice,
    *,
    bot_username: str,
    language: str,
    font_file: Path | None = None,
) -> bytes:
    t = Translator(language)
    link = f"https://t.me/{bot_username}"
    rows = [
        [str(number), row.masked_name, row.post, row.grade, row.renewal]
        for number, row in enumerate(notice.rows, start=1)
    ]
    document = PdfDocument(
        title=t(TITLE, year=notice.year),
        blocks=[
            Paragraph(t(INTRO, unit=notice.unit_name)),
            Fields(
                pairs=[
                    (t(LABEL_UNIT), notice.unit_name),
                    (t(LABEL_PERIOD), notice.period),
                    (t(LABEL_HOTLINE), t(HOTLINE, link=link)),
                    *([(t(LABEL_UNIT_LINE), notice.unit_phone)] if notice.unit_phone else []),
                    *([(t(LABEL_LINE), notice.hotline)] if notice.hotline else []),
                ],
                qr=link,
            ),
            Table(header=[t(c) for c in COLUMNS], rows=rows, widths=[1, 3, 4, 2, 2]),
            Paragraph(t(ISSUERS, unit=notice.unit_name), align="right"),
            Paragraph(notice.issued, align="right"),
        ],
        footer=t(FOOTER, unit=notice.unit_name, year=notice.year),
        language=language,
    )
    return render_pdf(document, font_file=font_file)
