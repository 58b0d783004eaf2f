"""The data of the administrator's units menu: list (paged), add, rename, upload a sheet."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class UnitsAction(CallbackData, prefix="un"):
    action: Literal["add", "upload"]


class UnitsPage(CallbackData, prefix="un"):
    step: Literal["page"]
    page: int


class UnitRename(CallbackData, prefix="un"):
    step: Literal["rename"]
    unit_id: int
