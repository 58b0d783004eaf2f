"""What every step on a case does around its own work: the rules of ``domain.cases`` checked
against the role and the case's state (a refusal written to the audit log, then raised), and
the complainant told of the steps the table marks ``tell``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain import cases as rules
from messages.callbacks_appeals import AppealAction
from messages.callbacks_cases import Rating
from messages.i18n import N_, translate
from storage.audit import audit
from storage.cases import Actor, event_seq, facts_for, load_for_step
from storage.models import Case, Complaint
from storage.objections import is_objection
from storage.outbox import enqueue

TOLD_ACCEPTED = N_(
    "Your complaint {code} was accepted (受理). It is to be concluded by {due}; you will be "
    "told the outcome."
)
TOLD_REJECTED = N_("Your complaint {code} was not accepted. Reason: {reason}")
TOLD_CLOSED = N_(
    "Your complaint {code} was concluded (办结).\nFinding: {finding}\nHandling opinion: {opinion}"
)
ASK_RATING = N_("How was your complaint handled? Rate it from 1 (very poor) to 5 (very good).")
# A reply names the office, never the official (the complainant's notices never do).
TOLD_REPLY = {
    "bureau": N_(
        "The employment bureau's hotline desk replied on your complaint {code}:\n\n{text}"
    ),
    "investigator": N_(
        "The county HR and social security bureau (人社局) replied on your complaint {code}:"
        "\n\n{text}"
    ),
}
# What the complainant is told of each step marked ``tell`` in domain.cases.STEPS, with the
# word that keys the notice (a reply's text depends on the office: TOLD_REPLY).
TOLD = {
    "accept": ("accepted", TOLD_ACCEPTED),
    "reject": ("rejected", TOLD_REJECTED),
    "reply": ("reply", ""),
    "close": ("closed", TOLD_CLOSED),
}


ASK_REVIEW = N_("Not satisfied with the handling opinion: ask for 复查")


class CaseRefused(Exception):
    """A step the rules do not allow now: ``reason`` is a domain refusal, or ``missing``."""

    def __init__(self, reason: str, *, case_id: int, action: str) -> None:
        self.reason = reason
        self.case_id = case_id
        self.action = action
        super().__init__(f"{action} on case {case_id} refused: {reason}")


async def refusal_of(
    session: AsyncSession, case: Case, action: str, actor: Actor
) -> rules.Refusal | None:
    return rules.refusal(action, role=actor.role, facts=await facts_for(session, case, actor))


async def checked(
    session: AsyncSession,
    case_id: int,
    action: str,
    actor: Actor,
    now: datetime,
    *,
    text: str | None = None,
) -> Case:
    """The case, locked, when ``actor`` may take ``action`` on it now; otherwise the refusal
    is logged and raised."""
    case = await load_for_step(session, case_id)
    if case is None:
        await refuse(session, case_id, action, actor, now, "missing")
    assert case is not None
    refused = await refusal_of(session, case, action, actor)
    # A worker's objection has steps of its own (services.objection_steps), none of these.
    if refused is None and await is_objection(session, case_id):
        refused = "role"
    if refused is None and rules.STEPS[action].needs and text is not None and not text.strip():
        refused = "input"
    if refused is not None:
        await refuse(session, case_id, action, actor, now, refused, state=case.state)
    return case


async def refuse(
    session: AsyncSession,
    case_id: int,
    action: str,
    actor: Actor,
    now: datetime,
    reason: str,
    *,
    state: str | None = None,
) -> None:
    detail = {"step": action, "role": actor.role, "reason": reason, "state": state}
    audit_case(session, actor, now, "case_step_refused", case_id, detail)
    await session.flush()
    raise CaseRefused(reason, case_id=case_id, action=action)


def audit_case(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    action: str,
    case_id: int,
    detail: dict[str, Any],
) -> None:
    audit(
        session,
        action=action,
        actor_user_id=actor.user_id,
        actor="telegram" if actor.user_id is not None else "system",
        target_type="case",
        target_id=case_id,
        at=now,
        **detail,
    )


async def tell_complainant(
    session: AsyncSession, case: Case, action: str, actor: Actor, **params: Any
) -> None:
    """The complainant told of the step just taken, when the table says they are told of
    it; anonymous complainants too, through the chat they filed from. A closed case asks for
    the rating, once: a case closed again after the bureau's review is not rated again."""
    if not rules.STEPS[action].tell:
        return
    complaint = await session.get(Complaint, case.complaint_id)
    if complaint is None or complaint.submitted_by is None:
        return
    key, message = TOLD[action]
    if action == "reply":
        message = TOLD_REPLY[actor.role]
    language = complaint.language
    text = translate(message, language, code=complaint.ticket_code, **params)
    asks = action == "close" and case.rating is None
    if asks:
        text = f"{text}\n\n{translate(ASK_RATING, language)}"
    rows = [[(str(n), Rating(case_id=case.id or 0, rating=n).pack()) for n in range(1, 6)]]
    rows = rows if asks else []
    if action == "close":
        # The written reply: who does not accept it may ask for 复查 (domain.appeals).
        appeal = AppealAction(action="req", target=case.id or 0).pack()
        rows.append([(translate(ASK_REVIEW, language), appeal)])
    await enqueue(
        session,
        chat_id=complaint.submitted_by,
        kind="notice",
        text=text,
        buttons=rows or None,
        dedup_key=f"cs:{case.id}:{key}:{await event_seq(session, case)}",
    )
