"""Who uses the bot: Telegram users, officials, their role bindings, invitations, subscriptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import telegram_id, when

ROLES = ("admin", "bureau", "investigator", "inspector", "unit", "worker")


class TelegramUser(SQLModel, table=True):
    """Someone who has talked to the bot. Citizens are only this row: anonymous by default."""

    __tablename__ = "telegram_user"

    id: int = Field(primary_key=True, sa_type=BigInteger)
    language: str = Field(default="zh", max_length=8)
    language_chosen: bool = False
    blocked_bot: bool = False
    first_seen: datetime = when(default_now=True)
    last_seen: datetime = when(default_now=True)


class Official(SQLModel, table=True):
    """A named person of the bureau, 人社局 or a unit."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    role: str = Field(max_length=16, description="admin | bureau | investigator | inspector | unit")
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    active: bool = True
    created_at: datetime = when(default_now=True)


class RoleBinding(SQLModel, table=True):
    """A Telegram user bound to an official role or to a worker's roster row."""

    __tablename__ = "role_binding"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = telegram_id(nullable=False, index=True)
    role: str = Field(max_length=16)
    official_id: int | None = Field(default=None, foreign_key="official.id")
    worker_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    via: str = Field(default="invitation", max_length=16, description="invitation|code|contact")
    bound_at: datetime = when(default_now=True)
    revoked_at: datetime | None = when(nullable=True)
    revoked_by: int | None = telegram_id()


class Invitation(SQLModel, table=True):
    """A one-time deep link; only the token's hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    role: str = Field(max_length=16)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    official_id: int | None = Field(default=None, foreign_key="official.id")
    created_by: str = Field(default="cli", max_length=64)
    created_at: datetime = when(default_now=True)
    expires_at: datetime = when()
    used_at: datetime | None = when(nullable=True)
    used_by: int | None = telegram_id()


class WorkerCode(SQLModel, table=True):
    """A one-time binding code a unit hands to a worker; only the hash is stored."""

    __tablename__ = "worker_code"

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    code_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = when(default_now=True)
    expires_at: datetime | None = when(nullable=True)
    used_at: datetime | None = when(nullable=True)
    revoked_at: datetime | None = when(nullable=True)


class Subscription(SQLModel, table=True):
    """A citizen who asked to be told when 公示 opens (or another topic)."""

    __table_args__ = (UniqueConstraint("user_id", "topic"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = telegram_id(nullable=False, index=True)
    topic: str = Field(default="gongshi", max_length=32)
    created_at: datetime = when(default_now=True)
