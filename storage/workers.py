"""Workers binding to their roster row, and what each worker is shown about their result.

A worker binds once: with a one-time code the unit hands out (only the code's hash is
stored), or by sharing their own Telegram contact, matched to the roster phone by keyed hash.
Failed attempts are in the audit log (services.workers writes them), which is also what
throttles them. A worker row has at most one live binding: a new one replaces the old.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from domain.grades import Consequence, Finding, Grade, consequences, renewal_allowed
from domain.masking import normalize_phone
from domain.procedure import GradeBasis
from domain.renewal import END_CONTRACT, SOCIAL_INSURANCE, UNEMPLOYMENT, worker_task_kind
from storage.identity import keyed_hash, token_hash
from storage.models import (
    AuditLog,
    Case,
    Complaint,
    Cycle,
    Post,
    RenewalPaper,
    Result,
    RoleBinding,
    Unit,
    UnitTask,
    Worker,
    WorkerCode,
)
from storage.procedure import grade_basis, own_window

# No 0/O, 1/I/L: a code is read off paper and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_TTL = timedelta(days=90)
DEEP_LINK_PREFIX = "w_"
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(hours=1)
FAILED_ACTION = "worker_bind_failed"

# Which unit task carries the deadline of a consequence.
TASK_OF_CONSEQUENCE = {
    "renew_one_year": "renewals_signed",
    "file_with_bureau": "renewals_signed",
    "admonishment_talk": "admonishment_talks",
    "no_new_agreement": "non_renewals_reported",
    "report_non_renewal": "non_renewals_reported",
}
# The worker's own tasks after a non-renewal (domain.renewal), by consequence.
WORKER_TASK_OF_CONSEQUENCE = {
    "social_insurance_change": SOCIAL_INSURANCE,
    "unemployment_registration": UNEMPLOYMENT,
    "terminate_contract": END_CONTRACT,
}


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a person typed, as the code: case, spaces and dashes carry no meaning."""
    text = text.strip()
    if text.lower().startswith(DEEP_LINK_PREFIX):
        text = text[len(DEEP_LINK_PREFIX) :]
    return "".join(ch for ch in text.upper() if ch not in " -_")


@dataclass(frozen=True)
class CodeSheetRow:
    """One line of the sheet a unit hands out. ``name`` is in clear: the sheet masks it."""

    worker_id: int
    name: str
    post_title: str
    code: str


async def unit_by_name(session: AsyncSession, name: str) -> Unit | None:
    found = await session.execute(select(Unit).where(col(Unit.name) == name.strip()))
    return found.scalars().first()


