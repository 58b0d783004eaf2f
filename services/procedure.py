"""The assessment's procedure (五(一)–(四)) as a unit records it, and what its record lacks.

``record_step`` is the one use case the chat flow, the procedure sheet and the command line
call; recording a step again replaces it (a unit corrects its record by sending it again).
``procedure_gaps`` says, per unit with on-duty workers, which steps are missing or incomplete:
the results import warns the unit with it, and opening the 公示 refuses on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.procedure import (
    ATTENDEE,
    EVALUATION,
    EVALUATION_KINDS,
    INTERVIEW,
    MEETING,
    PERSON_LIMIT,
    REASON_LIMIT,
    REPORT,
    STEP_NAMES,
    STEPS,
    Gap,
    ProcedureError,
    StepRecord,
    check_date,
    check_evaluation,
    check_people,
    missing_steps,
)
from domain.sheet import plain_text_problem
from messages.i18n import N_, Translator
from storage import procedure as store
from storage.audiences import unit_contacts
from storage.audit import audit
from storage.models import Cycle, ProcedureStep
from storage.outbox import Attachment, enqueue, store_attachment

REASON_CYCLE_CLOSED = N_(
    "The {year} assessment is closed; its procedure record can no longer change."
)
REASON_NOT_OUR_WORKER = N_("Worker no. {worker} is not an on-duty worker of this unit.")
REASON_BAD_PERSON = N_("“{name}” is not a name: at most {limit} characters, with a letter.")
REASON_NO_MEETING = N_(
    "{unit} has not recorded the 集体研究 meeting of {year} yet: record its date and attendees "
    "first, then its minutes."
)
REASON_MINUTES_TYPE = N_("The minutes must be a PDF, an image or a Word document.")
REASON_MINUTES_SIZE = N_("The minutes file is larger than {mb} MB.")
MINUTES_SUFFIXES = (".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".doc", ".docx")
MINUTES_MAX_MB = 20
STORED = "stored:"
REASON_REASON_TOO_LONG = N_("The reason may have at most {limit} characters.")
GAP_LINE = N_("{unit}: missing {steps}")
UNIT_TOLD = N_(
    "⚠️ Your unit's results of {year} were imported, but its assessment procedure (五(一)–(四)) "
    "is not fully recorded, and the 公示 cannot open until it is. {gaps}. Record it in the bot "
    "under “Assessment procedure”, or send the procedure sheet there."
)
GAP_REPORT = N_("{step} ({n} on-duty workers not recorded)")


@dataclass(frozen=True)
class StepInput:
    """One step as a unit records it (see domain.procedure.StepRecord)."""

    step: str
    held_on: date | None = None
    workers: tuple[int, ...] = ()
    people: Mapping[str, Sequence[str]] = field(default_factory=dict)
    reason: str = ""
    minutes_file_id: str = ""
    minutes_name: str = ""


async def assessing_cycle(session: AsyncSession, *, year: int, now: datetime) -> Cycle:
    """The cycle of ``year``, created when a unit records its procedure before any result."""
    cycle = await store.cycle_for_year(session, year)
    if cycle is None:
        cycle = Cycle(year=year, state="assessing", settings={}, created_at=now)
        session.add(cycle)
        await session.flush()
    elif cycle.state == "closed":
        raise ProcedureError(REASON_CYCLE_CLOSED, year=str(year))
    return cycle


def _checked_people(people: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    checked: dict[str, list[str]] = {}
    for kind, names in people.items():
        for raw in names:
            name = raw.strip()
            if not name:
                continue
            if len(name) > PERSON_LIMIT or plain_text_problem(name) is not None:
                raise ProcedureError(REASON_BAD_PERSON, name=name[:20], limit=str(PERSON_LIMIT))
            checked.setdefault(kind, []).append(name)
    return checked


async def record_step(
    *,
    session: AsyncSession,
    year: int,
    unit_id: int,
    entry: StepInput,
    actor: str,
    today: date,
    now: datetime,
    actor_user_id: int | None = None,
) -> ProcedureStep:
    """Check one step against the plan and record it, replacing an earlier record of it."""
    if entry.step not in STEPS:
        raise ValueError(f"unknown step {entry.step!r}")
    reason = entry.reason.strip()
    if len(reason) > REASON_LIMIT:
        raise ProcedureError(REASON_REASON_TOO_LONG, limit=str(REASON_LIMIT))
    people = _checked_people(entry.people)
    workers = sorted(set(entry.workers))
    if entry.step in (REPORT, INTERVIEW):
        check_people([str(w) for w in workers])
        on_duty = {
            w
            for w, _ in (await store.on_duty_workers(session, unit_ids=[unit_id])).get(unit_id, [])
        }
        stranger = next((w for w in workers if w not in on_duty), None)
        if stranger is not None:
            raise ProcedureError(REASON_NOT_OUR_WORKER, worker=str(stranger))
        people = {}
    elif entry.step == EVALUATION:
        people = {kind: people[kind] for kind in EVALUATION_KINDS if kind in people}
        check_evaluation(people, reason)
    else:
        people = {ATTENDEE: people.get(ATTENDEE, [])}
        check_people(people[ATTENDEE])
    held_on = entry.held_on
    if entry.step in (REPORT, MEETING) or held_on is not None:
        held_on = check_date(held_on, today)
    cycle = await assessing_cycle(session, year=year, now=now)
    assert cycle.id is not None
    row = await store.step_row(session, cycle_id=cycle.id, unit_id=unit_id, step=entry.step)
    if row is None:
        row = ProcedureStep(cycle_id=cycle.id, unit_id=unit_id, step=entry.step)
        session.add(row)
    row.held_on, row.workers, row.people, row.reason = held_on, workers, people, reason
    if entry.minutes_file_id or entry.step != MEETING:
        row.minutes_file_id = entry.minutes_file_id[:255]
        row.minutes_name = entry.minutes_name[-255:]
    row.recorded_by, row.recorded_at = actor[:64], now
    audit(
        session,
        at=now,
        actor=actor,
        actor_user_id=actor_user_id,
        action="procedure_recorded",
        target_type="unit",
        target_id=unit_id,
        year=year,
        step=entry.step,
        held_on=held_on.isoformat() if held_on else None,
        workers=len(workers),
        people={kind: len(names) for kind, names in people.items()},
        reason=bool(reason),
        minutes=bool(row.minutes_file_id),
    )
    return row


async def attach_minutes(
    *,
    session: AsyncSession,
    year: int,
    unit_id: int,
    unit_name: str,
    file_name: str,
    file_id: str = "",
    content: bytes | None = None,
    actor: str,
    now: datetime,
    actor_user_id: int | None = None,
) -> ProcedureStep:
    """The minutes of the unit's 集体研究 meeting: a file sent in chat (its Telegram file id) or
    given at the command line (its content, kept in the database)."""
    if not file_name.lower().endswith(MINUTES_SUFFIXES):
        raise ProcedureError(REASON_MINUTES_TYPE)
    cycle = await assessing_cycle(session, year=year, now=now)
    assert cycle.id is not None
    row = await store.step_row(session, cycle_id=cycle.id, unit_id=unit_id, step=MEETING)
    if row is None:
        raise ProcedureError(REASON_NO_MEETING, unit=unit_name, year=str(year))
    if content is not None:
        if len(content) > MINUTES_MAX_MB * 2**20:
            raise ProcedureError(REASON_MINUTES_SIZE, mb=str(MINUTES_MAX_MB))
        kept = await store_attachment(session, Attachment(file_name[-255:], content))
        file_id = f"{STORED}{kept}"
    row.minutes_file_id, row.minutes_name = file_id[:255], file_name[-255:]
    row.recorded_by, row.recorded_at = actor[:64], now
    audit(
        session,
        at=now,
        actor=actor,
        actor_user_id=actor_user_id,
        action="procedure_minutes",
        target_type="unit",
        target_id=unit_id,
        year=year,
        file_name=row.minutes_name,
    )
    return row


async def procedure_gaps(
    *, session: AsyncSession, cycle_id: int | None, unit_ids: Sequence[int] | None = None
) -> dict[int, list[Gap]]:
    """Per unit with on-duty workers (of ``unit_ids``, or all), what its record lacks; units
    whose record is complete are left out."""
    staffed = await store.units_on_duty(session, unit_ids=unit_ids)
    records: dict[int, dict[str, StepRecord]] = {}
    if cycle_id is not None:
        for row in await store.step_rows(session, cycle_id=cycle_id, unit_ids=unit_ids):
            records.setdefault(row.unit_id, {})[row.step] = store.step_record(row)
    # The workers themselves matter only where 个人述职 was recorded (who was left out): after a
    # city's import that is a few units, not a hundred thousand people.
    reported = [unit for unit in staffed if REPORT in records.get(unit, {})]
    on_duty = await store.on_duty_workers(session, unit_ids=reported) if reported else {}
    gaps: dict[int, list[Gap]] = {}
    for unit_id in sorted(staffed):
        workers = on_duty.get(unit_id, [])
        missing = missing_steps(records.get(unit_id, {}), [w for w, _ in workers])
        if missing:
            gaps[unit_id] = missing
    return gaps


async def tell_units_of_gaps(
    *,
    session: AsyncSession,
    year: int,
    gaps: Mapping[int, Sequence[Gap]],
    names: Mapping[int, str],
    batch_id: int,
) -> int:
    """Each unit's contacts told what their procedure record lacks, once per import that
    changed something (an administrator's import: a unit's own upload says it in the answer).
    Returns how many were told."""
    told = 0
    for unit_id, unit_gaps in gaps.items():
        for contact in await unit_contacts(session, unit_id):
            t = Translator(contact.language)
            await enqueue(
                session,
                chat_id=contact.user_id,
                kind="notice",
                text=t(UNIT_TOLD, year=year, gaps=gap_line(t, names[unit_id], unit_gaps)),
                dedup_key=f"procedure-gaps:{batch_id}:{unit_id}:{contact.user_id}",
            )
            told += 1
    return told


def gap_line(t: Translator, unit_name: str, gaps: Sequence[Gap]) -> str:
    """ "县林业局：缺少个人述职（3 名在岗人员未记录）、集体研究"."""
    steps = [
        t(GAP_REPORT, step=t(STEP_NAMES[gap.step]), n=gap.workers)
        if gap.workers
        else t(STEP_NAMES[gap.step])
        for gap in gaps
    ]
    return t(GAP_LINE, unit=unit_name, steps=listed(t, steps))


def listed(t: Translator, items: Sequence[str]) -> str:
    return ("、" if t.language == "zh" else ", ").join(items)
