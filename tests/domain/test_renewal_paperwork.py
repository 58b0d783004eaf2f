"""The rules of the renewal paperwork: the agreement's one-year term, the first day as typed,
the written reason's bounds, one task per worker, and where a worker's paperwork stands."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import renewal
from domain.renewal import PaperState, PaperworkError

TODAY = date(2026, 12, 23)


def test_the_term_is_one_year_to_the_day_before():
    assert renewal.agreement_term(date(2027, 1, 1)) == (date(2027, 1, 1), date(2027, 12, 31))
    assert renewal.agreement_term(date(2027, 3, 15)) == (date(2027, 3, 15), date(2028, 3, 14))
    assert renewal.agreement_term(date(2028, 2, 29)) == (date(2028, 2, 29), date(2029, 2, 28))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_a_term_is_never_longer_than_a_year(start):
    first, last = renewal.agreement_term(start)
    assert first == start and 364 <= (last - first).days <= 365


@pytest.mark.parametrize(
    "text", ["2027-01-01", "2027/1/1", "2027.01.01", "2027年1月1日", " ２０２７－０１－０１ "]
)
def test_the_first_day_as_people_type_it(text):
    assert renewal.parse_start(text, today=TODAY) == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("next year", renewal.START_UNREADABLE),
        ("2027-02-30", renewal.START_UNREADABLE),
        ("", renewal.START_UNREADABLE),
        ("2072-01-01", renewal.START_OUT_OF_RANGE),
        ("2025-01-01", renewal.START_OUT_OF_RANGE),
    ],
)
def test_a_first_day_that_cannot_be_right_is_refused(text, reason):
    with pytest.raises(PaperworkError) as refused:
        renewal.parse_start(text, today=TODAY)
    assert refused.value.reason == reason


def test_the_reason_is_tidied_and_bounded():
    assert (
        renewal.clean_reason("  本人  不同意\x07续签 \n\n 已书面确认 ")
        == "本人 不同意续签\n已书面确认"
    )
    with pytest.raises(PaperworkError) as short:
        renewal.clean_reason(" 无 ")
    assert short.value.reason == renewal.REASON_SHORT
    with pytest.raises(PaperworkError) as long:
        renewal.clean_reason("因" * (renewal.REASON_MAX_CHARS + 1))
    assert long.value.reason == renewal.REASON_LONG


def test_each_worker_has_their_own_task_kind():
    kind = renewal.worker_task_kind(renewal.UNEMPLOYMENT, 42)
    assert len(kind) <= 32 and renewal.worker_task_base(kind) == renewal.UNEMPLOYMENT
    assert renewal.worker_task_kind(renewal.SOCIAL_INSURANCE, 42) != kind
    assert renewal.worker_task_base("renewals_signed") is None
    assert renewal.worker_task_base("si_change:x") is None
    with pytest.raises(ValueError):
        renewal.worker_task_kind("renewals_signed", 42)


def test_two_fails_in_a_row_add_the_end_of_the_contract():
    assert renewal.tasks_after_non_renewal(fails_twice=False) == ("si_change", "unemployment_reg")
    assert renewal.tasks_after_non_renewal(fails_twice=True)[-1] == "end_contract"


def test_where_the_paperwork_stands():
    state = renewal.paper_state
    assert state(renews=True, recorded=None, open_tasks=0) is PaperState.TO_SIGN
    assert state(renews=False, recorded=None, open_tasks=0) is PaperState.REASON_NEEDED
    assert state(renews=True, recorded="renewed", open_tasks=0) is PaperState.DONE
    assert state(renews=True, recorded="not_renewed", open_tasks=2) is PaperState.TASKS_OPEN
    assert state(renews=False, recorded="not_renewed", open_tasks=0) is PaperState.DONE
