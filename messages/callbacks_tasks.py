"""The units' tasks buttons: the bureau's view of every unit (``bt``) and a unit contact's own
list (``ut``). Packed strings are those the bot has always sent, so a button already in a chat
keeps working."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class UnitsPage(CallbackData, prefix="bt"):
    """A page of the units and their progress (``bt:units:<page>``)."""

    action: Literal["units"]
    page: int


class UnitTasks(CallbackData, prefix="bt"):
    """One unit's tasks in a cycle (``bt:unit:<unit id>:<cycle id>``)."""

    action: Literal["unit"]
    unit_id: int
    cycle_id: int


class TaskFile(CallbackData, prefix="bt"):
    """The file a unit handed in for a task (``bt:file:<task id>``)."""

    action: Literal["file"]
    task_id: int


class RemindTask(CallbackData, prefix="bt"):
    """Remind a unit of one task (``bt:remind:<task id>``)."""

    action: Literal["remind"]
    task_id: int


class RemindUnit(CallbackData, prefix="bt"):
    """Remind a unit of all its open tasks (``bt:remindu:<unit id>:<cycle id>``)."""

    action: Literal["remindu"]
    unit_id: int
    cycle_id: int


class MyTasks(CallbackData, prefix="ut"):
    """A unit contact's list of their unit's tasks (``ut:list``)."""

    action: Literal["list"]


class MyTask(CallbackData, prefix="ut"):
    """One of the unit's tasks: open it, report it done, or not applicable
    (``ut:task:<id>``, ``ut:done:<id>``, ``ut:na:<id>``)."""

    action: Literal["task", "done", "na"]
    task_id: int


BureauTaskButton = UnitsPage | UnitTasks | TaskFile | RemindTask | RemindUnit


def parse_bureau_task_button(data: str | None) -> BureauTaskButton | None:
    """The bureau's task button, or None for anything forged or stale; ids and pages are never
    negative."""
    for kind in (UnitsPage, UnitTasks, TaskFile, RemindTask, RemindUnit):
        found = kind.parse(data)
        if found is not None:
            return found if _not_negative(found) else None
    return None


def parse_unit_task_button(data: str | None) -> MyTasks | MyTask | None:
    """The unit contact's task button, or None for anything forged or stale."""
    listing = MyTasks.parse(data)
    if listing is not None:
        return listing
    task = MyTask.parse(data)
    return task if task is not None and task.task_id >= 0 else None


def _not_negative(button: BureauTaskButton) -> bool:
    numbers = [value for value in vars(button).values() if isinstance(value, int)]
    return all(number >= 0 for number in numbers)
