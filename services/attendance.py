"""Record attendance and tell the unit: the staff verification's use case. The unit learns,
through the outbox, whose absence made a post vacant (masked name and post only: never an ID
number or a phone). Used by the bureau's chat flow and by `gongshi verify import`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.attendance import REASON_NOT_ON_ROSTER, read_attendance
from domain.masking import mask_name
from domain.sheet import RowIssue
from messages.i18n import N_, Translator
from storage.audiences import unit_contacts
from storage.db import transaction
from storage.identity import keyed_hash
from storage.importer import read_table
from storage.models import Worker
from storage.outbox import enqueue
from storage.verification import Attendance, record_attendance, workers_by_id_hash
from storage.verification_sessions import worker_chats

TOLD_ABSENT = N_(
    "Staff verification: {name} ({post}) did not come to the verification. As the inspection "
    "plan says, the post is treated as vacant and the worker is removed from the roster."
)
TOLD_RESTORED = N_(
    "Staff verification, correction: {name} ({post}) did come. The worker is back on the roster."
)
TOLD_WORKER_ABSENT = N_(
    "Staff verification: you did not come to the verification. As the inspection plan says, "
    "your post ({post}) is treated as vacant and you are removed from the roster. If you had "
    "a reason, tell your unit and the inspection group at once."
)
TOLD_WORKER_RESTORED = N_(
    "Staff verification, correction: your attendance is recorded and you are back on the "
    "roster ({post})."
)


async def record_and_tell(
    *,
    session: AsyncSession,
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
    """Record it; when it strikes the worker off (or puts that right) the unit's contacts and
    the worker, if bound, are told."""
    result = await record_attendance(
        session,
        cycle_id=cycle_id,
        worker=worker,
        present=present,
        now=now,
        official_id=official_id,
        user_id=user_id,
        source=source,
        excuse=excuse,
        papers_seen=papers_seen,
    )
    if result.removed or result.restored:
        template = TOLD_ABSENT if result.removed else TOLD_RESTORED
        worker_template = TOLD_WORKER_ABSENT if result.removed else TOLD_WORKER_RESTORED
        for person in await worker_chats(session, result.worker_id):
            await enqueue(
                session,
                chat_id=person.user_id,
                kind="notice",
                text=Translator(person.language)(worker_template, post=result.post_title or "-"),
                dedup_key=f"verify:{cycle_id}:{result.worker_id}:{int(result.removed)}:"
                f"{now:%Y%m%d%H%M%S}:w{person.user_id}",
            )
        for person in await unit_contacts(session, result.unit_id):
            t = Translator(person.language)
            await enqueue(
                session,
                chat_id=person.user_id,
                kind="notice",
                text=t(template, name=mask_name(result.worker_name), post=result.post_title or "-"),
                dedup_key=(
                    f"verify:{cycle_id}:{result.worker_id}:{int(result.present)}:"
                    f"{now:%Y%m%d%H%M%S}:{person.user_id}"
                ),
            )
    return result


@dataclass
class AttendanceImport:
    ok: bool
    issues: list[RowIssue] = field(default_factory=list)
    present: int = 0
    absent: int = 0
    excused: int = 0  # absent with a reason the group accepted (请假): not struck off
    removed: int = 0
    unchanged: int = 0


async def import_attendance(
    *,
    sessions: async_sessionmaker[AsyncSession],
    secret_key: str,
    path: str | os.PathLike[str],
    cycle_id: int,
    now: datetime,
    today: date,
) -> AttendanceImport:
    """Record a sheet of 身份证号 and 是否到场 (是 / 否 / 请假, with 请假原因); all rows or
    none. A 请假 is recorded as the chat records an excuse: absent with its reason, kept."""
    sheet = read_attendance(read_table(path), today=today)
    report = AttendanceImport(ok=False, issues=list(sheet.issues))
    async with transaction(sessions) as session:
        hashes = {row.id_number: keyed_hash(secret_key, "id", row.id_number) for row in sheet.rows}
        workers = await workers_by_id_hash(session, list(hashes.values()))
        for row in sheet.rows:
            if hashes[row.id_number] not in workers:
                report.issues.append(RowIssue(row.row, sheet.id_header, REASON_NOT_ON_ROSTER))
        if report.issues:
            report.issues.sort(key=lambda issue: issue.row)
            return report
        for row in sheet.rows:
            result = await record_and_tell(
                session=session,
                cycle_id=cycle_id,
                worker=workers[hashes[row.id_number]],
                present=row.present,
                now=now,
                source="sheet",
                excuse=row.excuse,
            )
            report.present += row.status == "present"
            report.absent += row.status == "absent"
            report.excused += row.status == "excused"
            report.removed += result.removed
            report.unchanged += not result.changed
    report.ok = True
    return report
