"""Registering employing units: from a units sheet, one at a time, and renaming one.

A roster or results file may name only registered units, so these are a county's first step.
Each write is audited in the caller's transaction; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from domain.sheet import plain_text_problem, unit_key
from domain.unit_rows import MAX_QUOTA, UNIT_NAME_LIMIT, UnitRow
from messages import N_
from storage.audit import audit
from storage.models import Post, Unit, Worker

REASON_NAME_TAKEN = N_("A unit named “{name}” is already registered.")
REASON_NO_SUCH_UNIT = N_("No unit named “{name}” is registered.")
REASON_BAD_NAME = N_("A unit's name must be 1 to {limit} characters and hold a letter.")
REASON_BAD_QUOTA = N_("The post quota must be a whole number from 1 to {max}.")


class UnitError(Exception):
    """A unit cannot be added or renamed; ``reason`` is a message id with ``params``."""

    def __init__(self, reason: str, **params: str) -> None:
        self.reason = reason
        self.params = params
        super().__init__(reason.format(**params))


@dataclass(frozen=True)
class Registered:
    """What registering a sheet's units did."""

    created: int
    updated: int
    unchanged: int
    # Units whose new quota is below the posts they have filled: name → (quota, filled).
    # Not refused (a quota may be cut while the workers in post stay until their terms end),
    # but said, as the inspection's 岗位设定 will find it.
    over_quota: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitLine:
    """One unit as listed: its quota, the posts it has filled and its workers on duty."""

    id: int
    name: str
    quota: int
    posts_in_use: int
    on_duty: int
    phone: str | None
    department: str | None


async def register_units_from_rows(
    *, session: AsyncSession, rows: Sequence[UnitRow], actor: str, now: datetime
) -> Registered:
    """Create the units of a checked sheet, or update the quota, phone and department of those
    already registered (matched as the imports match names); a row that changes nothing writes
    nothing, so a sheet imported twice changes nothing the second time."""
    existing = {
        unit_key(unit.name): unit for unit in (await session.execute(select(Unit))).scalars().all()
    }
    created = updated = unchanged = 0
    for row in rows:
        unit = existing.get(unit_key(row.name))
        if unit is None:
            unit = Unit(name=row.name, quota=row.quota, phone=row.phone, department=row.department)
            session.add(unit)
            await session.flush()
            existing[unit_key(row.name)] = unit
            audit(
                session, action="unit.register", actor=actor, target_type="unit",
                target_id=unit.id, at=now, name=row.name, quota=row.quota,
            )  # fmt: skip
            created += 1
            continue
        changes: dict[str, object] = {}
        if unit.quota != row.quota:
            changes["quota"] = [unit.quota, row.quota]
            unit.quota = row.quota
        # An empty optional cell leaves what is known: a sheet of names and quotas only
        # must not wipe the phones registered earlier.
        for name in ("phone", "department"):
            value = getattr(row, name)
            if value is not None and getattr(unit, name) != value:
                changes[name] = [getattr(unit, name), value]
                setattr(unit, name, value)
        if not changes:
            unchanged += 1
            continue
        session.add(unit)
        audit(
            session, action="unit.update", actor=actor, target_type="unit", target_id=unit.id,
            at=now, changes=changes,
        )  # fmt: skip
        updated += 1
    await session.flush()
    return Registered(created, updated, unchanged, await _over_quota(session, rows, existing))


async def _over_quota(
    session: AsyncSession, rows: Sequence[UnitRow], units: dict[str, Unit]
) -> dict[str, tuple[int, int]]:
    """The sheet's units with more posts filled than the quota the sheet gives them."""
    ids = {units[unit_key(row.name)].id: units[unit_key(row.name)] for row in rows}
    filled = await session.execute(
        select(col(Post.unit_id), func.count())
        .where(col(Post.worker_id).is_not(None), col(Post.unit_id).in_(list(ids)))
        .group_by(col(Post.unit_id))
    )
    return {
        ids[unit_id].name: (ids[unit_id].quota, int(n))
        for unit_id, n in filled.all()
        if int(n) > ids[unit_id].quota
    }


async def add_unit(
    *,
    session: AsyncSession,
    name: str,
    quota: int,
    actor: str,
    now: datetime,
    phone: str | None = None,
    department: str | None = None,
) -> Unit:
    """Register one unit; a name already registered (as the imports match names) is refused."""
    name = _checked_name(name)
    if not 1 <= quota <= MAX_QUOTA:
        raise UnitError(REASON_BAD_QUOTA, max=str(MAX_QUOTA))
    if await _find(session, name) is not None:
        raise UnitError(REASON_NAME_TAKEN, name=name)
    unit = Unit(name=name, quota=quota, phone=phone or None, department=department or None)
    session.add(unit)
    await session.flush()
    audit(
        session, action="unit.register", actor=actor, target_type="unit", target_id=unit.id,
        at=now, name=name, quota=quota,
    )  # fmt: skip
    return unit


async def rename_unit(
    *, session: AsyncSession, old: str, new: str, actor: str, now: datetime
) -> Unit:
    """Give a registered unit a new name; the new name must not be another unit's."""
    unit = await _find(session, old.strip())
    if unit is None:
        raise UnitError(REASON_NO_SUCH_UNIT, name=old.strip())
    new = _checked_name(new)
    other = await _find(session, new)
    if other is not None and other.id != unit.id:
        raise UnitError(REASON_NAME_TAKEN, name=new)
    previous, unit.name = unit.name, new
    session.add(unit)
    await session.flush()
    audit(
        session, action="unit.rename", actor=actor, target_type="unit", target_id=unit.id,
        at=now, old=previous, new=new,
    )  # fmt: skip
    return unit


async def list_units(*, session: AsyncSession) -> list[UnitLine]:
    """Every unit by name, with the posts it has filled and its workers on duty."""
    posts = (
        select(col(Post.unit_id), func.count().label("n"))
        .where(col(Post.worker_id).is_not(None))
        .group_by(col(Post.unit_id))
        .subquery()
    )
    duty = (
        select(col(Worker.unit_id), func.count().label("n"))
        .where(col(Worker.status) == "on_duty")
        .group_by(col(Worker.unit_id))
        .subquery()
    )
    found = await session.execute(
        select(Unit, func.coalesce(posts.c.n, 0), func.coalesce(duty.c.n, 0))
        .outerjoin(posts, posts.c.unit_id == col(Unit.id))
        .outerjoin(duty, duty.c.unit_id == col(Unit.id))
        .order_by(col(Unit.name))
    )
    return [
        UnitLine(
            id=unit.id or 0,
            name=unit.name,
            quota=unit.quota,
            posts_in_use=int(in_use),
            on_duty=int(on_duty),
            phone=unit.phone,
            department=unit.department,
        )
        for unit, in_use, on_duty in found.all()
    ]


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > UNIT_NAME_LIMIT or plain_text_problem(name) is not None:
        raise UnitError(REASON_BAD_NAME, limit=str(UNIT_NAME_LIMIT))
    return name


async def _find(session: AsyncSession, name: str) -> Unit | None:
    """The unit whose name matches as the imports match names (NFKC, spaces ignored)."""
    exact = (await session.execute(select(Unit).where(col(Unit.name) == name))).scalars().first()
    if exact is not None:
        return exact
    key = unit_key(name)
    units = (await session.execute(select(Unit))).scalars().all()
    return next((unit for unit in units if unit_key(unit.name) == key), None)
