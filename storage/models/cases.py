"""Complaints, their evidence, the cases they open and every event of a case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import json_field, telegram_id, when


class Complaint(SQLModel, table=True):
    """What a citizen (or a worker's objection) submitted, as submitted."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_code: str = Field(max_length=16, unique=True, index=True)
    kind: str = Field(default="complaint", max_length=16, description="complaint | objection")
    # How it reached the hotline: chat, or logged by the desk from a phone call, letter, visit.
    channel: str = Field(default="chat", max_length=16, description="chat|phone|letter|visit")
    cycle_id: int | None = Field(default=None, foreign_key="cycle.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    worker_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    category: str = Field(max_length=32)
    description: str = Field(max_length=2000)
    anonymous: bool = True
    # The chat to tell and to answer /status and the rating in, while the case is live; cleared
    # once it is finished and its last notice is past the outbox retention (storage.purge).
    submitted_by: int | None = telegram_id(index=True)
    # Who filed, for the daily limit and the count of distinct complainants only: a keyed hash
    # of the Telegram id (storage.complaints.complainant_hash), cleared once the case is finished
    # and a day has passed. It changes with the secret key, so a rekey leaves it unjoinable.
    complainant_hash: str | None = Field(default=None, max_length=64, index=True)
    language: str = Field(default="zh", max_length=8)
    submitted_at: datetime = when(default_now=True)


class ComplainantContact(SQLModel, table=True):
    """Kept apart from the complaint: only bureau staff and investigators may read it, audited."""

    __tablename__ = "complainant_contact"

    complaint_id: int = Field(foreign_key="complaint.id", primary_key=True)
    # None for a caller or writer the desk logged (services.desk_intake).
    user_id: int | None = telegram_id()
    name: str = Field(default="", max_length=128)
    phone: str = Field(default="", max_length=32)


class EvidenceFile(SQLModel, table=True):
    __tablename__ = "evidence_file"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    kind: str = Field(max_length=16, description="photo | document")
    mime_type: str = Field(max_length=100)
    size: int = Field(ge=0)
    sha256: str = Field(max_length=64)
    telegram_file_id: str = Field(default="", max_length=255)
    stored_path: str = Field(default="", max_length=500)
    created_at: datetime = when(default_now=True)


class Case(SQLModel, table=True):
    """The handling of one or more complaints: its state and clocks."""

    __tablename__ = "case_file"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", unique=True)
    cycle_id: int | None = Field(default=None, foreign_key="cycle.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    worker_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    category: str = Field(max_length=32)
    severity: str = Field(max_length=16, description="serious | medium | minor | triage")
    route: str = Field(max_length=16, description="investigators | bureau | unit")
    state: str = Field(default="submitted", max_length=16, index=True)
    assignee_id: int | None = Field(default=None, foreign_key="official.id", index=True)
    accept_due: date | None = None
    conclude_due: date | None = None
    extended: bool = False
    finding: str | None = Field(default=None, max_length=16)
    opinion: str = Field(default="", max_length=4000)
    # What the handling opinion decides (domain.consequences keys): only these flow back.
    consequences: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    # A fraud finding's responsible person and sanction (七(五)).
    responsible_person: str = Field(default="", max_length=128)
    sanction: str = Field(default="", max_length=500)
    merged_into_id: int | None = Field(default=None, foreign_key="case_file.id", index=True)
    rating: int | None = Field(default=None, ge=1, le=5)
    rating_comment: str = Field(default="", max_length=1000)
    reopened: bool = False
    created_at: datetime = when(default_now=True)
    updated_at: datetime = when(default_now=True)
    closed_at: datetime | None = when(nullable=True)


class CaseEvent(SQLModel, table=True):
    """One step of a case. Append-only: the history is never rewritten."""

    __tablename__ = "case_event"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    seq: int
    action: str = Field(max_length=32)
    from_state: str | None = Field(default=None, max_length=16)
    to_state: str | None = Field(default=None, max_length=16)
    actor_user_id: int | None = telegram_id()
    actor_role: str = Field(default="system", max_length=16)
    public: bool = False
    detail: dict[str, Any] = json_field()
    at: datetime = when(default_now=True)


class CaseDocument(SQLModel, table=True):
    """A document archived with a case: the public copy of its 处理意见书, rendered on closing.
    The internal copy names the complainant and is rendered only on request, never stored."""

    __tablename__ = "case_document"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    kind: str = Field(default="opinion", max_length=16)
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = when(default_now=True)
