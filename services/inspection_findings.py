"""An inspection's findings (point 6): an inspector of the unit's group records one, about the
unit or one of its workers, with evidence; the group's leader is alerted and confirms or drops
it. A confirmed finding acts through the same use case as a confirmed complaint finding
(services.case_findings.act_on): subsidies stopped, the quota cut (domain.inspection_findings
says when), a task for the unit; the worker, if bound, is told."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import inspection_findings as rules
from domain.workdays import WorkCalendar
from messages.callbacks_inspection import InsDecide
from messages.i18n import N_, Translator, translate
from messages.replies import Button
from messages.style import date_text
from services.case_findings import Acting, act_on, consequence_names
from services.inspection_checks import NotTheGroupsUnit
from storage.audit import audit
from storage.inspection import InspectorPlace, unit_in_group
from storage.models import (
    InspectionFinding,
    InspectionMember,
    Result,
    RoleBinding,
    TelegramUser,
    Unit,
    Worker,
)
from storage.outbox import enqueue
from storage.verification_sessions import worker_chats

TO_LEADER = N_(
    "Inspection finding #{id} for your confirmation: {unit}{worker}, {kind}. {description}"
)
TASK_TITLE = N_("Act on inspection finding #{id}")
TOLD_UNIT = N_(
    "The city inspection group confirmed finding #{id} about your unit: {kind} — "
    "{description}. Consequences: {consequences}. Report back by {due}."
)
TOLD_WORKER = N_(
    "The city inspection group confirmed a finding about your post: {kind}. Your post and "
    "social-insurance subsidies stop. Ask your unit if you disagree."
)
RESPONSIBLE = N_("Person responsible: {person}")
CONFIRM = N_("Confirm")
DROP = N_("Do not confirm")


class NotTheLeader(PermissionError):
    """Only the leader of the unit's group decides its findings."""


async def record_finding(
    *,
    session: AsyncSession,
    place: InspectorPlace,
    unit_id: int,
    kind: str,
    description: str,
    user_id: int,
    now: datetime,
    worker_id: int | None = None,
    evidence: list[dict[str, str]] | None = None,
    responsible: str = "",
) -> InspectionFinding:
    """Record it and alert the group's leader; raises NotTheGroupsUnit or ValueError (a fraud
    finding names the person responsible, and only it does)."""
    assert place.plan.id is not None
    if not await unit_in_group(session, place, unit_id):
        raise NotTheGroupsUnit(unit_id)
    text, responsible = description.strip(), " ".join(responsible.split())
    files = list(evidence or [])
    worker = await session.get(Worker, worker_id) if worker_id is not None else None
    if (
        kind not in rules.KINDS
        or not text
        or len(text) > rules.DESCRIPTION_MAX
        or len(files) > rules.EVIDENCE_MAX
        or (kind in rules.NEEDS_WORKER and worker is None)
        or (worker is not None and worker.unit_id != unit_id)
        or (kind in rules.NAMES_RESPONSIBLE) != bool(responsible)
        or len(responsible) > rules.RESPONSIBLE_MAX
    ):
        raise ValueError("finding out of bounds")
    finding = InspectionFinding(
        plan_id=place.plan.id,
        unit_id=unit_id,
        worker_id=worker_id,
        kind=kind,
        description=text,
        responsible_person=responsible,
        evidence=files,
        recorded_by=user_id,
        recorded_at=now,
    )
    session.add(finding)
    await session.flush()
    audit(
        session,
        action="inspection_finding_recorded",
        actor_user_id=user_id,
        target_type="inspection_finding",
        target_id=finding.id,
        unit_id=unit_id,
        worker_id=worker_id,
        kind=kind,
        evidence=len(files),
    )
    await _alert_leaders(session, place.group_id, finding)
    return finding


