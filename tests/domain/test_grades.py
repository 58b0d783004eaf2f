from __future__ import annotations

import string
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import grades
from domain.grades import (
    ALL_CONSEQUENCES,
    Finding,
    Grade,
    GradeError,
    RenewalError,
    check_consistency,
    consequences,
    parse_grade,
    parse_renewal,
    renewal_allowed,
)
from messages.i18n import catalogue

NON_RENEWAL = ["no_new_agreement", "report_non_renewal", "social_insurance_change",
               "unemployment_registration"]  # fmt: skip
FINDINGS = [frozenset(), frozenset({Finding.ABSENT}), frozenset({Finding.WRONG_PERSON}),
            frozenset(Finding)]  # fmt: skip
previous_grades = [None, *Grade]


def codes(**kwargs: object) -> list[str]:
    return [c.code for c in consequences(**kwargs)]  # type: ignore[arg-type]


def fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_messages_are_translated_with_the_same_fields() -> None:
    zh = catalogue("zh")
    messages = [getattr(grades, name) for name in dir(grades) if name.startswith("REASON_")]
    messages += [c.summary for c in ALL_CONSEQUENCES]
    assert len(messages) == 16
    for message in messages:
        assert message in zh, message
        assert fields(zh[message]) == fields(message)


def test_consequence_codes_are_unique_and_stable() -> None:
    assert [c.code for c in ALL_CONSEQUENCES] == [
        "renew_one_year", "file_with_bureau", "admonishment_talk", "no_new_agreement",
        "report_non_renewal", "social_insurance_change", "unemployment_registration",
        "terminate_contract", "stop_subsidies", "cut_quota",
    ]  # fmt: skip
    assert {c.actor for c in ALL_CONSEQUENCES} <= {"unit", "worker", "bureau"}


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("合格", Grade.PASS),
        (" 合 格 ", Grade.PASS),
        ("合\u3000格", Grade.PASS),
        ("基本合格", Grade.BASIC),
        ("不合格", Grade.FAIL),
        ("PASS", Grade.PASS),
        ("Pass", Grade.PASS),
        ("ｐａｓｓ", Grade.PASS),
        ("qualified", Grade.PASS),
        ("basic pass", Grade.BASIC),
        ("Basic  Pass", Grade.BASIC),
        ("basically qualified", Grade.BASIC),
        ("basic", Grade.BASIC),
        ("fail", Grade.FAIL),
        ("FAILED", Grade.FAIL),
        ("unqualified", Grade.FAIL),
    ],
)
def test_parse_grade(text: str, grade: Grade) -> None:
    assert parse_grade(text) is grade


@pytest.mark.parametrize("text", ["优秀", "合格吗", "good", "passs", "不 及 格", "称职"])
def test_unknown_grades(text: str) -> None:
    with pytest.raises(GradeError) as caught:
        parse_grade(text)
    assert caught.value.reason == grades.REASON_GRADE_UNKNOWN
    assert caught.value.text == text
    assert text in str(caught.value)


@pytest.mark.parametrize("text", ["", "  ", "\u3000"])
def test_empty_grade(text: str) -> None:
    with pytest.raises(GradeError) as caught:
        parse_grade(text)
    assert caught.value.reason == grades.REASON_GRADE_EMPTY


@given(st.sampled_from(Grade))
def test_grade_values_round_trip(grade: Grade) -> None:
    assert parse_grade(str(grade)) is grade
    assert parse_grade(grade.name.lower()) is grade


@pytest.mark.parametrize(
    ("text", "renew"),
    [
        ("是", True), ("否", False), ("Y", True), ("n", False), ("Yes", True), ("NO", False),
        ("续签", True), ("不续签", False), ("續簽", True), ("不續簽", False),
        ("true", True), ("FALSE", False), ("1", True), ("0", False), ("１", True), (" 是 ", True),
    ],
)  # fmt: skip
def test_parse_renewal(text: str, renew: bool) -> None:
    assert parse_renewal(text) is renew


@pytest.mark.parametrize("text", ["可能", "maybe", "2", "续", "yess"])
def test_unknown_renewal(text: str) -> None:
    with pytest.raises(RenewalError) as caught:
        parse_renewal(text)
    assert caught.value.reason == grades.REASON_RENEWAL_UNKNOWN
    assert text in str(caught.value)


