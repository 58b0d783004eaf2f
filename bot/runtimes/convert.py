"""A framework's update to our ``Incoming``.

aiogram's and python-telegram-bot's update objects carry the Bot API's field names
(``message.from_user``, ``callback_query.data``, ``photo[-1].file_id`` ...), so one
duck-typed reader serves both runtimes and they cannot drift apart.

Commands are parsed here from the text rather than by the frameworks' command filters:
python-telegram-bot ignores a ``/start`` that lacks a ``bot_command`` entity, and aiogram
runs its filters in a thread, which is slow.
"""

from __future__ import annotations

import re
from typing import Any

from handlers.types import FileRef, Incoming, SharedContact, User

# Telegram's command syntax: up to 32 letters, digits or underscores, optionally addressed
# to one bot (``/start@gongshi_bot``), then the argument.
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+(.*))?", re.DOTALL)


# The chat type of a button under an inline-mode message, which has no chat.
INLINE = "inline"


def parse_command(text: str) -> tuple[str, str | None, str] | None:
    """``("start", "gongshi_bot", "inv_abc")`` for ``/Start@gongshi_bot inv_abc``; None if
    the text is not a command."""
    match = _COMMAND.fullmatch(text.strip())
    if match is None:
        return None
    name, mention, argument = match.groups()
    return name.lower(), mention, (argument or "").strip()


def to_incoming(update: Any, bot_username: str | None = None) -> Incoming | None:
    """The update as an ``Incoming``, or None for what the conversations do not handle
    (edited messages, channel posts, stickers, ...): those are acknowledged and dropped."""
    if update.callback_query is not None:
        return _button(update.update_id, update.callback_query)
    message = update.message
    if message is None or message.from_user is None:
        return None
    base = {
        "update_id": update.update_id,
        "user": _user(message.from_user),
        "chat_id": message.chat.id,
        "chat_type": str(message.chat.type),
        "message_id": message.message_id,
    }
    if message.text is not None:
        command = parse_command(message.text)
        if command is None:
            return Incoming(**base, text=message.text)
        name, mention, argument = command
        if mention and bot_username and mention.lower() != bot_username.lower():
            return None  # in a group, a command addressed to another bot
        return Incoming(**base, command=name, argument=argument)
    if message.contact is not None:
        return Incoming(**base, contact=_contact(message.contact))
    if message.document is not None:
        return Incoming(**base, file=_document(message.document))
    if message.photo:
        return Incoming(**base, file=_photo(message.photo))
    return None


def _user(user: Any) -> User:
    return User(
        id=user.id,
        first_name=user.first_name or "",
        username=user.username,
        language=user.language_code,
    )


def _button(update_id: int, query: Any) -> Incoming:
    # The message is None only for a button under an inline-mode message, which this bot
    # never sends: the chat it sits in is unknown and may be a group, so it is not taken
    # for a private chat (the core ignores every chat but a private one).
    message = query.message
    return Incoming(
        update_id=update_id,
        user=_user(query.from_user),
        chat_id=message.chat.id if message is not None else query.from_user.id,
        chat_type=str(message.chat.type) if message is not None else INLINE,
        button=query.data or "",
        callback_id=query.id,
        message_id=message.message_id if message is not None else None,
    )


def _contact(contact: Any) -> SharedContact:
    return SharedContact(
        phone=contact.phone_number,
        user_id=contact.user_id,
        first_name=contact.first_name or "",
        last_name=contact.last_name or "",
    )


def _document(document: Any) -> FileRef:
    return FileRef(
        file_id=document.file_id,
        file_unique_id=document.file_unique_id,
        kind="document",
        file_name=document.file_name,
        mime_type=document.mime_type,
        size=document.file_size,
    )


def _photo(sizes: Any) -> FileRef:
    largest = max(sizes, key=lambda size: (size.width * size.height, size.file_size or 0))
    return FileRef(
        file_id=largest.file_id,
        file_unique_id=largest.file_unique_id,
        kind="photo",
        mime_type="image/jpeg",
        size=largest.file_size,
    )
