"""One voice in Chinese: the catalogues keep the rules of messages/style.py, and dates, moments
and file names are written one way."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from messages.i18n import Translator, translate
from messages.style import date_text, file_name, moment_text, slips
from messages.tasks import day_text

CATALOGUES = Path(__file__).resolve().parents[2] / "messages" / "locales" / "zh_CN"


def test_no_catalogue_has_a_slip():
    found = []
    for path in sorted(CATALOGUES.glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id:
                    continue
                texts = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in texts:
                    found += [f"{path.name}:{message.lineno}: {slip}" for slip in slips(text or "")]
    assert found == []


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("状态:已提交", "ASCII punctuation"),
        ("已受理,请等待", "ASCII punctuation"),
        ("是否继续?", "ASCII punctuation"),
        ("按时完成!", "ASCII punctuation"),
        ("投诉(匿名)", "ASCII punctuation"),
        ("已办结; 谢谢", "ASCII punctuation"),
        ("每周汇总（2026-W49）：", "ISO week"),
        ("共 {n}  件", "double space"),
        ("已办结 。", "space by full-width"),
        ("已办结.", "full stop"),
        ("已办结. 谢谢", "full stop"),
        ("预计于 {due} 前办结", "around a date"),
        ("已收到 {count} 个文件", "件"),
        ("已收到文件（第 {count} 个）", "件"),
        ("状态：{state}\n ", "start or end of a line"),
    ],
)
def test_each_common_slip_is_caught(text, what):
    assert [slip for slip in slips(text) if what in slip], slips(text)


@pytest.mark.parametrize(
    "text",
    [
        "预计于{due}前办结。",
        "案件 #{case}：共 {n} 件，已收到 {count} 件。",
        "请用 `gongshi demo --reset` 重新开始；文件 案件台账_2026.xlsx 已生成。",
        "监听 {host}:{port}，网址 https://example.org/a?b=1",
        "请输入 1-5 分（5 分为很满意）。",
    ],
)
def test_correct_chinese_is_not_a_slip(text):
    assert slips(text) == []


def test_a_date_is_written_one_way():
    wednesday = date(2026, 12, 2)
    assert date_text("zh", wednesday) == "2026年12月2日（周三）"
    assert date_text("en", wednesday) == "Wed 2 Dec 2026"
    assert date_text("zh", wednesday, weekday=False) == "2026年12月2日"
    assert date_text(Translator("zh-hans"), date(2027, 1, 3)) == "2027年1月3日（周日）"
    # The tasks' helper is the same formatter, not a second way of writing a date.
    assert day_text(Translator("zh"), wednesday) == date_text("zh", wednesday)
    assert day_text(Translator("en"), wednesday) == date_text("en", wednesday)


def test_a_moment_is_day_and_minute():
    at = datetime(2026, 12, 2, 6, 1, 59)
    assert moment_text("zh", at) == "12月2日 06:01"
    assert moment_text(Translator("en"), at) == "2 Dec 06:01"


def test_file_names_follow_the_language():
    assert file_name(Translator("zh"), "cases", "xlsx", 2026) == "案件台账_2026.xlsx"
    assert file_name(Translator("en"), "cases", "xlsx", 2026) == "cases-2026.xlsx"
    assert file_name(Translator("zh"), "subsidy", "csv") == "补贴名单.csv"


def test_a_date_passed_to_any_message_is_written_the_one_way():
    """Code that hands a message a date (an error's parameters, a notice's) cannot print
    2026-12-02 by forgetting the formatter."""
    closes = date(2026, 12, 22)
    message = "The 公示 of {year} is already open, until {closes}."
    assert translate(message, "zh", year=2026, closes=closes) == (
        "2026年度公示已经开始，至2026年12月22日（周二）结束。"
    )
    assert translate(message, "en", year=2026, closes=closes).endswith("until Tue 22 Dec 2026.")