async def issue_codes(*, session: AsyncSession, unit_id: int, now: datetime) -> list[CodeSheetRow]:
    """A fresh code for every worker on duty in the unit; earlier unused codes stop working."""
    rows = (
        await session.execute(
            select(Worker.id, Worker.name, Post.title)
            .join(Post, col(Post.worker_id) == col(Worker.id), isouter=True)
            .where(col(Worker.unit_id) == unit_id, col(Worker.status) == "on_duty")
            .order_by(col(Worker.name), col(Worker.id))
        )
    ).all()
    worker_ids = [int(wid) for wid, _, _ in rows]
    if worker_ids:
        await session.execute(
            update(WorkerCode)
            .where(
                col(WorkerCode.worker_id).in_(worker_ids),
                col(WorkerCode.used_at).is_(None),
                col(WorkerCode.revoked_at).is_(None),
            )
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
    sheet: list[CodeSheetRow] = []
    for wid, name, title in rows:
        code = new_code()
        session.add(
            WorkerCode(
                worker_id=int(wid),
                code_hash=token_hash(code),
                created_at=now,
                expires_at=now + CODE_TTL,
            )
        )
        sheet.append(CodeSheetRow(int(wid), str(name), str(title or ""), code))
    await session.flush()
    return sheet


async def failures_in_window(*, session: AsyncSession, user_id: int, now: datetime) -> int:
    found = await session.execute(
        select(func.count())
        .select_from(AuditLog)
        .where(
            col(AuditLog.actor_user_id) == user_id,
            col(AuditLog.action) == FAILED_ACTION,
            col(AuditLog.at) > now - FAILURE_WINDOW,
        )
    )
    return int(found.scalar_one())


async def claim_code(*, session: AsyncSession, code: str, now: datetime) -> int | None:
    """Mark a live code used and return its worker's id, or None for a used, revoked,
    expired or unknown code (the caller cannot tell which)."""
    wanted = normalize_code(code)
    if len(wanted) != CODE_LENGTH:
        return None
    digest = token_hash(wanted)
    claimed = await session.execute(
        update(WorkerCode)
        .where(
            col(WorkerCode.code_hash) == digest,
            col(WorkerCode.used_at).is_(None),
            col(WorkerCode.revoked_at).is_(None),
            col(WorkerCode.expires_at) > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    worker_id = (
        await session.execute(
            select(WorkerCode.worker_id).where(col(WorkerCode.code_hash) == digest)
        )
    ).scalar_one()
    return int(worker_id)


async def worker_by_phone(*, session: AsyncSession, secret_key: str, phone: str) -> int | None:
    """The on-duty worker whose roster phone this is, matched by keyed hash, or None."""
    try:
        digest = keyed_hash(secret_key, "phone", normalize_phone(phone))
    except ValueError:
        return None
    found = (
        await session.execute(
            select(Worker.id).where(
                col(Worker.phone_hash) == digest, col(Worker.status) == "on_duty"
            )
        )
    ).all()
    # Two roster rows sharing a phone cannot tell us who this is: a code must do.
    if len(found) != 1:
        return None
    return int(found[0][0])


async def replace_binding(
    *, session: AsyncSession, worker_id: int, user_id: int, now: datetime, via: str
) -> RoleBinding | None:
    """The one live binding of an on-duty worker and of this account: earlier ones of
    either end here. None when the worker is not on duty."""
    worker = await session.get(Worker, worker_id)
    if worker is None or worker.status != "on_duty":
        return None
    await session.execute(
        update(RoleBinding)
        .where(
            col(RoleBinding.role) == "worker",
            col(RoleBinding.revoked_at).is_(None),
            (col(RoleBinding.worker_id) == worker_id) | (col(RoleBinding.user_id) == user_id),
        )
        .values(revoked_at=now, revoked_by=user_id)
        .execution_options(synchronize_session=False)
    )
    binding = RoleBinding(
        user_id=user_id,
        role="worker",
        worker_id=worker_id,
        unit_id=worker.unit_id,
        via=via,
        bound_at=now,
    )
    session.add(binding)
    return binding


@dataclass(frozen=True)
class BoundWorker:
    binding_id: int
    worker_id: int
    name: str
    post_title: str
    via: str
    bound_at: datetime


async def bound_workers(
    *, session: AsyncSession, unit_id: int | None, limit: int = 30
) -> list[BoundWorker]:
    """Live worker bindings, of one unit or (``unit_id`` None, for the bureau) of all."""
    statement = (
        sa_select(
            col(RoleBinding.id),
            col(Worker.id),
            col(Worker.name),
            col(Post.title),
            col(RoleBinding.via),
            col(RoleBinding.bound_at),
        )
        .join(Worker, col(Worker.id) == col(RoleBinding.worker_id))
        .join(Post, col(Post.worker_id) == col(Worker.id), isouter=True)
        .where(col(RoleBinding.role) == "worker", col(RoleBinding.revoked_at).is_(None))
        .order_by(col(RoleBinding.bound_at).desc(), col(RoleBinding.id).desc())
        .limit(limit)
    )
    if unit_id is not None:
        statement = statement.where(col(Worker.unit_id) == unit_id)
    rows = (await session.execute(statement)).all()
    return [
        BoundWorker(int(b or 0), int(w or 0), str(n), str(p or ""), str(v), at)
        for b, w, n, p, v, at in rows
    ]


@dataclass(frozen=True)
class FollowUp:
    consequence: Consequence
    due_on: date | None


@dataclass(frozen=True)
class WorkerView:
    """What a worker is shown of their own result. Complaints never appear here."""

    name: str
    unit_name: str
    post_title: str
    year: int | None = None
    grade: Grade | None = None
    renew: bool | None = None
    previous_grade: Grade | None = None
    status: str = ""
    follow_ups: tuple[FollowUp, ...] = ()
    cycle_state: str = ""
    opens_on: date | None = None
    closes_on: date | None = None
    basis: GradeBasis | None = None
    # The renewed agreement as the unit recorded it signed (storage.models.RenewalPaper).
    term: tuple[date, date] | None = None


async def worker_view(
    *, session: AsyncSession, worker_id: int, basic_may_renew: bool = True
) -> WorkerView | None:
    """The worker's latest result and what follows, under the county's reading of 六(一)
    (``basic_may_renew``, from ``domain.renewal.RenewalSettings``)."""
    worker = await session.get(Worker, worker_id)
    if worker is None:
        return None
    unit = await session.get(Unit, worker.unit_id)
    results = (
        await session.execute(
            select(Result, Cycle)
            .join(Cycle, col(Cycle.id) == col(Result.cycle_id))
            .where(col(Result.worker_id) == worker_id)
            .order_by(col(Cycle.year).desc())
            .limit(2)
        )
    ).all()
    post = (
        await session.execute(select(Post.title).where(col(Post.worker_id) == worker_id))
    ).scalar_one_or_none()
    base = WorkerView(
        name=worker.name,
        unit_name=unit.name if unit is not None else "",
        post_title=str(post or ""),
    )
    if not results:
        return base
    result, cycle = results[0]
    previous: Grade | None = None
    if len(results) > 1 and results[1][1].year == cycle.year - 1:
        previous = Grade(results[1][0].grade)
    grade = Grade(result.grade)
    findings = _findings(result)
    renew = (
        result.renew
        and not result.renewal_blocked
        and renewal_allowed(grade=grade, findings=findings, basic_may_renew=basic_may_renew)
    )
    tasks = {
        task.kind: task.due_on
        for task in (
            await session.execute(
                select(UnitTask).where(
                    col(UnitTask.unit_id) == result.unit_id,
                    col(UnitTask.cycle_id) == cycle.id,
                )
            )
        ).scalars()
    }
    follow_ups = tuple(
        FollowUp(c, tasks.get(_task_kind(c.code, worker_id)))
        for c in consequences(
            grade=grade,
            renew=renew,
            previous_grade=previous,
            findings=findings,
            basic_may_renew=basic_may_renew,
        )
    )
    # A result added or changed during the 公示 is on notice for a period of its own.
    window = await own_window(session, cycle_id=result.cycle_id, worker_id=worker_id) or (
        cycle.gongshi_opens_on,
        cycle.gongshi_closes_on,
    )
    paper = (
        await session.execute(
            select(RenewalPaper).where(
                col(RenewalPaper.worker_id) == worker_id, col(RenewalPaper.cycle_id) == cycle.id
            )
        )
    ).scalar_one_or_none()
    term = None
    if paper is not None and paper.term_starts_on and paper.term_ends_on:
        term = (paper.term_starts_on, paper.term_ends_on)
    return WorkerView(
        term=term,
        name=base.name,
        unit_name=base.unit_name,
        post_title=result.post_title or base.post_title,
        year=cycle.year,
        grade=grade,
        renew=renew,
        previous_grade=previous,
        status=result.status,
        follow_ups=follow_ups,
        cycle_state=cycle.state,
        opens_on=window[0],
        closes_on=window[1],
        basis=await grade_basis(session, cycle_id=result.cycle_id, worker_id=worker_id),
    )


def _task_kind(consequence: str, worker_id: int) -> str:
    """The unit task whose due day a consequence shows: the worker's own, else the unit's."""
    own = WORKER_TASK_OF_CONSEQUENCE.get(consequence)
    if own is not None:
        return worker_task_kind(own, worker_id)
    return TASK_OF_CONSEQUENCE.get(consequence, "")


def _findings(result: Result) -> frozenset[Finding]:
    known = {finding.value for finding in Finding}
    return frozenset(Finding(f) for f in result.findings or () if f in known)


async def open_objection(
    *, session: AsyncSession, worker_id: int, cycle_id: int, user_id: int
) -> str | None:
    """The ticket code of the worker's own objection still open in this cycle, if any.

    Only objections the worker filed themselves: complaints about them stay out of sight.
    """
    found = await session.execute(
        sa_select(col(Complaint.ticket_code))
        .join(Case, col(Case.complaint_id) == col(Complaint.id))
        .where(
            col(Complaint.kind) == "objection",
            col(Complaint.worker_id) == worker_id,
            col(Complaint.cycle_id) == cycle_id,
            col(Complaint.submitted_by) == user_id,
            col(Case.state).not_in(("closed", "rejected")),
        )
        .order_by(col(Complaint.id))
        .limit(1)
    )
    code = found.scalar_one_or_none()
    return str(code) if code is not None else None
