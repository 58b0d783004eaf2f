"""The 公示's buttons pack to the very strings older buttons in chats carry, and parse back."""

from __future__ import annotations

import pytest

from messages.callbacks_publication import (
    AdminHome,
    AdminStep,
    ComplainAbout,
    ConfirmOpen,
    FindName,
    UnitNotice,
    UnitRows,
    UnitsPage,
    parse_admin,
    parse_browse,
)

SHAPES = [
    (UnitsPage(action="units", page=3), "gs:units:3"),
    (UnitRows(action="u", unit_id=7, page=0), "gs:u:7:0"),
    (FindName(action="find"), "gs:find"),
    (ComplainAbout(action="c", result_id=42), "gs:c:42"),
    (AdminHome(action="home"), "gsa:home"),
    (AdminStep(action="closeok", year=2026), "gsa:closeok:2026"),
    (AdminStep(action="pdf", year=2026), "gsa:pdf:2026"),
    (UnitNotice(action="pdf", year=2026, unit_id=5), "gsa:pdf:2026:5"),
    (ConfirmOpen(action="openok", year=2026, opens="20261216"), "gsa:openok:2026:20261216"),
]


@pytest.mark.parametrize(("data", "packed"), SHAPES)
def test_packs_as_before_and_parses_back(data, packed):
    assert data.pack() == packed
    parse = parse_admin if packed.startswith("gsa:") else parse_browse
    assert parse(packed) == data


@pytest.mark.parametrize(
    "forged",
    ["gs:units", "gs:units:x", "gs:u:7", "gs:find:1", "gs:c:", "gs:open:2026", "gsa:open"],
)
def test_forged_data_is_refused(forged):
    assert parse_browse(forged) is None
    assert parse_admin(forged) is None
