"""The demo county at work, so every persona has something to do from the first minute: the
units' deadlines planned around the 公示 the administrator is about to open (the work it
publishes done, a few units late with their rules), a few hotline cases in different states
(new on the desk, with the demo unit, with the 人社局's investigator, closed), and the weekly
digest with its chart for the bureau. Everything goes through the same use cases as chat and
CLI; the cases are written once, with the county, and the deadlines follow the 公示 at every
start until it opens."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from bot.settings import Settings
from domain.clock import SystemClock
from domain.workdays import UnknownYearError, WorkCalendar
from notices.config import NoticeSettings
from notices.digest import send_weekly_digest
from notices.service import deadline_config, work_calendar
from services import cases
from services.complaints import file_complaint
from services.tasks import plan_cycle_tasks
from storage.cases import Actor
from storage.complaints import ComplaintDraft
from storage.db import transaction
from storage.models import RoleBinding, UnitTask, Worker
from storage.publication import plan_window
from storage.unit_tasks import cycle_by_year

log = logging.getLogger(__name__)

# The work the 公示 publishes is done by every unit; a few units have not filed their rules.
DONE_BEFORE_THE_GONGSHI = ("rules_filed", "assessment", "results_submitted")
UNITS_LATE_WITH_RULES = 3


@dataclass(frozen=True)
class DemoPeople:
    """The Telegram ids of the demo's personas the work is done by and for."""

    citizens: tuple[int, ...]
    bureau: int
    investigator: int
    unit: int
    unit_id: int


async def plan_demo_deadlines(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, *, year: int, today: date
) -> None:
    """The cycle's deadlines around the 公示 an administrator would open today (or the one
    open already): written at every start, so a demo started on another day still fits."""
    calendar = work_calendar(settings)
    config = deadline_config(settings.deadlines_file)
    try:
        opens_on: date | None = plan_window(
            calendar=calendar, today=today, workdays=settings.gongshi_min_workdays
        ).opens_on
    except UnknownYearError:
        opens_on = None  # the calendar stops before today: the configured default window
    async with transaction(sessions) as session:
        cycle = await cycle_by_year(session, year)
        if cycle is None:
            return
        try:
            await plan_cycle_tasks(
                session=session, cycle=cycle, config=config, calendar=calendar, opens_on=opens_on
            )
        except UnknownYearError as error:
            log.warning("demo deadlines not planned: %s", error)


async def write_demo_work(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    people: DemoPeople,
    *,
    year: int,
    now: datetime,
) -> None:
    """Once, with a new demo county: the tasks done so far and the hotline's cases."""
    calendar = work_calendar(settings)
    async with transaction(sessions) as session:
        cycle = await cycle_by_year(session, year)
        if cycle is not None and cycle.id is not None:
            await _tasks_done(session, cycle_id=cycle.id, people=people, now=now)
        await _cases(session, settings, people, calendar=calendar, now=now)


