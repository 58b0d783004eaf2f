"""The conversation core: route each update to its step, inside one transaction that also
records the update id and the chat's state, with every role check made here on the server.

A redelivered update finds its id recorded and has no second effect. A crash before the
commit leaves nothing behind, and the runtime has not acknowledged the update, so Telegram
delivers it again.

The bot talks in private chats only. An update from a group, a supergroup or a channel (or
a button under an inline-mode message, whose chat is unknown) is recorded as handled and
gets no answer: in a group, what an official asks and what the bot says (a complainant's
name and phone) would be read by every member, and the conversation state would be
shared by all of them. Checked here, once, whatever runtime fed the update.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, insert, literal, literal_column, select, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from bot.i18n import N_, normalize_language
from bot.settings import Settings
from domain.clock import Clock
from handlers import processed
from handlers.context import Binding, Context, Roles
from handlers.types import Incoming, Outcome
from storage.models import AuditLog, ConversationState, RoleBinding, TelegramUser

log = logging.getLogger(__name__)

Handler = Callable[[Context], Awaitable[None]]

STALE_BUTTON = N_("This button is no longer valid. Send /start for the menu.")
NOT_ALLOWED = N_("You are not allowed to do that.")
UNKNOWN_COMMAND = N_("Unknown command. Send /help to see what I can do.")
SOMETHING_WRONG = N_("Sorry, something went wrong on our side. Please try again later.")


@dataclass(frozen=True)
class Route:
    handler: Handler
    roles: frozenset[str] | None

    def allows(self, roles: Roles) -> bool:
        return self.roles is None or roles.has(*self.roles)


class Router:
    """Commands by name, buttons by the prefix of their data, free input by chat state."""

    def __init__(self) -> None:
        self.commands: dict[str, Route] = {}
        self.buttons: dict[str, Route] = {}
        self.states: dict[str, Route] = {}
        self.fallback: Handler | None = None

    @staticmethod
    def _roles(roles: Iterable[str] | None) -> frozenset[str] | None:
        return None if roles is None else frozenset(roles)

    def command(
        self, *names: str, roles: Iterable[str] | None = None
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for name in names:
                self.commands[name] = Route(handler, self._roles(roles))
            return handler

        return register

    def button(
        self, prefix: str, roles: Iterable[str] | None = None
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.buttons[prefix] = Route(handler, self._roles(roles))
            return handler

        return register

    def state(
        self, *names: str, roles: Iterable[str] | None = None
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for name in names:
                self.states[name] = Route(handler, self._roles(roles))
            return handler

        return register

    def otherwise(self, handler: Handler) -> Handler:
        self.fallback = handler
        return handler

    def include(self, other: Router) -> None:
        for table, extra in (
            (self.commands, other.commands),
            (self.buttons, other.buttons),
            (self.states, other.states),
        ):
            clash = set(table) & set(extra)
            if clash:
                raise ValueError(f"routes registered twice: {sorted(clash)}")
            table.update(extra)
        self.fallback = other.fallback or self.fallback

    async def route(self, ctx: Context) -> None:
        incoming = ctx.incoming
        if incoming.command is not None:
            route = self.commands.get(incoming.command)
            if route is None:
                ctx.say(ctx.t(UNKNOWN_COMMAND))
                return
            await self._call(ctx, route, f"/{incoming.command}")
        elif incoming.button is not None:
            prefix = incoming.button.split(":", 1)[0]
            route = self.buttons.get(prefix)
            if route is None:
                ctx.answer(ctx.t(STALE_BUTTON), alert=True)
                return
            await self._call(ctx, route, incoming.button)
        else:
            route = self.states.get(ctx.state)
            if route is not None:
                await self._call(ctx, route, f"state:{ctx.state}")
            elif self.fallback is not None:
                await self.fallback(ctx)

    async def _call(self, ctx: Context, route: Route, what: str) -> None:
        if not route.allows(ctx.roles):
            ctx.session.add(
                AuditLog(
                    actor_user_id=ctx.user_id,
                    actor="telegram",
                    action="denied",
                    target_type="route",
                    target_id=what[:64],
                    detail={"roles": list(ctx.roles.names())},
                )
            )
            if ctx.incoming.button is not None:
                ctx.answer(ctx.t(NOT_ALLOWED), alert=True)
            else:
                ctx.say(ctx.t(NOT_ALLOWED))
            return
        await route.handler(ctx)


async def load_roles(session: AsyncSession, user_id: int) -> Roles:
    rows = await session.execute(
        select(RoleBinding).where(
            col(RoleBinding.user_id) == user_id, col(RoleBinding.revoked_at).is_(None)
        )
    )
    return Roles(
        tuple(
            Binding(b.role, unit_id=b.unit_id, worker_id=b.worker_id, official_id=b.official_id)
            for b in rows.scalars()
        )
    )


class Dispatcher:
    """Handles one update at a time per call; safe to call concurrently for different chats."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Clock,
        router: Router,
        services: dict[str, object] | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        self.router = router
        self.services = dict(services or {})
        self.bot_id = processed.bot_id_of(settings.bot_token)
        self.keep_processed = timedelta(days=settings.processed_update_days)
        self._next_prune: datetime | None = None

    async def handle(self, incoming: Incoming) -> Outcome:
        await self._prune_if_due()
        try:
            return await self._handle(incoming)
        except IntegrityError:
            # Another process recorded the same update first: it was handled there.
            if await self._already_processed(incoming.update_id):
                return self._duplicate(incoming)
            return await self._apologise(incoming)
        except Exception:
            log.exception("update %s failed", incoming.update_id)
            return await self._apologise(incoming)

    async def handle_many(self, incomings: Sequence[Incoming]) -> list[Outcome]:
        """Several updates of different chats in one commit (group commit). Worth it where
        commits are the bottleneck (SQLite's single writer). Should any update fail, the
        whole batch is rolled back and each update handled alone, so an update's effects and
        its id still stand or fall together and one failure undoes nobody else's work.
        Never raises."""
        if len(incomings) <= 1:
            return [await self.handle(incoming) for incoming in incomings]
        await self._prune_if_due()
        try:
            async with self.sessions() as session, session.begin():
                if len({incoming.chat_id for incoming in incomings}) < len(incomings):
                    return [await self._handle_in(session, incoming) for incoming in incomings]
                return await self._handle_batch(session, incomings)
        except Exception:
            log.info("a batch of %d updates failed; handling them one by one", len(incomings))
            return [await self.handle(incoming) for incoming in incomings]

    async def _handle_batch(
        self, session: AsyncSession, incomings: Sequence[Incoming]
    ) -> list[Outcome]:
        """The batch's bookkeeping in a few set-wise statements (ids recorded, users, roles
        and chat states read, changed states written); only the steps' own work is per
        update. The chats are distinct, so no step can see another's chat state."""
        now = self.clock.now()
        fresh = await processed.record_many(
            session, self.bot_id, [incoming.update_id for incoming in incomings], now
        )
        rows = await _load_chats(session, incomings)
        outcomes: list[Outcome] = []
        changed: list[tuple[Incoming, ChatState, bool]] = []
        for incoming in incomings:
            if incoming.update_id not in fresh:
                outcomes.append(self._duplicate(incoming))
                continue
            fresh.discard(incoming.update_id)  # the same update twice in one batch
            if not is_private(incoming):
                outcomes.append(Outcome(chat_id=incoming.chat_id))
                continue
            who = rows[incoming.chat_id]
            outcome, conversation, dirty = await self._run_step(session, incoming, who, now)
            outcomes.append(outcome)
            if dirty:
                changed.append((incoming, conversation, who.has_state))
        await _save_chats(session, changed, now)
        return outcomes

    async def _handle(self, incoming: Incoming) -> Outcome:
        async with self.sessions() as session, session.begin():
            return await self._handle_in(session, incoming)

    async def _handle_in(self, session: AsyncSession, incoming: Incoming) -> Outcome:
        # Few round trips per update, each a plain statement: on SQLite every update waits
        # for the single writer, so each statement saved is throughput gained.
        now = self.clock.now()
        if not await processed.record(session, self.bot_id, incoming.update_id, now):
            return self._duplicate(incoming)
        if not is_private(incoming):
            return Outcome(chat_id=incoming.chat_id)
        who = await _load_chat(session, incoming)
        outcome, conversation, dirty = await self._run_step(session, incoming, who, now)
        if dirty:
            await _save_chat(session, incoming, conversation, now, exists=who.has_state)
        return outcome

    async def _run_step(
        self, session: AsyncSession, incoming: Incoming, who: ChatRow, now: datetime
    ) -> tuple[Outcome, ChatState, bool]:
        """Route one update; returns its outcome, the chat's state, and whether it changed."""
        language = await self._touch_user(session, incoming, who, now)
        conversation = ChatState(
            chat_id=incoming.chat_id,
            state=who.state or "",
            data=dict(who.data or {}),
        )
        before = (conversation.state, json_key(conversation.data))
        ctx = Context(
            incoming=incoming,
            session=session,
            settings=self.settings,
            clock=self.clock,
            roles=who.roles,
            language=language,
            conversation=conversation,
            outcome=Outcome(chat_id=incoming.chat_id),
            services=self.services,
        )
        await self.router.route(ctx)
        after = (conversation.state, json_key(conversation.data))
        return ctx.outcome, conversation, not who.has_state or before != after

    async def _touch_user(
        self, session: AsyncSession, incoming: Incoming, who: ChatRow, now: datetime
    ) -> str:
        telegram_language = normalize_language(incoming.user.language)
        if not who.user_exists:
            await session.execute(
                insert(USER).values(
                    id=incoming.user.id,
                    language=telegram_language,
                    language_chosen=False,
                    blocked_bot=False,
                    first_seen=now,
                    last_seen=now,
                )
            )
            return telegram_language
        language = who.language or telegram_language
        changes: dict[str, object] = {}
        if not who.language_chosen and incoming.user.language and language != telegram_language:
            changes["language"] = language = telegram_language
        # last_seen is for retention and statistics: a write per hour is enough.
        if who.last_seen is None or now - who.last_seen > LAST_SEEN_PRECISION:
            changes["last_seen"] = now
        if who.blocked_bot:
            changes["blocked_bot"] = False
        if changes:
            await session.execute(
                update(USER).where(USER.c.id == incoming.user.id).values(**changes)
            )
        return language

    def _duplicate(self, incoming: Incoming) -> Outcome:
        processed.warn_duplicate(self.bot_id, incoming.update_id)
        return Outcome(chat_id=incoming.chat_id, duplicate=True)

    async def _already_processed(self, update_id: int) -> bool:
        async with self.sessions() as session:
            return await processed.was_recorded(session, self.bot_id, update_id)

    async def _prune_if_due(self) -> None:
        """Forget processed updates older than the window, at most once an hour, in a
        transaction of its own (a failure here must not cost an update). Runs before the
        first update of a process, so ids started anew after a long silence find nothing."""
        now = self.clock.now()
        if self._next_prune is not None and now < self._next_prune:
            return
        self._next_prune = now + processed.PRUNE_EVERY
        try:
            async with self.sessions() as session, session.begin():
                await processed.prune(session, now - self.keep_processed)
        except Exception:
            log.exception("could not prune the processed updates")

    async def _apologise(self, incoming: Incoming) -> Outcome:
        """Record the update so a poisonous one is not redelivered forever, and say sorry."""
        from bot.i18n import translate

        try:
            async with self.sessions() as session, session.begin():
                await processed.record(session, self.bot_id, incoming.update_id, self.clock.now())
        except Exception:
            log.exception("could not record failed update %s", incoming.update_id)
        outcome = Outcome(chat_id=incoming.chat_id)
        message = translate(SOMETHING_WRONG, incoming.user.language)
        if incoming.button is not None:
            outcome.callback_answer = message
            outcome.callback_alert = True
        else:
            from handlers.types import Reply

            outcome.replies.append(Reply(text=message))
        return outcome


