"""The inspector's buttons (``ins``): the group's units, a unit's checklist, an item and what
is done to it. The server checks the inspector's group against the unit on every press."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData

# An item, method or result is a key of domain.inspection's tables, checked by the handler.
Item = str
Method = str


class InsUnits(CallbackData, prefix="ins"):
    action: Literal["units"]


class InsUnit(CallbackData, prefix="ins"):
    """``unit`` shows its checklist, ``session`` asks for its verification session."""

    action: Literal["unit", "session"]
    unit_id: int


class InsItem(CallbackData, prefix="ins"):
    """``item`` shows it, ``note`` asks for a note or files, ``done`` stops asking."""

    action: Literal["item", "note", "done"]
    unit_id: int
    item: Item


class InsMethod(CallbackData, prefix="ins"):
    action: Literal["m"]
    unit_id: int
    item: Item
    method: Method


class InsResult(CallbackData, prefix="ins"):
    action: Literal["r"]
    unit_id: int
    item: Item
    result: str


InspectionButton = InsUnits | InsUnit | InsItem | InsMethod | InsResult


def parse_inspection(data: str | None) -> InspectionButton | None:
    for shape in (InsUnits, InsUnit, InsItem, InsMethod, InsResult):
        found = shape.parse(data)
        if found is not None:
            return found
    return None


class InsDecide(CallbackData, prefix="ind"):
    """The group leader's decision on finding ``finding_id``: ``ok`` confirms, ``no`` drops."""

    action: Literal["ok", "no"]
    finding_id: int


class InsFind(CallbackData, prefix="inf"):
    """A new finding about a unit: ``new`` asks the kind, ``kind`` picks it (then a worker or
    the description), ``w`` picks the worker (0: the unit itself), ``send`` submits it."""

    action: Literal["new", "kind", "w", "send"]
    unit_id: int
    kind: str = "other"
    worker_id: int = 0
    page: int = 0


class InsReport(CallbackData, prefix="inr"):
    """``pdf``: a unit's inspection record; ``xlsx``: the cycle's summary."""

    action: Literal["pdf", "xlsx"]
    unit_id: int = 0


class InsPlan(CallbackData, prefix="ipa"):
    """The administrator's plan: ``show`` it, ``make`` it, ``units`` a page of units with their
    groups, ``unit`` one unit's choice of group, ``move`` it to ``group``."""

    action: Literal["show", "make", "units", "unit", "move"]
    unit_id: int = 0
    group: int = 0
    page: int = 0


class UnitResults(CallbackData, prefix="uir"):
    """A unit contact's view of the published results of their unit's inspection."""

    action: Literal["results"]


class InsPublish(CallbackData, prefix="inp"):
    """An inspector publishes the unit's checklist results to the unit."""

    action: Literal["publish"]
    unit_id: int