async def send_demo_digest(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """The weekly digest now, chart and all (once a week, as the sweep would)."""
    await send_weekly_digest(
        sessions=sessions,
        clock=SystemClock(settings.timezone),
        settings=NoticeSettings.from_settings(settings),
        force=True,
    )


async def _tasks_done(
    session: AsyncSession, *, cycle_id: int, people: DemoPeople, now: datetime
) -> None:
    tasks = list(
        (
            await session.execute(
                select(UnitTask)
                .where(
                    col(UnitTask.cycle_id) == cycle_id,
                    col(UnitTask.kind).in_(DONE_BEFORE_THE_GONGSHI),
                )
                .order_by(col(UnitTask.unit_id).desc())
            )
        ).scalars()
    )
    late = {t.unit_id for t in tasks if t.unit_id != people.unit_id}
    late = set(sorted(late, reverse=True)[:UNITS_LATE_WITH_RULES])
    for task in tasks:
        if task.kind == "rules_filed" and task.unit_id in late:
            continue
        task.state, task.done_at = "done", min(now, _evening_of(task.due_on, now))
        task.done_by = people.unit if task.unit_id == people.unit_id else None


def _evening_of(day: date, now: datetime) -> datetime:
    return datetime.combine(day, now.timetz().replace(hour=17, minute=0, second=0, microsecond=0))


@dataclass(frozen=True)
class _Complaint:
    category: str
    description: str
    days_ago: int
    worker: int  # which of the demo unit's workers, by roster order


# Descriptions as a citizen would write them; the workers are named by the case, not here.
_COMPLAINTS = (
    _Complaint("other", "这位保洁员经常上午十点以后才到岗，下午三点就走了，希望核实。", 1, 1),
    _Complaint("other", "该岗位人员在岗时态度很差，群众办事时被呵斥，希望单位处理。", 4, 2),
    _Complaint("other", "听说这个岗位的人一直不来上班，每天都是他的亲戚在替他干活。", 6, 3),
    _Complaint("unfair", "单位考核时没有组织民主测评，结果是领导一个人定的，不公平。", 9, 4),
)


async def _cases(
    session: AsyncSession,
    settings: Settings,
    people: DemoPeople,
    *,
    calendar: WorkCalendar,
    now: datetime,
) -> None:
    workers = list(
        (
            await session.execute(
                select(col(Worker.id))
                .where(col(Worker.unit_id) == people.unit_id)
                .order_by(col(Worker.id))
                .limit(1 + len(_COMPLAINTS))
            )
        ).scalars()
    )
    desk = await _actor(session, people.bureau, "bureau")
    investigator = await _actor(session, people.investigator, "investigator")
    filed = []
    for number, complaint in enumerate(_COMPLAINTS):
        at = now - timedelta(days=complaint.days_ago)
        draft = ComplaintDraft(
            unit_id=people.unit_id,
            worker_id=workers[complaint.worker % len(workers)] if workers else None,
            category=complaint.category,
            description=complaint.description,
        )
        submitted = await file_complaint(
            session=session,
            draft=draft,
            user_id=people.citizens[number % len(people.citizens)],
            language="zh",
            now=at,
            calendar=calendar,
            threshold=settings.serious_complainants,
            secret_key=settings.secret_key.get_secret_value(),
        )
        assert submitted.case.id is not None
        filed.append((submitted.case.id, at))
    # The first stays new on the desk. The second the desk gives to the unit: a conduct matter.
    (_, _), (to_unit, at2), (to_rsj, at3), (closed, at4) = filed
    await cases.accept(session=session, case_id=to_unit, actor=desk, now=at2, calendar=calendar)
    await cases.reclassify(
        session=session,
        case_id=to_unit,
        actor=desk,
        now=at2 + timedelta(hours=1),
        category="conduct",
    )
    # The third is someone else doing the job: the 人社局's, being investigated.
    await cases.reclassify(
        session=session, case_id=to_rsj, actor=desk, now=at3, category="impostor"
    )
    later = at3 + timedelta(hours=2)
    await cases.accept(
        session=session, case_id=to_rsj, actor=investigator, now=later, calendar=calendar
    )
    await cases.assign(
        session=session,
        case_id=to_rsj,
        actor=investigator,
        now=later,
        investigator=people.investigator,
    )
    # The fourth the desk looked into and closed: the procedure was followed.
    await cases.accept(session=session, case_id=closed, actor=desk, now=at4, calendar=calendar)
    await cases.record_finding(
        session=session,
        case_id=closed,
        actor=desk,
        now=at4 + timedelta(days=3),
        finding="不属实",
        opinion="经查阅测评表和会议记录，该单位已按规定组织民主测评和集体研究，考核结果有效。",
        calendar=calendar,
    )
    await cases.close(
        session=session,
        case_id=closed,
        actor=desk,
        now=at4 + timedelta(days=3, hours=1),
        font_file=settings.pdf_font,
    )


async def _actor(session: AsyncSession, user_id: int, role: str) -> Actor:
    binding = (
        await session.execute(
            select(RoleBinding).where(
                col(RoleBinding.user_id) == user_id,
                col(RoleBinding.role) == role,
                col(RoleBinding.revoked_at).is_(None),
            )
        )
    ).scalar_one()
    return Actor(
        user_id=user_id, role=role, official_id=binding.official_id, unit_id=binding.unit_id
    )
