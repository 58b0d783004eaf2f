"""The year's social-insurance payment vouchers (city plan 五.3, 五.5): twelve months, each on
paper and as an electronic file. The unit uploads each month's file and sees which months are
missing; an inspector of the unit's group records the paper received and ticks 账目查看
against each month. The unit's ``insurance_vouchers`` task is done once every month has both."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.inspection_checks import NotTheGroupsUnit
from storage.audit import audit
from storage.inspection import InspectorPlace, unit_in_group
from storage.models import UnitTask, VoucherMonth
from storage.unit_tasks import mark_done

MONTHS = tuple(range(1, 13))


async def months_of(
    session: AsyncSession, *, cycle_id: int, unit_id: int
) -> dict[int, VoucherMonth]:
    found = await session.execute(
        select(VoucherMonth).where(
            col(VoucherMonth.cycle_id) == cycle_id, col(VoucherMonth.unit_id) == unit_id
        )
    )
    return {row.month: row for row in found.scalars()}


def missing(months: dict[int, VoucherMonth]) -> tuple[list[int], list[int]]:
    """The months without an electronic file, and those without the paper."""
    files = [m for m in MONTHS if m not in months or not months[m].file]
    paper = [m for m in MONTHS if m not in months or not months[m].paper]
    return files, paper


async def _month(session: AsyncSession, *, cycle_id: int, unit_id: int, month: int) -> VoucherMonth:
    if month not in MONTHS:
        raise ValueError("no such month")
    row = (await months_of(session, cycle_id=cycle_id, unit_id=unit_id)).get(month)
    if row is None:
        row = VoucherMonth(cycle_id=cycle_id, unit_id=unit_id, month=month)
        session.add(row)
    return row


async def _complete(
    session: AsyncSession, *, cycle_id: int, unit_id: int, user_id: int, now: datetime
) -> None:
    await session.flush()
    files, paper = missing(await months_of(session, cycle_id=cycle_id, unit_id=unit_id))
    if files or paper:
        return
    task = (
        (
            await session.execute(
                select(UnitTask).where(
                    col(UnitTask.cycle_id) == cycle_id,
                    col(UnitTask.unit_id) == unit_id,
                    col(UnitTask.kind) == "insurance_vouchers",
                )
            )
        )
        .scalars()
        .first()
    )
    if task is not None and task.state != "done":
        await mark_done(session, task=task, user_id=user_id, now=now, note="12 months received")


async def upload_voucher(
    *,
    session: AsyncSession,
    cycle_id: int,
    unit_id: int,
    month: int,
    file: dict[str, str],
    user_id: int,
    now: datetime,
) -> VoucherMonth:
    """The unit's electronic voucher of ``month`` (a newer file replaces the older)."""
    row = await _month(session, cycle_id=cycle_id, unit_id=unit_id, month=month)
    row.file, row.updated_by, row.updated_at = dict(file), user_id, now
    audit(
        session,
        action="voucher_uploaded",
        actor_user_id=user_id,
        target_type="unit",
        target_id=unit_id,
        month=month,
    )
    await _complete(session, cycle_id=cycle_id, unit_id=unit_id, user_id=user_id, now=now)
    return row


async def mark_voucher(
    *,
    session: AsyncSession,
    place: InspectorPlace,
    unit_id: int,
    month: int,
    what: str,
    user_id: int,
    now: datetime,
) -> VoucherMonth:
    """An inspector toggles ``what`` ("paper" received, or "checked" by 账目查看)."""
    if not await unit_in_group(session, place, unit_id):
        raise NotTheGroupsUnit(unit_id)
    if what not in ("paper", "checked"):
        raise ValueError("paper or checked")
    assert place.cycle.id is not None
    row = await _month(session, cycle_id=place.cycle.id, unit_id=unit_id, month=month)
    if what == "paper":
        row.paper = not row.paper
    else:
        row.checked = not row.checked
    row.updated_by, row.updated_at = user_id, now
    audit(
        session,
        action="voucher_marked",
        actor_user_id=user_id,
        target_type="unit",
        target_id=unit_id,
        month=month,
        what=what,
        value=row.paper if what == "paper" else row.checked,
    )
    await _complete(session, cycle_id=place.cycle.id, unit_id=unit_id, user_id=user_id, now=now)
    return row
