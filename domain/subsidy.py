"""Whether a worker's post and social-insurance subsidies go on after the 公示 closes.

The seed (考核结果运用): the results are the basis for paying the post subsidy and the
social-insurance subsidy. 人岗不符 or 不在岗, a case's handling opinion that stops them
(停发岗位补贴和社保补贴), and absence at the staff verification, stop them; no renewal (不合格,
the unit does not renew, or a case's handling opinion of 不予续签) ends them; a result held
by an open serious case waits for it. Once the 公示 has closed, what the unit recorded decides
the rest: a non-renewal it reported ends them, an agreement not yet signed makes them wait, a
signed one continues them. Otherwise they continue. The first rule that applies decides.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum

from domain.grades import Finding, Grade, renewal_allowed


class Agreement(StrEnum):
    """What the unit recorded of a worker's renewal once the 公示 closed (domain.renewal)."""

    SIGNED = "renewed"
    NOT_RENEWED = "not_renewed"
    UNSIGNED = "unsigned"  # nothing recorded yet


class SubsidyStatus(StrEnum):
    CONTINUE = "continue"
    STOP = "stop"
    END = "end"
    PENDING = "pending"


# Message ids (English); the Chinese is in messages/locales/zh_CN/export.po.
REASON_WRONG_PERSON = "人岗不符 confirmed: the post and social-insurance subsidies stop."
REASON_NOT_ON_DUTY = "不在岗 confirmed: the post and social-insurance subsidies stop."
REASON_ABSENT_AT_VERIFICATION = (
    "Absent at the staff verification: the post is vacant and the subsidies stop."
)
REASON_FAIL_TWICE = (
    "Graded 不合格 twice in a row: the labour contract ends and so do the subsidies."
)
REASON_FAIL = "Graded 不合格: the post agreement is not renewed and the subsidies end."
REASON_BASIC_NOT_RENEWED = (
    "Graded 基本合格, and only 合格 renews in this county: the post agreement is not renewed "
    "and the subsidies end."
)
REASON_NOT_RENEWED = "The unit does not renew the post agreement: the subsidies end."
REASON_STOPPED_BY_CASE = (
    "The handling opinion of a case stops the post and social-insurance subsidies."
)
REASON_RENEWAL_BLOCKED = (
    "The handling opinion of a case refuses the renewal: the post agreement and the subsidies end."
)
REASON_UNIT_NOT_RENEWED = (
    "The unit reported the agreement is not renewed, with its reason: the subsidies end."
)
REASON_UNSIGNED = "The renewed agreement is not signed yet: the subsidies wait for it."
REASON_SIGNED = "The renewed agreement is signed: the subsidies continue for its term."
REASON_HELD = "A serious case is still open: the result and the subsidies wait for it."
REASON_CONTINUE = "The post agreement is renewed: the subsidies continue."

ALL_REASONS = (
    REASON_WRONG_PERSON,
    REASON_NOT_ON_DUTY,
    REASON_STOPPED_BY_CASE,
    REASON_ABSENT_AT_VERIFICATION,
    REASON_FAIL_TWICE,
    REASON_FAIL,
    REASON_BASIC_NOT_RENEWED,
    REASON_NOT_RENEWED,
    REASON_RENEWAL_BLOCKED,
    REASON_UNIT_NOT_RENEWED,
    REASON_HELD,
    REASON_UNSIGNED,
    REASON_SIGNED,
    REASON_CONTINUE,
)


@dataclass(frozen=True)
class Facts:
    """What the decision looks at, for one worker in one cycle."""

    grade: Grade
    renew: bool
    findings: frozenset[Finding]
    absent_at_verification: bool
    held: bool
    previous_grade: Grade | None
    renewal_blocked: bool = False
    subsidy_stopped: bool = False
    basic_may_renew: bool = True
    # None: the paperwork is not looked at (the cycle's 公示 has not closed).
    agreement: Agreement | None = None


# The rule table, first match wins: (applies?, status, reason).
RULES: tuple[tuple[Callable[[Facts], bool], SubsidyStatus, str], ...] = (
    (lambda f: Finding.WRONG_PERSON in f.findings, SubsidyStatus.STOP, REASON_WRONG_PERSON),
    (lambda f: Finding.ABSENT in f.findings, SubsidyStatus.STOP, REASON_NOT_ON_DUTY),
    (lambda f: f.subsidy_stopped, SubsidyStatus.STOP, REASON_STOPPED_BY_CASE),
    (lambda f: f.absent_at_verification, SubsidyStatus.STOP, REASON_ABSENT_AT_VERIFICATION),
    (
        lambda f: f.grade is Grade.FAIL and f.previous_grade is Grade.FAIL,
        SubsidyStatus.END,
        REASON_FAIL_TWICE,
    ),
    (lambda f: f.grade is Grade.FAIL, SubsidyStatus.END, REASON_FAIL),
    (
        lambda f: f.grade is Grade.BASIC and not f.basic_may_renew,
        SubsidyStatus.END,
        REASON_BASIC_NOT_RENEWED,
    ),
    (lambda f: not f.renew, SubsidyStatus.END, REASON_NOT_RENEWED),
    (lambda f: f.renewal_blocked, SubsidyStatus.END, REASON_RENEWAL_BLOCKED),
    (lambda f: f.agreement is Agreement.NOT_RENEWED, SubsidyStatus.END, REASON_UNIT_NOT_RENEWED),
    (lambda f: f.held, SubsidyStatus.PENDING, REASON_HELD),
    (lambda f: f.agreement is Agreement.UNSIGNED, SubsidyStatus.PENDING, REASON_UNSIGNED),
    (lambda f: f.agreement is Agreement.SIGNED, SubsidyStatus.CONTINUE, REASON_SIGNED),
)
FALLBACK: tuple[SubsidyStatus, str] = (SubsidyStatus.CONTINUE, REASON_CONTINUE)


def parse_findings(values: Collection[str]) -> frozenset[Finding]:
    """The known findings among stored strings; anything else is not a finding here."""
    known = {finding.value for finding in Finding}
    return frozenset(Finding(value) for value in values if value in known)


def renewal_effective(
    *,
    grade: Grade,
    renew: bool,
    findings: frozenset[Finding],
    renewal_blocked: bool = False,
    basic_may_renew: bool = True,
) -> bool:
    """The unit's decision, unless the rules forbid renewing (不合格, 基本合格 where only 合格
    renews, any finding, or a case's handling opinion of 不予续签)."""
    return (
        renew
        and not renewal_blocked
        and renewal_allowed(grade=grade, findings=findings, basic_may_renew=basic_may_renew)
    )


def subsidy_decision(
    *,
    grade: Grade,
    renew: bool,
    findings: Collection[Finding] = frozenset(),
    absent_at_verification: bool = False,
    held: bool = False,
    previous_grade: Grade | None = None,
    renewal_blocked: bool = False,
    subsidy_stopped: bool = False,
    basic_may_renew: bool = True,
    agreement: Agreement | None = None,
) -> tuple[SubsidyStatus, str]:
    """The subsidy status and its reason (a message id) for one worker's result."""
    facts = Facts(
        grade=grade,
        renew=renew,
        findings=frozenset(findings),
        absent_at_verification=absent_at_verification,
        held=held,
        previous_grade=previous_grade,
        renewal_blocked=renewal_blocked,
        subsidy_stopped=subsidy_stopped,
        basic_may_renew=basic_may_renew,
        agreement=agreement,
    )
    for applies, status, reason in RULES:
        if applies(facts):
            return status, reason
    return FALLBACK
