"""Reading a unit's spreadsheet: finding the header row and checking every row.

Units send rosters and results typed by hand in Excel or WPS, with headers in Simplified or
Traditional characters, full-width letters, an extra title row on top, and numbers that the
spreadsheet has mangled. Nothing here reads files or the database: the importer hands in rows of
text and the names of the units that exist, and gets back clean rows or a complete list of
problems, each with the row number and the column header the person sees in their file.

Problems never quote an ID number or a phone: they end up in chats and logs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from domain.grades import (
    Grade,
)
from domain.procedure import BASIS_LABELS
from domain.recruitment import ALIASES as RECRUITMENT_ALIASES
from domain.recruitment import COLUMNS as RECRUITMENT_COLUMNS
from domain.recruitment import LABELS as RECRUITMENT_LABELS
from domain.recruitment import ROSTER_ONLY_ALIASES, Recruitment
from messages import N_

ImportKind = Literal["results", "roster", "units", "procedure"]

UNIT = "unit"
NAME = "name"
ID_NUMBER = "id_number"
PHONE = "phone"
POST = "post"
GRADE = "grade"
RENEW = "renew"
REMARK = "remark"
QUOTA = "quota"
DEPARTMENT = "department"
# 三: the basis of a grade, and the ground of a 不合格 (domain.procedure reads them).
BASIS_COLUMNS = ("de", "neng", "qin", "ji", "lian", "overall", "fail_ground")
# 五(一)–(四): a procedure sheet, one person a row.
STEP = "step"
HELD_ON = "held_on"
ROLE = "role"

# The header each column is given in templates and messages.
COLUMN_LABELS: Mapping[str, str] = {
    UNIT: "单位",
    NAME: "姓名",
    ID_NUMBER: "身份证号",
    PHONE: "手机号",
    POST: "岗位",
    GRADE: "考核等次",
    RENEW: "是否续签",
    REMARK: "备注",
    QUOTA: "岗位指标",
    DEPARTMENT: "主管部门",
    **BASIS_LABELS,
    "fail_ground": "不合格情形",
    STEP: "环节",
    HELD_ON: "日期",
    ROLE: "身份",
    **RECRUITMENT_LABELS,
}

REQUIRED: Mapping[ImportKind, tuple[str, ...]] = {
    "results": (UNIT, NAME, ID_NUMBER, POST, GRADE, RENEW),
    "roster": (UNIT, NAME, ID_NUMBER, POST),
    "units": (UNIT, QUOTA),
    "procedure": (UNIT, STEP, NAME),
}
USED: Mapping[ImportKind, tuple[str, ...]] = {
    "results": (UNIT, NAME, ID_NUMBER, PHONE, POST, GRADE, RENEW, REMARK, *BASIS_COLUMNS),
    "roster": (UNIT, NAME, ID_NUMBER, PHONE, POST, *RECRUITMENT_COLUMNS),
    "units": (UNIT, QUOTA, PHONE, DEPARTMENT),
    "procedure": (UNIT, STEP, HELD_ON, NAME, ROLE, REMARK),
}

# Column sizes of the tables the rows go into.
MAX_LENGTH: Mapping[str, int] = {
    NAME: 64,
    POST: 64,
    REMARK: 500,
    **{column: 100 for column in BASIS_COLUMNS},
}

# Headers seen in county and city templates, Simplified and Traditional, and English ones.
# Matching ignores case, spaces, full-width forms and notes in brackets, so "身份证号（必填）"
# and "ＩＤ Number" need no entry of their own.
_ALIASES: Mapping[str, tuple[str, ...]] = {
    UNIT: (
        "单位", "用人单位", "单位名称", "用人单位名称", "工作单位", "所在单位",
        "單位", "用人單位", "單位名稱", "用人單位名稱", "工作單位", "所在單位",
        "unit", "employer", "employing unit",
    ),
    NAME: ("姓名", "人员姓名", "人員姓名", "name", "full name"),
    ID_NUMBER: (
        "身份证号", "身份证号码", "身份证", "公民身份号码", "公民身份证号码", "身份证件号码",
        "身份證號", "身份證號碼", "身份證", "公民身份號碼", "公民身份證號碼", "身份證件號碼",
        "id number", "idnumber", "id no", "id card", "id card number",
    ),
    PHONE: (
        "手机号", "手机号码", "手机", "联系电话", "联系方式", "电话", "电话号码",
        "手機號", "手機號碼", "手機", "聯繫電話", "聯絡電話", "聯繫方式", "電話", "電話號碼",
        "phone", "mobile", "phone number", "mobile number", "telephone", "tel",
    ),
    POST: (
        "岗位", "岗位名称", "公益性岗位", "工作岗位", "所在岗位",
        "崗位", "崗位名稱", "公益性崗位", "工作崗位", "所在崗位",
        "post", "position", "job", "post title",
    ),
    GRADE: (
        "考核等次", "考核结果", "等次", "考核等级", "年度考核等次", "年度考核结果",
        "考核結果", "考核等級", "年度考核結果",
        "grade", "result", "assessment", "assessment result",
    ),
    RENEW: (
        "是否续签", "续签", "续签意见", "是否续签上岗协议", "续签情况",
        "是否續簽", "續簽", "續簽意見", "是否續簽上崗協議", "續簽情況",
        "renew", "renewal", "renewed",
    ),
    REMARK: (
        "备注", "说明", "備註", "備注", "說明",
        "remark", "remarks", "note", "notes", "comment",
    ),
    QUOTA: (
        "岗位指标", "公益性岗位指标", "指标", "岗位数", "岗位数量", "指标数",
        "崗位指標", "公益性崗位指標", "指標", "崗位數", "崗位數量",
        "quota", "post quota", "posts",
    ),
    DEPARTMENT: (
        "主管部门", "主管单位", "上级部门", "上级主管部门",
        "主管部門", "主管單位", "上級部門", "上級主管部門",
        "department", "supervising department",
    ),
    "de": ("德", "品德", "思想品德", "政治思想", "morality", "integrity"),
    "neng": ("能", "能力", "工作能力", "ability"),
    "qin": ("勤", "勤奋", "勤勉", "出勤", "diligence", "attendance"),
    "ji": ("绩", "績", "业绩", "業績", "工作实绩", "工作實績", "实绩", "實績", "performance"),
    "lian": ("廉", "廉洁", "廉潔", "廉洁自律", "廉潔自律", "honesty"),
    "overall": ("综合评价", "綜合評價", "综合", "綜合", "overall", "overall assessment"),
    "fail_ground": (
        "不合格情形", "不合格原因", "不合格理由", "不合格依据", "不合格依據",
        "不予续签原因", "不予續簽原因", "fail ground", "ground", "ground for fail",
    ),
    STEP: ("环节", "環節", "考核环节", "考核環節", "程序", "程式", "step"),
    HELD_ON: ("日期", "时间", "時間", "进行日期", "進行日期", "date"),
    ROLE: ("身份", "类别", "類別", "人员类别", "人員類別", "参加身份", "參加身份", "role", "kind"),
    **RECRUITMENT_ALIASES,
}  # fmt: skip

HEADER_SCAN_ROWS = 10
# A title row ("2026年度公益性岗位考核结果") never matches two columns; a header row does.
_MIN_HEADER_MATCHES = 2

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_HEADER_NOISE = frozenset("_-*:.#")


def header_key(text: str) -> str:
    """How a header is compared: NFKC, case-folded, without spaces, marks and bracketed notes."""
    folded = _BRACKETED.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in _HEADER_NOISE)


_HEADER_INDEX: Mapping[str, str] = {
    header_key(alias): column for column, aliases in _ALIASES.items() for alias in aliases
}
# Headers that mean one thing on one kind of sheet and another elsewhere.
_KIND_HEADERS: Mapping[ImportKind, Mapping[str, str]] = {
    "roster": {header_key(alias): column for alias, column in ROSTER_ONLY_ALIASES.items()},
}


def unit_key(name: str) -> str:
    """Unit names match after NFKC and without spaces: "县 城管局" and "县城管局" are one unit."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", name) if not ch.isspace())


