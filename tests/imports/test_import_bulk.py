"""Bulk.insert: columns with one value for every row are written into the statement once (on
SQLite, as literals) and read back exactly as bound values would have been."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage.import_bulk import UNIT, Bulk, literal
from storage.models import Unit


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (None, "NULL"),
        (True, "1"),
        (False, "0"),
        (17, "17"),
        (-3, "-3"),
        ("pending", "'pending'"),
        ("it's", "'it''s'"),
        ("'; DROP TABLE unit; --", "'''; DROP TABLE unit; --'"),
        ("主管部门", "'主管部门'"),
        ("", "''"),
    ],
)
def test_a_constant_is_written_as_sqlite_reads_it(value: object, written: str) -> None:
    assert literal(value) == written


@pytest.mark.parametrize("value", [1.5, b"bytes", "nul\0inside", datetime(2026, 12, 3), [1]])
def test_what_has_no_plain_literal_is_refused_not_guessed(value: object) -> None:
    with pytest.raises(TypeError):
        literal(value)


async def test_fixed_columns_read_back_as_given_on_each_database(any_storage) -> None:  # type: ignore[no-untyped-def]
    now = datetime(2026, 12, 3, 9, 30, 15, 123456, tzinfo=UTC)
    async with any_storage.engine.begin() as connection:
        bulk = Bulk(connection, chunk=500)
        fixed = {
            "quota": 12,
            "quota_cut": 0,
            "phone": None,
            "department": "县人社局'就业股'",
            "created_at": bulk.constant(UNIT, "created_at", now),
        }
        await bulk.insert(UNIT, ("name",), [("城关镇",), ("河西乡",)], fixed)
    async with any_storage.sessions() as session:
        units = (await session.execute(select(Unit).order_by(Unit.name))).scalars().all()
    assert [unit.name for unit in units] == sorted(["城关镇", "河西乡"])
    for unit in units:
        assert (unit.quota, unit.quota_cut, unit.phone) == (12, 0, None)
        assert unit.department == "县人社局'就业股'"
        assert unit.created_at.replace(tzinfo=UTC) == now
