"""派单 and 退单 as rules: when a case was last routed, and how long it bounced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain import cases as rules
from domain.dispatch import Move, bouncing, dispatched_at, redispatch_choices


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=UTC)


def test_a_case_runs_from_its_last_dispatch_not_from_acceptance():
    moves = [Move("submitted", at(16)), Move("accept", at(18))]
    assert dispatched_at(moves) == at(16)
    bounced = [Move("submitted", at(16)), Move("return", at(17)), Move("redispatch", at(21))]
    assert dispatched_at(bounced) == at(21)
    assert dispatched_at([]) is None


def test_bouncing_adds_each_return_to_its_decision_and_counts_a_waiting_one_to_now():
    moves = [
        Move("submitted", at(14)),
        Move("return", at(15, 9)),
        Move("keep", at(15, 15)),  # 6 hours
        Move("return", at(16, 10)),
        Move("redispatch", at(18, 10)),  # 2 days
    ]
    done = bouncing(moves, now=at(30))
    assert (done.returns, done.time, done.waiting) == (2, timedelta(days=2, hours=6), False)
    waiting = bouncing([*moves, Move("return", at(20, 10))], now=at(21, 12))
    assert waiting.returns == 3 and waiting.waiting
    assert waiting.time == timedelta(days=3, hours=8)
    assert bouncing([Move("submitted", at(14))], now=at(30)).returns == 0


def test_the_office_returns_before_accepting_and_only_the_bureau_decides():
    unit_case = rules.Facts(state="submitted", route="unit", own_unit=True)
    assert "return" in rules.available(role="unit", facts=unit_case)
    accepted = rules.Facts(state="accepted", route="unit", own_unit=True)
    assert rules.refusal("return", role="unit", facts=accepted) == "state"
    assert rules.refusal("return", role="bureau", facts=rules.Facts("submitted", "bureau"))
    serious = rules.Facts(state="submitted", route="investigators")
    assert rules.refusal("return", role="investigator", facts=serious) is None
    returned = rules.Facts(state="returned", route="unit", own_unit=True)
    assert rules.available(role="bureau", facts=returned) == ["note", "reply", "keep", "redispatch"]
    assert rules.available(role="unit", facts=returned) == ["note"]
    assert rules.refusal("accept", role="unit", facts=returned) == "role"
    # Waiting for the bureau still runs the acceptance clock.
    assert rules.running_clock("returned") == "accept"


def test_a_returned_case_goes_on_only_to_another_office():
    routes = [("absent", "investigators"), ("unfair", "bureau"), ("conduct", "unit")]
    assert redispatch_choices("unit", routes) == ["absent", "unfair"]
    assert redispatch_choices("investigators", routes) == ["unfair", "conduct"]
