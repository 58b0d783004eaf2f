"""Completeness before the 公示 (SPEC 1): the 公示 does not open while on-duty workers lack a
result or a unit's procedure record (五(一)–(四)) is incomplete, unless an administrator
overrides with a reason, which the audit log keeps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.procedure import Gap
from messages.i18n import N_, Translator
from services.procedure import gap_line, listed, procedure_gaps
from storage.models import Result, Worker
from storage.procedure import unit_names
from storage.publication import PublicationError

INCOMPLETE = N_(
    "The 公示 of {year} cannot open yet: {units} units are not ready. Import the missing "
    "results and record the procedure, or open it anyway with a reason (--override REASON, "
    "or the button in the chat), which is kept in the audit log."
)
WITHOUT_RESULT = N_("{unit}: {n} on-duty workers without a result ({names})")
NAMES_SHOWN = 10
BAD_OVERRIDE = N_("The reason for opening anyway must be 1 to {limit} characters.")
OVERRIDE_LIMIT = 500


@dataclass(frozen=True)
class Shortfall:
    """What keeps a unit from the 公示: on-duty workers without a result, procedure gaps."""

    unit_id: int
    unit_name: str
    without_result: int
    gaps: tuple[Gap, ...]
    names: tuple[str, ...] = ()  # the first few of those without a result


class IncompleteError(PublicationError):
    """Opening refused: ``shortfalls`` says what each unit lacks."""

    def __init__(self, year: int, shortfalls: Sequence[Shortfall]) -> None:
        super().__init__(INCOMPLETE, year=year, units=len(shortfalls))
        self.shortfalls = tuple(shortfalls)


async def shortfalls(session: AsyncSession, *, cycle_id: int) -> list[Shortfall]:
    """Per unit, in name order, what it lacks for the 公示 of the cycle."""
    missing = await session.execute(
        select(col(Worker.unit_id), col(Worker.name))
        .select_from(Worker)
        .outerjoin(
            Result,
            and_(col(Result.worker_id) == col(Worker.id), col(Result.cycle_id) == cycle_id),
        )
        .where(col(Worker.status) == "on_duty", col(Result.id).is_(None))
        .order_by(col(Worker.unit_id), col(Worker.name))
    )
    rows: Sequence[Any] = missing.all()
    named: dict[int, list[str]] = {}
    for unit_id, name in rows:
        named.setdefault(int(unit_id), []).append(str(name))
    without = {unit_id: len(names) for unit_id, names in named.items()}
    gaps = await procedure_gaps(session=session, cycle_id=cycle_id)
    names = await unit_names(session)
    return [
        Shortfall(
            unit_id,
            name,
            without.get(unit_id, 0),
            tuple(gaps.get(unit_id, ())),
            tuple(named.get(unit_id, [])[:NAMES_SHOWN]),
        )
        for unit_id, name in names.items()
        if without.get(unit_id) or gaps.get(unit_id)
    ]


def checked_override(reason: str | None) -> str:
    """The administrator's reason, trimmed; "" when none was given."""
    text = (reason or "").strip()
    if reason is not None and not 0 < len(text) <= OVERRIDE_LIMIT:
        raise PublicationError(BAD_OVERRIDE, limit=OVERRIDE_LIMIT)
    return text


def shortfall_lines(t: Translator, found: Sequence[Shortfall]) -> list[str]:
    lines: list[str] = []
    for unit in found:
        if unit.without_result:
            shown = listed(t, unit.names)
            if unit.without_result > len(unit.names):
                shown += "…"
            lines.append(t(WITHOUT_RESULT, unit=unit.unit_name, n=unit.without_result, names=shown))
        if unit.gaps:
            lines.append(gap_line(t, unit.unit_name, unit.gaps))
    return lines
