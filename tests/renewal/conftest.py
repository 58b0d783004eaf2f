"""Fixtures of the renewal paperwork tests: the county of renewal_county.py after its 公示."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from renewal_county import County, after_close, make_county

from bot.app import build_deps


@pytest.fixture
def clock():
    return after_close()


@pytest.fixture
async def county(storage) -> County:
    return await make_county(storage)


@pytest.fixture
async def county_anywhere(any_storage) -> County:
    return await make_county(any_storage)


@pytest.fixture
def deps_anywhere(any_storage, clock):
    return build_deps(any_storage.settings, clock=clock)
