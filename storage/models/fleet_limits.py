"""Telegram's overall limit shared by every sender process of a PostgreSQL deployment."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class SendBudget(SQLModel, table=True):
    """When the fleet's next message may go, as seconds since the epoch on the database's
    clock: every sender takes its turn from this row (``storage.fleet_limits``)."""

    __tablename__ = "send_budget"

    name: str = Field(primary_key=True, max_length=16)
    next_at: float = 0.0
