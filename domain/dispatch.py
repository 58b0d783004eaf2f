"""派单 and 退单: when a case's clocks start, and how long it spent bouncing between offices.

A case runs from the moment it is routed to an office (派单), not from when someone there opens
or accepts it: at filing, and again whenever the bureau decides a returned case (审定: the office
keeps it, or another office gets it). The acceptance clock starts at that moment; the
conclusion clock (domain.cases.conclusion_due) starts on its day, whenever the office accepts.

An office that finds a case outside its remit returns it with a reason (退单, domain.cases
STEPS ``return``); from then until the bureau's decision the case is bouncing. That time is
shown on the case card and counted in the figures, never hidden by the new clock the decision
starts. Pure: the moves are read from the case's history by storage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

# The steps that route a case to an office: filing, and the bureau's two decisions.
DISPATCHES = frozenset({"submitted", "keep", "redispatch"})
RETURN = "return"


@dataclass(frozen=True)
class Move:
    """One step of a case's history, as far as routing goes."""

    action: str
    at: datetime


@dataclass(frozen=True)
class Bouncing:
    """How often a case was returned, and the time from each return to the bureau's decision
    (to ``now`` while one is still waiting)."""

    returns: int
    time: timedelta
    waiting: bool


def dispatched_at(moves: Iterable[Move]) -> datetime | None:
    """The moment the case was last routed to an office: its clocks run from there."""
    found = [move.at for move in moves if move.action in DISPATCHES]
    return max(found) if found else None


def bouncing(moves: Iterable[Move], *, now: datetime) -> Bouncing:
    """The returns of a case and the time they cost, from its moves in any order."""
    returns = 0
    time = timedelta()
    since: datetime | None = None
    for move in sorted(moves, key=lambda m: m.at):
        if move.action == RETURN and since is None:
            returns += 1
            since = move.at
        elif move.action in DISPATCHES and since is not None:
            time += move.at - since
            since = None
    if since is not None:
        time += max(now - since, timedelta())
    return Bouncing(returns=returns, time=time, waiting=since is not None)


def redispatch_choices(current_route: str, routes: Iterable[tuple[str, str]]) -> list[str]:
    """The category keys a returned case may be routed on with: those whose route is another
    office than the one that returned it (``routes``: each category's key and route)."""
    return [key for key, route in routes if route != current_route]
