"""Complaints and their cases as tables: the rows of a new complaint and its case, the counts
the hotline's rules read (per person, per target), a case's events, a look-up by code.

Which severity a case gets, what it escalates and who hears of it is services.complaints'.
Nothing here commits: the caller's transaction also holds the alerts and the chat's state.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.complaints import BY_KEY, Matter, Triage, new_ticket_code
from storage.audiences import Recipient
from storage.audit import audit
from storage.identity import keyed_hash
from storage.models import (
    AuditLog,
    Case,
    CaseEvent,
    ComplainantContact,
    Complaint,
    Cycle,
    EvidenceFile,
    Result,
    RoleBinding,
    TelegramUser,
    Unit,
)

WRONG_CODE = "status_code_wrong"


@dataclass(frozen=True)
class Evidence:
    file_id: str
    kind: str
    mime_type: str
    size: int
    sha256: str = ""  # empty when the content was not downloaded
    stored_path: str = ""


@dataclass(frozen=True)
class ContactDraft:
    user_id: int | None  # None: a caller or writer the desk logged, not on Telegram
    name: str
    phone: str


@dataclass(frozen=True)
class ComplaintDraft:
    unit_id: int
    worker_id: int | None
    category: str
    description: str
    evidence: Sequence[Evidence] = ()
    contact: ContactDraft | None = None


async def open_cycle(session: AsyncSession) -> Cycle | None:
    found = await session.execute(select(Cycle).where(col(Cycle.state) == "open"))
    return found.scalars().first()


async def units_page(session: AsyncSession, *, page: int, per_page: int) -> list[tuple[int, str]]:
    """One page of units by name, plus one extra row when a next page exists."""
    rows = await session.execute(
        select(col(Unit.id), col(Unit.name))
        .order_by(col(Unit.name))
        .offset(page * per_page)
        .limit(per_page + 1)
    )
    return [(int(i or 0), str(n)) for i, n in rows.all()]


async def post_titles(session: AsyncSession, worker_ids: list[int]) -> dict[int, str]:
    """Each worker's post title, the latest cycle's when there are several."""
    if not worker_ids:
        return {}
    rows = await session.execute(
        select(col(Result.worker_id), col(Result.post_title))
        .where(col(Result.worker_id).in_(worker_ids))
        .order_by(col(Result.cycle_id))
    )
    return {int(w): str(p) for w, p in rows.all()}


def complainant_hash(secret_key: str, user_id: int) -> str:
    """Who filed, as the daily limit and the distinct count need it: equal for one person,
    never read back, and unjoinable to the account without the secret key."""
    return keyed_hash(secret_key, "complainant", str(user_id))


async def complaints_since(
    session: AsyncSession, *, user_id: int, since: datetime, secret_key: str
) -> int:
    found = await session.execute(
        select(func.count())
        .select_from(Complaint)
        .where(
            col(Complaint.complainant_hash) == complainant_hash(secret_key, user_id),
            col(Complaint.submitted_at) >= since,
        )
    )
    return int(found.scalar_one())


async def forget_complainant(session: AsyncSession, complaint_id: int, *, now: datetime) -> None:
    """A finished case's complainant hash goes once the daily limit no longer needs it; until
    then the retention sweep (storage.purge.retire_delivered) is what drops it."""
    complaint = await session.get(Complaint, complaint_id)
    if complaint is not None and complaint.submitted_at <= day_ago(now):
        complaint.complainant_hash = None


async def wrong_codes_since(session: AsyncSession, *, user_id: int, since: datetime) -> int:
    found = await session.execute(
        select(func.count())
        .select_from(AuditLog)
        .where(
            col(AuditLog.actor_user_id) == user_id,
            col(AuditLog.action) == WRONG_CODE,
            col(AuditLog.at) >= since,
        )
    )
    return int(found.scalar_one())


async def unique_ticket_code(session: AsyncSession) -> str:
    # A clash is a one-in-10^11 event; checking keeps it from ever being a failed submission.
    while True:
        code = new_ticket_code()
        found = await session.execute(
            select(col(Complaint.id)).where(col(Complaint.ticket_code) == code)
        )
        if found.first() is None:
            return code


def _about(matter: Matter) -> Any:
    """The complaints about ``matter``: the worker's, or the unit's naming no worker in the
    category."""
    if matter.worker_id is not None:
        return col(Complaint.worker_id) == matter.worker_id
    return and_(
        col(Complaint.unit_id) == matter.unit_id,
        col(Complaint.worker_id).is_(None),
        col(Complaint.category) == matter.category,
    )


async def distinct_complainants(session: AsyncSession, *, cycle_id: int, matter: Matter) -> int:
    """Distinct people (so far) who complained about ``matter`` in this cycle, counted by the
    complainant hash; a worker's objection is no complaint."""
    found = await session.execute(
        select(func.count(func.distinct(col(Complaint.complainant_hash)))).where(
            col(Complaint.kind) != "objection",
            col(Complaint.cycle_id) == cycle_id,
            _about(matter),
        )
    )
    return int(found.scalar_one())


