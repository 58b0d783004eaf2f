"""The shared PDF engine: a valid A4 file with the Chinese font embedded, text a reader can
extract, long tables split over pages with the header repeated, and page numbers."""

from __future__ import annotations

import re

import pytest
from pdftext import embedded_fonts, pdf_pages, pdf_reader, pdf_text

from documents.pdf import (
    FONT_PACKAGE,
    PAGE_NUMBER,
    CutLine,
    Fields,
    FontNotFoundError,
    Group,
    Heading,
    PageBreak,
    Paragraph,
    PdfDocument,
    Table,
    check_font,
    render_pdf,
)
from messages.i18n import translate

HEADER = ["序号", "姓名", "岗位", "绑定码"]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def long_rows(count: int) -> list[list[str]]:
    return [[str(n), f"王*{n % 7}", "道路保洁", f"K{n:05d}Z"] for n in range(1, count + 1)]


@pytest.fixture(scope="module")
def long_table_pdf() -> bytes:
    doc = PdfDocument(
        title="长表测试",
        blocks=[Table(header=HEADER, rows=long_rows(3000))],
        footer="某县人力资源和社会保障局",
    )
    return render_pdf(doc)


def test_a_valid_pdf_with_its_title():
    data = render_pdf(PdfDocument(title="公益性岗位考核结果", blocks=[Paragraph("正文")]))
    assert data.startswith(b"%PDF-")
    reader = pdf_reader(data)
    assert reader.metadata is not None
    assert reader.metadata.title == "公益性岗位考核结果"
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert "公益性岗位考核结果" in pdf_text(data)


def test_chinese_text_round_trips_through_extraction():
    sentences = [
        "城乡公益性岗位从业人员年度考核结果公示",
        "举报电话：０７７１－１２３４５６７，邮箱 gongshi@example.org",
        "“不在岗/吃空饷”问题已核查属实。",
    ]
    data = render_pdf(
        PdfDocument(
            title="标题",
            blocks=[Heading("二、公示内容", level=2), *(Paragraph(s) for s in sentences)],
        )
    )
    text = squeeze(pdf_text(data))
    for sentence in ["二、公示内容", *sentences]:
        assert squeeze(sentence) in text


def test_markup_characters_are_printed_as_text():
    data = render_pdf(PdfDocument(title="t", blocks=[Paragraph("a < b & <b>c</b>")]))
    assert "a < b & <b>c</b>" in pdf_text(data)


def test_the_font_is_embedded_as_a_subset():
    data = render_pdf(PdfDocument(title="字体", blocks=[Paragraph("中文")]))
    fonts = embedded_fonts(data)
    assert any(re.fullmatch(r"[A-Z]{6}\+.*WenQuanYi.*", name) for name in fonts), fonts


def test_a_long_table_repeats_its_header_on_every_page(long_table_pdf):
    pages = pdf_pages(long_table_pdf)
    assert len(pages) > 20
    for page in pages:
        first_cells = [line.strip() for line in page.splitlines() if line.strip()]
        start = 1 if page is pages[0] else 0  # the title comes first on page one
        assert first_cells[start : start + len(HEADER)] == HEADER


def test_a_long_table_keeps_every_row_once(long_table_pdf):
    codes = re.findall(r"K\d{5}Z", pdf_text(long_table_pdf))
    assert codes == [row[3] for row in long_rows(3000)]


def test_every_page_is_numbered_with_the_page_count(long_table_pdf):
    pages = pdf_pages(long_table_pdf)
    for number, page in enumerate(pages, start=1):
        label = translate(PAGE_NUMBER, "zh", page=number, pages=len(pages))
        assert label in page
        assert "某县人力资源和社会保障局" in page


def test_long_cells_wrap_inside_their_column():
    note = "该岗位从业人员连续多日未到岗，经村委会核实后，由用人单位提出处理意见并报备。" * 3
    data = render_pdf(
        PdfDocument(
            title="换行",
            blocks=[Table(header=["编号", "说明"], rows=[["1", note]], widths=[1, 4])],
        )
    )
    page = pdf_pages(data)[0]
    assert squeeze(note) in squeeze(page)
    assert note not in page  # it was broken over several lines
    longest = max(len(line) for line in page.splitlines())
    assert longest < len(note)


def test_other_blocks_render_their_text():
    data = render_pdf(
        PdfDocument(
            title="块",
            blocks=[
                Fields([("单位", "城关镇"), ("绑定码", "AB12CD34")], qr="https://t.me/x?start=b"),
                CutLine("沿此线剪开"),
                Group([Heading("小标题", level=3), Paragraph("注：仅限本人使用", small=True)]),
                PageBreak(),
                Paragraph("第二页内容"),
            ],
        )
    )
    pages = pdf_pages(data)
    assert len(pages) == 2
    for text in ("单位", "城关镇", "AB12CD34", "沿此线剪开", "小标题", "注：仅限本人使用"):
        assert text in pages[0]
    assert "第二页内容" in pages[1]


def test_page_numbers_follow_the_documents_language():
    data = render_pdf(PdfDocument(title="English", blocks=[Paragraph("x")], language="en"))
    assert "Page 1 of 1" in pdf_text(data)


def test_a_missing_font_fails_in_one_line_naming_the_package(tmp_path):
    missing = tmp_path / "none.ttc"
    with pytest.raises(FontNotFoundError) as caught:
        render_pdf(PdfDocument(title="t"), font_file=missing)
    message = str(caught.value)
    assert FONT_PACKAGE in message
    assert str(missing) in message
    assert "\n" not in message


def test_a_file_that_is_no_font_fails_clearly(tmp_path):
    bogus = tmp_path / "bogus.ttf"
    bogus.write_text("not a font")
    with pytest.raises(FontNotFoundError) as caught:
        render_pdf(PdfDocument(title="t"), font_file=bogus)
    assert str(bogus) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_font_comes_from_the_caller_never_from_the_environment(monkeypatch, tmp_path):
    """The deployment's font reaches a document as an argument: the engine reads no settings,
    so a variable in the environment changes nothing and the caller's choice is used."""
    monkeypatch.setenv("GONGSHI_PDF_FONT", str(tmp_path / "elsewhere.ttf"))
    assert render_pdf(PdfDocument(title="t")).startswith(b"%PDF-")
    chosen = tmp_path / "chosen.ttf"
    with pytest.raises(FontNotFoundError, match=re.escape(str(chosen))):
        render_pdf(PdfDocument(title="t"), font_file=chosen)


def test_a_footer_too_long_for_the_page_is_shortened_not_lost():
    footer = "某县人力资源和社会保障局城乡公益性岗位考核结果公示" * 6
    page = pdf_pages(render_pdf(PdfDocument(title="t", footer=footer)))[0]
    label = translate(PAGE_NUMBER, "zh", page=1, pages=1)
    assert label in page
    assert footer[:20] in page and footer not in page
    assert "…" in page


def test_an_empty_table_prints_its_header():
    page = pdf_pages(render_pdf(PdfDocument(title="t", blocks=[Table(HEADER, rows=[])])))[0]
    assert all(name in page for name in HEADER)


def test_check_font_refuses_before_any_work(tmp_path):
    gone = tmp_path / "gone.ttf"
    with pytest.raises(FontNotFoundError, match=re.escape(str(gone))):
        check_font(gone, language="en")
    check_font()
