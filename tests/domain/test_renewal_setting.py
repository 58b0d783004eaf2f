"""Whether 基本合格 may renew is the county's reading of 六(一): by default it may (with the
admonishment talk), strictly only 合格 renews. The rules decide the same way everywhere."""

from __future__ import annotations

import pytest
from testsupport import make_settings

from bot.settings import load_settings
from domain import grades, subsidy
from domain.grades import Grade, check_consistency, consequences
from domain.renewal import RenewalSettings
from messages.i18n import catalogue


def test_the_default_is_todays_reading(tmp_path):
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path}/x.db")
    assert RenewalSettings.from_settings(settings) == RenewalSettings(basic_may_renew=True)


@pytest.mark.parametrize(("value", "expected"), [("false", False), ("0", False), ("true", True)])
def test_a_county_switches_it_with_a_variable(monkeypatch, value, expected):
    monkeypatch.setenv("GONGSHI_BASIC_MAY_RENEW", value)
    assert RenewalSettings.from_settings(load_settings()).basic_may_renew is expected


def test_the_import_check_follows_the_setting():
    assert check_consistency(Grade.BASIC, True) is None
    assert check_consistency(Grade.BASIC, True, basic_may_renew=False) == (
        grades.REASON_BASIC_RENEWED
    )
    assert check_consistency(Grade.BASIC, False, basic_may_renew=False) is None
    assert check_consistency(Grade.PASS, True, basic_may_renew=False) is None
    assert check_consistency(Grade.FAIL, True) == grades.REASON_FAIL_RENEWED


def test_strictly_a_basic_pass_has_the_talk_and_the_non_renewal_path():
    lenient = consequences(grade=Grade.BASIC, renew=True, previous_grade=None)
    assert lenient == (grades.ADMONISHMENT_TALK, grades.RENEW_ONE_YEAR, grades.FILE_WITH_BUREAU)
    strict = consequences(grade=Grade.BASIC, renew=True, previous_grade=None, basic_may_renew=False)
    assert strict == (
        grades.ADMONISHMENT_TALK,
        grades.NO_NEW_AGREEMENT,
        grades.REPORT_NON_RENEWAL,
        grades.SOCIAL_INSURANCE_CHANGE,
        grades.UNEMPLOYMENT_REGISTRATION,
    )
    passed = consequences(grade=Grade.PASS, renew=True, previous_grade=None, basic_may_renew=False)
    assert grades.RENEW_ONE_YEAR in passed


def test_the_subsidy_decision_follows_the_setting():
    assert subsidy.subsidy_decision(grade=Grade.BASIC, renew=True) == (
        subsidy.SubsidyStatus.CONTINUE,
        subsidy.REASON_CONTINUE,
    )
    assert subsidy.subsidy_decision(grade=Grade.BASIC, renew=True, basic_may_renew=False) == (
        subsidy.SubsidyStatus.END,
        subsidy.REASON_BASIC_NOT_RENEWED,
    )
    assert subsidy.subsidy_decision(grade=Grade.PASS, renew=True, basic_may_renew=False)[0] is (
        subsidy.SubsidyStatus.CONTINUE
    )
    assert not subsidy.renewal_effective(
        grade=Grade.BASIC, renew=True, findings=frozenset(), basic_may_renew=False
    )


def test_the_new_reasons_speak_chinese():
    chinese = catalogue("zh")
    for reason in (grades.REASON_BASIC_RENEWED, subsidy.REASON_BASIC_NOT_RENEWED):
        assert "基本合格" in chinese[reason] and chinese[reason] != reason
