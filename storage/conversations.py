"""The conversation core's rows on the per-update path: the user, their live roles and the
chat's conversation state, read in one query (or, for a batch, three) and written back only
when changed. Keyword-only, in the caller's transaction; nothing here commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, insert, literal, literal_column, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState, RoleBinding, TelegramUser

# Core tables, not ORM entities, on the per-update path: ORM-enabled statements cost several
# times more to execute.
USER: Table = TelegramUser.__table__  # type: ignore[attr-defined]
BINDING: Table = RoleBinding.__table__  # type: ignore[attr-defined]
CHAT: Table = ConversationState.__table__  # type: ignore[attr-defined]

OFFICIAL_ROLES = ("admin", "bureau", "investigator", "inspector", "unit")
# last_seen is for retention and statistics: a write per hour is enough.
LAST_SEEN_PRECISION = timedelta(hours=1)


@dataclass(frozen=True)
class Binding:
    role: str
    unit_id: int | None = None
    worker_id: int | None = None
    official_id: int | None = None


@dataclass(frozen=True)
class Roles:
    """What the database says this user may do; citizens have no bindings."""

    bindings: tuple[Binding, ...] = ()

    def has(self, *roles: str) -> bool:
        return any(binding.role in roles for binding in self.bindings)

    def names(self) -> tuple[str, ...]:
        return tuple(binding.role for binding in self.bindings)

    def binding(self, role: str) -> Binding | None:
        return next((b for b in self.bindings if b.role == role), None)

    @property
    def is_official(self) -> bool:
        return self.has(*OFFICIAL_ROLES)


@dataclass
class ChatState:
    """The chat's place in its conversation, as the handlers change it."""

    chat_id: int
    state: str
    data: dict[str, Any]


@dataclass(frozen=True)
class ChatRow:
    user_exists: bool
    language: str | None
    language_chosen: bool
    blocked_bot: bool
    last_seen: datetime | None
    has_state: bool
    state: str | None
    data: dict[str, Any] | None
    roles: Roles


@dataclass(frozen=True)
class ChatKey:
    """Which chat and which user an update comes from."""

    chat_id: int
    user_id: int


def json_key(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)


async def load_roles(*, session: AsyncSession, user_id: int) -> Roles:
    """The user's live role bindings."""
    rows = await session.execute(
        sa_select(
            BINDING.c.role, BINDING.c.unit_id, BINDING.c.worker_id, BINDING.c.official_id
        ).where(BINDING.c.user_id == user_id, BINDING.c.revoked_at.is_(None))
    )
    return Roles(
        tuple(
            Binding(r.role, unit_id=r.unit_id, worker_id=r.worker_id, official_id=r.official_id)
            for r in rows
        )
    )


async def load_chat(*, session: AsyncSession, chat_id: int, user_id: int) -> ChatRow:
    """The user, their live role bindings and the chat's state in one query."""
    user, binding, chat = USER, BINDING, CHAT
    statement = sa_select(
        user.c.id,
        user.c.language,
        user.c.language_chosen,
        user.c.blocked_bot,
        user.c.last_seen,
        binding.c.role,
        binding.c.unit_id,
        binding.c.worker_id,
        binding.c.official_id,
        chat.c.chat_id,
        chat.c.state,
        chat.c.data,
    ).select_from(
        sa_select(literal(user_id).label("uid"))
        .subquery("me")
        .outerjoin(user, user.c.id == literal_column("me.uid"))
        .outerjoin(
            binding,
            and_(
                binding.c.user_id == literal_column("me.uid"),
                binding.c.revoked_at.is_(None),
            ),
        )
        .outerjoin(chat, chat.c.chat_id == chat_id)
    )
    rows = (await session.execute(statement)).all()
    first = rows[0]
    bindings = tuple(
        Binding(r.role, unit_id=r.unit_id, worker_id=r.worker_id, official_id=r.official_id)
        for r in rows
        if r.role is not None
    )
    return ChatRow(
        user_exists=first.id is not None,
        language=first.language,
        language_chosen=bool(first.language_chosen),
        blocked_bot=bool(first.blocked_bot),
        last_seen=first.last_seen,
        has_state=first.chat_id is not None,
        state=first.state,
        data=first.data,
        roles=Roles(bindings),
    )


async def save_chat(
    *, session: AsyncSession, user_id: int, chat: ChatState, now: datetime, exists: bool
) -> None:
    if exists:
        await session.execute(
            update(CHAT)
            .where(CHAT.c.chat_id == chat.chat_id)
            .values(state=chat.state, data=chat.data, updated_at=now)
        )
    else:
        await session.execute(
            insert(CHAT).values(
                chat_id=chat.chat_id,
                user_id=user_id,
                state=chat.state,
                data=chat.data,
                updated_at=now,
            )
        )


async def touch_user(
    *,
    session: AsyncSession,
    user_id: int,
    telegram_language: str,
    language_given: bool,
    row: ChatRow,
    now: datetime,
) -> str:
    """Create the user on first sight, or refresh what changed; the language to speak.

    ``telegram_language`` is the client's language, normalized; ``language_given`` whether
    the client sent one at all. A language the user chose in the bot is never overridden."""
    if not row.user_exists:
        await session.execute(
            insert(USER).values(
                id=user_id,
                language=telegram_language,
                language_chosen=False,
                blocked_bot=False,
                first_seen=now,
                last_seen=now,
            )
        )
        return telegram_language
    language = row.language or telegram_language
    changes: dict[str, object] = {}
    if not row.language_chosen and language_given and language != telegram_language:
        changes["language"] = language = telegram_language
    if row.last_seen is None or now - row.last_seen > LAST_SEEN_PRECISION:
        changes["last_seen"] = now
    if row.blocked_bot:
        changes["blocked_bot"] = False
    if changes:
        await session.execute(update(USER).where(USER.c.id == user_id).values(**changes))
    return language
