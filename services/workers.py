"""A worker binds to their roster row (a code from their unit, or their own shared phone),
and a unit contact or the bureau ends a binding; in the caller's transaction (never commits).

Every refused attempt is audited as ``worker_bind_failed``: the audit log is what throttles
them (storage.workers.failures_in_window).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.commands import refresh_chat_menu
from storage.audit import audit
from storage.models import RoleBinding
from storage.workers import FAILED_ACTION, claim_code, replace_binding, worker_by_phone

ContactOutcome = Literal["bound", "not_yours", "unknown"]


async def bind_by_code(
    *,
    session: AsyncSession,
    code: str,
    user_id: int,
    now: datetime,
    default_language: str | None = None,
) -> RoleBinding | None:
    """Bind ``user_id`` to the code's worker, or None (audited) for a used, revoked, expired
    or unknown code, or a worker no longer on duty. ``default_language``: the deployment's,
    in which the "/" menus without a language code are set."""
    worker_id = await claim_code(session=session, code=code, now=now)
    binding = (
        await _bind(
            session=session,
            worker_id=worker_id,
            user_id=user_id,
            now=now,
            via="code",
            default_language=default_language,
        )
        if worker_id is not None
        else None
    )
    if binding is None:
        record_failure(session=session, user_id=user_id, now=now, via="code")
    return binding


async def bind_by_contact(
    *,
    session: AsyncSession,
    secret_key: str,
    phone: str,
    contact_user_id: int | None,
    user_id: int,
    now: datetime,
    default_language: str | None = None,
) -> ContactOutcome:
    """A shared contact binds its sender only when it is their own (Telegram sets its user id
    only then) and its phone is on exactly one on-duty roster row; a refusal is audited."""
    if contact_user_id != user_id:
        record_failure(session=session, user_id=user_id, now=now, via="other_contact")
        return "not_yours"
    binding = await bind_by_phone(
        session=session,
        secret_key=secret_key,
        phone=phone,
        user_id=user_id,
        now=now,
        default_language=default_language,
    )
    if binding is None:
        record_failure(session=session, user_id=user_id, now=now, via="contact")
        return "unknown"
    return "bound"


async def bind_by_phone(
    *,
    session: AsyncSession,
    secret_key: str,
    phone: str,
    user_id: int,
    now: datetime,
    default_language: str | None = None,
) -> RoleBinding | None:
    """Bind ``user_id`` to the on-duty worker whose roster phone this is, or None."""
    worker_id = await worker_by_phone(session=session, secret_key=secret_key, phone=phone)
    if worker_id is None:
        return None
    return await _bind(
        session=session,
        worker_id=worker_id,
        user_id=user_id,
        now=now,
        via="contact",
        default_language=default_language,
    )


def record_failure(*, session: AsyncSession, user_id: int, now: datetime, via: str) -> None:
    audit(session, action=FAILED_ACTION, actor_user_id=user_id, at=now, via=via)


async def _bind(
    *,
    session: AsyncSession,
    worker_id: int,
    user_id: int,
    now: datetime,
    via: str,
    default_language: str | None,
) -> RoleBinding | None:
    # Whoever held this worker's binding loses it: their menu changes too.
    before = await session.execute(
        select(col(RoleBinding.user_id)).where(
            col(RoleBinding.role) == "worker",
            col(RoleBinding.worker_id) == worker_id,
            col(RoleBinding.revoked_at).is_(None),
        )
    )
    binding = await replace_binding(
        session=session, worker_id=worker_id, user_id=user_id, now=now, via=via
    )
    if binding is None:
        return None
    await session.flush()
    await refresh_chat_menu(
        session=session,
        user_ids=[user_id, *before.scalars()],
        default_language=default_language,
    )
    audit(
        session,
        action="worker_bound",
        actor_user_id=user_id,
        target_type="worker",
        target_id=worker_id,
        at=now,
        via=via,
    )
    await session.flush()
    return binding


async def revoke_binding(
    *,
    session: AsyncSession,
    binding_id: int,
    by_user: int,
    now: datetime,
    unit_ids: list[int] | None,
    default_language: str | None = None,
) -> bool:
    """End a live worker binding. ``unit_ids`` limits a unit contact to their own units'
    workers; None is the bureau, who may end any. ``default_language`` as for
    ``bind_by_code``."""
    binding = await session.get(RoleBinding, binding_id)
    if binding is None or binding.role != "worker" or binding.revoked_at is not None:
        return False
    if unit_ids is not None and binding.unit_id not in unit_ids:
        return False
    binding.revoked_at = now
    binding.revoked_by = by_user
    audit(
        session,
        action="worker_binding_revoked",
        actor_user_id=by_user,
        target_type="role_binding",
        target_id=binding_id,
        at=now,
        worker_id=binding.worker_id,
    )
    await session.flush()
    await refresh_chat_menu(
        session=session, user_ids=[binding.user_id], default_language=default_language
    )
    return True
