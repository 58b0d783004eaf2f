"""The conversation core: route each update to its step, inside one transaction that also
records the update id and the chat's state, with every role check made here on the server.

A redelivered update finds its id recorded and has no second effect. A crash before the
commit leaves nothing behind, and the runtime has not acknowledged the update, so Telegram
delivers it again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from bot.i18n import N_, normalize_language
from bot.settings import Settings
from domain.clock import Clock
from handlers.context import Binding, Context, Roles
from handlers.types import Incoming, Outcome
from storage.models import AuditLog, ConversationState, ProcessedUpdate, RoleBinding, TelegramUser

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

    async def handle(self, incoming: Incoming) -> Outcome:
        try:
            return await self._handle(incoming)
        except IntegrityError:
            # Another process recorded the same update first: it was handled there.
            if await self._already_processed(incoming.update_id):
                return Outcome(chat_id=incoming.chat_id, duplicate=True)
            return await self._apologise(incoming)
        except Exception:
            log.exception("update %s failed", incoming.update_id)
            return await self._apologise(incoming)

    async def _handle(self, incoming: Incoming) -> Outcome:
        async with self.sessions() as session, session.begin():
            if await session.get(ProcessedUpdate, incoming.update_id) is not None:
                return Outcome(chat_id=incoming.chat_id, duplicate=True)
            session.add(ProcessedUpdate(update_id=incoming.update_id))
            user = await self._touch_user(session, incoming)
            conversation = await session.get(ConversationState, incoming.chat_id)
            if conversation is None:
                conversation = ConversationState(chat_id=incoming.chat_id, user_id=user.id)
                session.add(conversation)
            ctx = Context(
                incoming=incoming,
                session=session,
                settings=self.settings,
                clock=self.clock,
                roles=await load_roles(session, incoming.user.id),
                language=user.language,
                conversation=conversation,
                outcome=Outcome(chat_id=incoming.chat_id),
                services=self.services,
            )
            await self.router.route(ctx)
            conversation.data = dict(conversation.data)  # a new object, so the JSON is saved
            conversation.updated_at = self.clock.now()
            await session.flush()
            return ctx.outcome

    async def _touch_user(self, session: AsyncSession, incoming: Incoming) -> TelegramUser:
        user = await session.get(TelegramUser, incoming.user.id)
        now = self.clock.now()
        if user is None:
            user = TelegramUser(
                id=incoming.user.id,
                language=normalize_language(incoming.user.language),
                first_seen=now,
                last_seen=now,
            )
            session.add(user)
        else:
            if not user.language_chosen and incoming.user.language:
                user.language = normalize_language(incoming.user.language)
            user.last_seen = now
        return user

    async def _already_processed(self, update_id: int) -> bool:
        async with self.sessions() as session:
            return await session.get(ProcessedUpdate, update_id) is not None

    async def _apologise(self, incoming: Incoming) -> Outcome:
        """Record the update so a poisonous one is not redelivered forever, and say sorry."""
        from bot.i18n import translate

        try:
            async with self.sessions() as session, session.begin():
                if await session.get(ProcessedUpdate, incoming.update_id) is None:
                    session.add(ProcessedUpdate(update_id=incoming.update_id))
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
