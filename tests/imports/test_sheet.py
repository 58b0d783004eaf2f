"""domain.sheet: finding the header and checking rows, without files or a database."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sheets import HEADER, UNITS, id_number, result_row

from domain import sheet, sheet_rows
from domain.grades import REASON_FAIL_RENEWED, REASON_GRADE_UNKNOWN, REASON_RENEWAL_UNKNOWN, Grade
from domain.idnumber import REASON_CHECKSUM, REASON_OLD_15, REASON_SPREADSHEET
from domain.masking import REASON_PHONE_FORMAT, normalize_phone
from domain.sheet import (
    ID_NUMBER,
    NAME,
    PHONE,
    POST,
    REMARK,
    RENEW,
    UNIT,
    locate_header,
    match_header,
)
from domain.sheet_rows import validate_rows


def check(rows, kind="results", units=UNITS):
    header = locate_header(rows, kind)
    assert header is not None
    return validate_rows(rows, header, kind=kind, known_units=units)


# Headers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cells",
    [
        HEADER,
        ["單位", "姓名", "身份證號", "手機號", "崗位", "考核等次", "是否續簽", "備註"],
        ["用人單位", "姓名", "身份證號碼", "手機號碼", "崗位名稱", "考核結果", "續簽", "備注"],
        ["用人单位", "姓名", "公民身份号码", "联系电话", "岗位名称", "考核结果",
         "是否续签上岗协议", "备注"],
        ["单位名称", "姓名", "身份证号码", "电话", "岗位", "等次", "续签", "说明"],
        ["Unit", "NAME", "ID Number", "Mobile", "Position", "Result", "Renewal", "Notes"],
        ["unit", "name", "id_number", "phone", "post", "grade", "renew", "remark"],
        # Full-width letters, ideographic spaces, spaces inside, notes in brackets, stars.
        ["　单位　", "姓 名", "ＩＤ　Ｎｕｍｂｅｒ", "手机号（选填）", "*岗位", "考核等次(必填)",
         "是否续签", "备注："],
    ],
)  # fmt: skip
def test_headers_are_recognised_in_every_usual_spelling(cells):
    found = match_header(cells, "results")
    assert found.missing == ()
    assert found.ignored == ()
    assert found.columns == {
        UNIT: 0, NAME: 1, ID_NUMBER: 2, PHONE: 3, POST: 4, "grade": 5, RENEW: 6, REMARK: 7,
    }  # fmt: skip
    assert found.labels[ID_NUMBER] == cells[2].strip()


def test_the_header_is_found_below_title_rows():
    rows = [
        ["2026年度公益性岗位考核结果", "", ""],
        ["填报单位（盖章）：", "", "填报日期：2026年12月15日"],
        HEADER,
        result_row(1),
    ]
    header = locate_header(rows, "results")
    assert header is not None
    assert header.row_index == 2


def test_no_header_among_the_first_ten_rows():
    rows = [["说明"]] * 10 + [HEADER]
    assert locate_header(rows, "results") is None
    assert locate_header([["姓名"]], "results") is None  # one known column is not a header


def test_missing_and_ignored_columns_are_reported():
    found = match_header(
        ["序号", "姓名", "身份证号", "单位", "联系电话", "手机号", "岗位"], "results"
    )
    assert found.missing == ("grade", "renew")
    # A second phone column is ignored rather than silently mixed with the first.
    assert found.ignored == ("序号", "手机号")
    roster = match_header(["单位", "姓名", "身份证号", "岗位", "考核等次", "是否续签"], "roster")
    assert roster.missing == ()
    assert roster.ignored == ("考核等次", "是否续签")


def test_a_bare_id_column_is_not_taken_for_the_id_number():
    found = match_header(["ID", "单位", "姓名", "身份证号", "岗位"], "roster")
    assert found.columns[ID_NUMBER] == 3
    assert found.ignored == ("ID",)


# Rows ------------------------------------------------------------------------------------------


def test_a_good_row_comes_back_canonical():
    row = [
        " 县城市管理局 ",
        "张三",
        id_number(7).lower(),
        "139-0000-0007",
        "保洁员",
        "合格",
        "是",
        "",
    ]
    clean, issues = check([HEADER, row])
    assert issues == []
    (got,) = clean
    assert got.row == 2
    assert got.unit == "县城市管理局"
    assert got.id_number == id_number(7)
    assert got.phone == "13900000007"
    assert got.grade is Grade.PASS
    assert got.renew is True


def test_every_bad_cell_of_every_row_is_reported_with_row_and_header():
    ok = result_row(1)
    rows = [
        ["2026年度考核结果"],
        ["用人单位", "姓名", "身份證號", "手机号", "岗位", "考核等次", "是否续签", "备注"],
        ok,  # row 3
        ["", "", "", "", "", "", "", "备注而已"],  # row 4: every required cell empty
        [UNITS[0], "李四", id_number(2)[:-1] + ("0" if id_number(2)[-1] != "0" else "1"),
         "12345", "保洁员", "优秀", "也许", ""],  # row 5: checksum, phone, grade, renewal
        [UNITS[0], "王五", id_number(3)[:15], "", "保洁员", "合格", "是", ""],  # row 6: 15 digits
        # row 7: unknown unit, 不合格 renewed
        ["县教育局", "赵六", id_number(4), "", "保洁员", "不合格", "是", ""],
        # row 8: the person of row 3 again
        [UNITS[1], "钱七", id_number(1), "", "保洁员", "合格", "是", ""],
        # row 9: too long
        [UNITS[1], "孙" * 65, id_number(5), "", "岗" * 65, "合格", "否", "备" * 501],
        # row 10: numbers that went through Excel's floating point
        [UNITS[1], "周八", "1.10105194912346e+17", "1.3900000001e+10", "保洁员", "合格", "是", ""],
    ]  # fmt: skip
    clean, issues = check(rows)
    assert [row.row for row in clean] == [3]
    got = [(issue.row, issue.column, issue.reason) for issue in issues]
    assert got == [
        (4, "用人单位", sheet.REASON_REQUIRED),
        (4, "姓名", sheet.REASON_REQUIRED),
        (4, "身份證號", sheet.REASON_REQUIRED),
        (4, "岗位", sheet.REASON_REQUIRED),
        (4, "考核等次", sheet.REASON_REQUIRED),
        (4, "是否续签", sheet.REASON_REQUIRED),
        (5, "身份證號", REASON_CHECKSUM),
        (5, "手机号", REASON_PHONE_FORMAT),
        (5, "考核等次", REASON_GRADE_UNKNOWN),
        (5, "是否续签", REASON_RENEWAL_UNKNOWN),
        (6, "身份證號", REASON_OLD_15),
        (7, "用人单位", sheet.REASON_UNKNOWN_UNIT),
        (7, "是否续签", REASON_FAIL_RENEWED),
        (8, "身份證號", sheet.REASON_DUPLICATE),
        (9, "姓名", sheet.REASON_TOO_LONG),
        (9, "岗位", sheet.REASON_TOO_LONG),
        (9, "备注", sheet.REASON_TOO_LONG),
        (10, "身份證號", REASON_SPREADSHEET),
        (10, "手机号", sheet.REASON_PHONE_AS_NUMBER),
    ]  # fmt: skip
    params = {(issue.row, issue.column): issue.params for issue in issues}
    assert params[8, "身份證號"] == {"first_row": "3"}
    assert params[7, "用人单位"] == {"unit": "县教育局"}
    assert params[9, "备注"] == {"limit": "500", "length": "501"}
    assert params[5, "考核等次"] == {"text": "优秀"}
    assert {issue.masked_name for issue in issues if issue.row == 5} == {"李*"}


def test_issues_never_quote_an_id_number_or_phone():
    """A row whose columns slipped puts the ID number and phone where a grade is expected."""
    rows = [HEADER, [UNITS[0], "张三", id_number(1), "", "保洁员", id_number(9), "13900000009", ""]]
    _, issues = check(rows)
    text = repr(issues)
    assert id_number(9) not in text
    assert "13900000009" not in text
    assert {issue.column for issue in issues} == {"考核等次", "是否续签"}


def test_blank_rows_are_skipped_and_numbers_from_excel_are_read_back():
    rows = [
        HEADER,
        ["", "", "", ""],
        [UNITS[2], "吴九", id_number(9) + ".0" if id_number(9)[-1] != "X" else id_number(9),
         "13900000009.0", "护林员", "基本合格", "否", ""],
    ]  # fmt: skip
    clean, issues = check(rows)
    assert issues == []
    assert [(row.row, row.phone, row.grade) for row in clean] == [(3, "13900000009", Grade.BASIC)]


def test_unit_names_match_after_width_and_space_folding_only():
    units = ["县城市管理局", "縣林業局"]
    rows = [
        ["单位", "姓名", "身份证号", "岗位"],
        ["县 城市管理局", "甲", id_number(1), "保洁员"],
        ["縣林業局", "乙", id_number(2), "保洁员"],
        ["县林业局", "丙", id_number(3), "保洁员"],  # Simplified for a Traditional name: unknown
    ]
    clean, issues = check(rows, "roster", units)
    assert [row.unit for row in clean] == ["县城市管理局", "縣林業局"]
    assert [(issue.row, issue.reason) for issue in issues] == [(4, sheet.REASON_UNKNOWN_UNIT)]


def test_roster_rows_need_no_grade():
    rows = [["单位", "姓名", "身份证号", "岗位"], [UNITS[0], "甲", id_number(1), "保洁员"]]
    (row,), issues = check(rows, "roster")
    assert issues == []
    assert (row.grade, row.renew, row.phone) == (None, None, None)


def test_a_checker_needs_a_complete_header():
    with pytest.raises(ValueError, match="lacks required columns"):
        sheet_rows.RowChecker(match_header(["姓名"], "roster"), kind="roster", known_units=UNITS)


# Properties ------------------------------------------------------------------------------------

cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["合格", "不合格", "是", "否", "", " ", "1.1e+17", "13800138000.0", *UNITS]),
    st.from_regex(r"[0-9]{15,18}[Xx]?", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cells, max_size=10), max_size=15))
def test_garbage_never_crashes_and_every_row_is_either_clean_or_reported(body):
    rows = [HEADER, *body]
    clean, issues = check(rows)
    reported = {issue.row for issue in issues}
    assert not reported & {row.row for row in clean}
    for issue in issues:
        assert 2 <= issue.row <= len(rows)
        assert issue.column in HEADER
    for row in clean:
        assert row.id_number and row.name and row.unit in UNITS


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_the_plain_mobile_shortcut_agrees_with_normalize_phone(text):
    """RowChecker skips normalize_phone for 11 plain digits; the domain must agree."""
    assert normalize_phone(text) == text


# The shortcut for good rows --------------------------------------------------------------------


class FullChecker(sheet_rows.RowChecker):
    """Every row the full way: the oracle for the shortcut RowChecker.check takes."""

    def check(self, row, cells):
        return self._check_fully(row, cells)


HEADERS = {
    "results": [
        HEADER,
        ["姓名", "身份证号", "单位", "岗位", "是否续签", "考核等次"],  # no phone, no remark
        ["序号", *HEADER],  # shifted by a column the import does not use
    ],
    "roster": [
        ["单位", "姓名", "身份证号", "手机号", "岗位"],
        ["岗位", "单位", "身份证号", "姓名"],
    ],
}
# Cell values near the good ones: what a shortcut is most likely to get wrong.
ODD_VALUES = [
    "", " ", "合格 ", " 是", "基本合格", "不合格", "否", "Pass", "no", "良好", "县 城市管理局",
    "县教育局", " 县林业局", "13900000001", " 13900000001 ", "139-0000-0001", "1.39e+10",
    "13900000001.0", "+86 13900000001", " 张三 ", "保洁员 ", "张" * 64, "张" * 65, "岗" * 65,
    "备" * 500, "备" * 501, id_number(1), id_number(2).lower(), f" {id_number(5)} ",
    id_number(3) + ".0", "１１０１０５１９７０", "\u200b" + id_number(4), id_number(4)[:-1],
    "=1+1", "＝HYPERLINK()", "-保洁员", "@张三", "+86", "123", "——", "保洁员<b>", "环卫/保洁",
]  # fmt: skip
odd_cells = st.one_of(st.sampled_from(ODD_VALUES), cells)


def as_file_row(n: int, header: list[str]) -> list[str]:
    """Person n's cells in the order of ``header`` (columns the header lacks are left out)."""
    by_label = dict(zip(HEADER, result_row(n), strict=True))
    by_label.update({"单位": UNITS[n % len(UNITS)], "序号": str(n)})
    return [by_label.get(label, "") for label in header]


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_the_shortcut_agrees_with_checking_every_row_fully(data):
    kind = data.draw(st.sampled_from(["results", "roster"]))
    header_cells = data.draw(st.sampled_from(HEADERS[kind]))
    body = []
    for _ in range(data.draw(st.integers(min_value=1, max_value=12))):
        cells_of_row = as_file_row(data.draw(st.integers(min_value=0, max_value=6)), header_cells)
        for _ in range(data.draw(st.integers(min_value=0, max_value=3))):
            position = data.draw(st.integers(min_value=0, max_value=len(header_cells)))
            if position < len(cells_of_row):
                cells_of_row[position] = data.draw(odd_cells)
            else:  # a row cut short, as spreadsheets store rows with empty cells at the end
                del cells_of_row[data.draw(st.integers(0, len(cells_of_row))) :]
        body.append(cells_of_row)
    today = data.draw(st.sampled_from([None, date(1985, 1, 1)]))
    header = match_header(header_cells, kind)
    checkers = [
        checker(header, kind=kind, known_units=UNITS, today=today)
        for checker in (sheet_rows.RowChecker, FullChecker)
    ]
    got = [
        [checker.check(number, cells_of_row) for number, cells_of_row in enumerate(body, 2)]
        for checker in checkers
    ]
    assert got[0] == got[1]
    assert checkers[0].issues == checkers[1].issues
    assert checkers[0].rows == checkers[1].rows


