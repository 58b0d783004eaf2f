"""The counts behind `gongshi status`: one read-only pass, stable keys for scripts."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Case, Complaint, Cycle, Outbox, Post, Result, Unit, UnitTask, Worker


async def _count(session: AsyncSession, statement: Any) -> int:
    return int((await session.execute(statement)).scalar_one())


async def collect_status(*, session: AsyncSession, today: date) -> dict[str, Any]:
    posts_total = await _count(session, select(func.count()).select_from(Post))
    posts_filled = await _count(
        session, select(func.count()).select_from(Post).where(Post.worker_id.is_not(None))  # type: ignore[union-attr]
    )
    workers_by_status = dict(
        (await session.execute(select(Worker.status, func.count()).group_by(Worker.status))).all()
    )
    cycles: dict[str, Any] = {}
    for year, state in (await session.execute(select(Cycle.year, Cycle.state))).all():
        cycles[str(year)] = {"state": state, "results": 0, "grades": {}}
    grade_rows = await session.execute(
        select(Cycle.year, Result.grade, func.count())
        .join(Cycle, Cycle.id == Result.cycle_id)  # type: ignore[arg-type]
        .group_by(Cycle.year, Result.grade)
    )
    for year, grade, count in grade_rows.all():
        entry = cycles.setdefault(str(year), {"state": None, "results": 0, "grades": {}})
        entry["grades"][grade] = int(count)
        entry["results"] += int(count)
    complaints = await _count(session, select(func.count()).select_from(Complaint))
    cases_by_state = dict(
        (await session.execute(select(Case.state, func.count()).group_by(Case.state))).all()
    )
    overdue = await _count(
        session,
        select(func.count())
        .select_from(UnitTask)
        .where(UnitTask.state != "done", UnitTask.due_on < today),
    )
    outbox = dict(
        (await session.execute(select(Outbox.state, func.count()).group_by(Outbox.state))).all()
    )
    return {
        "units": await _count(session, select(func.count()).select_from(Unit)),
        "workers": {
            "total": sum(int(n) for n in workers_by_status.values()),
            "on_duty": int(workers_by_status.get("on_duty", 0)),
            "removed": int(workers_by_status.get("removed", 0)),
        },
        "posts": {
            "total": posts_total,
            "filled": posts_filled,
            "vacant": posts_total - posts_filled,
        },
        "cycles": dict(sorted(cycles.items())),
        "complaints": complaints,
        "cases": {str(k): int(v) for k, v in sorted(cases_by_state.items())},
        "unit_tasks_overdue": overdue,
        "outbox": {
            "pending": int(outbox.get("pending", 0)) + int(outbox.get("sending", 0)),
            "sent": int(outbox.get("sent", 0)),
            "failed": int(outbox.get("failed", 0)),
        },
    }
