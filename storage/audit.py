"""The one writer of audit entries: who saw or changed what, when, and on what.

Every use case and every refusal that must leave a trace calls ``audit``; nothing else builds
an ``AuditLog`` row, so the entries keep one shape (the actor's kind, a target named by type
and id, details as a JSON object).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog

DENIED = "denied"


def audit(
    session: AsyncSession,
    *,
    action: str,
    actor_user_id: int | None = None,
    actor: str = "telegram",
    target_type: str = "",
    target_id: object = "",
    at: datetime | None = None,
    **detail: Any,
) -> AuditLog:
    """Add one audit entry to the caller's transaction (never commits) and return it."""
    entry = AuditLog(
        actor_user_id=actor_user_id,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id)[:64],
        detail=detail,
    )
    if at is not None:
        entry.at = at
    session.add(entry)
    return entry
