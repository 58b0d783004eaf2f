"""Units' tasks and reminders, the outbox, 公示 channel posts, and the machinery of the bot:
processed updates, conversation state, the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import json_field, telegram_id, when


class UnitTask(SQLModel, table=True):
    """A deadline of a unit in a cycle (rules filed, results submitted, vouchers, renewals ...)."""

    __tablename__ = "unit_task"
    __table_args__ = (UniqueConstraint("cycle_id", "unit_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    kind: str = Field(max_length=32)
    starts_on: date | None = None
    due_on: date
    needs_file: bool = True
    state: str = Field(default="open", max_length=16, description="open | done | escalated")
    done_at: datetime | None = when(nullable=True)
    done_by: int | None = telegram_id()
    file_id: str = Field(default="", max_length=255)
    file_name: str = Field(default="", max_length=255)
    note: str = Field(default="", max_length=1000)
    # A kind of the deadlines file without a catalogue title carries the file's own.
    title: str = Field(default="", max_length=100)
    case_id: int | None = Field(default=None, foreign_key="case_file.id")
    # A task about one worker (the paperwork after a non-renewal); its kind names the worker
    # too (domain.renewal.worker_task_kind), so each worker has their own.
    worker_id: int | None = Field(default=None, foreign_key="worker.id", index=True)


class Reminder(SQLModel, table=True):
    """A reminder that is due or was sent; one row per task, kind and day, so none is sent twice."""

    __table_args__ = (UniqueConstraint("task_id", "kind", "on_day"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="unit_task.id", index=True)
    kind: str = Field(max_length=16, description="before | on_day | overdue | escalation")
    on_day: date
    sent_at: datetime | None = when(nullable=True)


class OutboxAttachment(SQLModel, table=True):
    """A file an outbox message uploads (a digest chart), stored once for all its recipients."""

    __tablename__ = "outbox_attachment"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    filename: str = Field(max_length=255)
    content: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = when(default_now=True)


class Outbox(SQLModel, table=True):
    """A message to deliver, written with the change that caused it."""

    # The senders' claim reads pending rows in priority order.
    __table_args__ = (Index("ix_outbox_claim", "state", "priority", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, index=True)
    kind: str = Field(max_length=16, description="alert | reminder | notice | broadcast")
    priority: int = Field(default=50, description="lower goes first")
    method: str = Field(default="sendMessage", max_length=32)
    payload: dict[str, Any] = json_field()
    attachment_id: int | None = Field(default=None, foreign_key="outbox_attachment.id")
    dedup_key: str | None = Field(default=None, max_length=128, unique=True)
    state: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    not_before: datetime = when(default_now=True, index=True)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = when(nullable=True)
    last_error: str = Field(default="", max_length=500)
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = when(default_now=True)
    sent_at: datetime | None = when(nullable=True)


class ChatPause(SQLModel, table=True):
    """A chat Telegram told us to leave alone until ``not_before`` (a 429 with retry_after,
    on a direct reply or an outbox message): every sender of every process waits for it."""

    __tablename__ = "chat_pause"

    chat_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    not_before: datetime = when(index=True)


class ChannelPost(SQLModel, table=True):
    """A 公示 message in the public channel, to be deleted when the window closes."""

    __tablename__ = "channel_post"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    page: int = 1
    chat_id: int = Field(sa_type=BigInteger)
    # The outbox row that posts it: its message_id, once sent, is what the close deletes.
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    posted_at: datetime | None = when(nullable=True)
    deleted_at: datetime | None = when(nullable=True)


class ProcessedUpdate(SQLModel, table=True):
    """Update ids already handled, committed with their effects: a redelivery does nothing.

    Keyed by the bot as well, because update ids are only unique per bot and not for ever:
    a new token on the same database, or Telegram after a week without updates, starts
    numbering again. Rows are kept only as long as a redelivery can come (``processed_at``
    is what the pruning reads)."""

    __tablename__ = "processed_update"

    bot_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    update_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    processed_at: datetime = when(default_now=True, index=True)


class ConversationState(SQLModel, table=True):
    """Where each chat is in its conversation, and what it has said so far."""

    __tablename__ = "conversation_state"

    chat_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    user_id: int | None = telegram_id()
    state: str = Field(default="", max_length=64)
    data: dict[str, Any] = json_field()
    updated_at: datetime = when(default_now=True)


class AuditLog(SQLModel, table=True):
    """Who saw or changed what: every view of a complainant's identity lands here."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = when(default_now=True, index=True)
    actor_user_id: int | None = telegram_id()
    actor: str = Field(default="system", max_length=64)
    action: str = Field(max_length=48, index=True)
    target_type: str = Field(default="", max_length=32)
    target_id: str = Field(default="", max_length=64)
    detail: dict[str, Any] = json_field()