def test_empty_renewal() -> None:
    with pytest.raises(RenewalError) as caught:
        parse_renewal(" ")
    assert caught.value.reason == grades.REASON_RENEWAL_EMPTY


def test_pass_and_renew() -> None:
    assert codes(grade=Grade.PASS, renew=True, previous_grade=None) == [
        "renew_one_year",
        "file_with_bureau",
    ]


def test_pass_without_renewal_follows_the_non_renewal_procedure() -> None:
    assert codes(grade=Grade.PASS, renew=False, previous_grade=Grade.PASS) == NON_RENEWAL


def test_basic_pass_means_admonishment_and_renewal_as_decided() -> None:
    assert codes(grade=Grade.BASIC, renew=True, previous_grade=None) == [
        "admonishment_talk",
        "renew_one_year",
        "file_with_bureau",
    ]
    assert codes(grade=Grade.BASIC, renew=False, previous_grade=None) == [
        "admonishment_talk",
        *NON_RENEWAL,
    ]


def test_fail_means_no_new_agreement() -> None:
    assert codes(grade=Grade.FAIL, renew=False, previous_grade=Grade.PASS) == NON_RENEWAL
    assert codes(grade=Grade.FAIL, renew=False, previous_grade=Grade.BASIC) == NON_RENEWAL


def test_fail_twice_terminates_the_contract() -> None:
    assert codes(grade=Grade.FAIL, renew=False, previous_grade=Grade.FAIL) == [
        *NON_RENEWAL,
        "terminate_contract",
    ]


def test_fail_with_renewal_is_inconsistent_and_not_renewed() -> None:
    assert check_consistency(Grade.FAIL, True) == grades.REASON_FAIL_RENEWED
    assert codes(grade=Grade.FAIL, renew=True, previous_grade=None) == NON_RENEWAL


@pytest.mark.parametrize(
    ("grade", "renew"), list(product([Grade.PASS, Grade.BASIC], [True, False]))
)
def test_consistent_decisions(grade: Grade, renew: bool) -> None:
    assert check_consistency(grade, renew) is None


def test_fail_without_renewal_is_consistent() -> None:
    assert check_consistency(Grade.FAIL, False) is None


@pytest.mark.parametrize("finding", list(Finding))
def test_a_finding_stops_subsidies_cuts_quota_and_blocks_renewal(finding: Finding) -> None:
    found = codes(grade=Grade.PASS, renew=True, previous_grade=None, findings=frozenset({finding}))
    assert found == [*NON_RENEWAL, "stop_subsidies", "cut_quota"]
    assert not renewal_allowed(grade=Grade.PASS, findings=frozenset({finding}))


def test_both_findings_listed_once() -> None:
    found = codes(grade=Grade.BASIC, renew=True, previous_grade=None, findings=frozenset(Finding))
    assert found == ["admonishment_talk", *NON_RENEWAL, "stop_subsidies", "cut_quota"]


def test_renewal_allowed_by_grade() -> None:
    assert renewal_allowed(grade=Grade.PASS)
    assert renewal_allowed(grade=Grade.BASIC)
    assert not renewal_allowed(grade=Grade.FAIL)


@given(
    st.sampled_from(Grade),
    st.booleans(),
    st.sampled_from(previous_grades),
    st.sampled_from(FINDINGS),
)
def test_consequence_invariants(
    grade: Grade, renew: bool, previous: Grade | None, findings: frozenset[Finding]
) -> None:
    found = codes(grade=grade, renew=renew, previous_grade=previous, findings=findings)
    assert len(found) == len(set(found))
    renewed = "renew_one_year" in found
    # Exactly one of the two paths, and renewal only when the unit chose it and the rules allow.
    assert renewed != ("no_new_agreement" in found)
    assert renewed == (renew and renewal_allowed(grade=grade, findings=findings))
    assert ("file_with_bureau" in found) == renewed
    assert ("admonishment_talk" in found) == (grade is Grade.BASIC)
    assert ("terminate_contract" in found) == (grade is previous is Grade.FAIL)
    assert ("stop_subsidies" in found) == bool(findings)
    assert ("cut_quota" in found) == bool(findings)
    if check_consistency(grade, renew) is not None:
        assert not renewed
