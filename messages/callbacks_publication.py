"""The 公示's buttons: reading the lists (``gs``) and the administrator's steps (``gsa``).

Each prefix carries a few shapes told apart by their action word; ``parse`` of the module's
tuples tries each shape and refuses what fits none.
"""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class UnitsPage(CallbackData, prefix="gs"):
    action: Literal["units"]
    page: int


class UnitRows(CallbackData, prefix="gs"):
    action: Literal["u"]
    unit_id: int
    page: int


class FindName(CallbackData, prefix="gs"):
    action: Literal["find"]


class ComplainAbout(CallbackData, prefix="gs"):
    action: Literal["c"]
    result_id: int


class AdminHome(CallbackData, prefix="gsa"):
    action: Literal["home"]


class AdminStep(CallbackData, prefix="gsa"):
    action: Literal["open", "close", "closeok", "pdf"]
    year: int


class ConfirmOpen(CallbackData, prefix="gsa"):
    """``opens`` is the first day shown (YYYYMMDD): a confirmation of another day is asked again."""

    action: Literal["openok"]
    year: int
    opens: str


class UnitNotice(CallbackData, prefix="gsa"):
    action: Literal["pdf"]
    year: int
    unit_id: int


BROWSE = (UnitsPage, UnitRows, FindName, ComplainAbout)
ADMIN = (AdminHome, AdminStep, ConfirmOpen, UnitNotice)

FIRST_UNITS = UnitsPage(action="units", page=0).pack()
FIND = FindName(action="find").pack()
HOME = AdminHome(action="home").pack()


def parse_browse(data: str | None) -> UnitsPage | UnitRows | FindName | ComplainAbout | None:
    for shape in BROWSE:
        found = shape.parse(data)
        if found is not None:
            return found
    return None


def parse_admin(data: str | None) -> AdminHome | AdminStep | ConfirmOpen | UnitNotice | None:
    for shape in ADMIN:
        found = shape.parse(data)
        if found is not None:
            return found
    return None
