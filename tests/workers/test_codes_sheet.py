"""The codes sheet a unit hands around never holds a full name, an ID number or a phone."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from worker_county import UNIT_A

from domain.masking import mask_name
from messages.i18n import Translator
from services.code_sheets import codes_sheet_xlsx, deep_link
from storage.workers import CODE_ALPHABET, CODE_LENGTH, CodeSheetRow, new_code

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂"
ID_RE = re.compile(r"\d{17}[\dXx]")
PHONE_RE = re.compile(r"1\d{10}")


def sheet_text(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


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
    max_size=20,
)


def test_the_template_shares_no_character_with_the_generated_names():
    template = "".join(
        sheet_text(
            codes_sheet_xlsx([], unit_name=UNIT_A, bot_username="gongshi_bot", t=Translator("zh"))
        )
    )
    assert not set(template) & set(SURNAMES + GIVEN)


@settings(max_examples=60, deadline=None)
@given(rows=rows, language=st.sampled_from(["zh", "en"]))
def test_sheet_never_holds_a_full_name_an_id_or_a_phone(rows, language):
    content = codes_sheet_xlsx(
        rows, unit_name=UNIT_A, bot_username="gongshi_bot", t=Translator(language)
    )
    cells = sheet_text(content)
    text = "\n".join(cells)
    for row in rows:
        assert row.name not in text
        assert mask_name(row.name) in cells
        assert row.code in cells
        assert deep_link("gongshi_bot", row.code) in cells
    assert not ID_RE.search(text)
    assert not PHONE_RE.search(text)


async def test_sheet_from_the_roster_holds_no_identity(county, issue):
    codes = await issue(county.units[UNIT_A])
    rows = [
        CodeSheetRow(person.worker_id, person.name, "环卫", codes[person.worker_id])
        for key, person in county.people.items()
        if key != "other"
    ]
    text = "\n".join(
        sheet_text(
            codes_sheet_xlsx(rows, unit_name=UNIT_A, bot_username="gongshi_bot", t=Translator("zh"))
        )
    )
    for key, person in county.people.items():
        assert person.name not in text
        assert person.id_number not in text and person.id_number[-6:] not in text
        assert person.phone not in text
        if key != "other":
            assert codes[person.worker_id] in text
    assert all(
        len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes.values()
    )
    assert len(set(codes.values())) == len(codes)


def test_a_unit_name_that_looks_like_a_formula_stays_text():
    """The title carries the unit's name; a sheet handed around must never compute it."""
    content = codes_sheet_xlsx(
        [CodeSheetRow(worker_id=1, name="王伟", post_title="保洁", code=new_code())],
        unit_name='=HYPERLINK("http://example.invalid","点此")',
        bot_username="gongshi_bot",
        t=Translator("zh"),
    )
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    title = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]["A1"]
    assert title.data_type == "s"
    assert "HYPERLINK" in str(title.value)
