"""The cases merged into a case (并单), with their complaints: their complainants hear the
desk's replies and the closing of the case they joined, rate it, and may appeal its written
reply (services.appeals).

Merges chain: a case with others merged into it may itself be merged into a third. Every
question here follows the whole chain, in one recursive query each way: the cases merged into
a case at any depth, and the case a merged one ended in (the one not merged, where the work
is done). A chain cannot loop, since only an open case may take another in and a merged case
never opens again; a query still follows at most ``MAX_CHAIN`` merges, so that no row written
by hand can make it run away, and ``services.cases.merge`` refuses a merge that would make a
chain longer.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from storage.models import Case, Complaint

MAX_CHAIN = 16  # merges in a row


def _merged_into(case_id: int) -> Select[int, int]:
    """(id, depth) of every case merged into case ``case_id``, ``depth`` merges below it."""
    below = (
        select(col(Case.id).label("id"), literal(1).label("depth"))
        .where(col(Case.merged_into_id) == case_id)
        .cte("merged_below", recursive=True)
    )
    hop = aliased(Case)
    below = below.union_all(
        select(col(hop.id), below.c.depth + 1)
        .join(below, col(hop.merged_into_id) == below.c.id)
        .where(below.c.depth < MAX_CHAIN)
    )
    return select(below.c.id, below.c.depth)


def final_cases(*anchor: ColumnElement[bool]) -> Select[int, int]:
    """(case_id, final_id): each merged case (those matching ``anchor``, if given) with the
    case its chain of merges ends in. A chain longer than ``MAX_CHAIN`` has no row."""
    above = (
        select(
            col(Case.id).label("case_id"),
            col(Case.merged_into_id).label("into_id"),
            literal(1).label("depth"),
        )
        .where(col(Case.merged_into_id).is_not(None), *anchor)
        .cte("merged_above", recursive=True)
    )
    hop = aliased(Case)
    above = above.union_all(
        select(above.c.case_id, col(hop.merged_into_id), above.c.depth + 1)
        .join(hop, col(hop.id) == above.c.into_id)
        .where(col(hop.merged_into_id).is_not(None), above.c.depth < MAX_CHAIN)
    )
    end = aliased(Case)
    return select(above.c.case_id, above.c.into_id.label("final_id")).join(
        end, and_(col(end.id) == above.c.into_id, col(end.merged_into_id).is_(None))
    )


async def merged_cases(session: AsyncSession, case: Case) -> list[tuple[Case, Complaint]]:
    """The cases merged into ``case``, directly or through others merged into it, with their
    complaints: each complainant is told as the one merged directly is."""
    below = _merged_into(case.id or 0).subquery()
    found = await session.execute(
        select(Case, Complaint)
        .join(Complaint, col(Complaint.id) == col(Case.complaint_id))
        .where(col(Case.id).in_(select(below.c.id)))
        .order_by(col(Case.id))
    )
    return [(merged, complaint) for merged, complaint in found.all()]


async def chain_full(session: AsyncSession, case: Case) -> bool:
    """Whether merging ``case`` into another would make a chain of more than ``MAX_CHAIN``
    merges: as many already lead into it."""
    below = _merged_into(case.id or 0).subquery()
    found = await session.execute(select(func.max(below.c.depth)))
    return int(found.scalar_one() or 0) >= MAX_CHAIN


async def final_ids(session: AsyncSession, case_ids: list[int]) -> dict[int, int]:
    """The case each of ``case_ids`` that was merged ended in, by id."""
    if not case_ids:
        return {}
    found = await session.execute(final_cases(col(Case.id).in_(case_ids)))
    return {int(case_id): int(final_id) for case_id, final_id in found.all()}


async def concluded_case(session: AsyncSession, case: Case) -> Case:
    """The case whose written reply concerns ``case``'s complainant: ``case`` itself, or the
    case its chain of merges ended in, where the work was done and the reply written."""
    if case.state != "merged" or case.merged_into_id is None or case.id is None:
        return case
    final = (await final_ids(session, [case.id])).get(case.id)
    return (await session.get(Case, final) if final is not None else None) or case
