"""The appeals' button data (prefix ``ap``): ``ap:req:12`` the complainant asks for the next
appeal of case 12; ``ap:ans:3`` the reviewing office answers appeal 3; ``ap:out:3:0`` picks
the outcome of appeal 3 (an index of domain.appeals.OUTCOMES)."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class AppealAction(CallbackData, prefix="ap"):
    action: Literal["req", "ans"]
    target: int


class AppealOutcome(CallbackData, prefix="ap"):
    action: Literal["out"]
    appeal: int
    choice: int
