"""Fixtures of the import tests; the file builders are in sheets.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from sheets import Sheets, add_units


@pytest.fixture
def sheet_files(tmp_path: Path) -> Sheets:
    folder = tmp_path / "sheets"
    folder.mkdir()
    return Sheets(folder)


@pytest.fixture
async def units(storage) -> dict[str, int]:
    """The three units of the test files, in SQLite storage."""
    return await add_units(storage)
