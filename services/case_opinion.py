"""The handling-opinion document (处理意见书) of a concluded case: the public copy, archived
with the case and sent to the bureau's desk, and the internal copy naming the complainant,
rendered for bureau staff on request and audited as a view of their identity."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from documents.opinion import OpinionFacts, render_opinion
from documents.pdf import FontNotFoundError
from domain import cases as rules
from domain import consequences as handling
from domain.complaints import BY_KEY, OFFICES, SEVERITY_NAMES
from domain.masking import mask_name
from messages.i18n import N_, Translator, translate
from services.case_steps import refuse
from storage.audiences import bureau_staff
from storage.case_desk import card
from storage.case_opinion import keep_opinion
from storage.cases import Actor, event_seq
from storage.complaints import record_identity_view
from storage.models import Case, ComplainantContact, Cycle
from storage.outbox import Attachment, enqueue

log = logging.getLogger(__name__)

OPINION_CAPTION = N_("Handling opinion (处理意见书) of case #{case}, public copy.")
ANONYMOUS = N_("anonymous")


async def opinion_facts(
    session: AsyncSession, case: Case, *, language: str, now: datetime, internal: bool = False
) -> OpinionFacts:
    """What the 处理意见书 says; the complainant and the ticket code only in the internal copy:
    the public one reaches the unit, and the code would let it follow the complainant's case."""
    t = Translator(language)
    found = await card(session, case.id or 0)
    assert found is not None
    zone = now.tzinfo
    cycle = await session.get(Cycle, case.cycle_id) if case.cycle_id else None
    accepted = next((e.at for e in found.history if e.action == "accept"), None)
    closed = next((e.at for e in reversed(found.history) if e.action == "close"), now)
    complainant = None
    if internal:
        contact = await session.get(ComplainantContact, case.complaint_id)
        complainant = t(ANONYMOUS)
        if contact is not None:
            # A caller the desk logged has no Telegram account.
            telegram = f" (Telegram {contact.user_id})" if contact.user_id is not None else ""
            complainant = f"{contact.name} {contact.phone}{telegram}"
    return OpinionFacts(
        case_number=f"#{case.id}",
        cycle_year=cycle.year if cycle else None,
        unit_name=found.unit_name,
        worker_masked=mask_name(found.worker_name) if found.worker_name else "",
        category=t(BY_KEY[case.category].label),
        severity=t(SEVERITY_NAMES.get(case.severity, case.severity)),
        summary=found.complaint.description,
        received_on=found.complaint.submitted_at.astimezone(zone).date(),
        accepted_on=accepted.astimezone(zone).date() if accepted else None,
        concluded_on=closed.astimezone(zone).date(),
        finding=case.finding or "—",
        opinion=case.opinion or "—",
        handled_by=t(OFFICES[case.route]),
        history=[
            (e.at.astimezone(zone).date(), t(rules.STEP_NAMES.get(e.action, e.action)))
            for e in found.history
            if e.public
        ],
        complainant=complainant,
        ticket_code=found.complaint.ticket_code if internal else None,
        consequences=[t(c.name) for c in handling.in_order(case.consequences or [])],
        responsible_person=case.responsible_person,
        sanction=case.sanction,
    )


def opinion_filename(case: Case, *, internal: bool = False) -> str:
    """The 处理意见书 is written in Chinese, and so is its file's name."""
    return f"处理意见书_案件{case.id}{'_内部版' if internal else ''}.pdf"


async def archive_opinion(
    session: AsyncSession, case: Case, *, now: datetime, font_file: Path | None
) -> None:
    """The public copy, kept with the case and sent to the bureau's desk. A machine without
    the PDF font still closes the case: the failure is logged and the desk can ask again."""
    try:
        facts = await opinion_facts(session, case, language="zh", now=now)
        content = render_opinion(facts, font_file=font_file)
    except FontNotFoundError:
        log.exception("case %s closed without its 处理意见书: no PDF font", case.id)
        return
    assert case.id is not None
    filename = opinion_filename(case)
    keep_opinion(session, case_id=case.id, filename=filename, content=content, now=now)
    for official in await bureau_staff(session):
        await enqueue(
            session,
            chat_id=official.user_id,
            kind="notice",
            method="sendDocument",
            file=Attachment(filename, content),
            text=translate(OPINION_CAPTION, official.language, case=case.id),
            dedup_key=f"cs:{case.id}:opinion:{await event_seq(session, case)}:{official.user_id}",
        )


async def internal_opinion(
    *, session: AsyncSession, case_id: int, actor: Actor, now: datetime, font_file: Path | None
) -> tuple[str, bytes]:
    """The bureau's internal copy, naming the complainant: rendered on request, never stored,
    and every request is written to the audit log as a view of the complainant's identity."""
    case = await session.get(Case, case_id)
    if case is None or actor.role != "bureau" or case.finding is None:
        await refuse(
            session, case_id, "internal_opinion", actor, now, "role" if case else "missing"
        )
    assert case is not None
    record_identity_view(
        session,
        user_id=actor.user_id,
        roles=[actor.role],
        case_id=case_id,
        now=now,
        via="internal_opinion",
    )
    facts = await opinion_facts(session, case, language="zh", now=now, internal=True)
    return opinion_filename(case, internal=True), render_opinion(
        facts, internal=True, font_file=font_file
    )
