"""What a persona does in a chat, turned into the updates Telegram would send the bot: a text
or command, a button press, a shared contact, a file."""

from __future__ import annotations

import secrets
from typing import Any

from .formatting import command_entities
from .markup import find_callback_button
from .media import image_size
from .models import Chat, Persona, StoredMessage
from .state import SandboxState

SELF = "self"  # share_contact: the contact is the sharer's own, as the request_contact button sends


def _chat_for(state: SandboxState, persona: Persona, chat_id: int | None) -> Chat:
    if chat_id is None or chat_id == persona.id:
        return state.private_chat(persona)
    chat = state.chats.get(chat_id)
    if chat is None or chat.type not in ("group", "supergroup"):
        raise LookupError(f"no group {chat_id} to write in")
    return chat


def _user_message(
    state: SandboxState, persona: Persona, content: dict[str, Any], chat_id: int | None = None
) -> tuple[int, StoredMessage]:
    # Writing to the bot (re)starts it, as pressing Start or Restart does in Telegram.
    persona.started = True
    persona.blocked = False
    chat = _chat_for(state, persona, chat_id)
    message = state.add_message(chat, content, sender=persona.user_json(), from_bot=False)
    _hide_one_time_keyboard(chat)
    update_id = state.add_update("message", dict(message.data))
    return update_id, message


def _hide_one_time_keyboard(chat: Chat) -> None:
    if chat.reply_keyboard and chat.reply_keyboard.get("one_time_keyboard"):
        chat.reply_keyboard = chat.reply_keyboard_message_id = None


def inject_text(
    state: SandboxState, user_id: int, text: str, chat_id: int | None = None
) -> tuple[int, StoredMessage]:
    if not text.strip():
        raise ValueError("text is empty")
    content: dict[str, Any] = {"text": text}
    # Telegram marks a leading /command, and python-telegram-bot's CommandHandler needs it.
    entities = command_entities(text)
    if entities:
        content["entities"] = entities
    return _user_message(state, state.persona(user_id), content, chat_id)


def inject_command(
    state: SandboxState, user_id: int, command: str, arg: str | None = None
) -> tuple[int, StoredMessage]:
    command = command if command.startswith("/") else f"/{command}"
    if not command_entities(command):
        raise ValueError(f"not a command: {command!r}")
    text = f"{command} {arg}" if arg else command
    return inject_text(state, user_id, text)


def inject_contact(
    state: SandboxState,
    user_id: int,
    phone_number: str,
    contact_user_id: int | str | None = SELF,
    first_name: str | None = None,
    last_name: str | None = None,
) -> tuple[int, StoredMessage]:
    persona = state.persona(user_id)
    if not phone_number.strip():
        raise ValueError("phone_number is empty")
    contact: dict[str, Any] = {
        "phone_number": phone_number,
        "first_name": first_name or persona.first_name,
    }
    if last_name or (first_name is None and persona.last_name):
        contact["last_name"] = last_name or persona.last_name
    if contact_user_id == SELF:
        contact["user_id"] = persona.id
    elif contact_user_id is not None:
        contact["user_id"] = int(contact_user_id)
    return _user_message(state, persona, {"contact": contact})


def inject_file(
    state: SandboxState,
    user_id: int,
    *,
    kind: str,
    file_name: str,
    data: bytes,
    caption: str | None = None,
    mime_type: str | None = None,
) -> tuple[int, StoredMessage]:
    persona = state.persona(user_id)
    if kind not in ("document", "photo"):
        raise ValueError("kind must be document or photo")
    if not data:
        raise ValueError("the file is empty")
    if kind == "photo" and image_size(data) is None:
        raise ValueError("not an image Telegram could show as a photo; send it as a document")
    stored = state.files.add(kind=kind, data=data, file_name=file_name, mime_type=mime_type)
    content: dict[str, Any] = (
        {"document": stored.as_document()} if kind == "document" else {"photo": stored.as_photo()}
    )
    if caption:
        content["caption"] = caption
    return _user_message(state, persona, content)


def inject_callback(
    state: SandboxState,
    user_id: int,
    message_id: int,
    data: str,
    *,
    chat_id: int | None = None,
    forge: bool = False,
) -> tuple[int, str]:
    """A press of the inline button with `data` on a bot message. Unless `forge`, the button
    must be on the message as it is now; a forged press may carry any data, even for a message
    that does not exist (then Telegram's inaccessible-message shape, date 0)."""
    persona = state.persona(user_id)
    chat = _chat_for(state, persona, chat_id)
    message = chat.find(message_id)
    usable = message is not None and not message.deleted and message.from_bot
    if not forge:
        if not usable:
            raise LookupError(f"no bot message {message_id} in chat {chat.id}")
        assert message is not None
        if find_callback_button(message.data.get("reply_markup"), data) is None:
            raise LookupError(f"message {message_id} has no button with data {data!r}")
    if usable and message is not None:
        shown = dict(message.data)
    else:
        shown = {"chat": chat.to_json(), "message_id": message_id, "date": 0}
    query_id = str(secrets.randbits(62))
    query = {
        "id": query_id,
        "from": persona.user_json(),
        "message": shown,
        # Stable per chat, as Telegram's is.
        "chat_instance": str(abs(chat.id) * 2654435761 % 10**18),
        "data": data,
    }
    state.callbacks[query_id] = {
        "chat_id": chat.id,
        "user_id": persona.id,
        "message_id": message_id,
        "data": data,
        "answer": None,
    }
    persona.started = True
    return state.add_update("callback_query", query), query_id
