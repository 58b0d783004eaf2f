"""Every printable document is drawn with the font its caller passes: documents/ reads no
settings, so the deployment's choice reaches the paper only as an argument."""

from __future__ import annotations

import re
from datetime import date

import pytest

from documents.codes_sheet import CodeSlip, render_codes_sheet
from documents.notice import NoticeRow, UnitNotice, notice_pdf
from documents.opinion import OpinionFacts, render_opinion
from documents.pdf import FontNotFoundError

OPINION = OpinionFacts(
    case_number="#7",
    cycle_year=2026,
    unit_name="县林业局",
    worker_masked="张*三",
    category="缺岗",
    severity="一般",
    summary="多次缺岗",
    received_on=date(2026, 12, 1),
    accepted_on=date(2026, 12, 2),
    concluded_on=date(2026, 12, 9),
    finding="属实",
    opinion="扣发当月补贴",
    handled_by="县就业局",
    history=[],
)
NOTICE = UnitNotice(
    unit_name="县林业局",
    year=2026,
    period="12月16日至12月22日",
    issued="2026年12月16日",
    rows=[NoticeRow("张*三", "护林员", "合格", "是")],
)
SLIP = CodeSlip(masked_name="张*三", post="护林员", code="AB12CD34", link="https://t.me/b?start=x")

RENDERERS = {
    "opinion": lambda font: render_opinion(OPINION, font_file=font),
    "internal opinion": lambda font: render_opinion(OPINION, internal=True, font_file=font),
    "notice": lambda font: notice_pdf(NOTICE, bot_username="b", language="zh", font_file=font),
    "codes sheet": lambda font: render_codes_sheet([SLIP], unit_name="县林业局", font_file=font),
}


@pytest.mark.parametrize("document", sorted(RENDERERS))
def test_the_callers_font_reaches_the_engine(document, tmp_path, monkeypatch):
    monkeypatch.delenv("GONGSHI_PDF_FONT", raising=False)
    chosen = tmp_path / "chosen.ttf"
    with pytest.raises(FontNotFoundError, match=re.escape(str(chosen))):
        RENDERERS[document](chosen)
    assert RENDERERS[document](None).startswith(b"%PDF-")
