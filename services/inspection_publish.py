"""The group publishes a unit's checklist results to the unit (point 2 and the issue's role
checks): until then the unit sees nothing of them, and a unit only ever sees its own. The
unit's contacts are told through the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from messages.callbacks_inspection import UnitResults
from messages.i18n import N_, Translator
from messages.replies import Button
from services.inspection_checks import NotTheGroupsUnit
from storage.audiences import unit_contacts
from storage.audit import audit
from storage.inspection import InspectorPlace, assignments, unit_in_group
from storage.models import InspectionAssignment
from storage.outbox import enqueue

TOLD_UNIT = N_("The city inspection group published the results of its checklist for your unit.")
OPEN = N_("Open the results")


async def publish_results(
    *, session: AsyncSession, place: InspectorPlace, unit_id: int, user_id: int, now: datetime
) -> bool:
    """Publish them (again, with what changed since); raises NotTheGroupsUnit."""
    assert place.plan.id is not None
    if not await unit_in_group(session, place, unit_id):
        raise NotTheGroupsUnit(unit_id)
    assignment = (await assignments(session, place.plan.id))[unit_id]
    assignment.published_at = now
    audit(
        session,
        action="inspection_results_published",
        actor_user_id=user_id,
        target_type="unit",
        target_id=unit_id,
    )
    for person in await unit_contacts(session, unit_id):
        t = Translator(person.language)
        await _tell(session, person.user_id, t, now)
    return True


async def _tell(session: AsyncSession, chat_id: int, t: Translator, now: datetime) -> None:
    await enqueue(
        session,
        chat_id=chat_id,
        kind="notice",
        text=t(TOLD_UNIT),
        buttons=[[Button(t(OPEN), UnitResults(action="results").pack())]],
        dedup_key=f"inspub:{chat_id}:{now:%Y%m%d%H%M%S}",
    )


def published(assignment: InspectionAssignment | None) -> bool:
    return assignment is not None and assignment.published_at is not None
