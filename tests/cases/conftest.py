"""The county of case_county.py for the tests of this folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_county import County, build_county


@pytest.fixture
async def county(storage) -> County:
    return await build_county(storage)


@pytest.fixture
async def any_county(any_storage) -> County:
    """The county on SQLite and on PostgreSQL."""
    return await build_county(any_storage)
