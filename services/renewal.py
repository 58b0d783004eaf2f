"""The renewal paperwork per worker once the 公示 closes (五(六), 六(一)(二)(四)).

A unit contact records, worker by worker: a renewed agreement signed, with its one-year term,
the worker's consent and the post's conditions confirmed; or the written reason the agreement
is not renewed, which opens the unit's tasks for that worker (the social-insurance change, the
unemployment registration and, after two 不合格 in a row, the end of the labour contract), each
with a deadline, closed with a file or a confirmation. The tasks are unit tasks: the reminder
sweep reminds and escalates them like every other.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from domain.renewal import (
    TASK_WORKDAYS,
    PaperState,
    PaperworkError,
    agreement_term,
    check_start,
    clean_reason,
    tasks_after_non_renewal,
    worker_task_base,
    worker_task_kind,
)
from domain.workdays import UnknownYearError
from messages import N_
from services.deps import Deps
from storage.audit import audit
from storage.models import Cycle, RenewalPaper, UnitTask, Worker
from storage.renewal import PaperRow, paperwork
from storage.unit_tasks import mark_done, unit_tasks

NOT_YOURS = N_("This worker is not on your unit's results of a closed 公示.")
ALREADY_RECORDED = N_("This worker's paperwork is recorded already.")
DOES_NOT_RENEW = N_(
    "The result and the rules do not allow renewing this worker's agreement: "
    "write the reason it is not renewed instead."
)
CONSENT_NEEDED = N_("The agreement is signed only with the worker's consent.")
ELIGIBLE_NEEDED = N_(
    "The agreement is renewed only for a worker who meets the conditions of a public-welfare "
    "post (符合公益性岗位人员条件)."
)
TASK_NOT_YOURS = N_("This task is not your unit's.")
TASK_DONE_ALREADY = N_("This task is already done.")


async def worker_paper(
    *, session: AsyncSession, deps: Deps, cycle: Cycle, worker_id: int, unit_ids: list[int] | None
) -> PaperRow:
    """One worker's paperwork, refused unless the worker is in one of ``unit_ids`` (None: the
    bureau, every unit)."""
    found = await paperwork(
        session,
        cycle=cycle,
        basic_may_renew=deps.renewal.basic_may_renew,
        worker_id=worker_id,
    )
    rows = [row for unit in found for row in unit.rows]
    if not rows or (unit_ids is not None and rows[0].unit_id not in unit_ids):
        raise PaperworkError(NOT_YOURS)
    return rows[0]


async def sign_agreement(
    *,
    session: AsyncSession,
    deps: Deps,
    cycle: Cycle,
    worker_id: int,
    starts_on: date,
    consent: bool,
    eligible: bool,
    unit_ids: list[int] | None,
    actor_user_id: int,
) -> RenewalPaper:
    """The renewed agreement signed for one year from ``starts_on``, recorded and audited."""
    row = await worker_paper(
        session=session, deps=deps, cycle=cycle, worker_id=worker_id, unit_ids=unit_ids
    )
    if row.paper is not None:
        raise PaperworkError(ALREADY_RECORDED)
    if not row.renews:
        raise PaperworkError(DOES_NOT_RENEW)
    if not consent:
        raise PaperworkError(CONSENT_NEEDED)
    if not eligible:
        raise PaperworkError(ELIGIBLE_NEEDED)
    start, end = agreement_term(check_start(starts_on, today=deps.clock.today()))
    paper = RenewalPaper(
        cycle_id=cycle.id or 0,
        unit_id=row.unit_id,
        worker_id=worker_id,
        outcome="renewed",
        term_starts_on=start,
        term_ends_on=end,
        consent=True,
        eligible=True,
        recorded_at=deps.clock.now(),
        recorded_by=actor_user_id,
    )
    session.add(paper)
    await session.flush()
    audit(
        session,
        actor_user_id=actor_user_id,
        action="renewal_signed",
        target_type="worker",
        target_id=worker_id,
        unit_id=row.unit_id,
        cycle=cycle.year,
        starts_on=start.isoformat(),
        ends_on=end.isoformat(),
    )
    await settle_unit_tasks(
        session=session, deps=deps, cycle=cycle, unit_id=row.unit_id, actor_user_id=actor_user_id
    )
    return paper


async def record_non_renewal(
    *,
    session: AsyncSession,
    deps: Deps,
    cycle: Cycle,
    worker_id: int,
    reason: str,
    unit_ids: list[int] | None,
    actor_user_id: int,
) -> tuple[RenewalPaper, list[UnitTask]]:
    """The written reason one worker's agreement is not renewed, and the unit's tasks for
    that worker, each due ``TASK_WORKDAYS`` working days from today."""
    written = clean_reason(reason)
    row = await worker_paper(
        session=session, deps=deps, cycle=cycle, worker_id=worker_id, unit_ids=unit_ids
    )
    if row.paper is not None:
        raise PaperworkError(ALREADY_RECORDED)
    today = deps.clock.today()
    paper = RenewalPaper(
        cycle_id=cycle.id or 0,
        unit_id=row.unit_id,
        worker_id=worker_id,
        outcome="not_renewed",
        reason=written,
        recorded_at=deps.clock.now(),
        recorded_by=actor_user_id,
    )
    session.add(paper)
    worker = await session.get(Worker, worker_id)
    due = due_after(deps, today)
    tasks = [
        UnitTask(
            cycle_id=cycle.id or 0,
            unit_id=row.unit_id,
            worker_id=worker_id,
            kind=worker_task_kind(base, worker_id),
            starts_on=today,
            due_on=due,
            needs_file=False,
            title=(worker.name if worker else "")[:100],
        )
        for base in tasks_after_non_renewal(fails_twice=row.fails_twice)
    ]
    session.add_all(tasks)
    await session.flush()
    audit(
        session,
        actor_user_id=actor_user_id,
        action="non_renewal_reported",
        target_type="worker",
        target_id=worker_id,
        unit_id=row.unit_id,
        cycle=cycle.year,
        tasks=[task.kind for task in tasks],
        due_on=due.isoformat(),
    )
    await settle_unit_tasks(
        session=session, deps=deps, cycle=cycle, unit_id=row.unit_id, actor_user_id=actor_user_id
    )
    return paper, tasks


# The unit's own tasks the paperwork stands for (notices/deadlines.toml), and the state of a
# worker that keeps each open.
SETTLES = {"renewals_signed": PaperState.TO_SIGN, "non_renewals_reported": PaperState.REASON_NEEDED}
SETTLED_NOTE = "recorded worker by worker in the bot"


async def settle_unit_tasks(
    *, session: AsyncSession, deps: Deps, cycle: Cycle, unit_id: int, actor_user_id: int
) -> list[str]:
    """The unit's tasks "sign the renewals" and "report each non-renewal" done once no worker
    is left to sign or to explain: the bureau reads each worker's record instead of a list.
    Returns the kinds marked done."""
    found = await paperwork(
        session, cycle=cycle, basic_may_renew=deps.renewal.basic_may_renew, unit_id=unit_id
    )
    left = {row.state for unit in found for row in unit.rows}
    settled = []
    for task in await unit_tasks(session, unit_id=unit_id, cycle_id=cycle.id or 0):
        waits_for = SETTLES.get(task.kind)
        if waits_for is None or task.state == "done" or waits_for in left:
            continue
        await mark_done(
            session, task=task, user_id=actor_user_id, now=deps.clock.now(), note=SETTLED_NOTE
        )
        settled.append(task.kind)
    return settled


def due_after(deps: Deps, today: date) -> date:
    """``TASK_WORKDAYS`` working days after ``today``; while the calendar of the year after
    is not supplied yet, the same span in calendar days (two weeks), so no reason is lost for
    want of a holiday list (the reminder sweep asks the administrators for it)."""
    try:
        return deps.calendar.add_workdays(today, TASK_WORKDAYS)
    except UnknownYearError:
        return today + timedelta(days=TASK_WORKDAYS * 7 // 5)


async def finish_worker_task(
    *,
    session: AsyncSession,
    task_id: int,
    unit_ids: list[int],
    actor_user_id: int,
    now: datetime,
    file_id: str = "",
    file_name: str = "",
) -> UnitTask:
    """One worker's task done, with the file handed in or as confirmed."""
    task = await session.get(UnitTask, task_id)
    if task is None or task.unit_id not in unit_ids or not worker_task_base(task.kind):
        raise PaperworkError(TASK_NOT_YOURS)
    if task.state == "done":
        raise PaperworkError(TASK_DONE_ALREADY)
    await mark_done(
        session,
        task=task,
        user_id=actor_user_id,
        now=now,
        file_id=file_id,
        file_name=file_name,
        note="" if file_id else "confirmed",
    )
    return task
