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

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import SecretStr
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock
from domain.workdays import WorkCalendar
from handlers.context import Context, DeepLink, Menu, MenuRows, Roles
from handlers.types import Incoming, Outcome
from messages import wording
from messages.callbacks import prefix_of
from messages.i18n import N_, normalize_language, translate
from messages.replies import Reply
from services.deps import Deps, DepsSettings
from storage import conversation_batch
from storage import conversations as chats
from storage import processed_updates as processed
from storage.audit import DENIED, audit

log = logging.getLogger(__name__)

Handler = Callable[[Context], Awaitable[None]]

STALE_BUTTON = wording.STALE_BUTTON
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
        self.menu = Menu()

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

    def menu_rows(self, rows: MenuRows, *, place: int) -> None:
        """An audience's rows in the main menu (empty for users it does not serve); the
        menu shows them by ``place``, lowest first."""
        self.menu.rows.append((place, rows))

    def deep_link(self, prefix: str, handler: DeepLink, *, fresh: bool = False) -> None:
        """``/start <prefix><rest>`` calls ``handler(ctx, rest)``; ``fresh`` forgets what
        the chat was doing first."""
        if not fresh:
            self.menu.merge(Menu(links={prefix: handler}))
            return

        async def afresh(ctx: Context, rest: str) -> None:
            ctx.reset()
            await handler(ctx, rest)

        self.menu.merge(Menu(links={prefix: afresh}))

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
        self.menu.merge(other.menu)

    async def route(self, ctx: Context) -> None:
        incoming = ctx.incoming
        if incoming.command is not None:
            route = self.commands.get(incoming.command)
            if route is None:
                ctx.say(ctx.t(UNKNOWN_COMMAND))
                return
            await self._call(ctx, route, f"/{incoming.command}")
        elif incoming.button is not None:
            prefix = prefix_of(incoming.button)
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
            audit(
                ctx.session,
                action=DENIED,
                actor_user_id=ctx.user_id,
                target_type="route",
                target_id=what,
                roles=list(ctx.roles.names()),
            )
            if ctx.incoming.button is not None:
                ctx.answer(ctx.t(NOT_ALLOWED), alert=True)
            else:
                ctx.say(ctx.t(NOT_ALLOWED))
            return
        await route.handler(ctx)


class DispatcherSettings(DepsSettings, Protocol):
    """The settings the dispatcher and its runtimes read besides those its steps read."""

    @property
    def database_url(self) -> str: ...

    @property
    def bot_token(self) -> SecretStr | None: ...
    @property
    def processed_update_days(self) -> int: ...


class Dispatcher:
    """Handles one update at a time per call; safe to call concurrently for different chats."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        settings: DispatcherSettings,
        clock: Clock,
        router: Router,
        deps: Deps | None = None,
        services: dict[str, object] | None = None,
    ) -> None:
        """``deps`` as the application builds them (``bot.app``); without them, those the
        settings describe, with the shipped calendar and no per-minute hotline limit, and
        ``services`` replacing parts by name (an unknown name is refused)."""
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        self.router = router
        if deps is None:
            deps = Deps.from_settings(
                settings,
                clock=clock,
                calendar=WorkCalendar(),
                throttle_hotline=False,
                services=services,
            )
        elif services:
            raise ValueError("give either deps or services, not both")
        self.deps = deps
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
            session=session,
            bot_id=self.bot_id,
            update_ids=[incoming.update_id for incoming in incomings],
            now=now,
        )
        rows = await conversation_batch.load_chats(
            session=session,
            keys=[chats.ChatKey(incoming.chat_id, incoming.user.id) for incoming in incomings],
        )
        outcomes: list[Outcome] = []
        changed: list[tuple[int, chats.ChatState, bool]] = []
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
                changed.append((incoming.user.id, conversation, who.has_state))
        await conversation_batch.save_chats(session=session, changed=changed, now=now)
        return outcomes

    async def _handle(self, incoming: Incoming) -> Outcome:
        async with self.sessions() as session, session.begin():
            return await self._handle_in(session, incoming)

    @property
    def services(self) -> dict[str, object]:
        """The replaceable parts of the dependencies, for another dispatcher to share."""
        return self.deps.services()

    async def _handle_in(self, session: AsyncSession, incoming: Incoming) -> Outcome:
        # Few round trips per update, each a plain statement: on SQLite every update waits
        # for the single writer, so each statement saved is throughput gained.
        now = self.clock.now()
        recorded = await processed.record(
            session=session, bot_id=self.bot_id, update_id=incoming.update_id, now=now
        )
        if not recorded:
            return self._duplicate(incoming)
        if not is_private(incoming):
            return Outcome(chat_id=incoming.chat_id)
        who = await chats.load_chat(
            session=session, chat_id=incoming.chat_id, user_id=incoming.user.id
        )
        outcome, conversation, dirty = await self._run_step(session, incoming, who, now)
        if dirty:
            await chats.save_chat(
                session=session,
                user_id=incoming.user.id,
                chat=conversation,
                now=now,
                exists=who.has_state,
            )
        return outcome

    async def _run_step(
        self, session: AsyncSession, incoming: Incoming, who: chats.ChatRow, now: datetime
    ) -> tuple[Outcome, chats.ChatState, bool]:
        """Route one update; returns its outcome, the chat's state, and whether it changed."""
        language = await chats.touch_user(
            session=session,
            user_id=incoming.user.id,
            telegram_language=normalize_language(incoming.user.language),
            language_given=bool(incoming.user.language),
            row=who,
            now=now,
        )
        conversation = chats.ChatState(
            chat_id=incoming.chat_id,
            state=who.state or "",
            data=dict(who.data or {}),
        )
        before = (conversation.state, chats.json_key(conversation.data))
        ctx = Context(
            incoming=incoming,
            session=session,
            deps=self.deps,
            clock=self.clock,
            roles=who.roles,
            language=language,
            conversation=conversation,
            outcome=Outcome(chat_id=incoming.chat_id),
            menu=self.router.menu,
        )
        await self.router.route(ctx)
        after = (conversation.state, chats.json_key(conversation.data))
        return ctx.outcome, conversation, not who.has_state or before != after

    def _duplicate(self, incoming: Incoming) -> Outcome:
        # A redelivery is normal now and then; many in a row mean the ids started again
        # (see storage.processed_updates) and would otherwise go unnoticed.
        log.warning(
            "update %s of bot %s was handled before: dropped", incoming.update_id, self.bot_id
        )
        return Outcome(chat_id=incoming.chat_id, duplicate=True)

    async def _already_processed(self, update_id: int) -> bool:
        async with self.sessions() as session:
            return await processed.was_recorded(
                session=session, bot_id=self.bot_id, update_id=update_id
            )

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
                await processed.prune(session=session, before=now - self.keep_processed)
        except Exception:
            log.exception("could not prune the processed updates")

    async def _apologise(self, incoming: Incoming) -> Outcome:
        """Record the update so a poisonous one is not redelivered forever, and say sorry."""
        try:
            async with self.sessions() as session, session.begin():
                await processed.record(
                    session=session,
                    bot_id=self.bot_id,
                    update_id=incoming.update_id,
                    now=self.clock.now(),
                )
        except Exception:
            log.exception("could not record failed update %s", incoming.update_id)
        outcome = Outcome(chat_id=incoming.chat_id)
        message = translate(SOMETHING_WRONG, incoming.user.language)
        if incoming.button is not None:
            outcome.callback_answer = message
            outcome.callback_alert = True
        else:
            outcome.replies.append(Reply(text=message))
        return outcome


def is_private(incoming: Incoming) -> bool:
    return incoming.chat_type == "private"
