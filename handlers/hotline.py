"""The officials' side of the hotline: the alerts a new case sends, and 「show contact」.

Who hears of a case follows its route (domain.complaints): serious → every investigator and
the bureau desk; medium and triage → the bureau desk; minor → the unit's contacts and the
bureau desk. Unit contacts get a text built without any complainant field at all, so no later
edit of the officials' text can leak one to them.

Steps: ``show_contact`` (bureau staff, and investigators on the cases they may open;
audited).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.complaints import BY_KEY, SEVERITY_NAMES
from domain.masking import mask_name
from handlers.case_scope import visible
from handlers.context import Context
from handlers.core import Router
from messages.i18n import N_, translate
from messages.replies import Button
from storage.audiences import Recipient, bureau_staff, unit_contacts
from storage.complaints import contact_of_case, investigators, record_identity_view
from storage.models import Case, Complaint, Unit, Worker
from storage.outbox import enqueue

CONTACT_ROLES = ("bureau", "investigator")
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


def router() -> Router:
    r = Router()
    r.button("hl", roles=CONTACT_ROLES)(show_contact)
    return r


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
    officials = await _officials_for(session, case.route)
    if reclassified_from is not None:
        known = {r.user_id for r in await _officials_for(session, reclassified_from)}
        officials = [r for r in officials if r.user_id not in known]
    for recipient in officials:
        text = _official_text(recipient.language, case, complaint, target, general, evidence)
        if reclassified_from is not None:
            text = f"{translate(RECLASSIFIED_NOTE, recipient.language)}\n{text}"
        await enqueue(
            session,
            chat_id=recipient.user_id,
            kind="alert",
            text=text,
            buttons=_contact_button(recipient.language, case, complaint),
            dedup_key=f"case:{case.id}:{occasion}:{recipient.user_id}",
        )
    new_to_unit = case.route == "unit" and reclassified_from != "unit"
    unit_recipients = (
        await unit_contacts(session, case.unit_id)
        if new_to_unit and case.unit_id is not None
        else []
    )
    for recipient in unit_recipients:
        await enqueue(
            session,
            chat_id=recipient.user_id,
            kind="alert",
            text=unit_text(recipient.language, case, complaint.description, target.masked),
            buttons=[
                [Button(translate(N_("Open the case"), recipient.language), f"cs:open:{case.id}")]
            ],
            dedup_key=f"case:{case.id}:{occasion}:unit:{recipient.user_id}",
        )
    return len(officials) + len(unit_recipients)


async def alert_escalated(session: AsyncSession, *, case: Case, complainants: int) -> None:
    target = await _target(session, case)
    complaint = await session.get(Complaint, case.complaint_id)
    for recipient in await _officials_for(session, "investigators"):
        text = translate(
            ESCALATED_ALERT,
            recipient.language,
            case=case.id,
            count=complainants,
            target=target.full,
            category=translate(BY_KEY[case.category].label, recipient.language),
        )
        buttons = _contact_button(recipient.language, case, complaint) if complaint else None
        await enqueue(
            session,
            chat_id=recipient.user_id,
            kind="alert",
            text=text,
            buttons=buttons,
            dedup_key=f"case:{case.id}:escalated:{recipient.user_id}",
        )


async def _officials_for(session: AsyncSession, route: str) -> list[Recipient]:
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


def _contact_button(language: str, case: Case, complaint: Complaint) -> list[list[Button]]:
    """「Open the case」 on the desk, and 「show contact」 when the complainant left one."""
    row = [Button(translate(N_("Open the case"), language), f"cs:open:{case.id}")]
    if not complaint.anonymous:
        row.append(Button(translate(N_("Show contact"), language), f"hl:contact:{case.id}"))
    return [row]


async def show_contact(ctx: Context) -> None:
    """The complainant's contact, for bureau staff and for the investigators who may open the
    case (the same sight as the case card: a serious case unassigned or assigned to them);
    every view is written to the audit log, and so is every refusal."""
    parts = (ctx.incoming.button or "").split(":")
    if len(parts) != 3 or parts[1] != "contact" or not parts[2].isdigit():
        ctx.answer(ctx.t(N_("This button is no longer valid. Send /start for the menu.")))
        return
    seen = await visible(ctx, int(parts[2]), CONTACT_ROLES)
    if seen is None:
        return
    case = seen[0]
    assert case.id is not None
    found = await contact_of_case(ctx.session, case.id)
    contact = found[1] if found is not None else None
    record_identity_view(
        ctx.session,
        user_id=ctx.user_id,
        roles=ctx.roles.names(),
        case_id=case.id,
        now=ctx.clock.now(),
        found=contact is not None,
    )
    if contact is None:
        ctx.say(ctx.t(N_("Case #{case}: the complainant chose to stay anonymous."), case=case.id))
        return
    ctx.say(
        ctx.t(
            N_(
                "Case #{case}, complainant's contact (confidential; this view is logged):\n"
                "{name}\nPhone: {phone}\nTelegram id: {user_id}"
            ),
            case=case.id,
            name=contact.name or "—",
            phone=contact.phone or "—",
            user_id=contact.user_id,
        )
    )
