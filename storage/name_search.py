"""Finding a person by name without unmasking anyone: the 公示's name search and the hotline's
worker search.

A name is matched on its masked form only (张*三): the query is masked the same way, or taken
as typed when it is already masked, and compared with the masked names. So a full name finds
exactly what its masked form finds (张大三, 张小三 and 张*三 give one answer), a search
confirms nothing the published list does not show, and the hidden character cannot be guessed
one query at a time. A single character is read as a surname: every masked name that starts
with it, which the list shows as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.idnumber import to_halfwidth
from domain.masking import MASK, NAME_DOT, mask_name
from storage.models import Worker

_DOTS = re.compile("[·・•‧･．.]")
_MASKS = re.compile(r"[*＊﹡]+")


def _key(masked: str) -> str:
    """One spelling of a masked name: one star for each run of them (J*** is J*)."""
    return _MASKS.sub(MASK, masked)


@dataclass(frozen=True)
class NameQuery:
    """What a typed name may match: masked forms, or the masked names under one surname."""

    forms: frozenset[str] = frozenset()
    surname: str | None = None

    @classmethod
    def parse(cls, typed: str) -> NameQuery:
        text = "".join(ch for ch in to_halfwidth(typed) if not ch.isspace())
        text = _DOTS.sub(NAME_DOT, text)
        if not text.replace(NAME_DOT, ""):
            return cls()
        if _MASKS.search(text):
            return cls(forms=frozenset({_key(text)}))
        if len(text) == 1 and not text.isascii():
            return cls(surname=text)
        return cls(forms=frozenset({_key(mask_name(text))}))

    @property
    def empty(self) -> bool:
        return not self.forms and self.surname is None

    def matches(self, name: str) -> bool:
        masked = _key(mask_name(name))
        if self.surname is not None:
            return masked.startswith(self.surname)
        return masked in self.forms

    def narrowing(self, column: Any) -> Any:
        """A condition every match meets (the characters the masked form shows), for the
        database to narrow the rows down before the exact test on the masked name."""
        if self.surname is not None:
            return col(column).contains(self.surname, autoescape=True)
        options = []
        for form in self.forms:
            shown = sorted({ch for ch in form if ch not in (MASK, NAME_DOT)})
            options.append(
                and_(true(), *(col(column).contains(ch, autoescape=True) for ch in shown))
            )
        return or_(false(), *options)


async def find_workers(
    session: AsyncSession, *, unit_id: int, query: NameQuery, limit: int = 8
) -> list[Worker]:
    """Workers on duty in the unit whose masked name the query matches."""
    if query.empty:
        return []
    rows = await session.execute(
        select(Worker)
        .where(
            col(Worker.unit_id) == unit_id,
            col(Worker.status) == "on_duty",
            query.narrowing(Worker.name),
        )
        .order_by(col(Worker.name), col(Worker.id))
    )
    return [worker for worker in rows.scalars() if query.matches(worker.name)][:limit]
