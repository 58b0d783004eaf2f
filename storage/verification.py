"""Recording staff verification: who came in person, and what an absence does.

A worker recorded absent leaves the post vacant (``Post.worker_id`` cleared) and is removed
from the roster (``status`` "removed", ``removed_reason`` "absent_at_verification"), as the city
plan says. The post left is kept on the verification, so a mistaken "absent" can be put right:
recording the same worker present again restores them to that post if it is still vacant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.audit import audit
from storage.models import Post, UnitTask, Verification, Worker
from storage.roster_history import record_change

ABSENT_REASON = "absent_at_verification"


@dataclass(frozen=True)
class Attendance:
    worker_id: int
    unit_id: int
    worker_name: str
    post_title: str
    present: bool
    changed: bool  # False when the same was recorded before
    removed: bool  # this record removed the worker
    restored: bool  # this record undid an earlier removal


@dataclass(frozen=True)
class RosterEntry:
    worker_id: int
    name: str
    status: str
    present: bool | None  # None: not recorded yet
    excuse: str = ""


async def record_attendance(
    session: AsyncSession,
    *,
    cycle_id: int,
    worker: Worker,
    present: bool,
    now: datetime,
    official_id: int | None = None,
    user_id: int | None = None,
    source: str = "chat",
    excuse: str = "",
    papers_seen: bool = False,
) -> Attendance:
    """``present``; else absent, excused when ``excuse`` is given (not struck off)."""
    assert worker.id is not None
    excuse = "" if present else excuse.strip()[:200]
    vacates = not present and not excuse
    found = await session.execute(
        select(Verification).where(
            col(Verification.cycle_id) == cycle_id, col(Verification.worker_id) == worker.id
        )
    )
    record = found.scalars().first()
    post = (
        (await session.execute(select(Post).where(col(Post.worker_id) == worker.id)))
        .scalars()
        .first()
    )
    title = post.title if post else ""
    if record is not None and (record.present, record.excuse, record.papers_seen) == (
        present,
        excuse,
        papers_seen,
    ):
        return Attendance(
            worker.id, worker.unit_id, worker.name, title, present, False, False, False
        )
    if record is None:
        record = Verification(cycle_id=cycle_id, worker_id=worker.id, present=present)
        session.add(record)
    record.present, record.excuse, record.papers_seen = present, excuse, papers_seen
    record.recorded_by = official_id
    record.recorded_by_user = user_id
    record.source = source
    record.recorded_at = now
    removed = restored = False
    if vacates and worker.status != "removed":
        if post is not None:
            record.vacated_post_id = post.id
            post.worker_id = None
        worker.status, worker.removed_reason, worker.updated_at = "removed", ABSENT_REASON, now
        record_change(
            session, worker_id=worker.id, unit_id=worker.unit_id, change="left", now=now,
            reason=ABSENT_REASON,
        )  # fmt: skip
        removed = True
    elif not vacates and worker.status == "removed" and worker.removed_reason == ABSENT_REASON:
        worker.status, worker.removed_reason, worker.updated_at = "on_duty", None, now
        if record.vacated_post_id is not None:
            left = await session.get(Post, record.vacated_post_id)
            if left is not None and left.worker_id is None:
                left.worker_id = worker.id
                title = left.title
        record.vacated_post_id = None
        record_change(
            session, worker_id=worker.id, unit_id=worker.unit_id, change="joined", now=now,
            reason="restored",
        )  # fmt: skip
        restored = True
    audit(
        session,
        actor_user_id=user_id,
        actor="telegram" if source == "chat" else "cli",
        action="verification_recorded",
        target_type="worker",
        target_id=worker.id,
        cycle_id=cycle_id,
        present=present,
        excused=bool(excuse),
        papers_seen=papers_seen,
        removed=removed,
        restored=restored,
        source=source,
    )
    await session.flush()
    await _complete_verification_task(session, cycle_id, worker.unit_id, now)
    return Attendance(
        worker.id, worker.unit_id, worker.name, title, present, True, removed, restored
    )


async def _complete_verification_task(
    session: AsyncSession, cycle_id: int, unit_id: int, now: datetime
) -> None:
    """The unit's verification task is done once every worker on duty has been seen."""
    unseen = await session.scalar(
        select(func.count())
        .select_from(Worker)
        .where(
            col(Worker.unit_id) == unit_id,
            col(Worker.status) == "on_duty",
            col(Worker.id).not_in(
                select(col(Verification.worker_id)).where(col(Verification.cycle_id) == cycle_id)
            ),
        )
    )
    found = await session.execute(
        select(UnitTask).where(
            col(UnitTask.cycle_id) == cycle_id,
            col(UnitTask.unit_id) == unit_id,
            col(UnitTask.kind) == "verification",
        )
    )
    task = found.scalars().first()
    if task is None:
        return
    if not unseen and task.state != "done":
        task.state, task.done_at, task.note = "done", now, "all workers recorded"
    elif unseen and task.state == "done" and task.note == "all workers recorded":
        task.state, task.done_at = "open", None  # a correction reopened someone's record


async def unit_roster(
    session: AsyncSession, *, cycle_id: int, unit_id: int, offset: int, limit: int
) -> tuple[list[RosterEntry], int]:
    """A page of the unit's workers with their verification, and how many there are.

    Workers removed for another reason before the verification are not listed.
    """
    listed = (col(Worker.unit_id) == unit_id) & (
        (col(Worker.status) == "on_duty") | (col(Worker.removed_reason) == ABSENT_REASON)
    )
    total = int(await session.scalar(select(func.count()).select_from(Worker).where(listed)) or 0)
    rows = await session.execute(
        select(
            col(Worker.id),
            col(Worker.name),
            col(Worker.status),
            col(Verification.present),
            col(Verification.excuse),
        )
        .outerjoin(
            Verification,
            (col(Verification.worker_id) == col(Worker.id))
            & (col(Verification.cycle_id) == cycle_id),
        )
        .where(listed)
        .order_by(col(Worker.name), col(Worker.id))
        .offset(offset)
        .limit(limit)
    )
    entries = [
        RosterEntry(wid, str(name), str(status), present, str(excuse or ""))
        for wid, name, status, present, excuse in rows.all()
        if wid is not None
    ]
    return entries, total


async def workers_by_id_hash(session: AsyncSession, hashes: list[str]) -> dict[str, Worker]:
    found: dict[str, Worker] = {}
    for start in range(0, len(hashes), 5000):
        chunk = hashes[start : start + 5000]
        rows = await session.execute(select(Worker).where(col(Worker.id_hash).in_(chunk)))
        found.update({w.id_hash: w for w in rows.scalars()})
    return found
