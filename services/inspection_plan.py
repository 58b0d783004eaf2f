"""The inspection plan of a cycle (city plan 一、二、五.2): its window, groups and people, the
split of the units between the groups, and the invitation that binds an inspector to their
place in a group, and a person taken off the plan. Used by `gongshi inspection` and the
administrator's chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import inspection as rules
from domain.inspection_window import checked_window
from domain.workdays import WorkCalendar
from messages.i18n import N_, Translator
from services.commands import refresh_chat_menu
from storage import inspection as store
from storage.audit import audit
from storage.cases import user_language
from storage.invitations import create_invitation
from storage.models import (
    Cycle,
    InspectionAssignment,
    InspectionGroup,
    InspectionMember,
    InspectionPlan,
    Invitation,
    Official,
    RoleBinding,
    UnitTask,
)
from storage.outbox import enqueue


@dataclass(frozen=True)
class Who:
    """Who changes the plan: a Telegram user, or the command line."""

    user_id: int | None = None

    @property
    def actor(self) -> str:
        return "cli" if self.user_id is None else "telegram"

    def audit(self, session: AsyncSession, *, action: str, **detail: Any) -> None:
        """The audit entry of a change to the plan, in the caller's transaction."""
        audit(session, action=action, actor=self.actor, actor_user_id=self.user_id, **detail)


CLI = Who()


def _given(cycle: Cycle, calendar: WorkCalendar, starts: date, due: date) -> rules.Window:
    """Days given on the command line, checked as the chat checks a typed window: in the
    cycle's year, at most domain.inspection_window.MAX_DAYS, moved onto working days."""
    return checked_window(starts, due, year=cycle.year, calendar=calendar).window


async def plan_cycle(
    *,
    session: AsyncSession,
    cycle: Cycle,
    calendar: WorkCalendar,
    groups: int | None = None,
    starts_on: date | None = None,
    due_on: date | None = None,
    rebalance: bool = False,
    who: Who = CLI,
) -> InspectionPlan:
    """The cycle's plan, made if it has none: the window (default 19–26 December on working
    days, or the dates given), ``groups`` groups (default two; never fewer than it has), and
    every unit not in a group yet put in one, balanced by workers (``rebalance``: every unit
    split afresh). Running it again changes nothing."""
    assert cycle.id is not None
    plan = await store.plan_of(session, cycle.id)
    default = rules.default_window(cycle.year, calendar)
    if plan is None:
        chosen = _given(cycle, calendar, starts_on or default.starts_on, due_on or default.due_on)
        plan = InspectionPlan(cycle_id=cycle.id, starts_on=chosen.starts_on, due_on=chosen.due_on)
        session.add(plan)
        await session.flush()
    elif starts_on or due_on:
        chosen = _given(cycle, calendar, starts_on or plan.starts_on, due_on or plan.due_on)
        plan.starts_on, plan.due_on = chosen.starts_on, chosen.due_on
    assert plan.id is not None
    existing = await store.groups_of(session, plan.id)
    wanted = rules.check_groups(groups or max(len(existing), rules.DEFAULT_GROUPS))
    for number in range(len(existing) + 1, wanted + 1):
        session.add(InspectionGroup(plan_id=plan.id, number=number))
    await session.flush()
    await _split(session, plan.id, rebalance=rebalance)
    await follow_window(session, plan)
    who.audit(
        session,
        action="inspection_planned",
        target_type="inspection_plan",
        target_id=plan.id,
        cycle=cycle.year,
        groups=wanted,
        starts=str(plan.starts_on),
        due=str(plan.due_on),
        rebalance=rebalance,
    )
    return plan


# The units' tasks that happen during the inspection follow its window.
WINDOW_TASKS = ("verification", "insurance_vouchers")


async def follow_window(session: AsyncSession, plan: InspectionPlan) -> None:
    """Open verification and voucher tasks take the plan's window; done ones stay."""
    found = await session.execute(
        select(UnitTask).where(
            col(UnitTask.cycle_id) == plan.cycle_id,
            col(UnitTask.kind).in_(WINDOW_TASKS),
            col(UnitTask.state) != "done",
        )
    )
    for task in found.scalars():
        task.starts_on, task.due_on = plan.starts_on, plan.due_on


async def _split(session: AsyncSession, plan_id: int, *, rebalance: bool) -> None:
    groups = {g.number: g for g in await store.groups_of(session, plan_id)}
    by_id = {g.id: g.number for g in groups.values()}
    workers = await store.workers_on_duty(session)
    current = await store.assignments(session, plan_id)
    if rebalance:
        split = rules.propose_split(workers, len(groups))
    else:
        # Units already placed stay; the newcomers go where the load is lightest.
        placed = {uid: by_id[a.group_id] for uid, a in current.items() if a.group_id in by_id}
        split = dict(placed)
        loads = rules.group_loads(placed, workers)
        count = {n: sum(1 for v in placed.values() if v == n) for n in groups}
        for unit_id in sorted(set(workers) - set(placed), key=lambda u: (-workers[u], u)):
            number = min(groups, key=lambda n: (loads.get(n, 0), count[n], n))
            split[unit_id] = number
            loads[number] = loads.get(number, 0) + workers[unit_id]
            count[number] += 1
    for unit_id, number in split.items():
        group_id = groups[number].id
        assert group_id is not None
        if unit_id in current:
            current[unit_id].group_id = group_id
        else:
            session.add(InspectionAssignment(plan_id=plan_id, unit_id=unit_id, group_id=group_id))
    await session.flush()


