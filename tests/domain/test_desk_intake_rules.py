"""Reading what the desk types about a call or a letter."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.complaints import TICKET_ALPHABET, TICKET_LENGTH
from domain.desk_intake import Caller, parse_caller, parse_received, received_refusal, spelled

TODAY = date(2026, 12, 16)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三 13812345678", Caller("张三", "13812345678")),
        ("王大妈 138 1234 5678", Caller("王大妈", "13812345678")),
        ("李四 +86 138-1234-5678", Caller("李四", "13812345678")),
        ("赵五 0991-1234567", Caller("赵五", "09911234567")),
        ("欧阳 小明", Caller("欧阳小明", "")),
        ("钱六", Caller("钱六", "")),
    ],
)
def test_a_caller_as_typed(text, expected):
    assert parse_caller(text) == expected


@pytest.mark.parametrize("text", ["", "13812345678", "张三 123", "张三 138123456789012", "甲" * 40])
def test_what_is_no_caller(text):
    assert parse_caller(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-15", date(2026, 12, 15)),
        ("12月15日", date(2026, 12, 15)),
        ("１２月１日", date(2026, 12, 1)),
        ("12-3", date(2026, 12, 3)),
        ("2026年12月1日", date(2026, 12, 1)),
    ],
)
def test_a_day_as_typed(text, expected):
    assert parse_received(text, today=TODAY) == expected


def test_a_day_without_its_year_in_early_january_is_last_years():
    assert parse_received("12月30日", today=date(2027, 1, 4)) == date(2026, 12, 30)


@pytest.mark.parametrize("text", ["明天", "2026-13-01", "2月30日", "15"])
def test_what_is_no_day(text):
    assert parse_received(text, today=TODAY) is None


def test_a_day_received_in_the_future_or_long_ago_is_refused():
    assert received_refusal(date(2026, 12, 17), today=TODAY) == "future"
    assert received_refusal(date(2026, 11, 1), today=TODAY) == "old"
    assert received_refusal(TODAY, today=TODAY) is None


@given(st.text(alphabet=TICKET_ALPHABET, min_size=TICKET_LENGTH, max_size=TICKET_LENGTH))
def test_a_spelled_code_reads_back_as_the_code(code):
    assert spelled(code).replace(" ", "").replace("-", "") == code
