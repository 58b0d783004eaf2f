"""A unit's self-check (city plan 五.1): led by the unit's head (一把手, by name) and done by a
named person, per checklist item what the unit found and what it corrected, with files. It
goes to the unit's inspection group and closes the unit's ``self_check`` task, which is
reminded like every task and, when overdue, escalated to the bureau and the group."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import inspection as rules
from messages.callbacks_inspection import InsUnit
from messages.i18n import N_, Translator
from messages.replies import Button
from storage.audit import audit
from storage.inspection import group_of_unit, inspectors_of_unit, latest_plan
from storage.models import InspectionSelfCheck, Unit, UnitTask
from storage.outbox import enqueue
from storage.unit_tasks import mark_done

TEXT_MAX = 500
NOTHING_WORDS = frozenset({"无", "没有", "nothing", "none", "-"})
FILES_MAX = 10
TOLD_GROUP = N_(
    "{unit} submitted its self-check (head of the unit: {head}; done by: {person}), "
    "{problems} items with problems found."
)
OPEN_UNIT = N_("Open the unit's checklist")


class NoInspection(LookupError):
    """No plan, or the unit is in no group of it."""


async def self_check_of(
    session: AsyncSession, *, plan_id: int, unit_id: int
) -> InspectionSelfCheck | None:
    found = await session.execute(
        select(InspectionSelfCheck).where(
            col(InspectionSelfCheck.plan_id) == plan_id,
            col(InspectionSelfCheck.unit_id) == unit_id,
        )
    )
    return found.scalars().first()


async def submit_self_check(
    *,
    session: AsyncSession,
    unit_id: int,
    head_name: str,
    done_by_name: str,
    items: dict[str, dict[str, str]],
    files: list[dict[str, str]],
    user_id: int,
    now: datetime,
) -> InspectionSelfCheck:
    """Record (or replace) the unit's self-check and tell its group; raises NoInspection, or
    domain.inspection.PlanError / ValueError for input out of bounds."""
    latest = await latest_plan(session)
    if latest is None or latest[0].id is None:
        raise NoInspection(unit_id)
    plan, cycle = latest
    assert plan.id is not None
    if await group_of_unit(session, plan.id, unit_id) is None:
        raise NoInspection(unit_id)
    head, person = rules.clean_name(head_name), rules.clean_name(done_by_name)
    clean: dict[str, dict[str, str]] = {}
    for key, answer in items.items():
        found, corrected = answer.get("found", "").strip(), answer.get("corrected", "").strip()
        if key not in rules.ITEMS_BY_KEY or len(found) > TEXT_MAX or len(corrected) > TEXT_MAX:
            raise ValueError("self-check item out of bounds")
        clean[key] = {"found": found, "corrected": corrected}
    if len(files) > FILES_MAX:
        raise ValueError("too many files")
    row = await self_check_of(session, plan_id=plan.id, unit_id=unit_id)
    if row is None:
        row = InspectionSelfCheck(
            plan_id=plan.id, unit_id=unit_id, head_name=head, done_by_name=person
        )
        session.add(row)
    row.head_name, row.done_by_name, row.items, row.files = head, person, clean, list(files)
    row.submitted_by, row.submitted_at = user_id, now
    await session.flush()
    task = (
        (
            await session.execute(
                select(UnitTask).where(
                    col(UnitTask.cycle_id) == cycle.id,
                    col(UnitTask.unit_id) == unit_id,
                    col(UnitTask.kind) == "self_check",
                )
            )
        )
        .scalars()
        .first()
    )
    if task is not None and task.state != "done":
        first = files[0] if files else {}
        await mark_done(
            session, task=task, user_id=user_id, now=now,
            file_id=first.get("file_id", ""), file_name=first.get("name", ""),
        )  # fmt: skip
    audit(
        session,
        action="self_check_submitted",
        actor_user_id=user_id,
        target_type="unit",
        target_id=unit_id,
        files=len(files),
    )
    unit = await session.get(Unit, unit_id)
    problems = sum(1 for a in clean.values() if a["found"] and a["found"] not in NOTHING_WORDS)
    for person_told in await inspectors_of_unit(session, unit_id):
        t = Translator(person_told.language)
        await enqueue(
            session,
            chat_id=person_told.user_id,
            kind="notice",
            text=t(
                TOLD_GROUP,
                unit=unit.name if unit else "?",
                head=head,
                person=person,
                problems=problems,
            ),
            buttons=[[Button(t(OPEN_UNIT), InsUnit(action="unit", unit_id=unit_id).pack())]],
            dedup_key=f"sc:{row.id}:{now:%Y%m%d%H%M%S}:{person_told.user_id}",
        )
    return row
