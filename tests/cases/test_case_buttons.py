"""The case desk's and the rating's button data: the strings buttons already in chats carry,
one table of step codes, and forged data refused."""

from __future__ import annotations

from typing import get_args

import pytest

from domain import cases as rules
from messages import callbacks_cases as buttons
from messages.callbacks_cases import (
    ActionCode,
    CaseAction,
    CaseChoice,
    CaseExport,
    CaseQueue,
    Rating,
    RatingSkip,
)


def test_the_packed_strings_are_the_ones_already_in_chats():
    assert buttons.queue("o") == "cs:q:o:0"
    assert buttons.queue("d", 3) == "cs:q:d:3"
    assert buttons.EXPORT == "cs:export"
    assert buttons.action("open", 12) == "cs:open:12"
    assert buttons.step("record_finding", 12) == "cs:find:12"
    assert CaseChoice(action="to", case_id=12, choice=8101).pack() == "cs:to:12:8101"
    assert Rating(case_id=12, rating=5).pack() == "rt:12:5"
    assert buttons.SKIP_RATING == "rt:skip"


def test_every_step_an_official_can_press_has_one_code_read_both_ways():
    pressable = {action for action in rules.STEPS if action not in ("rate", "reopen")}
    assert set(buttons.STEP_CODES) == pressable
    codes = list(buttons.STEP_CODES.values())
    assert len(set(codes)) == len(codes)
    assert set(codes) <= set(get_args(ActionCode))
    for step in buttons.STEP_CODES:
        parsed = CaseAction.parse(buttons.step(step, 7))
        assert parsed is not None and buttons.STEP_OF_CODE[parsed.action] == step


@pytest.mark.parametrize(
    "forged",
    ["cs:q:z:0", "cs:q:o", "cs:q:o:x", "cs:acc:12:3", "cs:nope:12", "cs:export:1", "cs:to:12"],
)
def test_forged_desk_data_parses_as_nothing(forged):
    for kind in (CaseQueue, CaseExport, CaseAction, CaseChoice):
        assert kind.parse(forged) is None


@pytest.mark.parametrize("forged", ["rt:1", "rt:skip:1", "rt:1:x", "rt:a:5", "cs:1:5"])
def test_forged_rating_data_parses_as_nothing(forged):
    assert Rating.parse(forged) is None and RatingSkip.parse(forged) is None
