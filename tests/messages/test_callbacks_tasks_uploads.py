"""The units' tasks buttons and the upload buttons pack to the strings the bot has always sent (a
button already in a chat keeps working), and forged data is refused."""

from __future__ import annotations

import pytest

from messages.callbacks_tasks import (
    MyTask,
    MyTasks,
    RemindTask,
    RemindUnit,
    TaskFile,
    UnitsPage,
    UnitTasks,
    parse_bureau_task_button,
    parse_unit_task_button,
)
from messages.callbacks_uploads import UploadResults, UploadRoster


@pytest.mark.parametrize(
    ("button", "packed"),
    [
        (UnitsPage(action="units", page=0), "bt:units:0"),
        (UnitsPage(action="units", page=3), "bt:units:3"),
        (UnitTasks(action="unit", unit_id=14, cycle_id=2), "bt:unit:14:2"),
        (TaskFile(action="file", task_id=305), "bt:file:305"),
        (RemindTask(action="remind", task_id=9), "bt:remind:9"),
        (RemindUnit(action="remindu", unit_id=14, cycle_id=2), "bt:remindu:14:2"),
    ],
)
def test_the_bureaus_task_buttons_pack_as_before_and_parse_back(button, packed):
    assert button.pack() == packed
    assert parse_bureau_task_button(packed) == button


@pytest.mark.parametrize(
    ("button", "packed"),
    [
        (MyTasks(action="list"), "ut:list"),
        (MyTask(action="task", task_id=8), "ut:task:8"),
        (MyTask(action="done", task_id=8), "ut:done:8"),
        (MyTask(action="na", task_id=8), "ut:na:8"),
    ],
)
def test_the_unit_contacts_task_buttons_pack_as_before_and_parse_back(button, packed):
    assert button.pack() == packed
    assert parse_unit_task_button(packed) == button


def test_the_upload_button_packs_as_before():
    assert UploadResults(action="results").pack() == "up:results"
    assert UploadResults.parse("up:results") == UploadResults(action="results")


def test_the_roster_button_has_a_prefix_of_its_own():
    """So that its route alone requires the administrator (a unit contact may press ``up``)."""
    assert UploadRoster(action="roster").pack() == "upr:roster"
    assert UploadRoster.parse("upr:roster") == UploadRoster(action="roster")
    for forged in ("upr", "upr:results", "upr:roster:1", "up:roster"):
        assert UploadRoster.parse(forged) is None


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "bt",
        "bt:units",
        "bt:units:-1",
        "bt:units:abc",
        "bt:units:²",
        "bt:units:0:5",
        "bt:unit:14",
        "bt:unit:14:-2",
        "bt:file:1e3",
        "bt:remindu:14",
        "bt:delete:3",
        "ut:task:8",
        "bt:units:" + "9" * 60,
    ],
)
def test_forged_bureau_task_data_is_refused(forged):
    assert parse_bureau_task_button(forged) is None


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "ut",
        "ut:list:1",
        "ut:task",
        "ut:task:-8",
        "ut:task:x",
        "ut:done:8:9",
        "ut:delete:8",
        "bt:file:8",
    ],
)
def test_forged_unit_task_data_is_refused(forged):
    assert parse_unit_task_button(forged) is None


@pytest.mark.parametrize("forged", ["up", "up:results:1", "up:roster", "ut:list"])
def test_forged_upload_data_is_refused(forged):
    assert UploadResults.parse(forged) is None
