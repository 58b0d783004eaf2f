"""The case state machine and its clocks, as data (SPEC.md §3).

A case is submitted, then accepted (受理) or rejected with a reason; an investigator is assigned;
a finding (属实 / 部分属实 / 不属实) and the handling opinion are recorded; it is closed (办结),
and the complainant rates it. It may be merged into another case (并单) or extended once with a
reason; a rating of 1 or 2 reopens it for review, once, by the office that decides it. While
it is open the desk (the 人社局 for a serious case) may reclassify it (another category:
another severity and route), and the desk or the investigator may reply to the complainant.

Who may take which step follows the case's route: the office that holds it, plus the bureau's
desk, which oversees every case. Pure: no I/O, no framework; storage applies the decisions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

from domain.complaints import BY_KEY, CATEGORIES, Category
from messages import N_

State = Literal[
    "submitted",
    "accepted",
    "rejected",
    "investigating",
    "concluded",
    "closed",
    "review",
    "merged",
    "returned",
]
STATES: tuple[State, ...] = get_args(State)
FINAL_STATES: frozenset[str] = frozenset({"rejected", "closed", "merged"})
OPEN_STATES: frozenset[str] = frozenset(STATES) - FINAL_STATES

# How states and steps read, to officials and in the 处理意见书 (English msgids).
STATE_NAMES = {
    "submitted": N_("submitted, waiting to be accepted"),
    "accepted": N_("accepted"),
    "rejected": N_("not accepted"),
    "investigating": N_("under investigation"),
    "concluded": N_("findings recorded"),
    "closed": N_("closed"),
    "review": N_("reopened, to be reviewed again"),
    "merged": N_("merged into another case"),
    "returned": N_("returned by the office (退单), waiting for the bureau's decision (审定)"),
}
STEP_NAMES = {
    "submitted": N_("complaint received"),
    "escalated": N_("made serious by several complainants"),
    "accept": N_("accepted"),
    "reject": N_("not accepted"),
    "assign": N_("investigator assigned"),
    "note": N_("note"),
    "reply": N_("replied to the complainant"),
    "reclassify": N_("reclassified"),
    "record_finding": N_("findings recorded"),
    "extend": N_("deadline extended"),
    "close": N_("closed"),
    "merge": N_("merged into another case"),
    "merged_in": N_("another case merged into this one"),
    "rate": N_("rated by the complainant"),
    "rating_comment": N_("the complainant commented"),
    "reopen": N_("reopened for review"),
    "supervise": N_("overdue: escalated to the bureau (督办)"),
    "return": N_("returned as outside the office's remit (退单)"),
    "keep": N_("kept with the office by the bureau (审定)"),
    "redispatch": N_("routed to another office by the bureau (审定)"),
    "appeal": N_("the complainant asked for 复查 / 复核"),
    "appeal_answered": N_("the 复查 / 复核 was answered"),
}
FINDINGS = ("属实", "部分属实", "不属实")
# What a finding does outside the case is what its handling opinion states
# (domain.consequences), never the finding itself.

Action = Literal[
    "accept",
    "reject",
    "assign",
    "note",
    "reply",
    "reclassify",
    "record_finding",
    "extend",
    "close",
    "merge",
    "rate",
    "reopen",
    "return",
    "keep",
    "redispatch",
]


@dataclass(frozen=True)
class Step:
    """One kind of step: from which states, to which (None: the state stays), whether the
    complainant sees it in the history (``public``) and is told of it (``tell``), and what
    the official must type (``needs``: a reason, a note, an opinion, another case's number)."""

    action: Action
    from_states: frozenset[str]
    to_state: State | None
    public: bool = False
    tell: bool = False
    needs: str | None = None


def _states(*names: State) -> frozenset[str]:
    return frozenset(names)


WORKING = _states("accepted", "investigating", "review")
STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step("accept", _states("submitted"), "accepted", public=True, tell=True),
        Step("reject", _states("submitted"), "rejected", public=True, tell=True, needs="reason"),
        Step("assign", WORKING, "investigating", public=True),
        Step("note", frozenset(OPEN_STATES), None, needs="note"),
        Step("reply", frozenset(OPEN_STATES), None, public=True, tell=True, needs="reply"),
        # The category is picked from the table, not typed.
        Step("reclassify", frozenset(OPEN_STATES), None),
        Step("record_finding", WORKING, "concluded", public=True, needs="opinion"),
        Step("extend", _states("accepted", "investigating"), None, public=True, needs="reason"),
        Step("close", _states("concluded", "review"), "closed", public=True, tell=True),
        Step("merge", _states("submitted", "accepted", "investigating"), "merged", needs="case"),
        # A merged complaint's complainant rates the case it joined (services.cases.rate).
        Step("rate", _states("closed", "merged"), None),
        Step("reopen", _states("closed"), "review", public=True),
        # 派单 and 退单 (domain.dispatch): an office returns what is outside its remit, before
        # accepting it, with a reason; the bureau decides (审定): the office keeps it, or it
        # goes to another office. Either way it is dispatched again, with a new acceptance clock.
        Step("return", _states("submitted"), "returned", needs="reason"),
        Step("keep", _states("returned"), "submitted"),
        Step("redispatch", _states("returned"), "submitted"),
    )
}

