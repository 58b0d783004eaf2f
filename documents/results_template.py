"""The results-sheet template an official downloads in chat: the headers the results import
reads (domain.sheet), one sample row that passes every check, and a notes sheet saying what
each column takes. Every cell is text, so Excel neither drops the ID number's digits nor turns
anything into a formula."""

from __future__ import annotations

import io

import xlsxwriter

from domain.idnumber import check_digit
from domain.sheet import COLUMN_LABELS, GRADE, ID_NUMBER, NAME, PHONE, POST, REMARK, RENEW, UNIT
from domain.sheet import USED as USED_COLUMNS
from messages.i18n import N_, Translator

TEMPLATE_FILE = N_("results template")
RESULTS_SHEET = N_("results")
NOTES_SHEET = N_("notes")
NOTES_TITLE = N_("How to fill in the results sheet")
SAMPLE_REMARK = N_("Sample row: delete it before uploading")
SAMPLE_POST = N_("Cleaner")
SAMPLE_GOOD = N_("Good")
NOTES = (
    N_("One row per worker on duty, below the header row; keep the header row as it is."),
    N_("单位: the unit's name exactly as registered, for example {unit}."),
    N_("姓名: the worker's name as on the ID card."),
    N_(
        "身份证号: the 18-character ID number, written as text so Excel keeps every digit; "
        "the last character may be X."
    ),
    N_("手机号 (may be empty): an 11-digit mobile number, as text."),
    N_("岗位: the post, as the unit calls it."),
    N_("考核等次: 合格, 基本合格 or 不合格."),
    N_("是否续签: 是 or 否."),
    N_("备注 (may be empty): at most 500 characters; for a 不合格, say why."),
    N_(
        "德、能、勤、绩、廉、综合评价 (may be empty or left out): the basis of the grade, a short "
        "text or a mark each, at most 100 characters; only the worker sees them, never the public "
        "list."
    ),
    N_(
        "不合格情形 (only for a 不合格): 不服从管理, 不胜任工作, 经常迟到早退, 病事假超过规定期限 "
        "or 其他; several separated by 、."
    ),
    N_(
        "Every wrong row is reported with its row, column and reason, and nothing is imported "
        "until every row is right; uploading the same file again changes nothing."
    ),
    N_("Delete the sample row, then send the file in the bot with “Upload results (spreadsheet)”."),
)
# A made-up person whose ID number has a correct check character and a real region code.
_SAMPLE_ID17 = "11010119800101001"
SAMPLE_ID_NUMBER = _SAMPLE_ID17 + check_digit(_SAMPLE_ID17)
SAMPLE_NAME = "张三"
SAMPLE_PHONE = "13800138000"


def results_template(t: Translator, *, unit_name: str) -> bytes:
    """The template with a sample row of ``unit_name`` (a registered unit, so the sample row
    itself would import)."""
    columns = USED_COLUMNS["results"]
    sample = {
        UNIT: unit_name,
        NAME: SAMPLE_NAME,
        ID_NUMBER: SAMPLE_ID_NUMBER,
        PHONE: SAMPLE_PHONE,
        POST: t(SAMPLE_POST),
        GRADE: "合格",
        RENEW: "是",
        REMARK: t(SAMPLE_REMARK),
        # 三: the basis of the grade, optional; a 合格 has no ground of a 不合格.
        "de": t(SAMPLE_GOOD),
        "neng": t(SAMPLE_GOOD),
        "qin": t(SAMPLE_GOOD),
        "ji": t(SAMPLE_GOOD),
        "lian": t(SAMPLE_GOOD),
        "overall": "合格",
        "fail_ground": "",
    }
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet(t(RESULTS_SHEET))
    for column, key in enumerate(columns):
        sheet.write_string(0, column, COLUMN_LABELS[key], bold)
        sheet.write_string(1, column, sample[key], text)
        # Rows typed in later stay text too: an ID number must not become 1.1E+17.
        sheet.set_column(column, column, 22 if key in (ID_NUMBER, REMARK, UNIT) else 12, text)
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet(t(NOTES_SHEET))
    notes.write_string(0, 0, t(NOTES_TITLE), bold)
    for row, note in enumerate(NOTES, start=2):
        notes.write_string(row, 0, t(note, unit=unit_name))
    notes.set_column(0, 0, 100)
    book.close()
    return buffer.getvalue()
