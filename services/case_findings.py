"""A finding and its handling opinion, and what flows back from it: only the consequences the
opinion states (domain.consequences). 不予续签 blocks the worker's renewal; 停发岗位补贴和社保
补贴 stops the subsidies in the export; 核减公益性岗位指标 cuts the unit's post quota; 诫勉谈话,
批评教育 and 其他 become a task for the unit, which is told of it. A finding with no
consequence changes nothing outside the case."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from domain import cases as rules
from domain import consequences as handling
from domain.workdays import UnknownYearError, WorkCalendar
from messages.i18n import N_, translate
from messages.style import date_text
from services.case_steps import refuse
from storage.audiences import unit_contacts
from storage.cases import Actor, record_step, worker_result
from storage.models import Case, Result, Unit, UnitTask
from storage.outbox import enqueue

FINDING_TASK_WORKDAYS = 5  # the unit's time to act on a confirmed finding (ours)

TOLD_UNIT_TASK = N_(
    "The handling opinion of case #{case}, a complaint about your unit, asks you to act: "
    "{consequences}. Report back by {due}. The opinion: {opinion}"
)
FINDING_TASK_TITLE = N_("Act on the finding of case #{case}")


async def record(
    session: AsyncSession,
    case: Case,
    *,
    actor: Actor,
    now: datetime,
    finding: str,
    opinion: str,
    consequences: Sequence[str],
    responsible: str,
    sanction: str,
    calendar: WorkCalendar,
) -> None:
    """The finding on ``case`` (already checked for the step), with its consequences; a
    finding that may not carry them, an unknown consequence, or a fraud finding without the
    responsible person and the sanction is refused as input."""
    chosen = [c.key for c in handling.in_order(set(consequences))]
    responsible, sanction = responsible.strip(), sanction.strip()
    asks = handling.asks_consequences(finding=finding, severity=case.severity)
    names_person = handling.asks_responsible(category=case.category, finding=finding)
    if (
        finding not in rules.FINDINGS
        or handling.unknown(consequences)
        or (chosen and not asks)
        or (names_person and not (responsible and sanction))
        or (not names_person and (responsible or sanction))
        or len(responsible) > handling.RESPONSIBLE_MAX
        or len(sanction) > handling.SANCTION_MAX
    ):
        await refuse(session, case.id or 0, "record_finding", actor, now, "input")
    case.finding, case.opinion = finding, opinion
    case.consequences = chosen
    case.responsible_person, case.sanction = responsible, sanction
    detail: dict[str, object] = {"finding": finding, "opinion": opinion, "consequences": chosen}
    if names_person:
        detail |= {"responsible": responsible, "sanction": sanction}
    await record_step(session, case, "record_finding", actor, now, detail=detail)
    await carry_back(session, case, now=now, calendar=calendar)


async def carry_back(
    session: AsyncSession, case: Case, *, now: datetime, calendar: WorkCalendar
) -> None:
    """The chosen consequences, and nothing else, on the result, the unit and its tasks."""
    # The unit acts on what concerns it; the rest (renewal, subsidies, quota) the rules apply.
    its_own = [c.key for c in handling.in_order(case.consequences) if c.unit_task]

    def told(language: str, due: date) -> str:
        return translate(
            TOLD_UNIT_TASK,
            language,
            case=case.id,
            due=date_text(language, due),
            consequences=consequence_names(its_own, language),
            opinion=case.opinion,
        )

    await act_on(
        session,
        Acting(
            consequences=case.consequences or [],
            result=await worker_result(session, case),
            unit_id=case.unit_id,
            cycle_id=case.cycle_id,
            task_kind=f"case_{case.id}",
            task_title=translate(FINDING_TASK_TITLE, "zh", case=case.id),
            task_note=f"{consequence_names(its_own, 'zh')}：{case.opinion}"[:1000],
            told=told,
            dedup_key=f"cs:{case.id}:unit_task",
            case_id=case.id,
        ),
        now=now,
        calendar=calendar,
    )


@dataclass(frozen=True)
class Acting:
    """A confirmed finding about to act, a complaint's or an inspection's: its consequences,
    the worker's result (if it concerns a worker), the unit, and the unit's task and notice."""

    consequences: Sequence[str]
    result: Result | None
    unit_id: int | None
    cycle_id: int | None
    task_kind: str
    task_title: str
    task_note: str
    told: Callable[[str, date], str]  # (language, due day) → the unit contact's notice
    dedup_key: str
    case_id: int | None = None


async def act_on(
    session: AsyncSession, acting: Acting, *, now: datetime, calendar: WorkCalendar
) -> None:
    """The chosen consequences, and nothing else: 不予续签 and 停发 on the worker's result,
    核减指标 on the unit's quota, a task for the unit (told through the outbox)."""
    effects = handling.effects(acting.consequences)
    result = acting.result
    if result is not None and (effects.blocks_renewal or effects.stops_subsidy):
        result.renewal_blocked = result.renewal_blocked or effects.blocks_renewal
        result.subsidy_stopped = result.subsidy_stopped or effects.stops_subsidy
        result.updated_at = now
    if effects.cuts_quota and acting.unit_id is not None:
        unit = await session.get(Unit, acting.unit_id)
        if unit is not None:
            unit.quota_cut += 1
    if effects.unit_task and acting.unit_id is not None and acting.cycle_id is not None:
        await _unit_task(session, acting, now=now, calendar=calendar)


def consequence_names(keys: Sequence[str], language: str) -> str:
    return translate(handling.LIST_SEPARATOR, language).join(
        translate(c.name, language) for c in handling.in_order(keys)
    )


async def _unit_task(
    session: AsyncSession, acting: Acting, *, now: datetime, calendar: WorkCalendar
) -> None:
    assert acting.unit_id is not None and acting.cycle_id is not None
    try:
        due = calendar.add_workdays(now.date(), FINDING_TASK_WORKDAYS)
    except UnknownYearError:
        due = now.date() + timedelta(days=7)
    session.add(
        UnitTask(
            cycle_id=acting.cycle_id,
            unit_id=acting.unit_id,
            kind=acting.task_kind,
            starts_on=now.date(),
            due_on=due,
            needs_file=True,
            title=acting.task_title,
            note=acting.task_note,
            case_id=acting.case_id,
        )
    )
    for recipient in await unit_contacts(session, acting.unit_id):
        await enqueue(
            session,
            chat_id=recipient.user_id,
            kind="alert",
            text=acting.told(recipient.language, due),
            dedup_key=f"{acting.dedup_key}:{recipient.user_id}",
        )
