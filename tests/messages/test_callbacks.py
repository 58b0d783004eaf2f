"""Typed button data: what packs parses back, and forged data is refused, never guessed at."""

from __future__ import annotations

from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from messages.callbacks import MAX_BYTES, CallbackData, CallbackDataError


class CaseAction(CallbackData, prefix="cs"):
    action: Literal["open", "accept", "close"]
    case_id: int
    page: int = 0


def test_packs_and_parses_back():
    data = CaseAction(action="accept", case_id=12).pack()
    assert data == "cs:accept:12:0"
    assert CaseAction.parse(data) == CaseAction(action="accept", case_id=12)
    assert CaseAction.parse("cs:open:7") == CaseAction(action="open", case_id=7, page=0)


@pytest.mark.parametrize(
    "forged",
    [
        "",
        None,
        "cs",
        "cs:open",
        "cs:delete:12",
        "cs:open:twelve",
        "cs:open:12:1:extra",
        "cp:open:12",
        "cs:open:1e3",
        "cs:open:١٢",
        "cs:open:" + "9" * 60,
    ],
)
def test_forged_data_is_refused(forged):
    assert CaseAction.parse(forged) is None


def test_the_64_byte_limit_is_checked_when_packing():
    class Note(CallbackData, prefix="nt"):
        text: str

    with pytest.raises(CallbackDataError):
        Note(text="案" * 30).pack()
    with pytest.raises(CallbackDataError):
        Note(text="a:b").pack()


@given(st.text(max_size=80))
def test_any_text_either_parses_to_what_packs_back_or_is_refused(text):
    parsed = CaseAction.parse(text)
    if parsed is not None:
        assert CaseAction.parse(parsed.pack()) == parsed
        assert len(parsed.pack().encode()) <= MAX_BYTES