async def _alert_leaders(session: AsyncSession, group_id: int, finding: InspectionFinding) -> None:
    from domain.masking import mask_name

    unit = await session.get(Unit, finding.unit_id)
    worker = await session.get(Worker, finding.worker_id) if finding.worker_id else None
    found = await session.execute(
        select(col(RoleBinding.user_id), col(TelegramUser.language))
        .join(InspectionMember, col(InspectionMember.official_id) == col(RoleBinding.official_id))
        .outerjoin(TelegramUser, col(TelegramUser.id) == col(RoleBinding.user_id))
        .where(
            col(InspectionMember.group_id) == group_id,
            col(InspectionMember.position) == "leader",
            col(RoleBinding.role) == "inspector",
            col(RoleBinding.revoked_at).is_(None),
        )
    )
    who = f" · {mask_name(worker.name)}" if worker else ""
    for user_id, language in found.all():
        t = Translator(str(language or "zh"))
        assert finding.id is not None
        lines = [
            t(
                TO_LEADER,
                id=finding.id,
                unit=unit.name if unit else "?",
                worker=who,
                kind=t(rules.KINDS[finding.kind]),
                description=finding.description,
            )
        ]
        if finding.responsible_person:
            lines.append(t(RESPONSIBLE, person=finding.responsible_person))
        await enqueue(
            session,
            chat_id=int(user_id),
            kind="alert",
            text="\n".join(lines),
            buttons=[
                [
                    Button(t(CONFIRM), InsDecide(action="ok", finding_id=finding.id).pack()),
                    Button(t(DROP), InsDecide(action="no", finding_id=finding.id).pack()),
                ]
            ],
            dedup_key=f"inf:{finding.id}:leader:{user_id}",
        )


async def decide_finding(
    *,
    session: AsyncSession,
    place: InspectorPlace,
    finding: InspectionFinding,
    confirm: bool,
    user_id: int,
    now: datetime,
    calendar: WorkCalendar,
) -> bool:
    """The group leader confirms (it acts) or drops the finding; False when it was decided
    already. Raises NotTheLeader for anyone but the leader of the unit's group."""
    if (
        place.member.position != "leader"
        or finding.plan_id != place.plan.id
        or not await unit_in_group(session, place, finding.unit_id)
    ):
        raise NotTheLeader(finding.id)
    if finding.state != "recorded":
        return False
    finding.state, finding.decided_by, finding.decided_at = (
        "confirmed" if confirm else "dropped",
        user_id,
        now,
    )
    audit(
        session,
        action="inspection_finding_decided",
        actor_user_id=user_id,
        target_type="inspection_finding",
        target_id=finding.id,
        confirmed=confirm,
    )
    if confirm:
        await _act(session, place, finding, now=now, calendar=calendar)
    return True


async def _quota_cut_before(session: AsyncSession, finding: InspectionFinding) -> bool:
    """Whether a confirmed finding of this plan already cut the quota for this worker."""
    if finding.worker_id is None:
        return False
    found = await session.execute(
        select(InspectionFinding).where(
            col(InspectionFinding.plan_id) == finding.plan_id,
            col(InspectionFinding.worker_id) == finding.worker_id,
            col(InspectionFinding.state) == "confirmed",
            col(InspectionFinding.id) != finding.id,
        )
    )
    return any("cut_quota" in f.consequences for f in found.scalars())


async def _act(
    session: AsyncSession,
    place: InspectorPlace,
    finding: InspectionFinding,
    *,
    now: datetime,
    calendar: WorkCalendar,
) -> None:
    chosen = rules.consequences(
        finding.kind, quota_already_cut=await _quota_cut_before(session, finding)
    )
    finding.consequences = list(chosen)
    result = None
    if finding.worker_id is not None:
        found = await session.execute(
            select(Result).where(
                col(Result.cycle_id) == place.cycle.id, col(Result.worker_id) == finding.worker_id
            )
        )
        result = found.scalars().first()
    marker = rules.ON_RESULT.get(finding.kind)
    if result is not None and marker and marker not in (result.findings or []):
        result.findings = [*(result.findings or []), marker]
    kind, text = finding.kind, finding.description

    def told(language: str, due: date) -> str:
        return translate(
            TOLD_UNIT,
            language,
            id=finding.id,
            kind=translate(rules.KINDS[kind], language),
            description=text,
            consequences=consequence_names(chosen, language),
            due=date_text(language, due),
        )

    await act_on(
        session,
        Acting(
            consequences=chosen,
            result=result,
            unit_id=finding.unit_id,
            cycle_id=place.cycle.id,
            task_kind=f"inspection_{finding.id}",
            task_title=translate(TASK_TITLE, "zh", id=finding.id),
            task_note=text,
            told=told,
            dedup_key=f"inf:{finding.id}:unit_task",
        ),
        now=now,
        calendar=calendar,
    )
    if finding.worker_id is not None and "stop_subsidy" in chosen:
        for person in await worker_chats(session, finding.worker_id):
            t = Translator(person.language)
            await enqueue(
                session,
                chat_id=person.user_id,
                kind="notice",
                text=t(TOLD_WORKER, kind=t(rules.KINDS[kind])),
                dedup_key=f"inf:{finding.id}:worker:{person.user_id}",
            )
