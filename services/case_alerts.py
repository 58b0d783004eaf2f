"""Who hears of a case, and what they read: the alerts a new, escalated, reclassified case or a
worker's objection queues in the outbox, in the caller's transaction.

Who hears of a case follows its route (domain.complaints): serious → every investigator and
the bureau desk; medium and triage → the bureau desk; minor → the unit's contacts and the
bureau desk. Unit contacts get a text built without any complainant field at all, so no later
edit of the officials' text can leak one to them.

Every alert goes through ``queue_alerts``: one outbox row per recipient, in their language,
keyed ``case:<id>:<occasion>:<recipient>`` so a redelivered update never alerts twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from domain.complaints import BY_KEY, SEVERITY_NAMES
from domain.masking import mask_name
from messages import N_
from messages.callbacks_cases import CaseAction
from messages.callbacks_hotline import ShowContact
from messages.i18n import translate
from messages.replies import Button
from storage.audiences import Recipient, bureau_staff, unit_contacts
from storage.complaints import investigators
from storage.models import Case, Complaint, Unit, Worker
from storage.outbox import enqueue

OFFICIAL_ALERT = N_(
    "New hotline case #{case} ({severity}): {category}\n"
    "About: {target}\n"
    "Complainant: {who}\n"
    "Evidence files: {evidence}\n\n"
    "{description}"
)
ESCALATED_ALERT = N_(
    "Case #{case} is now serious: {count} different people reported {target} in this notice "
    "period.\nCategory: {category}"
)
UNIT_ALERT = N_(
    "A complaint about your unit was received (case #{case}): {category}\n"
    "About: {target}\n\n{description}\n\n"
    "Please look into it; the employment bureau follows up."
)
GENERAL_NOTE = N_("Received outside a public notice period: a general complaint.")
RECLASSIFIED_NOTE = N_("Reclassified by the employment bureau: it is yours to handle now.")

Text = Callable[[str], str]
Buttons = Callable[[str], list[list[Button]] | None]


async def queue_alerts(
    session: AsyncSession,
    *,
    recipients: Sequence[Recipient],
    occasion: str,
    text: Text,
    buttons: Buttons | None = None,
) -> int:
    """One alert per recipient, worded in their language; returns how many were queued.

    ``occasion`` (``case:<id>:<why>``) keeps each occasion's alerts apart and makes a second
    queueing of the same occasion a no-op."""
    for recipient in recipients:
        await enqueue(
            session,
            chat_id=recipient.user_id,
            kind="alert",
            text=text(recipient.language),
            buttons=buttons(recipient.language) if buttons is not None else None,
            dedup_key=f"{occasion}:{recipient.user_id}",
        )
    return len(recipients)


async def alert_case(
    session: AsyncSession,
    *,
    case: Case,
    complaint: Complaint,
    general: bool,
    evidence: int,
    reclassified_from: str | None = None,
    occasion: str = "new",
) -> int:
    """Queue the alerts of a new case; returns how many. Runs in the complaint's transaction.

    A reclassified case (``reclassified_from``: its route before) alerts only those its new
    route brings in; ``occasion`` keeps each reclassification's alerts apart from the first."""
    target = await _target(session, case)
    officials = await officials_for(session, case.route)
    if reclassified_from is not None:
        known = {r.user_id for r in await officials_for(session, reclassified_from)}
        officials = [r for r in officials if r.user_id not in known]

    def official_text(language: str) -> str:
        text = _official_text(language, case, complaint, target, general, evidence)
        if reclassified_from is not None:
            text = f"{translate(RECLASSIFIED_NOTE, language)}\n{text}"
        return text

    sent = await queue_alerts(
        session,
        recipients=officials,
        occasion=f"case:{case.id}:{occasion}",
        text=official_text,
        buttons=lambda language: _contact_button(language, case, complaint),
    )
    new_to_unit = case.route == "unit" and reclassified_from != "unit"
    unit_recipients = (
        await unit_contacts(session, case.unit_id)
        if new_to_unit and case.unit_id is not None
        else []
    )
    return sent + await queue_alerts(
        session,
        recipients=unit_recipients,
        occasion=f"case:{case.id}:{occasion}:unit",
        text=lambda language: unit_text(language, case, complaint.description, target.masked),
        buttons=lambda language: [[open_case_button(language, case)]],
    )


async def alert_escalated(session: AsyncSession, *, case: Case, complainants: int) -> None:
    target = await _target(session, case)
    complaint = await session.get(Complaint, case.complaint_id)

    def buttons(language: str) -> list[list[Button]] | None:
        return _contact_button(language, case, complaint) if complaint else None

    await queue_alerts(
        session,
        recipients=await officials_for(session, "investigators"),
        occasion=f"case:{case.id}:escalated",
        text=lambda language: translate(
            ESCALATED_ALERT,
            language,
            case=case.id,
            count=complainants,
            target=target.full,
            category=translate(BY_KEY[case.category].label, language),
        ),
        buttons=buttons,
    )


async def officials_for(session: AsyncSession, route: str) -> list[Recipient]:
    """The officials a case on this route is for: the bureau desk, and every investigator
    first when the route is theirs."""
    desk = await bureau_staff(session)
    if route != "investigators":
        return desk
    found = await investigators(session)
    known = {r.user_id for r in found}
    return found + [r for r in desk if r.user_id not in known]


class Target:
    """What a case is about: full for officials, the worker masked for the unit's eyes."""

    def __init__(self, unit: str, worker: str | None) -> None:
        self.full = f"{unit} · {worker}" if worker else unit
        self.masked = f"{unit} · {mask_name(worker)}" if worker else unit


async def _target(session: AsyncSession, case: Case) -> Target:
    unit = await session.get(Unit, case.unit_id) if case.unit_id else None
    worker = await session.get(Worker, case.worker_id) if case.worker_id else None
    return Target(unit.name if unit else "?", worker.name if worker else None)


def _official_text(
    language: str, case: Case, complaint: Complaint, target: Target, general: bool, evidence: int
) -> str:
    who = (
        translate(N_("anonymous"), language)
        if complaint.anonymous
        else translate(N_("left a contact (press the button to see it)"), language)
    )
    text = translate(
        OFFICIAL_ALERT,
        language,
        case=case.id,
        severity=translate(SEVERITY_NAMES[case.severity], language),
        category=translate(BY_KEY[case.category].label, language),
        target=target.full,
        who=who,
        evidence=evidence,
        description=complaint.description,
    )
    return f"{translate(GENERAL_NOTE, language)}\n{text}" if general else text


def unit_text(language: str, case: Case, description: str, target: str) -> str:
    """The only text a unit contact ever gets about a complaint: no complainant field in it."""
    return translate(
        UNIT_ALERT,
        language,
        case=case.id,
        category=translate(BY_KEY[case.category].label, language),
        target=target,
        description=description,
    )


def open_case_button(language: str, case: Case) -> Button:
    data = CaseAction(action="open", case_id=case.id or 0).pack()
    return Button(translate(N_("Open the case"), language), data)


def _contact_button(language: str, case: Case, complaint: Complaint) -> list[list[Button]]:
    """「Open the case」 on the desk, and 「show contact」 when the complainant left one."""
    row = [open_case_button(language, case)]
    if not complaint.anonymous:
        assert case.id is not None
        contact = ShowContact(action="contact", case_id=case.id).pack()
        row.append(Button(translate(N_("Show contact"), language), contact))
    return [row]
