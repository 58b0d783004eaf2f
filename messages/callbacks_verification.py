"""The staff verification's buttons (``vf``): the units, a unit's workers, and a mark."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class VerifyUnits(CallbackData, prefix="vf"):
    action: Literal["units"]
    page: int


class VerifyUnit(CallbackData, prefix="vf"):
    action: Literal["unit"]
    unit_id: int
    page: int


class VerifyMark(CallbackData, prefix="vf"):
    """``p`` present, ``a`` absent (asks first), ``ax`` absent confirmed, ``x`` excused (asks
    for the reason)."""

    action: Literal["p", "a", "ax", "x"]
    worker_id: int
    page: int


def parse_verification(data: str | None) -> VerifyUnits | VerifyUnit | VerifyMark | None:
    for shape in (VerifyUnits, VerifyUnit, VerifyMark):
        found = shape.parse(data)
        if found is not None:
            return found
    return None
