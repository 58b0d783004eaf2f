"""Spreadsheets sent in chat wait here until the background import takes them.

A job is claimed for a lease: should the process die mid-import, the lease runs out and the job
is taken again. Importing the same file twice changes nothing, so a retried job is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from storage.models import ImportJob, Unit

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class ClaimedJob:
    """What the importer needs of a job, read in the claiming transaction."""

    id: int
    cycle_year: int
    only_unit: str | None
    chat_id: int
    user_id: int
    language: str
    file_id: str
    file_name: str
    attempts: int
    kind: str = "results"


async def queue_import(
    *,
    session: AsyncSession,
    cycle_year: int,
    only_unit_id: int | None,
    chat_id: int,
    user_id: int,
    language: str,
    file_id: str,
    file_name: str,
    now: datetime,
    kind: str = "results",
) -> ImportJob:
    job = ImportJob(
        kind=kind,
        cycle_year=cycle_year,
        only_unit_id=only_unit_id,
        chat_id=chat_id,
        user_id=user_id,
        language=language,
        file_id=file_id,
        file_name=file_name[-255:],
        created_at=now,
    )
    session.add(job)
    await session.flush()
    return job


async def claim_import(
    *, sessions: async_sessionmaker[AsyncSession], now: datetime
) -> ClaimedJob | None:
    """The oldest job nobody holds, leased to the caller; None when there is none.

    The conditional update makes the claim safe between processes: of two that read the same
    job, only one sees its update change a row.
    """
    free = or_(col(ImportJob.claimed_until).is_(None), col(ImportJob.claimed_until) < now)
    async with sessions() as session, session.begin():
        job = (
            await session.execute(
                select(ImportJob)
                .where(col(ImportJob.state) == "pending", free)
                .order_by(col(ImportJob.id))
                .limit(1)
            )
        ).scalar_one_or_none()
        if job is None or job.id is None:
            return None
        taken = await session.execute(
            update(ImportJob)
            .where(col(ImportJob.id) == job.id, col(ImportJob.state) == "pending", free)
            .values(claimed_until=now + LEASE, attempts=ImportJob.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if getattr(taken, "rowcount", 0) != 1:
            return None
        unit = await session.get(Unit, job.only_unit_id) if job.only_unit_id else None
        return ClaimedJob(
            id=job.id,
            cycle_year=job.cycle_year,
            only_unit=unit.name if unit else None,
            chat_id=job.chat_id,
            user_id=job.user_id,
            language=job.language,
            file_id=job.file_id,
            file_name=job.file_name,
            attempts=job.attempts + 1,
            kind=job.kind,
        )


async def finish_import(
    *,
    session: AsyncSession,
    job_id: int,
    outcome: str,
    batch_id: int | None,
    now: datetime,
) -> None:
    job = await session.get(ImportJob, job_id)
    if job is None:
        return
    job.state, job.outcome, job.batch_id = "done", outcome, batch_id
    job.finished_at, job.claimed_until = now, None


async def retry_import_later(*, session: AsyncSession, job_id: int, at: datetime) -> None:
    """Give a job back after a passing failure, to be taken again from ``at``."""
    job = await session.get(ImportJob, job_id)
    if job is not None:
        job.claimed_until = at
