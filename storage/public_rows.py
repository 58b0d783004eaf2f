"""The public rows of a 公示: a masked name, the unit, the post, the grade and the renewal
decision. The queries here never read an ID number or a phone, so nothing built on them can
show one.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.masking import mask_name
from storage.models import Cycle, LateNotice, Result, Unit, Worker
from storage.name_search import NameQuery
from storage.publication import (
    NO_WINDOW,
    OPEN,
    UNKNOWN_UNIT,
    PublicationError,
    cycle_by_year,
)


@dataclass(frozen=True)
class PublicRow:
    """One line of a published list. Deliberately without ID number, phone or remark."""

    result_id: int
    unit_id: int
    unit_name: str
    masked_name: str
    post: str
    grade: str
    renew: bool
    # A result added or changed while the 公示 ran: the last day of its own notice period.
    noticed_until: date | None = None


def group_by_unit(rows: Sequence[PublicRow]) -> dict[int, list[PublicRow]]:
    grouped: dict[int, list[PublicRow]] = {}
    for row in rows:
        grouped.setdefault(row.unit_id, []).append(row)
    return grouped


def _public_select(cycle_id: int) -> Any:
    # Only these columns: an ID number or phone cannot leak from a query that never reads it.
    return (
        select(
            col(Result.id),
            col(Result.unit_id),
            col(Unit.name),
            col(Worker.name),
            col(Result.post_title),
            col(Result.grade),
            col(Result.renew),
            col(LateNotice.closes_on),
        )
        .join(Unit, col(Unit.id) == col(Result.unit_id))
        .join(Worker, col(Worker.id) == col(Result.worker_id))
        .outerjoin(
            LateNotice,
            and_(
                col(LateNotice.cycle_id) == col(Result.cycle_id),
                col(LateNotice.worker_id) == col(Result.worker_id),
            ),
        )
        .where(col(Result.cycle_id) == cycle_id)
    )


def _public(row: Any) -> PublicRow:
    result_id, unit_id, unit_name, name, post, grade, renew, noticed_until = row
    return PublicRow(
        result_id=int(result_id),
        unit_id=int(unit_id),
        unit_name=str(unit_name),
        masked_name=mask_name(str(name)),
        post=str(post),
        grade=str(grade),
        renew=bool(renew),
        noticed_until=noticed_until,
    )


async def public_rows(
    *,
    session: AsyncSession,
    cycle_id: int,
    unit_id: int | None = None,
    worker_ids: Sequence[int] | None = None,
) -> list[PublicRow]:
    """The published list of the cycle (or of one unit, or of some workers), by unit then
    name."""
    statement = _public_select(cycle_id)
    if unit_id is not None:
        statement = statement.where(col(Result.unit_id) == unit_id)
    if worker_ids is not None:
        statement = statement.where(col(Result.worker_id).in_(list(worker_ids)))
    found = await session.execute(
        statement.order_by(col(Unit.name), col(Worker.name), col(Result.id))
    )
    return [_public(row) for row in found.all()]


@dataclass(frozen=True)
class Page:
    rows: list[PublicRow]
    page: int
    pages: int
    total: int


async def unit_page(
    *, session: AsyncSession, cycle_id: int, unit_id: int, page: int, per_page: int
) -> Page:
    """One page of a unit's list; a page past the end shows the last one."""
    total = await session.execute(
        select(func.count())
        .select_from(Result)
        .where(col(Result.cycle_id) == cycle_id, col(Result.unit_id) == unit_id)
    )
    count = int(total.scalar_one())
    pages = max(1, -(-count // per_page))
    page = min(max(page, 0), pages - 1)
    found = await session.execute(
        _public_select(cycle_id)
        .where(col(Result.unit_id) == unit_id)
        .order_by(col(Worker.name), col(Result.id))
        .offset(page * per_page)
        .limit(per_page)
    )
    return Page([_public(row) for row in found.all()], page, pages, count)


async def published_units(*, session: AsyncSession, cycle_id: int) -> list[tuple[int, str, int]]:
    """Units with results in the cycle: id, name and how many results, by name."""
    found = await session.execute(
        select(col(Unit.id), col(Unit.name), func.count(col(Result.id)))
        .join(Result, col(Result.unit_id) == col(Unit.id))
        .where(col(Result.cycle_id) == cycle_id)
        .group_by(col(Unit.id), col(Unit.name))
        .order_by(col(Unit.name))
    )
    return [(int(i or 0), str(n), int(c)) for i, n, c in found.all()]


async def search_public(
    *, session: AsyncSession, cycle_id: int, query: NameQuery, limit: int
) -> list[PublicRow]:
    """Rows whose masked name the query matches (storage.name_search): a full name finds what
    its masked form finds, nothing narrower. At most ``limit`` + 1, so the caller can tell
    there are more."""
    if query.empty:
        return []
    found = await session.execute(
        _public_select(cycle_id)
        .where(query.narrowing(Worker.name))
        .order_by(col(Unit.name), col(Worker.name), col(Result.id))
    )
    # The worker's name is the row's fourth column; it is only ever shown masked.
    matched = (_public(row) for row in found.all() if query.matches(str(row[3])))
    return list(itertools.islice(matched, limit + 1))


async def published_result(*, session: AsyncSession, result_id: int) -> Result | None:
    """A result of the cycle whose 公示 is open (the in-bot complaint button names one)."""
    found = await session.execute(
        select(Result)
        .join(Cycle, col(Cycle.id) == col(Result.cycle_id))
        .where(col(Result.id) == result_id, col(Cycle.state) == OPEN)
    )
    return found.scalars().first()


@dataclass(frozen=True)
class NoticeLists:
    """What the printable notices show: the window and each unit's public rows."""

    year: int
    opens_on: date
    closes_on: date
    units: list[tuple[str, list[PublicRow]]]
    # Each unit's own complaint line (五(五)), by name, where the unit registered one.
    phones: dict[str, str] = field(default_factory=dict)


async def notice_lists(
    *,
    session: AsyncSession,
    year: int,
    unit_name: str | None = None,
    unit_id: int | None = None,
) -> NoticeLists:
    """Every unit's list of an opened (or closed) 公示, or only one unit's (by name or id):
    only that unit's rows are read."""
    cycle = await cycle_by_year(session, year)
    if cycle.gongshi_opens_on is None or cycle.gongshi_closes_on is None:
        raise PublicationError(NO_WINDOW, year=year)
    if unit_name is not None:
        named = select(col(Unit.id)).where(col(Unit.name) == unit_name.strip())
        unit_id = (await session.execute(named)).scalar_one_or_none()
        if unit_id is None:
            raise PublicationError(UNKNOWN_UNIT, unit=unit_name, year=year)
    rows = await public_rows(session=session, cycle_id=_id(cycle), unit_id=unit_id)
    units = [(unit_rows[0].unit_name, unit_rows) for unit_rows in group_by_unit(rows).values()]
    if unit_id is not None and not units:
        raise PublicationError(UNKNOWN_UNIT, unit=unit_name or str(unit_id), year=year)
    names = [name for name, _rows in units]
    phones = {
        str(name): str(phone)
        for name, phone in (
            await session.execute(
                select(col(Unit.name), col(Unit.phone)).where(col(Unit.name).in_(names))
            )
        ).all()
        if phone
    }
    return NoticeLists(year, cycle.gongshi_opens_on, cycle.gongshi_closes_on, units, phones)


def _id(cycle: Cycle) -> int:
    assert cycle.id is not None
    return cycle.id
