"""退单 and 审定, in the caller's transaction: an office returns a case outside its remit with a
reason and the bureau's desk is alerted; the bureau decides, keeping the case with that office
or routing it to another by a category of the table. Either decision dispatches the case again
(domain.dispatch): a new acceptance clock from that moment, the receiving office alerted as for
a new case. The time spent bouncing stays in the history, for the card and the figures.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain import dispatch
from domain.cases import ESCALATED_NEVER_TO
from domain.complaints import BY_KEY, CATEGORIES
from domain.workdays import WorkCalendar
from messages import callbacks_cases as buttons
from messages.i18n import N_, translate
from services.case_alerts import alert_case
from services.case_steps import audit_case, checked, refuse
from services.complaints import accept_due
from storage.audiences import bureau_staff
from storage.case_desk import card
from storage.cases import Actor, event_seq, record_step
from storage.complaints import made_serious_by_count, open_cycle
from storage.models import Case
from storage.outbox import enqueue

RETURNED_ALERT = N_(
    "🔁 Case #{case} was returned by the office it was routed to, as outside its remit (退单): "
    "{reason}\nThe bureau decides (审定): keep it with that office, or route it to another."
)
OPEN_CASE = N_("Open the case")


async def return_case(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, reason: str
) -> Case:
    """退单: the office the case was routed to returns it, before accepting it, with a reason;
    the bureau's staff are alerted to decide."""
    case = await checked(session, case_id, "return", actor, now, text=reason)
    detail = {"reason": reason, "route": case.route}
    await record_step(session, case, "return", actor, now, detail=detail)
    audit_case(session, actor, now, "case_returned", case_id, detail)
    seq = await event_seq(session, case)
    for official in await bureau_staff(session):
        language = official.language
        await enqueue(
            session,
            chat_id=official.user_id,
            kind="alert",
            text=translate(RETURNED_ALERT, language, case=case.id, reason=reason),
            buttons=[[(translate(OPEN_CASE, language), buttons.action("open", case.id))]],
            dedup_key=f"cs:{case.id}:returned:{seq}:{official.user_id}",
        )
    return case


async def keep_case(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, calendar: WorkCalendar
) -> Case:
    """审定: the office that returned the case keeps it; it is dispatched to it again."""
    case = await checked(session, case_id, "keep", actor, now)
    await _dispatch(session, case, "keep", actor, now, calendar=calendar, detail={})
    return case


async def redispatch(
    *,
    session: AsyncSession,
    case_id: int,
    actor: Actor,
    now: datetime,
    calendar: WorkCalendar,
    category: str,
) -> Case:
    """审定: the case goes to another office, by the category that office handles; a case
    several complainants made serious never goes to the unit complained about."""
    case = await checked(session, case_id, "redispatch", actor, now)
    escalated = await made_serious_by_count(session, case_id)
    offered = redispatch_categories(case, escalated=escalated)
    if category not in offered:
        await refuse(session, case_id, "redispatch", actor, now, "input", state=case.state)
    chosen = BY_KEY[category]
    detail = {
        "from": case.category,
        "from_route": case.route,
        "to": chosen.key,
        "to_route": chosen.route,
    }
    case.category, case.severity, case.route = chosen.key, chosen.severity, chosen.route
    await _dispatch(session, case, "redispatch", actor, now, calendar=calendar, detail=detail)
    return case


def redispatch_categories(case: Case, *, escalated: bool) -> list[str]:
    """The categories a returned case may be routed on with, in the table's order."""
    routes = [
        (c.key, c.route) for c in CATEGORIES if not (escalated and c.route in ESCALATED_NEVER_TO)
    ]
    return dispatch.redispatch_choices(case.route, routes)


async def _dispatch(
    session: AsyncSession,
    case: Case,
    action: str,
    actor: Actor,
    now: datetime,
    *,
    calendar: WorkCalendar,
    detail: dict[str, str],
) -> None:
    cycle = await open_cycle(session)
    case.accept_due = accept_due(today=now.date(), in_gongshi=cycle is not None, calendar=calendar)
    detail = {**detail, "accept_due": str(case.accept_due)}
    await record_step(session, case, action, actor, now, detail=detail)
    audit_case(session, actor, now, f"case_{action}", case.id or 0, detail)
    found = await card(session, case.id or 0)
    assert found is not None
    await alert_case(
        session,
        case=case,
        complaint=found.complaint,
        general=found.complaint.cycle_id is None,
        evidence=len(found.evidence),
        occasion=f"dispatched{await event_seq(session, case)}",
    )
