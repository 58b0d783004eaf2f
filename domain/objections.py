"""A worker's objection (申辩) to her own result, as a procedure of its own (SPEC.md §2): not a
complaint against herself.

The worker objects to her grade (考核等次) or to the renewal decision (是否续签) with reasons;
the bureau's desk accepts it (受理) or does not (不予受理, with a reason); on acceptance the unit
is asked for its statement (单位说明); the desk then decides, with reasons: 维持原等次 (the
result stands), 更正等次 (to which grade) or 更正续签决定. A correction changes the result, and
the published line while the 公示 runs.

The states are the case's own (domain.cases.STATES), so the queues and clocks read them the
same way: submitted → accepted (the unit asked) → investigating (its statement in) → closed
(decided); or rejected. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from domain.grades import Grade, check_consistency
from messages import N_

KIND = "objection"
NAME = N_("Objection (申辩)")  # how an objection is listed among cases
# Stored under the hotline's 考核不公 category, so every view that lists cases by category can
# name it; the complaint's kind is what makes it an objection.
CATEGORY = "unfair"

# Who holds an objection, as the worker is told: the bureau, not its complaints desk.
OFFICE = N_("County employment bureau (县就业局)")

Subject = Literal["grade", "renewal"]
SUBJECTS: dict[str, str] = {
    "grade": N_("my grade (考核等次)"),
    "renewal": N_("the renewal decision (续签决定)"),
}

Decision = Literal["maintain", "regrade", "renewal"]
DECISIONS: dict[str, str] = {
    "maintain": N_("维持原等次 (the result stands)"),
    "regrade": N_("更正等次 (the grade is corrected)"),
    "renewal": N_("更正续签决定 (the renewal decision is corrected)"),
}

ObjectionAction = Literal["accept", "reject", "statement", "decide", "note"]

# How the steps read in the objection's history, to the desk and to the worker.
STEP_NAMES = {
    "submitted": N_("objection received"),
    "accept": N_("accepted (受理): the unit is asked for its statement"),
    "reject": N_("not accepted (不予受理)"),
    "statement": N_("the unit gave its statement"),
    "decide": N_("decided"),
    "note": N_("note"),
}
STATE_NAMES = {
    "submitted": N_("received, waiting to be accepted"),
    "accepted": N_("accepted; waiting for the unit's statement"),
    "investigating": N_("the unit's statement is in; waiting for the bureau's decision"),
    "rejected": N_("not accepted"),
    "closed": N_("decided"),
}
# Which steps the worker sees in her history.
PUBLIC_STEPS = frozenset({"submitted", "accept", "reject", "statement", "decide"})


@dataclass(frozen=True)
class Step:
    action: ObjectionAction
    from_states: frozenset[str]
    to_state: str | None
    roles: frozenset[str]


STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step("accept", frozenset({"submitted"}), "accepted", frozenset({"bureau"})),
        Step("reject", frozenset({"submitted"}), "rejected", frozenset({"bureau"})),
        # The unit of the worker states its side, once.
        Step("statement", frozenset({"accepted"}), "investigating", frozenset({"unit"})),
        # The desk may decide without the statement: a unit that does not answer by the
        # conclusion clock does not hold the worker's objection up for ever.
        Step("decide", frozenset({"accepted", "investigating"}), "closed", frozenset({"bureau"})),
        Step(
            "note",
            frozenset({"submitted", "accepted", "investigating"}),
            None,
            frozenset({"bureau"}),
        ),
    )
}

Refusal = Literal["role", "scope", "state", "input"]
REASONS_MAX = 1000  # characters of the bureau's reasons, of a statement, of a refusal


def refusal(action: str, *, role: str, state: str, own_unit: bool = False) -> Refusal | None:
    """Why ``role`` may not take ``action`` on an objection in ``state``; None when it may."""
    step = STEPS.get(action)
    if step is None or role not in step.roles:
        return "role"
    if role == "unit" and not own_unit:
        return "scope"
    if state not in step.from_states:
        return "state"
    return None


def available(*, role: str, state: str, own_unit: bool = False) -> list[str]:
    """The steps ``role`` may take now, in the table's order (the card's buttons)."""
    return [a for a in STEPS if refusal(a, role=role, state=state, own_unit=own_unit) is None]


def next_state(action: str, state: str) -> str:
    return STEPS[action].to_state or state


@dataclass(frozen=True)
class Outcome:
    """The result after a decision: the grade and the renewal decision."""

    grade: str
    renew: bool

    @property
    def changed_from(self) -> tuple[str, bool]:
        return self.grade, self.renew


def decided(
    decision: str, *, grade: str, renew: bool, to_grade: str | None = None
) -> Outcome | None:
    """The result a decision leaves, or None when the decision cannot stand.

    维持原等次 keeps both. 更正等次 takes another grade of the plan's three; to 不合格 it
    also ends the renewal, which the plan forbids for a fail (六(一)). 更正续签决定 turns the
    decision round, unless the grade forbids renewing."""
    if decision == "maintain":
        return Outcome(grade, renew)
    if decision == "regrade":
        if to_grade is None or to_grade == grade or to_grade not in {g.value for g in Grade}:
            return None
        return Outcome(to_grade, renew and check_consistency(Grade(to_grade), renew) is None)
    if decision == "renewal":
        if grade not in {g.value for g in Grade}:
            return None
        if check_consistency(Grade(grade), not renew) is not None:
            return None
        return Outcome(grade, not renew)
    return None


def grades_offered(current: str) -> list[str]:
    """The grades a 更正等次 may pick: the plan's three, but the current one."""
    return [g.value for g in Grade if g.value != current]
