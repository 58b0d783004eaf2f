"""The case state machine and its clocks, as pure rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import cases as rules
from domain.cases import Facts, alarm, available, conclusion_due, extended_due, refusal
from domain.complaints import BY_KEY
from domain.workdays import WorkCalendar

CALENDAR = WorkCalendar()
ROLES = ("bureau", "investigator", "unit", "complainant", "system", "citizen")
ROUTES = ("investigators", "bureau", "unit")


def test_the_main_path_of_a_serious_case():
    state = "submitted"
    for action in ("accept", "assign", "record_finding", "close"):
        assert refusal(action, role="investigator", facts=Facts(state, "investigators")) is None
        state = rules.next_state(action, state)
    assert state == "closed"
    assert refusal("rate", role="complainant", facts=Facts(state, "investigators")) is None


@pytest.mark.parametrize(
    ("action", "role", "facts", "reason"),
    [
        ("accept", "unit", Facts("submitted", "investigators", own_unit=True), "role"),
        ("accept", "unit", Facts("submitted", "unit", own_unit=False), "scope"),
        ("accept", "investigator", Facts("accepted", "investigators"), "state"),
        (
            "record_finding",
            "investigator",
            Facts("investigating", "investigators", assigned_to_other=True),
            "scope",
        ),
        ("extend", "bureau", Facts("investigating", "investigators", extended=True), "once"),
        ("reopen", "system", Facts("closed", "bureau", reopened=True), "once"),
        ("rate", "complainant", Facts("closed", "bureau", rated=True), "once"),
        ("close", "investigator", Facts("review", "investigators"), "role"),
        ("reject", "citizen", Facts("submitted", "bureau"), "role"),
        ("fly", "bureau", Facts("submitted", "bureau"), "role"),
        ("reclassify", "investigator", Facts("accepted", "investigators"), "role"),
        ("reclassify", "unit", Facts("submitted", "unit", own_unit=True), "role"),
        ("reclassify", "bureau", Facts("closed", "bureau"), "state"),
        ("reclassify", "bureau", Facts("merged", "unit"), "state"),
        ("reply", "unit", Facts("accepted", "unit", own_unit=True), "role"),
        (
            "reply",
            "investigator",
            Facts("investigating", "investigators", assigned_to_other=True),
            "scope",
        ),
        ("reply", "investigator", Facts("accepted", "bureau"), "role"),
        ("reply", "bureau", Facts("rejected", "bureau"), "state"),
    ],
)
def test_refusals(action, role, facts, reason):
    assert refusal(action, role=role, facts=facts) == reason


def test_buttons_follow_role_and_state():
    fresh = Facts("submitted", "unit", own_unit=True)
    assert available(role="unit", facts=fresh) == ["accept", "note"]
    assert "reject" in available(role="bureau", facts=fresh)
    assert available(role="investigator", facts=fresh) == []
    review = Facts("review", "investigators")
    assert set(available(role="bureau", facts=review)) == {
        "note",
        "reply",
        "reclassify",
        "record_finding",
        "close",
    }
    assert available(role="investigator", facts=review) == []
    # An investigator is assigned to a serious case only: nobody else could take it up.
    assert "assign" in available(role="bureau", facts=Facts("accepted", "investigators"))
    for route in ("bureau", "unit"):
        assert "assign" not in available(role="bureau", facts=Facts("accepted", route))
        assert "record_finding" in available(role="bureau", facts=Facts("accepted", route))


def test_every_step_with_text_names_what_to_type():
    assert {a for a, s in rules.STEPS.items() if s.needs} == {
        "reject",
        "note",
        "reply",
        "record_finding",
        "extend",
        "merge",
    }


def test_the_bureau_reclassifies_and_replies_on_every_open_case():
    for route in ROUTES:
        for state in sorted(rules.OPEN_STATES):
            facts = Facts(state, route)
            assert refusal("reclassify", role="bureau", facts=facts) is None
            assert refusal("reply", role="bureau", facts=facts) is None
    # The investigator replies on the serious cases that are theirs or nobody's.
    assert refusal("reply", role="investigator", facts=Facts("submitted", "investigators")) is None


def test_a_reclassification_is_another_category_of_the_table():
    chosen = rules.reclassification("conduct", "absent")
    assert chosen is not None
    assert (chosen.severity, chosen.route) == (BY_KEY["absent"].severity, BY_KEY["absent"].route)
    assert rules.reclassification("conduct", "conduct") is None
    assert rules.reclassification("conduct", "weather") is None


@given(
    st.lists(
        st.tuples(
            st.sampled_from([*sorted(rules.STEPS), "fly"]),
            st.sampled_from(ROLES),
            st.booleans(),
            st.booleans(),
        ),
        max_size=40,
    ),
    st.sampled_from(ROUTES),
)
def test_no_illegal_transition_is_ever_taken(attempts, route):
    """Random attempts by random roles: every accepted step starts from a state its table
    allows, and the history (here the list of states) only ever grows."""
    state, extended, reopened, rated = "submitted", False, False, False
    history: list[str] = [state]
    for action, role, other, own in attempts:
        facts = Facts(state, route, extended, reopened, rated, other, own)
        if refusal(action, role=role, facts=facts) is not None:
            continue
        step = rules.STEPS[action]
        assert state in step.from_states
        assert state not in ("rejected", "merged")
        assert role in rules.PERMITS
        before = list(history)
        state = rules.next_state(action, state)
        extended |= action == "extend"
        reopened |= action == "reopen"
        rated |= action == "rate"
        history.append(state)
        assert history[: len(before)] == before
    assert all(s in rules.STATES for s in history)


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 10, 31)))
def test_conclusion_never_beyond_sixty_days(accepted):
    renewals = accepted + timedelta(days=20)
    due = conclusion_due(accepted, renewals_from=renewals, is_workday=CALENDAR.is_workday)
    assert accepted <= due < renewals
    assert CALENDAR.is_workday(due) or due == accepted
    far = conclusion_due(accepted, renewals_from=None, is_workday=CALENDAR.is_workday)
    assert far == accepted + timedelta(days=rules.CONCLUDE_OUTER_DAYS)


def test_conclusion_before_the_renewals():
    # 公示 of 2026 closes on Mon 21 Dec; renewals start the next working day, Tue 22 Dec.
    due = conclusion_due(
        date(2026, 12, 16), renewals_from=date(2026, 12, 22), is_workday=CALENDAR.is_workday
    )
    assert due == date(2026, 12, 21)
    # Renewals after a weekend: the Friday before.
    due = conclusion_due(
        date(2026, 12, 16), renewals_from=date(2026, 12, 28), is_workday=CALENDAR.is_workday
    )
    assert due == date(2026, 12, 25)
    late = conclusion_due(
        date(2026, 12, 23), renewals_from=date(2026, 12, 22), is_workday=CALENDAR.is_workday
    )
    assert late == date(2026, 12, 23) + timedelta(days=60)


def test_the_extension_is_capped_by_the_law():
    accepted = date(2026, 1, 5)
    assert extended_due(date(2026, 2, 1), accepted_on=accepted) == date(2026, 3, 3)
    cap = accepted + timedelta(days=90)
    assert extended_due(accepted + timedelta(days=80), accepted_on=accepted) == cap


def test_warn_one_working_day_before_then_overdue():
    due = date(2026, 12, 21)  # a Monday
    between = CALENDAR.workdays_between
    assert alarm(due=due, today=date(2026, 12, 17), workdays_between=between) is None
    assert alarm(due=due, today=date(2026, 12, 18), workdays_between=between) == "warn"
    assert alarm(due=due, today=date(2026, 12, 19), workdays_between=between) == "warn"
    assert alarm(due=due, today=due, workdays_between=between) == "warn"
    assert alarm(due=due, today=date(2026, 12, 22), workdays_between=between) == "overdue"


def test_running_clock():
    assert rules.running_clock("submitted") == "accept"
    assert rules.running_clock("investigating") == "conclude"
    assert rules.running_clock("concluded") is None
    assert rules.running_clock("closed") is None
