"""The demo's inspection plan, after the seed's second document: a leading group led by a
deputy mayor with its office, and two inspection groups (a 人社 leader, 人社 members, and one
member each from 纪检, 财政 and 审计) splitting the units between them by workers. The names
are made up; the posts are the seed's.

So that 人员增减变动 and 人员招录 show something, the newest worker of each unit joined during
the cycle's year (the roster's history says so), and every worker has a recruitment on record;
a few newcomers lack it or were not eligible, for the inspector to find."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.inspection import default_window, propose_split
from domain.recruitment import CATEGORIES
from domain.workdays import WorkCalendar
from storage.models import (
    Cycle,
    InspectionAssignment,
    InspectionCheck,
    InspectionFinding,
    InspectionGroup,
    InspectionMember,
    InspectionPlan,
    InspectionSelfCheck,
    VerificationSession,
    VoucherMonth,
    Worker,
    WorkerChange,
)

# body, group, position, name, post, department
PEOPLE: tuple[tuple[str, int | None, str, str, str, str], ...] = (
    ("leading", None, "leader", "胡海文", "副市长", "other"),
    ("leading", None, "deputy", "周建国", "市纪检委主要领导", "discipline"),
    ("leading", None, "deputy", "吴立新", "市财政局主要领导", "finance"),
    ("leading", None, "deputy", "郑宏伟", "市审计局主要领导", "audit"),
    ("leading", None, "deputy", "孙志强", "市人社局主要领导", "hr"),
    ("office", None, "leader", "张红军", "办公室主任（兼）", "hr"),
    ("group", 1, "leader", "张红军", "市人力资源和社会保障局副局长", "hr"),
    ("group", 1, "member", "张新民", "市人力资源和社会保障局办公室主任", "hr"),
    ("group", 1, "member", "郝雪梅", "市人力资源和社会保障局干部", "hr"),
    ("group", 1, "member", "马建军", "市纪检委干部", "discipline"),
    ("group", 1, "member", "何丽", "市财政局干部", "finance"),
    ("group", 1, "member", "罗斌", "市审计局干部", "audit"),
    ("group", 2, "leader", "高志远", "市纪检委副书记", "discipline"),
    ("group", 2, "deputy", "田培林", "市人力资源和社会保障局副局长", "hr"),
    ("group", 2, "member", "许睿涵", "市人力资源和社会保障局干部", "hr"),
    ("group", 2, "member", "梁晓东", "市纪检委干部", "discipline"),
    ("group", 2, "member", "宋佳", "市财政局干部", "finance"),
    ("group", 2, "member", "韩磊", "市审计局干部", "audit"),
)
GROUPS = 2
# The inspection's rows, children first, for deleting the roster they refer to.
INSPECTION_TABLES = (
    InspectionCheck,
    InspectionFinding,
    InspectionSelfCheck,
    VerificationSession,
    VoucherMonth,
    InspectionAssignment,
    InspectionMember,
    InspectionGroup,
    InspectionPlan,
    WorkerChange,
)


async def write_demo_inspection(session: AsyncSession, *, cycle: Cycle) -> InspectionPlan:
    """The cycle's plan with its people and every unit in one of the two groups."""
    assert cycle.id is not None
    window = default_window(cycle.year, WorkCalendar())
    plan = InspectionPlan(cycle_id=cycle.id, starts_on=window.starts_on, due_on=window.due_on)
    session.add(plan)
    await session.flush()
    assert plan.id is not None
    groups: dict[int, int | None] = {}
    for group_number in range(1, GROUPS + 1):
        group = InspectionGroup(plan_id=plan.id, number=group_number)
        session.add(group)
        await session.flush()
        groups[group_number] = group.id
    for body, in_group, position, name, post, department in PEOPLE:
        session.add(
            InspectionMember(
                plan_id=plan.id,
                body=body,
                group_id=groups[in_group] if in_group else None,
                position=position,
                name=name,
                post=post,
                department=department,
            )
        )
    found = await session.execute(
        select(col(Worker.unit_id), func.count())
        .where(col(Worker.status) == "on_duty")
        .group_by(col(Worker.unit_id))
    )
    workers = {int(uid): int(n) for uid, n in found.all()}
    for unit_id, number in propose_split(workers, GROUPS).items():
        group_id = groups[number]
        assert group_id is not None
        session.add(InspectionAssignment(plan_id=plan.id, unit_id=unit_id, group_id=group_id))
    await session.flush()
    return plan


async def demo_group_leader(session: AsyncSession, *, name: str) -> int | None:
    """The official of the first group's leader called ``name`` in the newest plan (made now
    if the member has none), for the demo's inspector persona."""
    from storage.inspection import latest_plan
    from storage.models import Official

    latest = await latest_plan(session)
    if latest is None:
        return None
    found = await session.execute(
        select(InspectionMember)
        .join(InspectionGroup, col(InspectionGroup.id) == col(InspectionMember.group_id))
        .where(
            col(InspectionMember.plan_id) == latest[0].id,
            col(InspectionGroup.number) == 1,
            col(InspectionMember.position) == "leader",
            col(InspectionMember.name) == name,
        )
    )
    member = found.scalars().first()
    if member is None:
        return None
    if member.official_id is None:
        official = Official(name=member.name, role="inspector")
        session.add(official)
        await session.flush()
        member.official_id = official.id
    return member.official_id


# Every this many units, the newcomer has no recruitment on record; the unit after that one,
# a newcomer found not eligible: the checklist flags both.
UNRECORDED_EVERY = 7
NEWCOMER_REASON = "新招录上岗"


async def write_demo_newcomers(session: AsyncSession, *, cycle: Cycle, now: datetime) -> int:
    """Each unit's newest worker on duty joined in the cycle's year; everyone's recruitment on
    record but a few newcomers'. Returns how many joined."""
    found = await session.execute(
        select(col(Worker.unit_id), func.max(col(Worker.id)))
        .where(col(Worker.status) == "on_duty", col(Worker.unit_id).is_not(None))
        .group_by(col(Worker.unit_id))
        .order_by(col(Worker.unit_id))
    )
    newest = [(int(unit_id or 0), int(worker_id or 0)) for unit_id, worker_id in found.all()]
    categories = list(CATEGORIES)[:-1]  # the named ones, not 其他
    for index, category in enumerate(categories):
        method = "placement" if index % 3 == 0 else "open"
        await session.execute(
            update(Worker)
            .where(col(Worker.status) == "on_duty", col(Worker.id) % len(categories) == index)
            .values(recruited_by=method, hardship=category, eligible=True)
        )
    for index, (unit_id, worker_id) in enumerate(newest):
        joined = date(cycle.year, 3 + index % 9, 1 + index % 28)
        session.add(
            WorkerChange(
                worker_id=worker_id,
                unit_id=unit_id,
                change="joined",
                on_day=joined,
                reason=NEWCOMER_REASON,
                recorded_at=now,
            )
        )
        values: dict[str, object]
        if index % UNRECORDED_EVERY == 0:
            values = {"recruited_by": None, "hardship": None, "eligible": None}
        elif index % UNRECORDED_EVERY == 1:
            values = {"recruited_by": "other", "hardship": None, "eligible": False}
        else:
            continue
        await session.execute(update(Worker).where(col(Worker.id) == worker_id).values(**values))
    await session.flush()
    return len(newest)