async def move_unit(
    *,
    session: AsyncSession,
    plan: InspectionPlan,
    unit_id: int,
    group_number: int,
    who: Who = CLI,
) -> bool:
    """Put the unit in group ``group_number``; False when the plan has no such group."""
    assert plan.id is not None
    groups = {g.number: g for g in await store.groups_of(session, plan.id)}
    group = groups.get(group_number)
    if group is None or group.id is None:
        return False
    current = (await store.assignments(session, plan.id)).get(unit_id)
    if current is None:
        session.add(InspectionAssignment(plan_id=plan.id, unit_id=unit_id, group_id=group.id))
    else:
        current.group_id = group.id
    who.audit(
        session,
        action="inspection_unit_moved",
        target_type="unit",
        target_id=unit_id,
        plan=plan.id,
        group=group_number,
    )
    await session.flush()
    return True


async def add_member(
    *,
    session: AsyncSession,
    plan: InspectionPlan,
    body: str,
    name: str,
    post: str = "",
    department: str = "其他",
    position: str = "member",
    group_number: int | None = None,
    who: Who = CLI,
) -> InspectionMember:
    """A person of the leading group, its office, or group ``group_number``; bad input raises
    ``domain.inspection.PlanError`` with nothing added."""
    assert plan.id is not None
    if body not in rules.BODIES or position not in rules.POSITIONS:
        raise ValueError(f"unknown body {body!r} or position {position!r}")
    group_id = None
    if body == "group":
        groups = {g.number: g for g in await store.groups_of(session, plan.id)}
        if group_number not in groups:
            raise rules.PlanError(rules.REASON_GROUPS, most=str(len(groups)))
        group_id = groups[group_number].id
    member = InspectionMember(
        plan_id=plan.id,
        body=body,
        group_id=group_id,
        position=position,
        name=rules.clean_name(name),
        post=rules.clean_post(post),
        department=rules.department(department),
    )
    session.add(member)
    await session.flush()
    who.audit(
        session,
        action="inspection_member_added",
        target_type="inspection_member",
        target_id=member.id,
        body=body,
        group=group_number,
        position=position,
    )
    return member


async def invite_inspector(
    *, session: AsyncSession, member: InspectionMember, now: datetime, who: Who = CLI
) -> str:
    """A one-time invitation that binds whoever opens it to this group member as an
    inspector; the member's official is made now, so the binding lands on their row."""
    if member.group_id is None:
        raise ValueError("only a group member is an inspector")
    if member.official_id is None:
        official = Official(name=member.name, role="inspector", created_at=now)
        session.add(official)
        await session.flush()
        member.official_id = official.id
    token = await create_invitation(
        session=session,
        role="inspector",
        now=now,
        official_id=member.official_id,
        created_by=who.actor if who.user_id is None else str(who.user_id),
    )
    who.audit(
        session,
        action="inspector_invited",
        target_type="inspection_member",
        target_id=member.id,
    )
    return token


async def set_window(
    *, session: AsyncSession, plan: InspectionPlan, window: rules.Window, who: Who = CLI
) -> None:
    """The plan's window changed (already checked: domain.inspection_window); the units' open
    verification and voucher tasks follow it."""
    before = (str(plan.starts_on), str(plan.due_on))
    plan.starts_on, plan.due_on = window.starts_on, window.due_on
    await follow_window(session, plan)
    who.audit(
        session,
        action="inspection_window_set",
        target_type="inspection_plan",
        target_id=plan.id,
        before=list(before),
        starts=str(plan.starts_on),
        due=str(plan.due_on),
    )
    await session.flush()


REMOVED_NOTICE = N_(
    "You are no longer a member of inspection group {n}; your access as an inspector has ended."
)


async def remove_member(
    *,
    session: AsyncSession,
    member: InspectionMember,
    now: datetime,
    who: Who = CLI,
    default_language: str | None = None,
) -> int:
    """Take ``member`` off the plan. A group member's inspector access ends with it: their
    bindings are revoked (each bound chat told, and its "/" menu set again), an invitation not
    yet used expires, their official is made inactive (kept, for the checks and findings it
    recorded). Returns how many chats lost their access. ``default_language``: the
    deployment's, in which the "/" menus without a language code are set."""
    group = await session.get(InspectionGroup, member.group_id) if member.group_id else None
    revoked: list[RoleBinding] = []
    if member.official_id is not None:
        found = await session.execute(
            select(RoleBinding).where(
                col(RoleBinding.official_id) == member.official_id,
                col(RoleBinding.role) == "inspector",
                col(RoleBinding.revoked_at).is_(None),
            )
        )
        revoked = list(found.scalars())
        for binding in revoked:
            binding.revoked_at, binding.revoked_by = now, who.user_id
            text = Translator(await user_language(session, binding.user_id))(
                REMOVED_NOTICE, n=group.number if group else "-"
            )
            await enqueue(
                session,
                chat_id=binding.user_id,
                kind="notice",
                text=text,
                dedup_key=f"inspector_removed:{member.id}:{binding.user_id}",
            )
        await session.execute(
            update(Invitation)
            .where(
                col(Invitation.official_id) == member.official_id,
                col(Invitation.used_at).is_(None),
                col(Invitation.expires_at) > now,
            )
            .values(expires_at=now)
        )
        official = await session.get(Official, member.official_id)
        if official is not None:
            official.active = False
        # Their "/" menu loses the inspector's commands now, not at their next change.
        await session.flush()
        await refresh_chat_menu(
            session=session,
            user_ids=[b.user_id for b in revoked],
            default_language=default_language,
        )
    who.audit(
        session,
        action="inspection_member_removed",
        target_type="inspection_member",
        target_id=member.id,
        body=member.body,
        group=group.number if group else None,
        position=member.position,
        revoked=len(revoked),
    )
    await session.delete(member)
    await session.flush()
    return len(revoked)