async def made_serious_by_count(session: AsyncSession, case_id: int) -> bool:
    """Whether several complainants made the case serious (群众反响较大), as its history
    records it: escalated later, or serious at filing by the count (marked on the first event;
    a case filed before the mark: serious though its category was not)."""
    found = await session.execute(
        select(col(CaseEvent.action), col(CaseEvent.detail), col(Complaint.category))
        .join(Case, col(Case.id) == col(CaseEvent.case_id))
        .join(Complaint, col(Complaint.id) == col(Case.complaint_id))
        .where(
            col(CaseEvent.case_id) == case_id,
            col(CaseEvent.action).in_(("submitted", "escalated")),
        )
    )
    for action, detail, category in found.all():
        if action == "escalated" or detail.get("by_count"):
            return True
        filed = BY_KEY.get(category)
        unmarked = "by_count" not in detail and not detail.get("general")
        if (
            unmarked
            and detail.get("severity") == "serious"
            and filed
            and filed.severity != "serious"
        ):
            return True
    return False


async def add_complaint(
    session: AsyncSession,
    *,
    draft: ComplaintDraft,
    kind: str,
    cycle_id: int | None,
    user_id: int | None,
    language: str,
    now: datetime,
    secret_key: str,
    channel: str = "chat",
    complainant_key: str | None = None,
) -> Complaint:
    """The complaint row, its contact and its evidence files. The Telegram id is kept only as
    the chat to tell (``submitted_by``, cleared once the case is over: storage.purge); the
    counts read a keyed hash: of ``complainant_key`` (a caller's phone) for one the desk
    logged (no chat), of a throw-away token when that caller stayed anonymous."""
    key = str(user_id) if user_id is not None else complainant_key or secrets.token_hex(16)
    complaint = Complaint(
        ticket_code=await unique_ticket_code(session),
        kind=kind,
        cycle_id=cycle_id,
        unit_id=draft.unit_id,
        worker_id=draft.worker_id,
        category=draft.category,
        description=draft.description,
        anonymous=draft.contact is None,
        submitted_by=user_id,
        complainant_hash=keyed_hash(secret_key, "complainant", key),
        channel=channel,
        language=language,
        submitted_at=now,
    )
    session.add(complaint)
    await session.flush()
    assert complaint.id is not None
    if draft.contact is not None:
        session.add(
            ComplainantContact(
                complaint_id=complaint.id,
                user_id=draft.contact.user_id,
                name=draft.contact.name,
                phone=draft.contact.phone,
            )
        )
    for item in draft.evidence:
        session.add(
            EvidenceFile(
                complaint_id=complaint.id,
                kind=item.kind,
                mime_type=item.mime_type,
                size=item.size,
                # Empty when no file fetcher was configured and the content was not downloaded.
                sha256=item.sha256,
                telegram_file_id=item.file_id,
                stored_path=item.stored_path,
                created_at=now,
            )
        )
    await session.flush()
    return complaint


