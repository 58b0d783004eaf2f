"""The PDF engine every printable document is built on: A4, a Chinese font, page numbers.

A document is a title, a list of blocks and a footer; ``render_pdf`` lays it out::

    doc = PdfDocument(
        title="...",
        blocks=[Heading("..."), Paragraph("..."), Table(header=[...], rows=[[...]]), PageBreak()],
        footer="...",
    )
    data = render_pdf(doc)

The title is the PDF's metadata title and the first heading. Long cells wrap inside their
column; a table longer than a page continues on the next with its header repeated; each page
carries the footer and 第 n 页 / 共 m 页. Text is drawn with one CJK TrueType font, embedded as
a subset: the file the caller passes as ``font_file`` (a deployment's setting GONGSHI_PDF_FONT,
handed down from bot/), or by default the Debian package fonts-wqy-microhei's. Nothing here
reads the settings.

Rendering is CPU work (about half a second per thousand table rows): in the bot, render long
documents with ``asyncio.to_thread``. ``check_font`` fails early, before work a missing font
would waste.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LongTable,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import PageBreak as _PageBreak
from reportlab.platypus import Paragraph as _Paragraph
from reportlab.platypus import Table as _Table

from messages.i18n import N_, translate

DEFAULT_FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT_PACKAGE = "fonts-wqy-microhei"

NO_FONT = N_(
    "No Chinese font for PDF documents at {path}: install the Debian package {package} "
    "(apt-get install {package}) or set GONGSHI_PDF_FONT to a TrueType font file."
)
BAD_FONT = N_(
    "The font {path} cannot be embedded in PDF documents ({problem}): set GONGSHI_PDF_FONT "
    "to a TrueType (.ttf or .ttc) font file, or install the Debian package {package}."
)
PAGE_NUMBER = N_("Page {page} of {pages}")

PAGE_SIZE = A4
MARGIN_SIDE = 18 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 20 * mm
BODY_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_SIDE
CELL_PADDING = 3
FOOTER_SIZE = 8.5
# Auto column widths follow the longest text of a column, within these bounds (in characters),
# looking at the first rows only: a long table is usually uniform.
MIN_COLUMN_CHARS = 4
MAX_COLUMN_CHARS = 40
SAMPLED_ROWS = 200


ALIGNMENTS = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}


class FontNotFoundError(RuntimeError):
    """No usable font: the message is one line naming the package to install."""


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """Running text; ``align`` is "left", "center" or "right" (e.g. a signature and date)."""

    text: str
    small: bool = False
    align: Literal["left", "center", "right"] = "left"


@dataclass(frozen=True)
class Table:
    """A table with a header row repeated on every page. ``widths`` are relative weights
    (e.g. ``[1, 3, 1]``) of the page width; None sizes the columns by their content."""

    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[float] | None = None


@dataclass(frozen=True)
class Fields:
    """Label and value pairs in two columns (a form), optionally with a QR code of ``qr``
    beside them, e.g. a link to open on a phone; the values of the pairs numbered in
    ``emphasis`` (from 0) print large, e.g. a code to type."""

    pairs: Sequence[tuple[str, str]]
    qr: str | None = None
    emphasis: Sequence[int] = ()


@dataclass(frozen=True)
class CutLine:
    """A dashed line across the page to cut along, with an optional label in its middle."""

    label: str = ""


@dataclass(frozen=True)
class Group:
    """Blocks kept together on one page (moved to the next page whole if they do not fit)."""

    blocks: Sequence[Block]


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Table | Fields | CutLine | Group | PageBreak


@dataclass(frozen=True)
class PdfDocument:
    title: str
    blocks: Sequence[Block] = field(default_factory=list)
    footer: str = ""
    language: str = "zh"
    subject: str = ""


def render_pdf(doc: PdfDocument, *, font_file: Path | None = None) -> bytes:
    """The document as PDF bytes, its text drawn with the font in ``font_file`` (None: the
    Debian package's)."""
    font = register_font(font_file or DEFAULT_FONT_FILE, language=doc.language)
    styles = _Styles(font)
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_SIDE,
        rightMargin=MARGIN_SIDE,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=doc.title,
        subject=doc.subject,
        author="公示通",
        creator="公示通",
        lang="zh-CN" if doc.language == "zh" else "en",
        displayDocTitle=True,
        initialFontName=font,
    )
    flowables = [_Paragraph(_markup(doc.title), styles.headings[0])]
    for block in doc.blocks:
        flowables.extend(_flowables(block, styles))
    page_label = translate(PAGE_NUMBER, doc.language)
    template.build(flowables, canvasmaker=_numbered_canvas(font, doc.footer, page_label))
    return buffer.getvalue()


