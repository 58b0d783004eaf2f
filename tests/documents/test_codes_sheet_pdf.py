"""The codes sheet as PDF slips: every code and link, masked names only, no ID, no phone;
`gongshi codes --format pdf` writes it, and refuses before issuing codes it could not print."""

from __future__ import annotations

import asyncio
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from pdftext import pdf_pages, pdf_text
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime_context import open_storage
from documents.codes_sheet import CUT_HERE
from documents.pdf import FONT_PACKAGE
from domain.masking import mask_name
from messages.i18n import Translator
from services.code_sheets import codes_sheet_pdf, deep_link
from storage.migrate import upgrade
from storage.models import Post, Unit, Worker, WorkerCode
from storage.workers import CodeSheetRow, new_code

UNIT = "城关镇人民政府"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂"
ID_RE = re.compile(r"\d{17}[\dXx]")
PHONE_RE = re.compile(r"1\d{10}")

names = st.builds(
    lambda surname, given: surname + given,
    st.sampled_from(SURNAMES),
    st.text(alphabet=GIVEN, min_size=1, max_size=3),
)
rows = st.lists(
    st.builds(
        CodeSheetRow,
        worker_id=st.integers(1, 10**6),
        name=names,
        post_title=st.sampled_from(["环卫", "保洁", "社区保安"]),
        code=st.builds(new_code),
    ),
    min_size=1,
    max_size=12,
)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_template_shares_no_character_with_the_generated_names():
    for language in ("zh", "en"):
        empty = codes_sheet_pdf([], unit_name=UNIT, bot_username="b0t_x", t=Translator(language))
        assert not set(pdf_text(empty)) & set(SURNAMES + GIVEN)


@settings(max_examples=25, deadline=None)
@given(rows=rows, language=st.sampled_from(["zh", "en"]))
def test_slips_hold_every_code_and_no_identity(rows, language):
    data = codes_sheet_pdf(rows, unit_name=UNIT, bot_username="gongshi_bot", t=Translator(language))
    text = pdf_text(data)
    flat = squeeze(text)
    for row in rows:
        assert row.name not in flat
        assert mask_name(row.name) in text
        assert row.code in text
        assert squeeze(deep_link("gongshi_bot", row.code)) in flat
    assert not ID_RE.search(flat)
    assert not PHONE_RE.search(flat)


def test_a_cut_line_between_every_two_slips():
    sheet = [CodeSheetRow(n, f"王小{n}", "保洁", new_code()) for n in range(1, 13)]
    data = codes_sheet_pdf(sheet, unit_name=UNIT, bot_username="gongshi_bot", t=Translator("zh"))
    label = Translator("zh")(CUT_HERE)
    pages = pdf_pages(data)
    assert len(pages) > 1
    assert sum(page.count(label) for page in pages) >= len(sheet) + 1
    for page in pages:  # a slip is never split: a code and its link share a page
        on_page = [row for row in sheet if row.code in page]
        assert on_page
        for row in on_page:
            assert squeeze(deep_link("gongshi_bot", row.code)) in squeeze(page)
            assert mask_name(row.name) in page


def env_for(settings_) -> dict[str, str]:
    return {
        "GONGSHI_DATABASE_URL": settings_.database_url,
        "GONGSHI_SECRET_KEY": settings_.secret_key.get_secret_value(),
    }


PEOPLE = {"欧阳娜娜": ("110101199003076514", "13912345678"), "李四": ("11010119851111002X", "")}


async def seed(settings_) -> None:
    async with open_storage(settings_) as storage:
        await upgrade(storage.engine)
        async with storage.sessions() as session, session.begin():
            unit = Unit(name=UNIT)
            session.add(unit)
            await session.flush()
            for index, (name, (id_number, phone)) in enumerate(PEOPLE.items()):
                worker = Worker(
                    name=name,
                    id_hash=f"h{index}",
                    id_last4=id_number[-4:],
                    phone_last4=phone[-4:] or None,
                    unit_id=unit.id,
                )
                session.add(worker)
                await session.flush()
                session.add(Post(unit_id=unit.id, title="保洁", worker_id=worker.id))


async def issued_codes(settings_) -> int:
    async with open_storage(settings_) as storage, storage.sessions() as session:
        return int(
            (await session.execute(select(func.count()).select_from(WorkerCode))).scalar_one()
        )


def test_codes_command_writes_pdf_slips(settings, tmp_path):
    asyncio.run(seed(settings))
    out = tmp_path / "slips.pdf"
    result = CliRunner().invoke(
        app,
        ["codes", "--unit", UNIT, "--format", "pdf", "--output", str(out)],
        env=env_for(settings),
    )
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    text = pdf_text(out.read_bytes())
    for name, (id_number, phone) in PEOPLE.items():
        assert mask_name(name) in text
        assert name not in squeeze(text)
        assert id_number not in squeeze(text)
        assert not phone or phone not in squeeze(text)
    assert squeeze(text).count("https://t.me/") == len(PEOPLE)


def test_an_unknown_format_is_refused(settings):
    asyncio.run(seed(settings))
    result = CliRunner().invoke(
        app, ["codes", "--unit", UNIT, "--format", "docx"], env=env_for(settings)
    )
    assert result.exit_code == 2
    assert "docx" in result.output


def test_without_a_font_no_codes_are_withdrawn(settings, tmp_path):
    asyncio.run(seed(settings))
    missing = tmp_path / "no-font.ttc"
    result = CliRunner().invoke(
        app,
        ["codes", "--unit", UNIT, "--format", "pdf", "--output", str(tmp_path / "x.pdf")],
        env={**env_for(settings), "GONGSHI_PDF_FONT": str(missing)},
    )
    assert result.exit_code == 1
    assert FONT_PACKAGE in result.output
    assert "Traceback" not in result.output
    assert asyncio.run(issued_codes(settings)) == 0
    assert not (tmp_path / "x.pdf").exists()
