"""Staff verification sessions (city plan 五.4): the group sets, per unit, a place and a time;
the unit's contacts and every bound worker are told at once and reminded the day before to
come with ID card and 户口本; the workers the bot cannot reach are flagged to the group, who
must see that the unit tells them before anyone is struck off. At the session an inspector of
the group records each worker present (papers seen), absent, or excused with a reason."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.masking import mask_name
from domain.verification_sessions import SessionInput, reminder_due
from messages.i18n import N_, Translator
from messages.style import moment_text
from services.attendance import record_and_tell
from services.inspection_checks import NotTheGroupsUnit
from storage.audiences import Recipient, unit_contacts
from storage.audit import audit
from storage.inspection import InspectorPlace, group_user_ids, unit_in_group
from storage.models import TelegramUser, Unit, VerificationSession, Worker
from storage.outbox import enqueue
from storage.verification import Attendance
from storage.verification_sessions import session_of, upcoming, workers_reach

ANNOUNCE = N_(
    "Staff verification by the city inspection group: {unit}'s workers come on {moment} to "
    "{place}, each with their ID card and household register (户口本). As the inspection plan "
    "says, whoever does not come is treated as a vacant post and removed from the roster."
)
REMIND = N_(
    "Reminder: tomorrow, {moment}, staff verification at {place}. Bring your ID card and "
    "household register (户口本)."
)
UNREACHABLE = N_(
    "Staff verification of {unit} on {moment}: {n} workers cannot be told by the bot (not "
    "bound or blocked it): {names}. Make sure the unit tells them before anyone is struck off."
)
SHOWN_NAMES = 20


@dataclass(frozen=True)
class Announced:
    session: VerificationSession
    told: int  # chats told
    unreachable: int  # workers the bot cannot reach


async def set_session(
    *,
    session: AsyncSession,
    place: InspectorPlace,
    unit_id: int,
    chosen: SessionInput,
    user_id: int,
    now: datetime,
) -> Announced:
    """Set (or move) the unit's session and announce it; raises NotTheGroupsUnit."""
    assert place.plan.id is not None
    if not await unit_in_group(session, place, unit_id):
        raise NotTheGroupsUnit(unit_id)
    row = await session_of(session, plan_id=place.plan.id, unit_id=unit_id)
    if row is None:
        row = VerificationSession(
            plan_id=place.plan.id, unit_id=unit_id, place=chosen.place, starts_at=chosen.starts_at
        )
        session.add(row)
    row.place, row.starts_at, row.set_by, row.set_at = (
        chosen.place,
        chosen.starts_at,
        user_id,
        now,
    )
    await session.flush()
    unit = await session.get(Unit, unit_id)
    name = unit.name if unit else "?"
    reach = await workers_reach(session, unit_id)
    people = await unit_contacts(session, unit_id) + [r for _, r in reach.bound]
    key = _key(row)
    for person in people:
        t = Translator(person.language)
        text = t(ANNOUNCE, unit=name, moment=moment_text(t, row.starts_at), place=row.place)
        await enqueue(
            session,
            chat_id=person.user_id,
            kind="alert",
            text=text,
            dedup_key=f"{key}:a:{person.user_id}",
        )
    if reach.unreachable:
        await _flag(session, place.group_id, name, row, reach.unreachable, key)
    audit(
        session,
        action="verification_session_set",
        actor_user_id=user_id,
        target_type="unit",
        target_id=unit_id,
        place=row.place,
        starts_at=row.starts_at.isoformat(),
        told=len(people),
        unreachable=len(reach.unreachable),
    )
    return Announced(row, len(people), len(reach.unreachable))


def _key(row: VerificationSession) -> str:
    """One announcement and one reminder per chat for each place and time the session has."""
    place = hashlib.sha256(row.place.encode()).hexdigest()[:16]
    return f"vs:{row.id}:{row.starts_at:%Y%m%d%H%M}:{place}"


async def _flag(
    session: AsyncSession,
    group_id: int,
    unit: str,
    row: VerificationSession,
    workers: list[Worker],
    key: str,
) -> None:
    names = "、".join(mask_name(w.name) for w in workers[:SHOWN_NAMES])
    if len(workers) > SHOWN_NAMES:
        names += " …"
    for user_id in await group_user_ids(session, group_id):
        language = await _language(session, user_id)
        t = Translator(language)
        await enqueue(
            session,
            chat_id=user_id,
            kind="alert",
            text=t(
                UNREACHABLE,
                unit=unit,
                moment=moment_text(t, row.starts_at),
                n=len(workers),
                names=names,
            ),
            dedup_key=f"{key}:u:{user_id}",
        )


async def _language(session: AsyncSession, user_id: int) -> str:
    user = await session.get(TelegramUser, user_id)
    return user.language if user else "zh"


async def remind_day_before(*, session: AsyncSession, now: datetime) -> int:
    """The day-before reminder of every session due one, to the unit's contacts and bound
    workers; each chat gets it once per session and time. Returns how many were queued."""
    queued = 0
    for row in await upcoming(session, now=now):
        if not reminder_due(row.starts_at, now):
            continue
        reach = await workers_reach(session, row.unit_id)
        people: list[Recipient] = await unit_contacts(session, row.unit_id)
        people += [r for _, r in reach.bound]
        key = _key(row)
        for person in people:
            t = Translator(person.language)
            await enqueue(
                session,
                chat_id=person.user_id,
                kind="reminder",
                text=t(REMIND, moment=moment_text(t, row.starts_at), place=row.place),
                dedup_key=f"{key}:r:{person.user_id}",
            )
            queued += 1
    return queued


async def record_at_session(
    *,
    session: AsyncSession,
    place: InspectorPlace,
    worker: Worker,
    outcome: str,
    user_id: int,
    now: datetime,
    excuse: str = "",
) -> Attendance:
    """``outcome`` present (ID card and 户口本 seen), absent (struck off, told) or excused
    (with ``excuse``, kept); raises NotTheGroupsUnit, or ValueError for a bad outcome."""
    if not await unit_in_group(session, place, worker.unit_id):
        raise NotTheGroupsUnit(worker.unit_id)
    if outcome not in ("present", "absent", "excused") or (
        outcome == "excused" and not excuse.strip()
    ):
        raise ValueError("unknown outcome or an excuse without its reason")
    assert place.cycle.id is not None
    return await record_and_tell(
        session=session,
        cycle_id=place.cycle.id,
        worker=worker,
        present=outcome == "present",
        now=now,
        official_id=place.member.official_id,
        user_id=user_id,
        excuse=excuse if outcome == "excused" else "",
        papers_seen=outcome == "present",
    )
