"""The checklist of a unit (city plan 三、四): an inspector of the unit's group records, item by
item, the methods used, the result, a note and files. Only an inspector of the group that
inspects the unit may; each change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import inspection as rules
from storage.audit import audit
from storage.inspection import InspectorPlace, unit_in_group
from storage.models import InspectionCheck


class NotTheGroupsUnit(PermissionError):
    """The unit is not inspected by the inspector's group."""


@dataclass(frozen=True)
class CheckChange:
    """One change to an item: a method ticked or unticked, a result, a note, a file."""

    toggle_method: str | None = None
    result: str | None = None
    note: str | None = None
    file: dict[str, str] | None = None


async def checks_of(
    session: AsyncSession, *, plan_id: int, unit_id: int
) -> dict[str, InspectionCheck]:
    found = await session.execute(
        select(InspectionCheck).where(
            col(InspectionCheck.plan_id) == plan_id, col(InspectionCheck.unit_id) == unit_id
        )
    )
    return {check.item: check for check in found.scalars()}


async def record_check(
    *,
    session: AsyncSession,
    place: InspectorPlace,
    unit_id: int,
    item: str,
    change: CheckChange,
    user_id: int,
    now: datetime,
) -> InspectionCheck:
    """Apply ``change`` to the unit's ``item``; an item first opened gets the methods of 四 it is
    usually checked by. Raises NotTheGroupsUnit, or ValueError for input out of bounds."""
    assert place.plan.id is not None
    if not await unit_in_group(session, place, unit_id):
        raise NotTheGroupsUnit(unit_id)
    if item not in rules.ITEMS_BY_KEY:
        raise ValueError(f"unknown item {item!r}")
    check = (await checks_of(session, plan_id=place.plan.id, unit_id=unit_id)).get(item)
    if check is None:
        check = InspectionCheck(
            plan_id=place.plan.id,
            unit_id=unit_id,
            item=item,
            methods=list(rules.ITEMS_BY_KEY[item].methods),
        )
        session.add(check)
    if change.toggle_method is not None:
        if change.toggle_method not in rules.METHODS:
            raise ValueError("unknown method")
        chosen = set(check.methods)
        chosen ^= {change.toggle_method}
        check.methods = rules.methods_in_order(list(chosen))
    if change.result is not None:
        if change.result not in rules.RESULTS:
            raise ValueError("unknown result")
        check.result = change.result
    if change.note is not None:
        note = change.note.strip()
        if not note or len(note) > rules.NOTE_MAX:
            raise ValueError("note out of bounds")
        check.note = note
    if change.file is not None:
        if len(check.files) >= rules.FILES_MAX:
            raise ValueError("too many files")
        check.files = [*check.files, change.file]
    check.checked_by, check.checked_at = place.member.official_id, now
    await session.flush()
    audit(
        session,
        action="inspection_check_recorded",
        actor_user_id=user_id,
        target_type="inspection_check",
        target_id=check.id,
        unit_id=unit_id,
        item=item,
        methods=check.methods,
        result=check.result,
        note=change.note is not None,
        file=change.file is not None,
    )
    return check
