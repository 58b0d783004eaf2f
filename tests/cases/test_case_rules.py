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
        ("extend", "investigator", Facts("investigating", "investigators", extended=True), "once"),
        ("extend", "bureau", Facts("investigating", "investigators"), "role"),
        ("reopen", "system", Facts("closed", "bureau", reopened=True), "once"),
        ("rate", "complainant", Facts("closed", "bureau", rated=True), "once"),
        ("close", "bureau", Facts("review", "investigators"), "role"),
        ("close", "investigator", Facts("review", "bureau"), "role"),
        ("close", "unit", Facts("review", "unit", own_unit=True), "role"),
        ("reject", "citizen", Facts("submitted", "bureau"), "role"),
        ("fly", "bureau", Facts("submitted", "bureau"), "role"),
        ("reclassify", "bureau", Facts("accepted", "investigators"), "role"),
        ("reclassify", "investigator", Facts("accepted", "bureau"), "role"),
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
    # A new case the unit may also return as outside its remit (退单).
    assert available(role="unit", facts=fresh) == ["accept", "note", "return"]
    assert "reject" in available(role="bureau", facts=fresh)
    assert available(role="investigator", facts=fresh) == []
    review = {"note", "reply", "reclassify", "record_finding", "close"}
    # A reopened case is reviewed by the office that decides it: the 人社局 for a serious one.
    serious = Facts("review", "investigators")
    assert set(available(role="investigator", facts=serious)) == review
    assert set(available(role="bureau", facts=serious)) == {"note", "reply"}
    for route in ("bureau", "unit"):
        assert set(available(role="bureau", facts=Facts("review", route))) == review
        assert available(role="investigator", facts=Facts("review", route)) == []
        assert available(role="unit", facts=Facts("review", route, own_unit=True)) == []
    # An investigator is assigned to a serious case only, by the 人社局 itself.
    assert "assign" in available(role="investigator", facts=Facts("accepted", "investigators"))
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
        "return",
    }


def test_the_desk_reclassifies_the_cases_it_decides_and_replies_on_every_open_case():
    for route in ROUTES:
        for state in sorted(rules.OPEN_STATES):
            facts = Facts(state, route)
            assert refusal("reply", role="bureau", facts=facts) is None
            if state == "returned":  # the bureau's 审定 routes it on (domain.dispatch)
                continue
            reclassifies = refusal("reclassify", role="bureau", facts=facts)
            assert reclassifies == ("role" if route == "investigators" else None)
            by_hr = refusal("reclassify", role="investigator", facts=facts)
            assert by_hr == (None if route == "investigators" else "role")
    # The investigator replies on the serious cases that are theirs or nobody's.
    assert refusal("reply", role="investigator", facts=Facts("submitted", "investigators")) is None


@pytest.mark.parametrize("state", sorted(rules.OPEN_STATES))
def test_only_the_hr_bureau_decides_a_serious_case(state):
    """The desk may write a note back to the 人社局 (and reply to the complainant) on a
    serious case, nothing else, in any state; the 人社局 may take every deciding step."""
    facts = Facts(state, "investigators")
    # Once the 人社局 has returned it as outside its remit (退单), the bureau decides where it
    # goes (审定): back to the 人社局, or on to another office.
    waiting = {"keep", "redispatch"} if state == "returned" else set()
    assert set(available(role="bureau", facts=facts)) <= {"note", "reply"} | waiting
    assert refusal("note", role="bureau", facts=facts) is None
    for step in ("accept", "reject", "assign", "record_finding", "reclassify", "close", "merge"):
        assert refusal(step, role="bureau", facts=facts) == "role"
    # A reopened case keeps its investigator: nothing to assign then.
    deciding = ("accept", "reject", "assign", "record_finding", "reclassify", "close")
    decided = {
        action
        for action in deciding
        if state in rules.STEPS[action].from_states
        and (state, action) != ("review", "assign")
        # A returned case waits for the bureau's decision (审定).
        and state != "returned"
    }
    assert decided <= set(available(role="investigator", facts=facts))


def test_the_reviewer_of_each_route_may_record_the_new_finding():
    for route, reviewer in rules.REVIEWER.items():
        facts = Facts("review", route, own_unit=True)
        assert refusal("record_finding", role=reviewer, facts=facts) is None
        others = {"bureau", "investigator", "unit"} - {reviewer}
        assert all(refusal("record_finding", role=r, facts=facts) == "role" for r in others)
    assert rules.REVIEWER["investigators"] == "investigator"


def test_a_case_made_serious_by_the_count_never_goes_to_the_unit():
    assert rules.reclassify_refusal("absent", "conduct", escalated=True) == "escalated"
    assert rules.reclassify_refusal("absent", "conduct", escalated=False) is None
    assert rules.reclassify_refusal("absent", "unfair", escalated=True) is None
    assert rules.reclassify_refusal("absent", "absent", escalated=True) == "input"
    offered = rules.reclassify_choices("absent", escalated=True)
    assert [c.key for c in offered] == ["impostor", "fraud", "unfair", "other"]
    assert "conduct" in [c.key for c in rules.reclassify_choices("absent", escalated=False)]


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
        # Nothing moves a rejected or merged case, but a merged case's own complainant rates
        # the case it joined (through their own, merged one).
        assert state != "rejected" and (state != "merged" or action == "rate")
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
