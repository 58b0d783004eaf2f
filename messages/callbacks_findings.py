"""The buttons of a finding's consequences (prefix ``cq``): ``cq:12:no_renewal`` toggles one
of the plan's consequences for case 12's handling opinion, ``cq:12:ok`` confirms the choice.
The keys are ``domain.consequences``'s (a test holds the two lists together)."""

from __future__ import annotations

from typing import Final, Literal, get_args

from messages.callbacks import CallbackData

ConsequenceKey = Literal[
    "no_renewal", "stop_subsidy", "cut_quota", "admonish", "criticise", "other"
]
PickCode = Literal[
    "no_renewal", "stop_subsidy", "cut_quota", "admonish", "criticise", "other", "ok"
]
CONSEQUENCE_KEYS: tuple[str, ...] = get_args(ConsequenceKey)
CONFIRM: Final = "ok"


class ConsequencePick(CallbackData, prefix="cq"):
    """Toggle a consequence of case ``case_id``'s finding, or confirm them (``ok``)."""

    case_id: int
    pick: PickCode


def toggle(case_id: int, key: str) -> str:
    return ConsequencePick(case_id=case_id, pick=key).pack()  # type: ignore[arg-type]


def confirm(case_id: int) -> str:
    return ConsequencePick(case_id=case_id, pick=CONFIRM).pack()