async def add_case(
    session: AsyncSession,
    *,
    complaint: Complaint,
    triage: Triage,
    accept_due: date | None,
    now: datetime,
) -> Case:
    """The case of a new complaint, with the severity and route its triage gave."""
    assert complaint.id is not None
    case = Case(
        complaint_id=complaint.id,
        cycle_id=complaint.cycle_id,
        unit_id=complaint.unit_id,
        worker_id=complaint.worker_id,
        category=complaint.category,
        severity=triage.severity,
        route=triage.route,
        accept_due=accept_due,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    await session.flush()
    return case


async def open_cases_below_serious(
    session: AsyncSession, *, case: Case, matter: Matter
) -> list[Case]:
    """The other live complaint cases of this cycle about the same matter that are not serious
    yet: what a serious complaint about that matter escalates."""
    found = await session.execute(
        select(Case)
        .join(Complaint, col(Complaint.id) == col(Case.complaint_id))
        .where(
            col(Complaint.kind) != "objection",  # a worker's own objection is no complaint
            col(Case.cycle_id) == case.cycle_id,
            col(Case.id) != case.id,
            col(Case.severity) != "serious",
            col(Case.state).not_in(("closed", "rejected")),
            _about(matter),
        )
    )
    return list(found.scalars())


async def add_event(
    session: AsyncSession,
    case: Case,
    action: str,
    *,
    now: datetime,
    to_state: str | None = None,
    public: bool = False,
    actor_user_id: int | None = None,
    actor_role: str = "system",
    detail: dict[str, Any] | None = None,
) -> CaseEvent:
    assert case.id is not None
    last = await session.execute(
        select(func.max(col(CaseEvent.seq))).where(col(CaseEvent.case_id) == case.id)
    )
    event = CaseEvent(
        case_id=case.id,
        seq=int(last.scalar_one() or 0) + 1,
        action=action,
        from_state=case.state if to_state else None,
        to_state=to_state,
        actor_user_id=actor_user_id,
        actor_role=actor_role,
        public=public,
        detail=detail or {},
        at=now,
    )
    session.add(event)
    await session.flush()
    return event


@dataclass(frozen=True)
class OwnComplaint:
    ticket_code: str
    submitted_at: datetime


async def own_complaints(
    session: AsyncSession, *, user_id: int, limit: int = 5
) -> list[OwnComplaint]:
    """The user's own latest complaints and objections, newest first: their codes are theirs
    to see again (a reply lost in a crash, a code not written down). Only those still linked
    to the chat: a finished case past the outbox retention is followed by its code alone."""
    found = await session.execute(
        select(col(Complaint.ticket_code), col(Complaint.submitted_at))
        .where(col(Complaint.submitted_by) == user_id)
        .order_by(col(Complaint.submitted_at).desc(), col(Complaint.id).desc())
        .limit(limit)
    )
    return [OwnComplaint(code, at) for code, at in found.all()]


async def record_wrong_code(session: AsyncSession, *, user_id: int, now: datetime) -> None:
    # The audit log doubles as the throttle's memory: it is indexed by time and action.
    audit(session, action=WRONG_CODE, actor_user_id=user_id, at=now)


async def investigators(session: AsyncSession) -> list[Recipient]:
    """Every bound investigator, even one who blocked the bot: a serious case must not be
    missed quietly, and a failed delivery shows up in the outbox."""
    rows = await session.execute(
        select(col(RoleBinding.user_id), col(TelegramUser.language))
        .outerjoin(TelegramUser, col(TelegramUser.id) == col(RoleBinding.user_id))
        .where(col(RoleBinding.role) == "investigator", col(RoleBinding.revoked_at).is_(None))
        .order_by(col(RoleBinding.user_id))
    )
    seen: dict[int, Recipient] = {}
    for user_id, language in rows.all():
        seen.setdefault(int(user_id), Recipient(int(user_id), str(language or "zh")))
    return list(seen.values())


# The audit action of every view of a complainant's identity (信访工作条例: confidentiality).
IDENTITY_VIEWED = "complainant_contact_viewed"


def record_identity_view(
    session: AsyncSession,
    *,
    user_id: int | None,
    roles: Sequence[str],
    case_id: int,
    now: datetime,
    **detail: Any,
) -> None:
    """Every view of a complainant's identity, whatever shows it, leaves this audit entry."""
    audit(
        session,
        action=IDENTITY_VIEWED,
        actor_user_id=user_id,
        target_type="case",
        target_id=case_id,
        at=now,
        roles=list(roles),
        **detail,
    )


async def contact_of_case(
    session: AsyncSession, case_id: int
) -> tuple[Case, ComplainantContact | None] | None:
    case = await session.get(Case, case_id)
    if case is None:
        return None
    return case, await session.get(ComplainantContact, case.complaint_id)


def day_ago(now: datetime) -> datetime:
    return now - timedelta(days=1)