@dataclass(frozen=True)
class HeaderMatch:
    """Where the header is and what it says.

    ``row_index`` counts from 0; ``columns`` maps each recognised column to its position;
    ``labels`` keeps each recognised column's header as written, for messages.
    """

    row_index: int
    columns: Mapping[str, int]
    labels: Mapping[str, str]
    ignored: tuple[str, ...]
    missing: tuple[str, ...]


def match_header(cells: Sequence[str], kind: ImportKind, row_index: int = 0) -> HeaderMatch:
    """Recognise the columns of one header row.

    A column the import does not use, or a second column for something already recognised, is
    ignored and reported, so that nobody wonders where their data went.
    """
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    own = _KIND_HEADERS.get(kind, {})
    for position, cell in enumerate(cells):
        label = cell.strip()
        if not label:
            continue
        key = header_key(label)
        column = own.get(key) or _HEADER_INDEX.get(key)
        if column is None or column not in USED[kind] or column in columns:
            ignored.append(label)
            continue
        columns[column] = position
        labels[column] = label
    missing = tuple(column for column in REQUIRED[kind] if column not in columns)
    return HeaderMatch(row_index, columns, labels, tuple(ignored), missing)


def locate_header(
    rows: Sequence[Sequence[str]], kind: ImportKind, scan: int = HEADER_SCAN_ROWS
) -> HeaderMatch | None:
    """The header among the first ``scan`` rows: the one that names the most known columns."""
    best: HeaderMatch | None = None
    for row_index, cells in enumerate(rows[:scan]):
        found = match_header(cells, kind, row_index)
        if len(found.columns) >= _MIN_HEADER_MATCHES and (
            best is None or len(found.columns) > len(best.columns)
        ):
            best = found
    return best


