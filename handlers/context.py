"""The context a conversation step works in: the update, one database transaction, the
user's roles as stored on the server, their language, and the chat's conversation state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.clock import Clock
from handlers.types import Incoming, Outcome
from messages.i18n import Translator
from messages.replies import Button, FileReply, Keyboard, Reply
from services.deps import Deps
from storage.conversations import OFFICIAL_ROLES, Binding, ChatState, Roles

__all__ = ["OFFICIAL_ROLES", "Binding", "Context", "Menu", "Roles"]

MenuRows = Callable[["Context"], list[list[Button]]]
DeepLink = Callable[["Context", str], Awaitable[None]]


@dataclass
class Menu:
    """What the audiences put in the main menu and which ``/start`` links they answer,
    registered with the router (``Router.menu_rows``, ``Router.deep_link``) so the menu
    itself knows none of them."""

    rows: list[tuple[int, MenuRows]] = field(default_factory=list)
    links: dict[str, DeepLink] = field(default_factory=dict)

    def rows_for(self, ctx: Context) -> list[list[Button]]:
        """Each audience's rows for this user, in the order of their places."""
        found: list[list[Button]] = []
        for _place, rows in sorted(self.rows, key=lambda entry: entry[0]):
            found += rows(ctx)
        return found

    def link(self, argument: str) -> tuple[DeepLink, str] | None:
        """The handler of a ``/start`` argument and what follows its prefix."""
        for prefix, handler in self.links.items():
            if argument.startswith(prefix):
                return handler, argument.removeprefix(prefix)
        return None

    def merge(self, other: Menu) -> None:
        clash = set(self.links) & set(other.links)
        if clash:
            raise ValueError(f"deep links registered twice: {sorted(clash)}")
        self.rows += other.rows
        self.links.update(other.links)


@dataclass
class Context:
    incoming: Incoming
    session: AsyncSession
    deps: Deps
    clock: Clock
    roles: Roles
    language: str
    conversation: ChatState
    outcome: Outcome
    menu: Menu = field(default_factory=Menu)

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
        protect: bool = False,
    ) -> None:
        """``protect``: no forwarding or saving, as the channel's 公示 posts (a protected text
        is always a new message: an edit cannot protect what was sent unprotected)."""
        keyboard = tuple(tuple(row) for row in buttons)
        self.outcome.replies.append(
            Reply(
                text=text,
                buttons=keyboard,
                edit=edit and self.incoming.message_id is not None,
                request_contact=request_contact,
                remove_keyboard=remove_keyboard,
                protect=protect,
            )
        )

    def send_file(self, filename: str, content: bytes, caption: str = "") -> None:
        self.outcome.replies.append(FileReply(filename, content, caption))

    def answer(self, text: str, *, alert: bool = False) -> None:
        """The small notice a button press shows."""
        self.outcome.callback_answer = text
        self.outcome.callback_alert = alert