@pytest.mark.parametrize("kind", ["results", "roster"])
def test_the_shortcut_agrees_on_every_odd_value_in_every_column(kind):
    """After a good row has shown the checker its grade and renewal, each odd value in each
    column in turn: the rows the shortcut sees first."""
    for header_cells in HEADERS[kind]:
        header = match_header(header_cells, kind)
        for position in range(len(header_cells)):
            for value in ODD_VALUES:
                body = [as_file_row(1, header_cells), as_file_row(2, header_cells)]
                body[1][position] = value
                checkers = [
                    checker(header, kind=kind, known_units=UNITS)
                    for checker in (sheet_rows.RowChecker, FullChecker)
                ]
                got = [
                    [checker.check(number, row) for number, row in enumerate(body, 2)]
                    for checker in checkers
                ]
                assert got[0] == got[1], (header_cells, position, value)
                assert checkers[0].issues == checkers[1].issues


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (NAME, '=HYPERLINK("http://x","张三")', sheet.REASON_FORMULA_START),
        (NAME, "＋张三", sheet.REASON_FORMULA_START),
        (NAME, "-张三", sheet.REASON_FORMULA_START),
        (NAME, "@张三", sheet.REASON_FORMULA_START),
        (NAME, "12345", sheet.REASON_NO_LETTERS),
        (NAME, "……", sheet.REASON_NO_LETTERS),
        (POST, "=1+1", sheet.REASON_FORMULA_START),
        (POST, "＠保洁", sheet.REASON_FORMULA_START),
        (POST, "保洁员<script>", sheet.REASON_POST_CHARACTER),
        (POST, "保洁员，见http://x.cn", sheet.REASON_POST_CHARACTER),
        (POST, "2026", sheet.REASON_NO_LETTERS),
    ],
)
def test_names_and_posts_that_a_spreadsheet_would_run_are_bad_rows(column, value, reason):
    row = result_row(1)
    row[HEADER.index("姓名" if column == NAME else "岗位")] = value
    clean, issues = check([HEADER, result_row(2), row])
    assert len(clean) == 1
    [issue] = issues
    label = "姓名" if column == NAME else "岗位"
    assert (issue.row, issue.column, issue.reason) == (3, label, reason)