# Row problems ----------------------------------------------------------------------------------

REASON_REQUIRED = N_("This cell is empty, but {column} is required.")
REASON_UNKNOWN_UNIT = N_(
    "Unknown unit “{unit}”: register it first under this exact name, in the chat menu under "
    "“Units”, or on the server with gongshi units add NAME --quota N or gongshi import units FILE."
)
REASON_OTHER_UNIT = N_(
    "This row is for “{unit}”; you may upload only the results of your own unit, “{own}”."
)
REASON_DUPLICATE = N_("The same person (same ID number) is already on row {first_row}.")
REASON_TOO_LONG = N_("Too long: at most {limit} characters, this cell has {length}.")
REASON_FORMULA_START = N_(
    "Begins with “{char}”, which Excel and WPS read as the start of a formula; remove the sign."
)
REASON_NO_LETTERS = N_("Holds no Chinese character or letter.")
REASON_POST_CHARACTER = N_(
    "Post titles are published as written and may hold only Chinese characters, letters, "
    "digits, spaces and the marks · （ ） ( ) 、 - — /; this one holds “{char}”."
)
REASON_PHONE_AS_NUMBER = N_(
    "The spreadsheet stored the phone number as a number in scientific notation and its last "
    "digits are lost. Format the column as text and enter the number again."
)


@dataclass(frozen=True)
class RowIssue:
    """One bad cell: ``row`` as numbered in the spreadsheet (1-based, header rows included),
    ``column`` as the header is written in the file, ``reason`` a message id with ``params``,
    ``masked_name`` so that a person can find the row without anyone seeing personal data."""

    row: int
    column: str
    reason: str
    params: Mapping[str, str] = field(default_factory=dict)
    masked_name: str = ""


class SheetRow(NamedTuple):
    """A row that passed every check, in canonical form; ``unit`` is the registered name.

    A named tuple: a hundred thousand of them are made in one import, and a frozen dataclass
    takes several times longer to build."""

    row: int
    unit: str
    name: str
    id_number: str
    phone: str | None
    post: str
    grade: Grade | None
    renew: bool | None
    remark: str
    # The file's 德、能、勤、绩、廉、综合评价 and 不合格 ground in BASIS_COLUMNS' order, or
    # None when the file has none of those columns (what is on record is then kept).
    basis: tuple[str, ...] | None = None
    # A roster's 招录方式, 人员类别 and 是否符合条件 (domain.recruitment), or None when the
    # file has none of those columns.
    recruitment: Recruitment | None = None


_FLOAT_TAIL = re.compile(r"([0-9]+)\.0+", re.ASCII)
_PLAIN_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?[eE]\+?[0-9]+", re.ASCII)


# A cell that begins with one of these is a formula to Excel and WPS once exported again
# (a tab or a carriage return too, in the forms that survive a CSV export).
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")
# Chinese characters (the unified blocks and their extensions) and Latin letters, full-width too.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_LATIN = "A-Za-z\u00c0-\u024fＡ-Ｚａ-ｚ"
_LETTER = re.compile(f"[{_CJK}{_LATIN}]")
# What a published post title may hold: letters, digits, spaces and a few marks.
_POST_CHARACTERS = f"{_CJK}{_LATIN}0-9０-９ \u3000·・（）()、\\-—/"
_POST_OK = re.compile(f"[{_POST_CHARACTERS}]+")
_POST_BAD = re.compile(f"[^{_POST_CHARACTERS}]")


def plain_text_problem(text: str, *, post: bool = False) -> tuple[str, dict[str, str]] | None:
    """Why a name or a post title may not be stored, or None: a leading formula sign, no
    letter at all, and for a post title (shown unmasked to the public) any unusual character."""
    if not text:
        return None
    if text[0] in FORMULA_STARTS:
        return REASON_FORMULA_START, {"char": _visible(text[0])}
    if post:
        bad = _POST_BAD.search(text)
        if bad is not None:
            return REASON_POST_CHARACTER, {"char": _visible(bad.group())}
    if _LETTER.search(text) is None:
        return REASON_NO_LETTERS, {}
    return None


def _visible(char: str) -> str:
    """A character as it can be quoted in a message: control characters by their code."""
    return char if char.isprintable() else f"U+{ord(char):04X}"


_LONG_DIGITS = re.compile(r"[0-9０-９]{6,}")
_SHOWN_LENGTH = 40


def shown(text: str) -> str:
    """Cell text fit to quote back: in a file whose columns slipped, a grade cell may hold a
    phone or an ID number, so long runs of digits are starred out, and long text is cut."""
    text = _LONG_DIGITS.sub(lambda match: "*" * len(match.group()), text)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def without_float_tail(text: str) -> str:
    """13800138000.0 → 13800138000: a whole number that went through a float on its way here."""
    match = _FLOAT_TAIL.fullmatch(text) if "." in text else None
    return match.group(1) if match else text
