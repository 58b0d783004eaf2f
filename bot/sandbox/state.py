"""Everything the sandbox remembers at run time: personas and chats (see models), files, pending
updates, the webhook, the calls the bot made, and a version counter that wakes long polls."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .errors import bad_request, forbidden
from .faults import FaultQueue
from .limits import Limits, RateLimiter
from .media import FileStore
from .models import ROLES, BotIdentity, Chat, Persona, StoredMessage, Webhook

FIRST_PERSONA_ID = 5_000_000_001
DEFAULT_CHANNEL_ID = -1_001_000_000_001
# Telegram's default when a bot never chose: every update type but these.
_NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}


class SandboxState:
    def __init__(
        self,
        *,
        limits: Limits | None = None,
        bot: BotIdentity | None = None,
        token: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limits = limits or Limits()
        self.bot = bot or BotIdentity()
        self.token = token  # if set, only this token is accepted
        self.clock = clock
        self.personas: dict[int, Persona] = {}
        self.chats: dict[int, Chat] = {}
        self.files = FileStore()
        self.faults = FaultQueue()
        self.rate = RateLimiter()
        self.calls: list[dict[str, Any]] = []
        self.tokens_seen: set[str] = set()
        self.last_token: str | None = None
        self.last_api_call: float | None = None
        self.pending: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.allowed_updates: list[str] | None = None
        self.webhook: Webhook | None = None
        self.webhook_task: asyncio.Task[None] | None = None
        self.pollers = 0  # getUpdates calls waiting right now (the page shows the bot online)
        self.poll_generation = 0
        self.callbacks: dict[str, dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        # setMyDescription and setMyShortDescription: (which, language_code) → text.
        self.descriptions: dict[tuple[str, str], str] = {}
        self.version = 0
        self._changed = asyncio.Event()
        # One event per chat someone waits on: thousands of people each waiting for their own
        # chat are not all woken by every change elsewhere.
        self._chat_changed: dict[int, asyncio.Event] = {}
        self.add_chat(
            type="channel",
            id=DEFAULT_CHANNEL_ID,
            title="公示频道 / Public notices",
            username="gongshi_public",
        )

    # -- change notification -------------------------------------------------------------
    def touch(self, chat: Chat | None = None) -> None:
        """Something changed: bump the version and wake every long poll."""
        self.version += 1
        if chat is not None:
            chat.version = self.version
            waiting = self._chat_changed.pop(chat.id, None)
            if waiting is not None:
                waiting.set()
        self.wake()

    def wake(self) -> None:
        # A fresh Event per change: waiters hold the old one, which stays set.
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(
        self, ready: Callable[[], Any], timeout: float, *, chat: Chat | None = None
    ) -> bool:
        """Wait until ``ready()``; with ``chat``, it is looked at only when that chat changed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not ready():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            # asyncio.wait, not wait_for: on Python 3.11 wait_for can swallow a cancellation
            # that arrives as the event is set, and a cancelled waiter must stop waiting.
            event = (
                self._changed
                if chat is None
                else self._chat_changed.setdefault(chat.id, asyncio.Event())
            )
            changed = asyncio.ensure_future(event.wait())
            try:
                done, _ = await asyncio.wait({changed}, timeout=remaining)
            finally:
                changed.cancel()
            if not done:
                return bool(ready())
        return True

    # -- personas and chats ----------------------------------------------------------------
    def add_persona(self, **fields: Any) -> Persona:
        if not str(fields.get("first_name") or "").strip():
            raise ValueError("first_name is required")
        role = fields.get("role") or "citizen"
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        persona_id = fields.pop("id", None)
        if persona_id is None:
            persona_id = max([FIRST_PERSONA_ID - 1, *self.personas]) + 1
        persona_id = int(persona_id)
        if persona_id <= 0:
            raise ValueError("a user id is positive")
        if persona_id in self.personas:
            raise ValueError(f"persona {persona_id} exists")
        known = set(Persona.__dataclass_fields__) - {"id"}
        persona = Persona(id=persona_id, **{k: v for k, v in fields.items() if k in known})
        persona.role = role
        self.personas[persona.id] = persona
        self.touch()
        return persona

    def persona(self, user_id: int) -> Persona:
        persona = self.personas.get(int(user_id))
        if persona is None:
            raise LookupError(f"no persona {user_id}")
        return persona

    def add_chat(
        self, *, type: str, title: str, username: str | None = None, id: int | None = None
    ) -> Chat:
        if type not in ("group", "supergroup", "channel"):
            raise ValueError("type must be group, supergroup or channel")
        if not title.strip():
            raise ValueError("title is required")
        if id is None:
            taken = [c for c in self.chats if c < 0]
            id = min([DEFAULT_CHANNEL_ID + 1, *taken]) - 1
        if id >= 0 or id in self.chats:
            raise ValueError("a group or channel id is negative and new")
        chat = Chat(id=id, type=type, title=title, username=(username or "").lstrip("@") or None)
        self.chats[id] = chat
        self.touch()
        return chat

    def private_chat(self, persona: Persona) -> Chat:
        chat = self.chats.get(persona.id)
        if chat is None:
            chat = Chat(id=persona.id, type="private")
            self.chats[persona.id] = chat
        # Names may have changed since the chat was opened.
        chat.first_name, chat.last_name = persona.first_name, persona.last_name
        chat.username = persona.username
        return chat

    def resolve_chat(self, ref: int | str) -> Chat:
        """The chat a Bot API call names, by id or (channels and groups) by @username."""
        if isinstance(ref, str):
            name = ref.lstrip("@").lower()
            for candidate in self.chats.values():
                if candidate.type != "private" and (candidate.username or "").lower() == name:
                    return candidate
            raise bad_request("chat not found")
        if ref in self.personas:
            return self.private_chat(self.personas[ref])
        chat = self.chats.get(ref)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def writable_chat(self, ref: int | str) -> Chat:
        """A chat the bot may write to now, or Telegram's 403 for a user who blocked the bot or
        never opened it."""
        chat = self.resolve_chat(ref)
        if chat.type == "private":
            persona = self.personas[chat.id]
            if persona.blocked:
                raise forbidden("bot was blocked by the user")
            if not persona.started:
                raise forbidden("bot can't initiate conversation with a user")
        return chat

    # -- messages -------------------------------------------------------------------------------
    def add_message(
        self,
        chat: Chat,
        content: dict[str, Any],
        *,
        sender: dict[str, Any] | None,
        from_bot: bool,
        markup: dict[str, Any] | None = None,
    ) -> StoredMessage:
        data: dict[str, Any] = {"message_id": chat.next_message_id}
        if sender is not None:
            data["from"] = sender
        if chat.type == "channel":
            data["sender_chat"] = chat.to_json()
        data["chat"] = chat.to_json()
        data["date"] = int(self.clock())
        data.update(content)
        chat.next_message_id += 1
        message = StoredMessage(data=data, from_bot=from_bot, markup=markup)
        chat.messages.append(message)
        if from_bot and markup is not None:
            if "keyboard" in markup:
                chat.reply_keyboard, chat.reply_keyboard_message_id = markup, message.message_id
            elif "remove_keyboard" in markup:
                chat.reply_keyboard = chat.reply_keyboard_message_id = None
        self.touch(chat)
        return message

    # -- updates ----------------------------------------------------------------------------
    def add_update(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = self.next_update_id
        self.next_update_id += 1
        self.pending.append({"update_id": update_id, kind: payload})
        self.touch()
        return update_id

    def continue_after(self, update_id: int) -> None:
        """Number the next updates after ``update_id``. A fresh sandbox counts from 1, as
        Telegram does for a new bot; a bot that kept its database from an earlier run has
        those ids on record and would drop the new updates as handled already."""
        self.next_update_id = max(self.next_update_id, update_id + 1)

    def confirm(self, offset: int) -> None:
        """Telegram forgets every update below a positive offset; a negative offset keeps only
        the last -offset updates."""
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]

    def deliverable(self, allowed: list[str] | None) -> list[dict[str, Any]]:
        """Pending updates of the allowed types; others are dropped, as Telegram drops them."""

        def wanted(update: dict[str, Any]) -> bool:
            kind = next(k for k in update if k != "update_id")
            return kind in allowed if allowed else kind not in _NOT_BY_DEFAULT

        kept = [u for u in self.pending if wanted(u)]
        if len(kept) != len(self.pending):
            self.pending = kept
        return kept

    # -- bot commands -------------------------------------------------------------------------
    @staticmethod
    def command_key(scope: Any, language_code: str | None) -> tuple[str, str]:
        return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""

    def commands_for(self, persona: Persona) -> list[dict[str, str]]:
        """The command menu a persona sees, narrowest scope and own language first."""
        language = (persona.language_code or "").split("-")[0]
        scopes = [{"type": "chat", "chat_id": persona.id}, {"type": "all_private_chats"}, None]
        for scope in scopes:
            for lang in (language, ""):
                found = self.commands.get(self.command_key(scope, lang))
                if found:
                    return found
        return []

    # -- the record of calls ------------------------------------------------------------------
    def record_call(self, entry: dict[str, Any]) -> None:
        entry["seq"] = len(self.calls) + 1
        self.calls.append(entry)

    def reset(self) -> None:
        """Forget conversations, updates, files, calls and faults; keep personas (and whether
        they opened the bot), channels, groups and limits, so a test suite can share one
        sandbox."""
        for chat in self.chats.values():
            # Message and update ids go on counting, as Telegram never reuses them and a bot
            # may still hold old ones.
            chat.messages.clear()
            chat.reply_keyboard = chat.reply_keyboard_message_id = None
            chat.answers.clear()
        self.pending.clear()
        self.files.clear()
        self.faults.clear()
        self.rate.reset()
        self.calls.clear()
        self.callbacks.clear()
        self.commands.clear()
        self.descriptions.clear()
        self.allowed_updates = None
        self.webhook = None
        self.touch()


STATE_KEY = web.AppKey("sandbox_state", SandboxState)