@pytest.mark.parametrize(
    ("name", "post"),
    [
        ("买买提·艾力", "公共设施管护员（临时）"),
        ("Anna Li", "交通协管 - 东城"),
        ("张三", "环卫/保洁、绿化"),
        ("李四", "治安巡逻员(夜班)—2组"),
    ],
)
def test_ordinary_names_and_posts_pass(name, post):
    row = result_row(1)
    row[HEADER.index("姓名")], row[HEADER.index("岗位")] = name, post
    clean, issues = check([HEADER, row])
    assert issues == [] and (clean[0].name, clean[0].post) == (name, post)


def test_each_post_title_is_checked_once_and_a_bad_one_every_time(monkeypatch):
    class Counting:
        def __init__(self, pattern):
            self.pattern, self.seen = pattern, []

        def fullmatch(self, text):
            self.seen.append(text)
            return self.pattern.fullmatch(text)

    counting = Counting(sheet_rows._POST_OK)
    monkeypatch.setattr(sheet_rows, "_POST_OK", counting)
    rows = [result_row(n) for n in range(40)]  # all 保洁员
    for n in (10, 30):
        rows[n][HEADER.index("岗位")] = "保洁员<b>"
    clean, issues = check([HEADER, *rows])

    assert len(clean) == 38
    assert [(issue.row, issue.reason) for issue in issues] == [
        (12, sheet.REASON_POST_CHARACTER),
        (32, sheet.REASON_POST_CHARACTER),
    ]
    # The good title once, on its first row; the bad one at each of its rows.
    assert counting.seen.count("保洁员") == 1
    assert counting.seen.count("保洁员<b>") >= 2
