"""An official's request for a case's evidence files: each file queued to their chat through
the outbox (a reply cannot carry a Telegram file_id), and the request written to the audit
log, in the caller's transaction.

Units get none: a complainant's own photos may show who they are. Which cases the official
may open at all is the caller's question (the same as for the case card).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from messages.i18n import N_, translate
from services.case_steps import CaseRefused, audit_case
from storage.case_desk import card
from storage.cases import Actor
from storage.outbox import PRIORITY, enqueue

EVIDENCE_CAPTION = N_("Case #{case}, evidence {n}")
EVIDENCE_SENT = "case_evidence_sent"


async def send_evidence(
    *,
    session: AsyncSession,
    case_id: int,
    actor: Actor,
    chat_id: int,
    language: str,
    now: datetime,
) -> int:
    """Queue the case's evidence files to ``chat_id``; returns how many were queued. Only
    the desk and the 人社局 see evidence: a unit or the administrator is refused (``role``); a
    case that does not exist is refused (``missing``)."""
    if actor.role not in ("bureau", "investigator"):
        raise CaseRefused("role", case_id=case_id, action="evidence")
    found = await card(session, case_id)
    if found is None:
        raise CaseRefused("missing", case_id=case_id, action="evidence")
    queued = 0
    for number, item in enumerate(found.evidence, start=1):
        if not item.telegram_file_id:
            continue
        await enqueue(
            session,
            chat_id=chat_id,
            kind="notice",
            priority=PRIORITY["alert"],  # the official is waiting for it
            method="sendPhoto" if item.kind == "photo" else "sendDocument",
            file=item.telegram_file_id,
            text=translate(EVIDENCE_CAPTION, language, case=case_id, n=number),
        )
        queued += 1
    audit_case(session, actor, now, EVIDENCE_SENT, case_id, {"role": actor.role, "files": queued})
    return queued