# Who may take which step, by role and by the case's route. The bureau's desk oversees every
# case; a unit handles the minor ones of its own; the 人社局 decides the serious ones (五(五):
# it investigates them and gives the handling opinion), so on those the desk may only write a
# note back to the 人社局 and reply to the complainant: it neither accepts nor rejects them,
# assigns no investigator, records no finding, reclassifies, extends, closes or merges nothing.
_DESK = frozenset({"accept", "reject", "note", "reply", "reclassify", "extend", "close", "merge"})
_DESK_ON_SERIOUS = frozenset({"note", "reply"})
PERMITS: dict[str, dict[str, frozenset[str]]] = {
    # The others the desk concludes itself: only a serious case has an investigator to assign.
    "bureau": {
        "investigators": _DESK_ON_SERIOUS,
        "bureau": _DESK | {"record_finding"},
        "unit": _DESK | {"record_finding"},
    },
    # The 人社局 assigns its own investigators and is the one to reclassify a serious case.
    "investigator": {
        "investigators": frozenset(
            {
                "accept",
                "reject",
                "assign",
                "note",
                "reply",
                "reclassify",
                "record_finding",
                "extend",
                "close",
                "merge",
                "return",
            }
        ),
    },
    # A unit never replies: the complainant must stay out of its reach.
    "unit": {"unit": frozenset({"accept", "note", "record_finding", "close", "return"})},
    "complainant": {route: frozenset({"rate"}) for route in ("investigators", "bureau", "unit")},
    "system": {route: frozenset({"reopen"}) for route in ("investigators", "bureau", "unit")},
}
OFFICIAL_ROLES = ("bureau", "investigator", "unit")
# A reopened case is reviewed, with its own finding, by the office that decides its route: a
# serious case goes back to the 人社局, the others to the bureau's desk (a unit does not review
# its own handling). Who reviews is also who is alerted of the reopening.
_REVIEW = frozenset({"note", "reply", "reclassify", "record_finding", "close"})
REVIEWER: dict[str, str] = {"investigators": "investigator", "bureau": "bureau", "unit": "bureau"}
REVIEW_PERMITS: dict[str, dict[str, frozenset[str]]] = {
    route: {reviewer: _REVIEW} | ({"bureau": _DESK_ON_SERIOUS} if reviewer != "bureau" else {})
    for route, reviewer in REVIEWER.items()
}
# A returned case waits for the bureau's decision, whatever its route; the office that returned
# it may still write a note.
RETURNED_PERMITS: dict[str, frozenset[str]] = {
    "bureau": frozenset({"keep", "redispatch", "note", "reply"}),
    "investigator": frozenset({"note"}),
    "unit": frozenset({"note"}),
}
# A case several complainants made serious (群众反响较大) is never reclassified into these
# routes, whoever asks: the unit complained about does not handle what the public raised.
ESCALATED_NEVER_TO: frozenset[str] = frozenset({"unit"})

Refusal = Literal["role", "state", "scope", "once", "input", "escalated"]


@dataclass(frozen=True)
class Facts:
    """What the rules need to know of a case and of the one acting on it."""

    state: str
    route: str
    extended: bool = False
    reopened: bool = False
    rated: bool = False
    # The actor's relation to the case: an investigator's own or unassigned case, a unit's own.
    assigned_to_other: bool = False
    own_unit: bool = False


def refusal(action: str, *, role: str, facts: Facts) -> Refusal | None:
    """Why ``role`` may not take ``action`` on the case now, or None when it may."""
    step = STEPS.get(action)
    if step is None or action not in _permitted(role, facts):
        return "role"
    # Another investigator's case is out of sight, its card and so its notes too: a note
    # written there would be read by nobody who wrote it.
    if role == "investigator" and facts.assigned_to_other:
        return "scope"
    if role == "unit" and not facts.own_unit:
        return "scope"
    if facts.state not in step.from_states:
        return "state"
    if (action == "extend" and facts.extended) or (action == "reopen" and facts.reopened):
        return "once"
    if action == "rate" and facts.rated:
        return "once"
    return None


def _permitted(role: str, facts: Facts) -> frozenset[str]:
    if facts.state == "returned":
        return RETURNED_PERMITS.get(role, frozenset())
    if facts.state == "review":
        return REVIEW_PERMITS.get(facts.route, {}).get(role, frozenset())
    return PERMITS.get(role, {}).get(facts.route, frozenset())


