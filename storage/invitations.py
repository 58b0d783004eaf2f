"""One-time invitations that bind a Telegram user to an official role.

The token is random (128 bits), only its hash is stored, it expires, and it works once. A
used, expired or forged token gives the same answer: the caller cannot tell which.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.identity import token_hash
from storage.models import Invitation, Official, RoleBinding

OFFICIAL_ROLES = ("admin", "bureau", "investigator", "inspector", "unit")
# Invited for their place in the inspection plan (`gongshi inspection invite --member N`), not
# from the administrator's general invitation.
PLACED_ROLES = ("inspector",)
DEFAULT_TTL = timedelta(days=7)
PREFIX = "inv_"


class InvitationError(ValueError):
    """A bad request to create an invitation (unknown role, unit missing)."""


async def create_invitation(
    *,
    session: AsyncSession,
    role: str,
    now: datetime,
    unit_id: int | None = None,
    created_by: str = "cli",
    ttl: timedelta = DEFAULT_TTL,
    official_id: int | None = None,
) -> str:
    """Store a new invitation and return its token (shown once, never stored in clear).

    An inspector's invitation names the official of their place in an inspection group, and
    only theirs does: whoever redeems it is bound to that official."""
    if role not in OFFICIAL_ROLES:
        raise InvitationError(f"unknown role {role!r}")
    if (role == "unit") != (unit_id is not None):
        raise InvitationError("a unit contact's invitation names its unit, and only theirs does")
    if (role == "inspector") != (official_id is not None):
        raise InvitationError("an inspector's invitation names their place in a group")
    token = secrets.token_urlsafe(16)
    session.add(
        Invitation(
            token_hash=token_hash(token),
            role=role,
            unit_id=unit_id,
            created_by=created_by[:64],
            created_at=now,
            expires_at=now + ttl,
            official_id=official_id,
        )
    )
    await session.flush()
    return token


async def redeem_invitation(
    *, session: AsyncSession, token: str, user_id: int, now: datetime, name: str = ""
) -> RoleBinding | None:
    """Bind ``user_id`` to the invitation's role, or return None for any bad token."""
    if not token or len(token) > 64:
        return None
    claimed = await session.execute(
        update(Invitation)
        .where(
            col(Invitation.token_hash) == token_hash(token),
            col(Invitation.used_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        .values(used_at=now, used_by=user_id)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    invitation = (
        await session.execute(
            select(Invitation).where(col(Invitation.token_hash) == token_hash(token))
        )
    ).scalar_one()
    existing = (
        await session.execute(
            select(RoleBinding).where(
                col(RoleBinding.user_id) == user_id,
                col(RoleBinding.role) == invitation.role,
                col(RoleBinding.unit_id) == invitation.unit_id
                if invitation.unit_id is not None
                else col(RoleBinding.unit_id).is_(None),
                col(RoleBinding.revoked_at).is_(None),
            )
        )
    ).scalar_one_or_none()
    if existing is not None and invitation.official_id in (None, existing.official_id):
        return existing
    official_id = invitation.official_id
    if official_id is None:
        official = Official(
            name=name[:64] or str(user_id),
            role=invitation.role,
            unit_id=invitation.unit_id,
            created_at=now,
        )
        session.add(official)
        await session.flush()
        invitation.official_id = official_id = official.id
    binding = RoleBinding(
        user_id=user_id,
        role=invitation.role,
        official_id=official_id,
        unit_id=invitation.unit_id,
        via="invitation",
        bound_at=now,
    )
    session.add(binding)
    await session.flush()
    return binding
