"""The vouchers' buttons: the unit's (``uv``: the months, one month to upload) and the
inspector's (``iv``: the months of a unit, paper received, 账目查看 ticked)."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class UnitVoucher(CallbackData, prefix="uv"):
    action: Literal["list", "m"]
    month: int = 0


class InsVoucher(CallbackData, prefix="iv"):
    action: Literal["list", "paper", "check"]
    unit_id: int
    month: int = 0
