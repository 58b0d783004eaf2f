"""Retention: personal data that has served its purpose is removed (个人信息保护法: kept no
longer than the purpose needs), while the record of what was decided stays.

Past the retention period (``settings.retention_days``, counted from the end of a cycle's 公示,
or from the day a complaint outside any cycle was filed), for cases that are finished:
- the complainant's contact (name, phone) is deleted; the complaint stays, anonymous;
- the evidence files' rows are deleted, and the files on disk with them;
and, whatever the cycle:
- conversation states (drafts, which may hold a phone or a description) not touched within
  the period are deleted;
- audit entries older than the period keep what happened to what, but lose their details;
- workers removed from the programme, with no result in a cycle still kept, lose the keyed
  hashes and last digits of their ID number and phone;
- a non-renewal's written reason (六(一)(二): reported to the bureau, it may tell a worker's
  illness or family) is emptied once its cycle is no longer kept and nothing about that worker
  in that cycle is still open (a task of the unit's paperwork after it, or a case): the
  decision, who recorded it and when stay.

Sooner, past the outbox retention (``settings.outbox_retention_days``, default 30 days;
``retire_delivered``, run by ``gongshi purge`` and by the daily ``retention`` sweep):
- outbox rows sent (or given up) before it are deleted: what they said is in the case's
  history, without the chat it went to. The 公示's channel posts stay, as the close of the
  公示 deletes those messages by the ids their rows hold;
- a finished case's complaint loses its chat (``submitted_by``), by which the complainant was
  told, could rate and could find the code again: after it, nothing joins an anonymous
  complaint to a Telegram account. A case merged into another keeps it until the case its
  chain of merges ended in (storage.merged) ends; a closed case keeps it while its
  complainant may still appeal from there (at least domain.appeals.CHAT_KEPT_DAYS after the
  closing, and while an appeal is pending), and so does a case merged, directly or through
  others, into a closed one, whose complainant appeals that closing;
- a finished case's complaint filed more than a day ago loses its complainant hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from domain.appeals import CHAT_KEPT_DAYS
from domain.cases import FINAL_STATES
from storage.merged import final_cases
from storage.models import (
    AuditLog,
    Case,
    CaseAppeal,
    ChannelPost,
    ComplainantContact,
    Complaint,
    ConversationState,
    Cycle,
    EvidenceFile,
    Outbox,
    RenewalPaper,
    Result,
    UnitTask,
    Worker,
)

CHUNK = 500  # ids per statement: SQLite allows a limited number of parameters
FINISHED_OUTBOX = ("sent", "failed")


@dataclass
class Purged:
    contacts: int = 0
    evidence: int = 0
    conversations: int = 0
    audit_details: int = 0
    worker_hashes: int = 0
    renewal_reasons: int = 0
    # Evidence files on disk that no remaining row refers to: removed once the purge commits.
    files: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "contacts": self.contacts,
            "evidence": self.evidence,
            "evidence_files": len(self.files),
            "conversations": self.conversations,
            "audit_details": self.audit_details,
            "worker_hashes": self.worker_hashes,
            "renewal_reasons": self.renewal_reasons,
        }


async def purge_personal_data(
    *, session: AsyncSession, before: datetime, dry_run: bool = False
) -> Purged:
    """Remove what is past retention (see the module's docstring); with ``dry_run`` only count.
    ``before`` is now minus the retention period."""
    purged = Purged()
    expired = await _expired_complaints(session, before)
    contacts = select(col(ComplainantContact.complaint_id)).where(
        col(ComplainantContact.complaint_id).in_(expired)
    )
    purged.contacts = len((await session.execute(contacts)).all())
    evidence = (
        await session.execute(
            select(col(EvidenceFile.id), col(EvidenceFile.stored_path)).where(
                col(EvidenceFile.complaint_id).in_(expired)
            )
        )
    ).all()
    purged.evidence = len(evidence)
    stale_chats = select(col(ConversationState.chat_id)).where(
        col(ConversationState.updated_at) < before
    )
    purged.conversations = len((await session.execute(stale_chats)).all())
    old_audit = await session.execute(
        select(col(AuditLog.id), col(AuditLog.detail)).where(col(AuditLog.at) < before)
    )
    audited = [int(audit_id) for audit_id, detail in old_audit.all() if detail]
    purged.audit_details = len(audited)
    gone = await _removed_workers_past_retention(session, before.date())
    purged.worker_hashes = len(gone)
    reasons = await _reasons_past_retention(session, before.date())
    purged.renewal_reasons = len(reasons)
    if dry_run:
        purged.files = sorted({str(path) for _, path in evidence if path})
        return purged
    await session.execute(
        delete(ComplainantContact).where(col(ComplainantContact.complaint_id).in_(expired))
    )
    await session.execute(delete(EvidenceFile).where(col(EvidenceFile.complaint_id).in_(expired)))
    await session.execute(
        delete(ConversationState).where(col(ConversationState.updated_at) < before)
    )
    for at in range(0, len(audited), CHUNK):
        chunk = audited[at : at + CHUNK]
        await session.execute(update(AuditLog).where(col(AuditLog.id).in_(chunk)).values(detail={}))
    for worker_id in gone:
        await session.execute(
            update(Worker)
            .where(col(Worker.id) == worker_id)
            .values(
                id_hash=f"purged-{worker_id}",
                id_last4="",
                phone_hash=None,
                phone_last4=None,
            )
        )
    for at in range(0, len(reasons), CHUNK):
        chunk = reasons[at : at + CHUNK]
        await session.execute(
            update(RenewalPaper).where(col(RenewalPaper.id).in_(chunk)).values(reason="")
        )
    purged.files = await _unreferenced(session, {str(path) for _, path in evidence if path})
    return purged


async def _expired_complaints(session: AsyncSession, before: datetime) -> list[int]:
    """Complaints whose case is finished and whose cycle's 公示 (or, outside any cycle, whose
    filing) ended before ``before``."""
    finished = exists().where(
        col(Case.complaint_id) == col(Complaint.id), col(Case.state).in_(sorted(FINAL_STATES))
    )
    old_cycle = exists().where(
        col(Cycle.id) == col(Complaint.cycle_id),
        col(Cycle.state) == "closed",
        col(Cycle.gongshi_closes_on) < before.date(),
    )
    outside = and_(col(Complaint.cycle_id).is_(None), col(Complaint.submitted_at) < before)
    rows = await session.execute(
        select(col(Complaint.id))
        .where(finished, or_(old_cycle, outside))
        .order_by(col(Complaint.id))
    )
    return [int(row) for row in rows.scalars() if row is not None]


async def _removed_workers_past_retention(session: AsyncSession, before: date) -> list[int]:
    kept_result = exists().where(
        col(Result.worker_id) == col(Worker.id),
        col(Result.cycle_id) == col(Cycle.id),
        or_(
            col(Cycle.state) != "closed",
            col(Cycle.gongshi_closes_on).is_(None),
            col(Cycle.gongshi_closes_on) >= before,
        ),
    )
    rows = await session.execute(
        select(col(Worker.id)).where(
            col(Worker.status) == "removed",
            ~col(Worker.id_hash).startswith("purged-"),
            ~kept_result,
        )
    )
    return [int(row) for row in rows.scalars() if row is not None]


async def _reasons_past_retention(session: AsyncSession, before: date) -> list[int]:
    """The non-renewals whose written reason has served its purpose: their cycle's 公示 ended
    before ``before``, and neither a unit's task for that worker in that cycle nor a case about
    them in it is still open."""
    old_cycle = exists().where(
        col(Cycle.id) == col(RenewalPaper.cycle_id),
        col(Cycle.state) == "closed",
        col(Cycle.gongshi_closes_on) < before,
    )
    open_task = exists().where(
        col(UnitTask.cycle_id) == col(RenewalPaper.cycle_id),
        col(UnitTask.worker_id) == col(RenewalPaper.worker_id),
        col(UnitTask.state) != "done",
    )
    open_case = exists().where(
        col(Case.cycle_id) == col(RenewalPaper.cycle_id),
        col(Case.worker_id) == col(RenewalPaper.worker_id),
        col(Case.state).not_in(sorted(FINAL_STATES)),
    )
    rows = await session.execute(
        select(col(RenewalPaper.id))
        .where(
            col(RenewalPaper.outcome) == "not_renewed",
            col(RenewalPaper.reason) != "",
            old_cycle,
            ~open_task,
            ~open_case,
        )
        .order_by(col(RenewalPaper.id))
    )
    return [int(row) for row in rows.scalars() if row is not None]


async def _unreferenced(session: AsyncSession, paths: set[str]) -> list[str]:
    """Evidence is stored by content: a file may serve another complaint still kept."""
    if not paths:
        return []
    still = await session.execute(
        select(col(EvidenceFile.stored_path)).where(
            col(EvidenceFile.stored_path).in_(sorted(paths))
        )
    )
    return sorted(paths - {str(path) for path in still.scalars()})


@dataclass
class Retired:
    outbox: int = 0
    chats: int = 0
    hashes: int = 0

    def counts(self) -> dict[str, int]:
        return {"outbox": self.outbox, "chats": self.chats, "hashes": self.hashes}


async def retire_delivered(
    *, session: AsyncSession, now: datetime, outbox_days: int, dry_run: bool = False
) -> Retired:
    """Remove what delivery and the daily limit no longer need (see the module's docstring);
    with ``dry_run`` only count."""
    before = now - timedelta(days=outbox_days)
    outbox = select(col(Outbox.id)).where(
        col(Outbox.state).in_(FINISHED_OUTBOX),
        func.coalesce(col(Outbox.sent_at), col(Outbox.created_at)) < before,
        ~exists().where(col(ChannelPost.outbox_id) == col(Outbox.id)),
    )
    # A merged case follows the case its chain of merges ended in (storage.merged).
    into, ended_in = aliased(Case), final_cases().subquery()
    # A closed case's complainant may appeal from that chat (domain.appeals): it is kept for
    # the request period, and while an appeal is pending or was answered within it.
    appeal_before = min(before, now - timedelta(days=CHAT_KEPT_DAYS))
    finished = (
        select(col(Case.complaint_id))
        .outerjoin(ended_in, ended_in.c.case_id == col(Case.id))
        .outerjoin(into, col(into.id) == ended_in.c.final_id)
        .where(
            col(Case.state).in_(sorted(FINAL_STATES)),
            func.coalesce(col(Case.closed_at), col(Case.updated_at)) < before,
            or_(
                col(Case.state) != "closed",
                func.coalesce(col(Case.closed_at), col(Case.updated_at)) < appeal_before,
            ),
            ~exists().where(
                col(CaseAppeal.case_id) == col(Case.id),
                or_(
                    col(CaseAppeal.answered_at).is_(None),
                    col(CaseAppeal.answered_at) >= appeal_before,
                ),
            ),
            or_(
                col(Case.merged_into_id).is_(None),
                and_(
                    col(into.state).in_(sorted(FINAL_STATES)),
                    func.coalesce(col(into.closed_at), col(into.updated_at)) < before,
                    or_(
                        col(into.state) != "closed",
                        func.coalesce(col(into.closed_at), col(into.updated_at)) < appeal_before,
                    ),
                ),
            ),
        )
    )
    chats = col(Complaint.submitted_by).is_not(None) & col(Complaint.id).in_(finished)
    ended = select(col(Case.complaint_id)).where(col(Case.state).in_(sorted(FINAL_STATES)))
    hashes = (
        col(Complaint.complainant_hash).is_not(None)
        & (col(Complaint.submitted_at) < now - timedelta(days=1))
        & col(Complaint.id).in_(ended)
    )
    retired = Retired(
        outbox=await _count(session, select(func.count()).select_from(outbox.subquery())),
        chats=await _count(session, select(func.count()).where(chats)),
        hashes=await _count(session, select(func.count()).where(hashes)),
    )
    if dry_run:
        return retired
    await session.execute(delete(Outbox).where(col(Outbox.id).in_(outbox)))
    await session.execute(update(Complaint).where(chats).values(submitted_by=None))
    await session.execute(update(Complaint).where(hashes).values(complainant_hash=None))
    return retired


async def _count(session: AsyncSession, statement: Any) -> int:
    return int((await session.execute(statement)).scalar_one())
