"""The counts behind `gongshi status`: one read-only pass, stable keys for scripts."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Case, Complaint, Cycle, Outbox, Post, Result, Unit, UnitTask, Worker


async def _count(session: AsyncSession, *criteria: Any, table: Any) -> int:
    statement = select(func.count()).select_from(table)
    for criterion in criteria:
        statement = statement.where(criterion)
    return int((await session.execute(statement)).scalar_one())


async def _grouped(session: AsyncSession, column: Any) -> dict[str, int]:
    rows = await session.execute(select(column, func.count()).group_by(column))
    return {str(key): int(n) for key, n in rows.all()}


async def _cycles(session: AsyncSession) -> dict[str, Any]:
    cycles: dict[str, Any] = {}
    for year, state in (await session.execute(select(col(Cycle.year), col(Cycle.state)))).all():
        cycles[str(year)] = {"state": state, "results": 0, "grades": {}}
    grade_rows = await session.execute(
        select(col(Cycle.year), col(Result.grade), func.count())
        .join(Cycle, col(Cycle.id) == col(Result.cycle_id))
        .group_by(col(Cycle.year), col(Result.grade))
    )
    for year, grade, count in grade_rows.all():
        entry = cycles.setdefault(str(year), {"state": None, "results": 0, "grades": {}})
        entry["grades"][str(grade)] = int(count)
        entry["results"] += int(count)
    return dict(sorted(cycles.items()))


async def _quota_cuts(session: AsyncSession) -> list[dict[str, Any]]:
    """Units whose quota a confirmed 人岗不符 / 不在岗 finding cut, by name."""
    rows = await session.execute(
        select(col(Unit.name), col(Unit.quota), col(Unit.quota_cut))
        .where(col(Unit.quota_cut) > 0)
        .order_by(col(Unit.name))
    )
    return [{"unit": name, "quota": int(quota), "cut": int(cut)} for name, quota, cut in rows]


async def collect_status(*, session: AsyncSession, today: date) -> dict[str, Any]:
    posts_total = await _count(session, table=Post)
    posts_filled = await _count(session, col(Post.worker_id).is_not(None), table=Post)
    workers = await _grouped(session, col(Worker.status))
    outbox = await _grouped(session, col(Outbox.state))
    overdue = await _count(
        session, col(UnitTask.state) != "done", col(UnitTask.due_on) < today, table=UnitTask
    )
    return {
        "units": await _count(session, table=Unit),
        "quota_cuts": await _quota_cuts(session),
        "workers": {
            "total": sum(workers.values()),
            "on_duty": workers.get("on_duty", 0),
            "removed": workers.get("removed", 0),
        },
        "posts": {
            "total": posts_total,
            "filled": posts_filled,
            "vacant": posts_total - posts_filled,
        },
        "cycles": await _cycles(session),
        "complaints": await _count(session, table=Complaint),
        "cases": dict(sorted((await _grouped(session, col(Case.state))).items())),
        "unit_tasks_overdue": overdue,
        "outbox": {
            "pending": outbox.get("pending", 0) + outbox.get("sending", 0),
            "sent": outbox.get("sent", 0),
            "failed": outbox.get("failed", 0),
        },
    }
