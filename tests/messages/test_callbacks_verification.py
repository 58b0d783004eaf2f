"""The staff verification's buttons pack to the strings older buttons carry, and parse back."""

from __future__ import annotations

import pytest

from messages.callbacks_verification import (
    VerifyMark,
    VerifyUnit,
    VerifyUnits,
    parse_verification,
)


@pytest.mark.parametrize(
    ("data", "packed"),
    [
        (VerifyUnits(action="units", page=0), "vf:units:0"),
        (VerifyUnit(action="unit", unit_id=4, page=2), "vf:unit:4:2"),
        (VerifyMark(action="ax", worker_id=9, page=1), "vf:ax:9:1"),
        # Excused with a reason (请假), which an inspector may mark at the city's verification.
        (VerifyMark(action="x", worker_id=1, page=1), "vf:x:1:1"),
    ],
)
def test_packs_as_before_and_parses_back(data, packed):
    assert data.pack() == packed
    assert parse_verification(packed) == data


@pytest.mark.parametrize("forged", ["vf:units", "vf:unit:4", "vf:p:9", "vf:z:1:1", "vf:a:9:1:2"])
def test_forged_data_is_refused(forged):
    assert parse_verification(forged) is None
