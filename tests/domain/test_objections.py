"""The objection's (申辩) rules: who takes which step when, and what each decision leaves."""

from __future__ import annotations

import pytest

from domain import objections as rules


def test_only_the_bureau_accepts_and_decides_and_only_her_unit_states():
    assert rules.available(role="bureau", state="submitted") == ["accept", "reject", "note"]
    assert rules.available(role="bureau", state="accepted") == ["decide", "note"]
    assert rules.available(role="unit", state="accepted", own_unit=True) == ["statement"]
    assert rules.refusal("statement", role="unit", state="accepted") == "scope"
    assert rules.refusal("statement", role="unit", state="investigating", own_unit=True) == "state"
    assert rules.refusal("decide", role="investigator", state="accepted") == "role"
    assert rules.available(role="bureau", state="closed") == []


@pytest.mark.parametrize(
    ("decision", "grade", "renew", "to_grade", "expected"),
    [
        ("maintain", "不合格", False, None, ("不合格", False)),
        ("regrade", "不合格", False, "合格", ("合格", False)),
        ("regrade", "基本合格", True, "合格", ("合格", True)),
        # A fail cannot be renewed (六(一)): correcting to 不合格 ends the renewal too.
        ("regrade", "合格", True, "不合格", ("不合格", False)),
        ("renewal", "合格", False, None, ("合格", True)),
        ("renewal", "基本合格", True, None, ("基本合格", False)),
    ],
)
def test_what_a_decision_leaves(decision, grade, renew, to_grade, expected):
    outcome = rules.decided(decision, grade=grade, renew=renew, to_grade=to_grade)
    assert outcome is not None
    assert (outcome.grade, outcome.renew) == expected


@pytest.mark.parametrize(
    ("decision", "grade", "renew", "to_grade"),
    [
        ("regrade", "合格", True, "合格"),  # no correction at all
        ("regrade", "合格", True, "优秀"),  # not one of the plan's grades
        ("regrade", "合格", True, None),
        ("renewal", "不合格", False, None),  # renewing a fail is forbidden
        ("dismiss", "合格", True, None),
    ],
)
def test_a_decision_that_cannot_stand(decision, grade, renew, to_grade):
    assert rules.decided(decision, grade=grade, renew=renew, to_grade=to_grade) is None


def test_the_grades_offered_leave_out_the_current_one():
    assert rules.grades_offered("不合格") == ["合格", "基本合格"]