def check_font(font_file: Path | None = None, *, language: str = "zh") -> None:
    """Raise FontNotFoundError now, before work that a failed rendering would waste."""
    register_font(font_file or DEFAULT_FONT_FILE, language=language)


def register_font(path: Path, *, language: str = "zh") -> str:
    """The reportlab name of the font in ``path``, registered once per file."""
    name = "CJK-" + hashlib.sha1(str(path).encode()).hexdigest()[:10]
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    if not path.is_file():
        raise FontNotFoundError(translate(NO_FONT, language, path=str(path), package=FONT_PACKAGE))
    try:
        # A collection (.ttc) holds several faces; the first is the regular one.
        font = TTFont(name, str(path), subfontIndex=0)
    except (TTFError, OSError) as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FontNotFoundError(
            translate(BAD_FONT, language, path=str(path), problem=problem, package=FONT_PACKAGE)
        ) from exc
    pdfmetrics.registerFont(font)
    return name


class _Styles:
    def __init__(self, font: str) -> None:
        self.font = font
        self.body = ParagraphStyle(
            "body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK", spaceAfter=4
        )
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8.5, leading=12)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=9, leading=12, spaceAfter=0)
        self.label = ParagraphStyle("label", parent=self.cell, textColor=colors.HexColor("#444444"))
        self.large = ParagraphStyle("large", parent=self.cell, fontSize=15, leading=19)
        self.headings = [
            ParagraphStyle(
                f"h{level}",
                parent=self.body,
                fontSize=size,
                leading=size * 1.4,
                spaceBefore=6 if level > 1 else 0,
                spaceAfter=6,
                alignment=TA_CENTER if level == 1 else 0,
            )
            for level, size in ((1, 17), (2, 13.5), (3, 11.5))
        ]
        self.cut = ParagraphStyle(
            "cut", parent=self.small, alignment=TA_CENTER, textColor=colors.grey
        )


def _flowables(block: Block, styles: _Styles) -> list[Flowable]:
    match block:
        case Heading(text=text, level=level):
            style = styles.headings[min(max(level, 1), len(styles.headings)) - 1]
            return [_Paragraph(_markup(text), style)]
        case Paragraph(text=text, small=small, align=align):
            style = styles.small if small else styles.body
            if align != "left":
                style = ParagraphStyle(align, parent=style, alignment=ALIGNMENTS[align])
            return [_Paragraph(_markup(text), style)]
        case Table():
            return [_table(block, styles), Spacer(1, 6)]
        case Fields():
            return [_fields(block, styles), Spacer(1, 4)]
        case CutLine(label=label):
            return [_CutLine(label, styles)]
        case Group(blocks=blocks):
            return [KeepTogether([f for inner in blocks for f in _flowables(inner, styles)])]
        case PageBreak():
            return [_PageBreak()]
    raise TypeError(f"not a document block: {block!r}")


def _markup(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _table(block: Table, styles: _Styles) -> LongTable:
    columns = len(block.header)
    widths = _column_widths(block, columns)
    header = [_Paragraph(_markup(text), styles.cell) for text in block.header]
    body = [
        [_cell(_text(row, index), widths[index], styles) for index in range(columns)]
        for row in block.rows
    ]
    table = LongTable([header, *body], colWidths=widths, repeatRows=1, splitByRow=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), styles.font, styles.cell.fontSize),
                ("LEADING", (0, 0), (-1, -1), styles.cell.leading),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ]
        )
    )
    return table


