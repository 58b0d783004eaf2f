"""Assessment grades, renewal decisions, and what follows from them.

The consequences are those of the county's assessment plan (seed, section 六 考核结果运用):
合格 may renew for one year, filed with the county employment bureau; 基本合格 means an
admonishment talk; 不合格 means no new agreement, the non-renewal reported in writing and the
worker's social insurance and unemployment registration handled; 不合格 twice in a row ends the
labour contract; 人岗不符 or 不在岗 stops the subsidies and cuts the unit's quota.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Grade(StrEnum):
    PASS = "合格"
    BASIC = "基本合格"
    FAIL = "不合格"


class Finding(StrEnum):
    """A serious finding confirmed by an investigation."""

    WRONG_PERSON = "人岗不符"
    ABSENT = "不在岗"


REASON_GRADE_EMPTY = "The grade is empty: use 合格, 基本合格 or 不合格."
REASON_GRADE_UNKNOWN = 'Unknown grade "{text}": use 合格, 基本合格 or 不合格.'
REASON_RENEWAL_EMPTY = "The renewal decision is empty: use 是 or 否."
REASON_RENEWAL_UNKNOWN = 'Unknown renewal decision "{text}": use 是 or 否.'
REASON_FAIL_RENEWED = "A worker graded 不合格 cannot have the post agreement renewed."
REASON_BASIC_RENEWED = (
    "Only 合格 renews the post agreement in this county (六(一) read strictly): "
    "a worker graded 基本合格 cannot have it renewed."
)


class GradeError(ValueError):
    """A grade that cannot be read; ``reason`` is a message id, ``text`` what was given."""

    def __init__(self, reason: str, text: str) -> None:
        self.reason = reason
        self.text = text
        self.params = {"text": text}
        super().__init__(reason.format(**self.params))


class RenewalError(ValueError):
    """A renewal decision that cannot be read; ``reason`` is a message id, ``text`` the input."""

    def __init__(self, reason: str, text: str) -> None:
        self.reason = reason
        self.text = text
        self.params = {"text": text}
        super().__init__(reason.format(**self.params))


def _key(text: str) -> str:
    # NFKC folds full-width letters and compatibility ideographs; case and spacing carry no meaning.
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "-_")


# 合格, 基本合格 and 不合格 are written the same way in Traditional characters.
_GRADE_ALIASES: Mapping[str, Grade] = {
    **{_key(grade.value): grade for grade in Grade},
    **{_key(grade.name): grade for grade in Grade},
    "passed": Grade.PASS,
    "qualified": Grade.PASS,
    "basicpass": Grade.BASIC,
    "basicallypass": Grade.BASIC,
    "basicallypassed": Grade.BASIC,
    "basicallyqualified": Grade.BASIC,
    "failed": Grade.FAIL,
    "unqualified": Grade.FAIL,
    "notqualified": Grade.FAIL,
}

_RENEWAL_ALIASES: Mapping[str, bool] = {
    "是": True,
    "续签": True,
    "續簽": True,
    "y": True,
    "yes": True,
    "true": True,
    "1": True,
    "否": False,
    "不续签": False,
    "不續簽": False,
    "n": False,
    "no": False,
    "false": False,
    "0": False,
}


def parse_grade(text: str) -> Grade:
    """The grade written in ``text``: Chinese, or English (pass, basic pass, fail ...)."""
    key = _key(text)
    if not key:
        raise GradeError(REASON_GRADE_EMPTY, text.strip())
    try:
        return _GRADE_ALIASES[key]
    except KeyError:
        raise GradeError(REASON_GRADE_UNKNOWN, text.strip()) from None


def parse_renewal(text: str) -> bool:
    """Whether ``text`` says the post agreement is renewed (是/否, 续签/不续签, yes/no, 1/0 ...)."""
    key = _key(text)
    if not key:
        raise RenewalError(REASON_RENEWAL_EMPTY, text.strip())
    try:
        return _RENEWAL_ALIASES[key]
    except KeyError:
        raise RenewalError(REASON_RENEWAL_UNKNOWN, text.strip()) from None


Actor = Literal["unit", "worker", "bureau"]


@dataclass(frozen=True)
class Consequence:
    """One thing that must happen; ``summary`` is a message id shown to the worker and the unit."""

    code: str
    actor: Actor
    summary: str


RENEW_ONE_YEAR = Consequence(
    "renew_one_year",
    "unit",
    "The unit and the worker may agree to renew the post agreement for one year.",
)
FILE_WITH_BUREAU = Consequence(
    "file_with_bureau",
    "unit",
    "The unit files the renewed agreement with the county employment bureau for record.",
)
ADMONISHMENT_TALK = Consequence(
    "admonishment_talk",
    "unit",
    "The unit holds an admonishment talk with the worker.",
)
NO_NEW_AGREEMENT = Consequence(
    "no_new_agreement",
    "unit",
    "No new post agreement is signed.",
)
REPORT_NON_RENEWAL = Consequence(
    "report_non_renewal",
    "unit",
    "The unit reports the non-renewal to the county employment bureau "
    "and explains the reason in writing.",
)
SOCIAL_INSURANCE_CHANGE = Consequence(
    "social_insurance_change",
    "unit",
    "The unit handles the change of the worker's social-insurance records.",
)
UNEMPLOYMENT_REGISTRATION = Consequence(
    "unemployment_registration",
    "unit",
    "The unit handles the worker's unemployment registration.",
)
TERMINATE_CONTRACT = Consequence(
    "terminate_contract",
    "unit",
    "Graded 不合格 twice in a row: the labour contract is terminated.",
)
STOP_SUBSIDIES = Consequence(
    "stop_subsidies",
    "bureau",
    "The post subsidy and the social-insurance subsidy stop.",
)
CUT_QUOTA = Consequence(
    "cut_quota",
    "bureau",
    "The unit's quota of public-welfare posts is cut.",
)

ALL_CONSEQUENCES = (
    RENEW_ONE_YEAR,
    FILE_WITH_BUREAU,
    ADMONISHMENT_TALK,
    NO_NEW_AGREEMENT,
    REPORT_NON_RENEWAL,
    SOCIAL_INSURANCE_CHANGE,
    UNEMPLOYMENT_REGISTRATION,
    TERMINATE_CONTRACT,
    STOP_SUBSIDIES,
    CUT_QUOTA,
)

# The rule tables. Order inside each entry is the order shown to people.
RENEWAL_PATH: Mapping[bool, tuple[Consequence, ...]] = {
    True: (RENEW_ONE_YEAR, FILE_WITH_BUREAU),
    False: (
        NO_NEW_AGREEMENT,
        REPORT_NON_RENEWAL,
        SOCIAL_INSURANCE_CHANGE,
        UNEMPLOYMENT_REGISTRATION,
    ),
}
GRADE_ALLOWS_RENEWAL: Mapping[Grade, bool] = {
    Grade.PASS: True,
    Grade.BASIC: True,
    Grade.FAIL: False,
}
BY_GRADE: Mapping[Grade, tuple[Consequence, ...]] = {
    Grade.PASS: (),
    Grade.BASIC: (ADMONISHMENT_TALK,),
    Grade.FAIL: (),
}
# (previous year's grade, this year's grade)
BY_GRADE_HISTORY: Mapping[tuple[Grade, Grade], tuple[Consequence, ...]] = {
    (Grade.FAIL, Grade.FAIL): (TERMINATE_CONTRACT,),
}
BY_FINDING: Mapping[Finding, tuple[Consequence, ...]] = {
    Finding.WRONG_PERSON: (STOP_SUBSIDIES, CUT_QUOTA),
    Finding.ABSENT: (STOP_SUBSIDIES, CUT_QUOTA),
}


def grade_allows_renewal(grade: Grade, *, basic_may_renew: bool = True) -> bool:
    """Whether the grade permits renewing: 合格 always, 基本合格 as the county reads 六(一)
    (``domain.renewal.RenewalSettings``), 不合格 never."""
    if grade is Grade.BASIC:
        return basic_may_renew
    return GRADE_ALLOWS_RENEWAL[grade]


def renewal_allowed(
    *, grade: Grade, findings: frozenset[Finding] = frozenset(), basic_may_renew: bool = True
) -> bool:
    """Whether the rules permit renewing at all; the unit still decides whether it does."""
    return grade_allows_renewal(grade, basic_may_renew=basic_may_renew) and not findings


def check_consistency(grade: Grade, renew: bool, *, basic_may_renew: bool = True) -> str | None:
    """A reason (message id) when a unit's renewal decision contradicts the grade, else None."""
    if renew and not grade_allows_renewal(grade, basic_may_renew=basic_may_renew):
        return REASON_FAIL_RENEWED if grade is Grade.FAIL else REASON_BASIC_RENEWED
    return None


def consequences(
    *,
    grade: Grade,
    renew: bool,
    previous_grade: Grade | None,
    findings: frozenset[Finding] = frozenset(),
    basic_may_renew: bool = True,
) -> tuple[Consequence, ...]:
    """Everything that follows from a result, in the order to show it, without repeats.

    A renewal the rules forbid (不合格, 基本合格 where only 合格 renews, or any finding) follows
    the non-renewal path whatever the unit decided: the rules win, and ``check_consistency``
    reports the contradiction.
    """
    renews = renew and renewal_allowed(
        grade=grade, findings=findings, basic_may_renew=basic_may_renew
    )
    found: list[Consequence] = [*BY_GRADE[grade], *RENEWAL_PATH[renews]]
    if previous_grade is not None:
        found += BY_GRADE_HISTORY.get((previous_grade, grade), ())
    for finding in sorted(findings):
        found += BY_FINDING[finding]
    return tuple(dict.fromkeys(found))