LAST_SEEN_PRECISION = timedelta(hours=1)
# Core tables, not ORM entities, on the per-update path: ORM-enabled statements cost several
# times more to execute.
USER: Table = TelegramUser.__table__  # type: ignore[attr-defined]
BINDING: Table = RoleBinding.__table__  # type: ignore[attr-defined]
CHAT: Table = ConversationState.__table__  # type: ignore[attr-defined]


def is_private(incoming: Incoming) -> bool:
    return incoming.chat_type == "private"


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


def json_key(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)


async def _load_chat(session: AsyncSession, incoming: Incoming) -> ChatRow:
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
        sa_select(literal(incoming.user.id).label("uid"))
        .subquery("me")
        .outerjoin(user, user.c.id == literal_column("me.uid"))
        .outerjoin(
            binding,
            and_(
                binding.c.user_id == literal_column("me.uid"),
                binding.c.revoked_at.is_(None),
            ),
        )
        .outerjoin(chat, chat.c.chat_id == incoming.chat_id)
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


async def _save_chat(
    session: AsyncSession, incoming: Incoming, chat: ChatState, now: datetime, *, exists: bool
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
                user_id=incoming.user.id,
                state=chat.state,
                data=chat.data,
                updated_at=now,
            )
        )


async def _load_chats(session: AsyncSession, incomings: Sequence[Incoming]) -> dict[int, ChatRow]:
    """``_load_chat`` for many chats in three queries, keyed by chat id."""
    user_ids = {incoming.user.id for incoming in incomings}
    users = {
        row.id: row
        for row in await session.execute(
            sa_select(
                USER.c.id,
                USER.c.language,
                USER.c.language_chosen,
                USER.c.blocked_bot,
                USER.c.last_seen,
            ).where(USER.c.id.in_(user_ids))
        )
    }
    bindings: dict[int, list[Binding]] = {}
    for row in await session.execute(
        sa_select(
            BINDING.c.user_id,
            BINDING.c.role,
            BINDING.c.unit_id,
            BINDING.c.worker_id,
            BINDING.c.official_id,
        ).where(BINDING.c.user_id.in_(user_ids), BINDING.c.revoked_at.is_(None))
    ):
        bindings.setdefault(row.user_id, []).append(
            Binding(
                row.role, unit_id=row.unit_id, worker_id=row.worker_id, official_id=row.official_id
            )
        )
    states = {
        row.chat_id: row
        for row in await session.execute(
            sa_select(CHAT.c.chat_id, CHAT.c.state, CHAT.c.data).where(
                CHAT.c.chat_id.in_({incoming.chat_id for incoming in incomings})
            )
        )
    }
    loaded: dict[int, ChatRow] = {}
    for incoming in incomings:
        user = users.get(incoming.user.id)
        state = states.get(incoming.chat_id)
        loaded[incoming.chat_id] = ChatRow(
            user_exists=user is not None,
            language=user.language if user is not None else None,
            language_chosen=bool(user.language_chosen) if user is not None else False,
            blocked_bot=bool(user.blocked_bot) if user is not None else False,
            last_seen=user.last_seen if user is not None else None,
            has_state=state is not None,
            state=state.state if state is not None else None,
            data=state.data if state is not None else None,
            roles=Roles(tuple(bindings.get(incoming.user.id, ()))),
        )
    return loaded


async def _save_chats(
    session: AsyncSession, changed: list[tuple[Incoming, ChatState, bool]], now: datetime
) -> None:
    updates = [
        {"key": chat.chat_id, "state": chat.state, "data": chat.data, "updated_at": now}
        for _incoming, chat, exists in changed
        if exists
    ]
    inserts = [
        {
            "chat_id": chat.chat_id,
            "user_id": incoming.user.id,
            "state": chat.state,
            "data": chat.data,
            "updated_at": now,
        }
        for incoming, chat, exists in changed
        if not exists
    ]
    if updates:
        await session.execute(
            update(CHAT)
            .where(CHAT.c.chat_id == bindparam("key"))
            .values(
                state=bindparam("state"), data=bindparam("data"), updated_at=bindparam("updated_at")
            ),
            updates,
        )
    if inserts:
        await session.execute(insert(CHAT), inserts)