def _text(row: Sequence[str], index: int) -> str:
    return str(row[index]) if index < len(row) else ""


def _cell(text: str, width: float, styles: _Styles) -> Any:
    """Short one-line text as a plain string (fast for long tables), the rest wraps."""
    fits = pdfmetrics.stringWidth(text, styles.font, styles.cell.fontSize) <= width - 2 * (
        CELL_PADDING + 1
    )
    if fits and "\n" not in text:
        return text
    return _Paragraph(_markup(text), styles.cell)


def _column_widths(block: Table, columns: int) -> list[float]:
    if block.widths is not None and len(block.widths) == columns and sum(block.widths) > 0:
        weights = [float(weight) for weight in block.widths]
    else:
        sample = [block.header, *block.rows[:SAMPLED_ROWS]]
        weights = [
            float(
                min(
                    max([MIN_COLUMN_CHARS, *(_display_width(_text(r, i)) for r in sample)]),
                    MAX_COLUMN_CHARS,
                )
            )
            for i in range(columns)
        ]
    total = sum(weights)
    return [BODY_WIDTH * weight / total for weight in weights]


def _display_width(text: str) -> int:
    """Width in Latin characters: a Chinese character is about two."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _fields(block: Fields, styles: _Styles) -> _Table:
    rows = [
        [
            _Paragraph(_markup(label), styles.label),
            _Paragraph(_markup(value), styles.large if index in block.emphasis else styles.cell),
        ]
        for index, (label, value) in enumerate(block.pairs)
    ]
    qr_size = 26 * mm
    text_width = BODY_WIDTH - (qr_size + 4 * mm if block.qr else 0)
    inner = _Table(rows, colWidths=[text_width * 0.25, text_width * 0.75])
    inner.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BBBBBB")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    if not block.qr:
        return inner
    outer = _Table([[inner, _qr_drawing(block.qr, qr_size)]], colWidths=[text_width, None])
    outer.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return outer


def _qr_drawing(data: str, size: float) -> Drawing:
    widget = QrCodeWidget(data)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


class _CutLine(Flowable):  # type: ignore[misc]
    def __init__(self, label: str, styles: _Styles) -> None:
        super().__init__()
        self.label = label
        self.font = styles.font
        self.size = styles.cut.fontSize

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.size + 8

    def draw(self) -> None:
        canvas = self.canv
        middle = 4 + self.size / 2
        gap = pdfmetrics.stringWidth(self.label, self.font, self.size) + 8 if self.label else 0
        left_end = (self.width - gap) / 2
        canvas.saveState()
        canvas.setStrokeColor(colors.grey)
        canvas.setDash(4, 3)
        canvas.setLineWidth(0.6)
        canvas.line(0, middle, left_end, middle)
        canvas.line(left_end + gap, middle, self.width, middle)
        if self.label:
            canvas.setFillColor(colors.grey)
            canvas.setFont(self.font, self.size)
            canvas.drawCentredString(self.width / 2, middle - self.size / 3, self.label)
        canvas.restoreState()


def _numbered_canvas(font: str, footer: str, page_label: str) -> type[Canvas]:
    """A canvas that holds its pages back until the end, when the page count is known."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._draw_footer(number, len(self._pages))
                super().showPage()
            super().save()

        def _draw_footer(self, page: int, pages: int) -> None:
            self.saveState()
            self.setFont(font, FOOTER_SIZE)
            self.setFillColor(colors.HexColor("#555555"))
            baseline = MARGIN_BOTTOM / 2
            number = page_label.format(page=page, pages=pages)
            self.drawRightString(PAGE_SIZE[0] - MARGIN_SIDE, baseline, number)
            if footer:
                room = BODY_WIDTH - self.stringWidth(number, font, FOOTER_SIZE) - 12
                self.drawString(MARGIN_SIDE, baseline, _fitted(footer, font, FOOTER_SIZE, room))
            self.restoreState()

    return NumberedCanvas


def _fitted(text: str, font: str, size: float, width: float) -> str:
    """``text``, shortened with an ellipsis if it is wider than ``width``."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"
