"""The context a conversation step works in: the update, one database transaction, the
user's roles as stored on the server, their language, and the chat's conversation state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from domain.clock import Clock
from messages.i18n import Translator

if TYPE_CHECKING:
    from handlers.chats import ChatState
from handlers.types import Incoming, Outcome
from messages.replies import Button, FileReply, Keyboard, Reply

OFFICIAL_ROLES = ("admin", "bureau", "investigator", "unit")


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
class Context:
    incoming: Incoming
    session: AsyncSession
    settings: Settings
    clock: Clock
    roles: Roles
    language: str
    conversation: ChatState
    outcome: Outcome
    services: dict[str, Any] = field(default_factory=dict)

    @property
    def t(self) -> Translator:
        return Translator(self.language)

    @property
    def user_id(self) -> int:
        return self.incoming.user.id

    @property
    def state(self) -> str:
        return self.conversation.state

    @property
    def data(self) -> dict[str, Any]:
        return self.conversation.data

    def goto(self, state: str, **data: Any) -> None:
        """Move the chat to ``state``, keeping what it said so far plus ``data``."""
        self.conversation.state = state
        if data:
            self.conversation.data = {**self.conversation.data, **data}

    def reset(self) -> None:
        self.conversation.state = ""
        self.conversation.data = {}

    def say(
        self,
        text: str,
        buttons: Keyboard | list[list[Button]] = (),
        *,
        edit: bool = False,
        request_contact: str | None = None,
        remove_keyboard: bool = False,
    ) -> None:
        keyboard = tuple(tuple(row) for row in buttons)
        self.outcome.replies.append(
            Reply(
                text=text,
                buttons=keyboard,
                edit=edit and self.incoming.message_id is not None,
                request_contact=request_contact,
                remove_keyboard=remove_keyboard,
            )
        )

    def send_file(self, filename: str, content: bytes, caption: str = "") -> None:
        self.outcome.replies.append(FileReply(filename, content, caption))

    def answer(self, text: str, *, alert: bool = False) -> None:
        """The small notice a button press shows."""
        self.outcome.callback_answer = text
        self.outcome.callback_alert = alert
