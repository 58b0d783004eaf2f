"""What the inspection's reports show, read in one place: per unit its group and members,
checklist, self-check, verification counts, newcomers, vouchers and findings; per cycle a row
per unit.
Reads only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.inspection import group_of_unit, members_of, units_in_plan
from storage.models import (
    Cycle,
    InspectionCheck,
    InspectionFinding,
    InspectionGroup,
    InspectionMember,
    InspectionPlan,
    InspectionSelfCheck,
    Unit,
    Verification,
    VerificationSession,
    VoucherMonth,
    Worker,
)
from storage.recruitment import newcomer_counts, newcomers_of

T = TypeVar("T")


@dataclass
class UnitRecord:
    unit: Unit
    group: int | None
    members: list[InspectionMember] = field(default_factory=list)
    checks: dict[str, InspectionCheck] = field(default_factory=dict)
    self_check: InspectionSelfCheck | None = None
    session: VerificationSession | None = None
    present: int = 0
    excused: int = 0
    struck_off: int = 0
    on_roster: int = 0
    newcomers: int = 0  # 人员招录: who joined this year, and those flagged for a look
    recruitment_flagged: int = 0
    vouchers: list[VoucherMonth] = field(default_factory=list)
    findings: list[tuple[InspectionFinding, str]] = field(default_factory=list)  # masked later


@dataclass(frozen=True)
class SummaryRow:
    unit_id: int
    unit: str
    group: int | None
    workers: int
    results: dict[str, str]  # item → ok | problem | ""
    problems: int  # items with problems and confirmed findings
    struck_off: int
    subsidies_stopped: int
    quota_cut: int
    newcomers: int = 0  # 人员招录: who joined this year, and those flagged for a look
    recruitment_flagged: int = 0


async def _by_plan(session: AsyncSession, model: type[T], plan_id: int, unit_id: int) -> list[T]:
    table: Any = model
    found = await session.execute(
        select(model).where(col(table.plan_id) == plan_id, col(table.unit_id) == unit_id)
    )
    return list(found.scalars())


async def unit_record(
    session: AsyncSession, *, plan: InspectionPlan, cycle: Cycle, unit_id: int
) -> UnitRecord | None:
    unit = await session.get(Unit, unit_id)
    if unit is None or plan.id is None:
        return None
    group_id = await group_of_unit(session, plan.id, unit_id)
    group = await session.get(InspectionGroup, group_id) if group_id else None
    record = UnitRecord(unit=unit, group=group.number if group else None)
    record.members = [m for m in await members_of(session, plan.id) if m.group_id == group_id]
    record.checks = {c.item: c for c in await _by_plan(session, InspectionCheck, plan.id, unit_id)}
    own = await _by_plan(session, InspectionSelfCheck, plan.id, unit_id)
    record.self_check = own[0] if own else None
    sessions = await _by_plan(session, VerificationSession, plan.id, unit_id)
    record.session = sessions[0] if sessions else None
    verified = await session.execute(
        select(col(Verification.present), col(Verification.excuse))
        .join(Worker, col(Worker.id) == col(Verification.worker_id))
        .where(col(Verification.cycle_id) == cycle.id, col(Worker.unit_id) == unit_id)
    )
    for present, excuse in verified.all():
        record.present += bool(present)
        record.excused += not present and bool(excuse)
        record.struck_off += not present and not excuse
    workers = await session.execute(
        select(col(Worker.id)).where(
            col(Worker.unit_id) == unit_id, col(Worker.status) == "on_duty"
        )
    )
    record.on_roster = len(list(workers.scalars()))
    newcomers = await newcomers_of(session, unit_id=unit_id, year=cycle.year)
    record.newcomers = len(newcomers)
    record.recruitment_flagged = sum(1 for n in newcomers if n.flagged)
    vouchers = await session.execute(
        select(VoucherMonth)
        .where(col(VoucherMonth.cycle_id) == cycle.id, col(VoucherMonth.unit_id) == unit_id)
        .order_by(col(VoucherMonth.month))
    )
    record.vouchers = list(vouchers.scalars())
    for finding in await _by_plan(session, InspectionFinding, plan.id, unit_id):
        worker = await session.get(Worker, finding.worker_id) if finding.worker_id else None
        record.findings.append((finding, worker.name if worker else ""))
    return record


async def summary_rows(
    session: AsyncSession, *, plan: InspectionPlan, cycle: Cycle
) -> list[SummaryRow]:
    assert plan.id is not None
    checks: dict[int, dict[str, str]] = {}
    for check in (
        await session.execute(
            select(InspectionCheck).where(col(InspectionCheck.plan_id) == plan.id)
        )
    ).scalars():
        checks.setdefault(check.unit_id, {})[check.item] = check.result
    confirmed = [
        f
        for f in (
            await session.execute(
                select(InspectionFinding).where(
                    col(InspectionFinding.plan_id) == plan.id,
                    col(InspectionFinding.state) == "confirmed",
                )
            )
        ).scalars()
    ]
    findings = Counter(f.unit_id for f in confirmed)
    stopped = Counter(f.unit_id for f in confirmed if "stop_subsidy" in f.consequences)
    cut = Counter(f.unit_id for f in confirmed if "cut_quota" in f.consequences)
    struck = Counter(
        uid
        for uid in (
            await session.execute(
                select(col(Worker.unit_id))
                .join(Verification, col(Verification.worker_id) == col(Worker.id))
                .where(
                    col(Verification.cycle_id) == cycle.id,
                    col(Verification.present).is_(False),
                    col(Verification.excuse) == "",
                )
            )
        ).scalars()
    )
    newcomers = await newcomer_counts(session, year=cycle.year)
    rows = []
    for unit in await units_in_plan(session, plan.id):
        results = checks.get(unit.unit_id, {})
        joined, to_check = newcomers.get(unit.unit_id, (0, 0))
        rows.append(
            SummaryRow(
                unit_id=unit.unit_id,
                unit=unit.name,
                group=unit.group,
                workers=unit.workers,
                results=results,
                problems=sum(1 for r in results.values() if r == "problem")
                + findings[unit.unit_id],
                struck_off=struck[unit.unit_id],
                subsidies_stopped=stopped[unit.unit_id] + struck[unit.unit_id],
                quota_cut=cut[unit.unit_id],
                newcomers=joined,
                recruitment_flagged=to_check,
            )
        )
    return sorted(rows, key=lambda r: (r.group or 0, r.unit))
