"""The subsidy rule table: each status and each reason, first rule wins."""

from __future__ import annotations

import pytest

from domain.grades import Finding, Grade
from domain.subsidy import (
    ALL_REASONS,
    REASON_ABSENT_AT_VERIFICATION,
    REASON_CONTINUE,
    REASON_FAIL,
    REASON_FAIL_TWICE,
    REASON_HELD,
    REASON_NOT_ON_DUTY,
    REASON_NOT_RENEWED,
    REASON_STOPPED_BY_CASE,
    REASON_WRONG_PERSON,
    SubsidyStatus,
    parse_findings,
    renewal_effective,
    subsidy_decision,
)
from domain.subsidy import (
    REASON_RENEWAL_BLOCKED as REASON_BLOCKED,
)
from messages.i18n import catalogue

CONTINUE, STOP, END, PENDING = (
    SubsidyStatus.CONTINUE,
    SubsidyStatus.STOP,
    SubsidyStatus.END,
    SubsidyStatus.PENDING,
)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"grade": Grade.PASS, "renew": True}, (CONTINUE, REASON_CONTINUE)),
        ({"grade": Grade.BASIC, "renew": True}, (CONTINUE, REASON_CONTINUE)),
        (
            {"grade": Grade.PASS, "renew": True, "findings": {Finding.WRONG_PERSON}},
            (STOP, REASON_WRONG_PERSON),
        ),
        (
            {"grade": Grade.BASIC, "renew": True, "findings": {Finding.ABSENT}},
            (STOP, REASON_NOT_ON_DUTY),
        ),
        (
            {"grade": Grade.PASS, "renew": True, "absent_at_verification": True},
            (STOP, REASON_ABSENT_AT_VERIFICATION),
        ),
        ({"grade": Grade.FAIL, "renew": False}, (END, REASON_FAIL)),
        # The rules win over a unit that wrote 是 for a 不合格.
        ({"grade": Grade.FAIL, "renew": True}, (END, REASON_FAIL)),
        (
            {"grade": Grade.FAIL, "renew": False, "previous_grade": Grade.FAIL},
            (END, REASON_FAIL_TWICE),
        ),
        (
            {"grade": Grade.FAIL, "renew": False, "previous_grade": Grade.PASS},
            (END, REASON_FAIL),
        ),
        ({"grade": Grade.PASS, "renew": False}, (END, REASON_NOT_RENEWED)),
        ({"grade": Grade.PASS, "renew": True, "held": True}, (PENDING, REASON_HELD)),
        # Order of the table: a confirmed finding stops even a held or failed result.
        (
            {
                "grade": Grade.FAIL,
                "renew": False,
                "held": True,
                "findings": {Finding.WRONG_PERSON},
            },
            (STOP, REASON_WRONG_PERSON),
        ),
        (
            {"grade": Grade.PASS, "renew": False, "held": True},
            (END, REASON_NOT_RENEWED),
        ),
        # A case's handling opinion of 不予续签 ends the renewal and the subsidies.
        ({"grade": Grade.PASS, "renew": True, "renewal_blocked": True}, (END, REASON_BLOCKED)),
        # ... one of 停发岗位补贴和社保补贴 stops them, even for a result being renewed.
        (
            {"grade": Grade.PASS, "renew": True, "subsidy_stopped": True},
            (STOP, REASON_STOPPED_BY_CASE),
        ),
        (
            {"grade": Grade.FAIL, "renew": False, "subsidy_stopped": True},
            (STOP, REASON_STOPPED_BY_CASE),
        ),
        (
            {"grade": Grade.PASS, "renew": True, "renewal_blocked": True, "held": True},
            (END, REASON_BLOCKED),
        ),
    ],
)
def test_rule_table(facts, expected):
    assert subsidy_decision(**facts) == expected


def test_every_status_is_reachable():
    seen = {
        subsidy_decision(grade=Grade.PASS, renew=True)[0],
        subsidy_decision(grade=Grade.PASS, renew=True, absent_at_verification=True)[0],
        subsidy_decision(grade=Grade.FAIL, renew=False)[0],
        subsidy_decision(grade=Grade.PASS, renew=True, held=True)[0],
    }
    assert seen == set(SubsidyStatus)


def test_findings_and_renewal():
    assert parse_findings(["人岗不符", "something else"]) == {Finding.WRONG_PERSON}
    assert renewal_effective(grade=Grade.PASS, renew=True, findings=frozenset())
    assert not renewal_effective(grade=Grade.FAIL, renew=True, findings=frozenset())
    assert not renewal_effective(grade=Grade.PASS, renew=True, findings=frozenset({Finding.ABSENT}))
    assert not renewal_effective(
        grade=Grade.PASS, renew=True, findings=frozenset(), renewal_blocked=True
    )


def test_every_reason_has_chinese():
    chinese = catalogue("zh")
    assert [reason for reason in ALL_REASONS if reason not in chinese] == []
