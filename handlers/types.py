"""What a conversation sees and says, independent of any chat framework.

A runtime turns a framework update into an ``Incoming`` and sends the ``Outcome``'s replies
back. Nothing here knows aiogram, python-telegram-bot or HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from messages.replies import FileReply, Reply


@dataclass(frozen=True)
class User:
    id: int
    first_name: str = ""
    username: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class SharedContact:
    phone: str
    user_id: int | None = None
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class FileRef:
    file_id: str
    file_unique_id: str
    kind: Literal["photo", "document"]
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Incoming:
    """One update: exactly one of text, command, button, contact or file is set.

    ``chat_type`` is Telegram's (private, group, supergroup, channel), or ``inline`` for a
    button under an inline-mode message, which belongs to no chat the bot can see. Only
    private chats are answered (see ``handlers.core``). Inline queries have no chat at all
    and never become an ``Incoming``."""

    update_id: int
    user: User
    chat_id: int
    chat_type: str = "private"
    text: str | None = None
    command: str | None = None
    argument: str = ""
    button: str | None = None
    callback_id: str | None = None
    message_id: int | None = None
    contact: SharedContact | None = None
    file: FileRef | None = None

    @property
    def kind(self) -> str:
        for name in ("command", "button", "contact", "file", "text"):
            if getattr(self, name) is not None:
                return name
        return "other"


@dataclass
class Outcome:
    """What the bot answers to one update. ``duplicate`` means it was handled before."""

    chat_id: int
    replies: list[Reply | FileReply] = field(default_factory=list)
    callback_answer: str | None = None
    callback_alert: bool = False
    duplicate: bool = False
