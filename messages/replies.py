"""What the bot says to one chat: a text with its buttons, or a file.

Handlers return these, the outbox stores them, the runtimes send them; none of that is known
here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    text: str
    data: str | None = None
    url: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Reply:
    """A text message; with ``edit`` it replaces the message whose button was pressed."""

    text: str
    buttons: Keyboard = ()
    request_contact: str | None = None
    remove_keyboard: bool = False
    edit: bool = False
    protect: bool = False


@dataclass(frozen=True)
class FileReply:
    filename: str
    content: bytes
    caption: str = ""
    as_photo: bool = False
