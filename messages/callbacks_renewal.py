"""The renewal paperwork's buttons: a unit contact's workers (``rn``) and the bureau's view of
every unit's completion (``rb``). Every id is checked again on the server."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class PaperList(CallbackData, prefix="rn"):
    """A page of the unit's workers and where their paperwork stands (``rn:list:<page>``)."""

    step: Literal["list"]
    page: int


class PaperWorker(CallbackData, prefix="rn"):
    """One worker's card (``rn:w:<worker id>``)."""

    step: Literal["w"]
    worker_id: int


class PaperAction(CallbackData, prefix="rn"):
    """Start signing, or write the reason (``rn:sign:<worker id>``, ``rn:reason:<id>``)."""

    step: Literal["sign", "reason"]
    worker_id: int


class PaperAnswer(CallbackData, prefix="rn"):
    """An answer while signing: the first day (``yyyymmdd``), the worker's consent and the
    post's conditions (1 yes, 0 no)."""

    step: Literal["start", "consent", "eligible"]
    worker_id: int
    value: int


class PaperTask(CallbackData, prefix="rn"):
    """One worker's task: confirm it done, or hand in a file (``rn:ok:<task id>``,
    ``rn:file:<task id>``)."""

    step: Literal["ok", "file"]
    task_id: int


class PaperUnits(CallbackData, prefix="rb"):
    """The bureau's page of units and their completion (``rb:units:<page>``)."""

    step: Literal["units"]
    page: int


class PaperUnit(CallbackData, prefix="rb"):
    """The bureau's view of one unit, worker by worker (``rb:unit:<unit id>:<page>``)."""

    step: Literal["unit"]
    unit_id: int
    page: int


class RecordsExport(CallbackData, prefix="rb"):
    """The workers' records over the years as a file: every unit (``rb:rec:0``) or one
    (``rb:rec:<unit id>``)."""

    step: Literal["rec"]
    unit_id: int


UnitPaperButton = PaperList | PaperWorker | PaperAction | PaperAnswer | PaperTask


def parse_unit_paper_button(data: str | None) -> UnitPaperButton | None:
    """The unit contact's button, or None for anything forged, stale or negative."""
    for kind in (PaperList, PaperWorker, PaperAction, PaperAnswer, PaperTask):
        found = kind.parse(data)
        if found is not None:
            values = [v for v in vars(found).values() if isinstance(v, int)]
            return found if all(v >= 0 for v in values) else None
    return None


def parse_bureau_paper_button(
    data: str | None,
) -> PaperUnits | PaperUnit | RecordsExport | None:
    for kind in (PaperUnits, PaperUnit, RecordsExport):
        found = kind.parse(data)
        if found is not None:
            values = [v for v in vars(found).values() if isinstance(v, int)]
            return found if all(v >= 0 for v in values) else None
    return None