def available(*, role: str, facts: Facts) -> list[str]:
    """The steps ``role`` may take now, in the order of the table (the card's buttons)."""
    return [
        action
        for action in STEPS
        if action not in ("rate", "reopen") and refusal(action, role=role, facts=facts) is None
    ]


def next_state(action: str, state: str) -> str:
    step = STEPS[action]
    return step.to_state or state


REPLY_MAX = 1000  # characters of a reply to the complainant


def reclassification(current: str, chosen: str) -> Category | None:
    """The category chosen for a case now of category ``current``, or None when it is not one
    of the table's or no change at all. The case takes the category's own severity and route:
    the choice is the triage, a verdict where the table gave a default."""
    category = BY_KEY.get(chosen)
    if category is None or category.key == current:
        return None
    return category


def reclassify_refusal(current: str, chosen: str, *, escalated: bool) -> Refusal | None:
    """Why a case of category ``current`` may not become ``chosen``; ``escalated``: several
    complainants made it serious, at filing or later (its history says so)."""
    category = reclassification(current, chosen)
    if category is None:
        return "input"
    if escalated and category.route in ESCALATED_NEVER_TO:
        return "escalated"
    return None


def reclassify_choices(current: str, *, escalated: bool) -> list[Category]:
    """The categories offered for a case now of category ``current``, in the table's order."""
    return [
        category
        for category in CATEGORIES
        if reclassify_refusal(current, category.key, escalated=escalated) is None
    ]


def reopens(rating: int) -> bool:
    """A rating of 1 or 2 asks for the bureau's review."""
    return rating <= 2


def check_rating(rating: int) -> bool:
    return 1 <= rating <= 5


# --- clocks ---------------------------------------------------------------------------------

CONCLUDE_OUTER_DAYS = 60  # ... for concluding an accepted case
EXTENSION_DAYS = 30  # ... and the one extension, with a reason


def conclusion_due(
    accepted_on: date, *, renewals_from: date | None, is_workday: Callable[[date], bool]
) -> date:
    """The conclusion clock: the last working day before the cycle's renewal decisions, when
    that is still ahead; never beyond the law's 60 days."""
    outer = accepted_on + timedelta(days=CONCLUDE_OUTER_DAYS)
    if renewals_from is None:
        return outer
    last_before = renewals_from - timedelta(days=1)
    while last_before >= accepted_on and not is_workday(last_before):
        last_before -= timedelta(days=1)
    if last_before < accepted_on:
        return outer
    return min(last_before, outer)


def extended_due(current: date, *, accepted_on: date) -> date:
    """The one extension: 30 more days, never beyond 60 + 30 days after acceptance."""
    outer = accepted_on + timedelta(days=CONCLUDE_OUTER_DAYS + EXTENSION_DAYS)
    return min(current + timedelta(days=EXTENSION_DAYS), outer)


DeadlineKind = Literal["accept", "conclude"]
Alarm = Literal["warn", "overdue"]


# Which deadline a case in each state works against. A concluded case (findings recorded) has
# met its conclusion clock: only the closing remains, so nothing runs and it is never overdue.
CLOCK_STATES: dict[DeadlineKind, frozenset[str]] = {
    # A returned case keeps its acceptance clock: the bureau's decision is part of that time.
    "accept": _states("submitted", "returned"),
    "conclude": _states("accepted", "investigating", "review"),
}
RUNNING_STATES: frozenset[str] = CLOCK_STATES["accept"] | CLOCK_STATES["conclude"]


def running_clock(state: str) -> DeadlineKind | None:
    """Which deadline a case in ``state`` is working against."""
    for kind, states in CLOCK_STATES.items():
        if state in states:
            return kind
    return None


def running_due(*, state: str, accept_due: date | None, conclude_due: date | None) -> date | None:
    """The due day of the clock a case in ``state`` runs against, if any."""
    clock = running_clock(state)
    if clock == "accept":
        return accept_due
    return conclude_due if clock == "conclude" else None


def is_overdue(
    *, state: str, accept_due: date | None, conclude_due: date | None, today: date
) -> bool:
    """Past the due day of its running clock: the one meaning of "overdue", for the desk's
    queue and mark, the card and the export (按期办结率 counts these as late)."""
    due = running_due(state=state, accept_due=accept_due, conclude_due=conclude_due)
    return due is not None and today > due


def alarm(*, due: date, today: date, workdays_between: Callable[[date, date], int]) -> Alarm | None:
    """Warn the owner from one working day before the due day; overdue after it."""
    if today > due:
        return "overdue"
    if workdays_between(today, due) <= 1:
        return "warn"
    return None
