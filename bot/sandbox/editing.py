"""Changing what was sent: editMessageText, editMessageCaption, editMessageReplyMarkup,
deleteMessage; and answerCallbackQuery, which closes a button press."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .markup import MARKUP_PARSE_ERROR, validate_inline_markup
from .models import StoredMessage
from .registry import Call, method
from .sending import formatted_text

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def _target(call: Call, *, purpose: str = "edit") -> StoredMessage:
    params = call.params
    if params.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the sandbox")
    chat = call.state.resolve_chat(params.chat_id())
    message_id = params.integer(
        "message_id", required=True, empty="message identifier is not specified"
    )
    message = chat.find(message_id)
    if message is None or message.deleted:
        raise bad_request(f"message to {purpose} not found")
    if purpose == "edit" and not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def _apply(
    call: Call, message: StoredMessage, changes: dict[str, Any], markup: dict[str, Any] | None
) -> dict[str, Any]:
    """Apply an edit, or 400 if it changes nothing, as Telegram refuses such an edit."""
    data = message.data
    before = {key: data.get(key) for key in changes}
    if before == changes and data.get("reply_markup") == markup:
        raise bad_request(_NOT_MODIFIED)
    for key, value in changes.items():
        if value:
            data[key] = value
        else:
            data.pop(key, None)
    # An edit without reply_markup removes the inline keyboard, as in Telegram.
    if markup is None:
        data.pop("reply_markup", None)
    else:
        data["reply_markup"] = markup
    if message.markup is None or "inline_keyboard" in message.markup:
        message.markup = markup
    data["edit_date"] = int(call.state.clock())
    message.edits += 1
    chat = call.state.chats[data["chat"]["id"]]
    call.state.touch(chat)
    return data


@method("editMessageText")
async def edit_message_text(call: Call) -> dict[str, Any]:
    message = _target(call)
    if "text" not in message.data:
        raise bad_request("there is no text in the message to edit")
    text, entities = formatted_text(
        call,
        field="text",
        entities_field="entities",
        max_length=call.limits.max_text_length,
        required=True,
    )
    markup = validate_inline_markup(
        call.params.structure("reply_markup", error=MARKUP_PARSE_ERROR), call.limits
    )
    return _apply(call, message, {"text": text, "entities": entities or None}, markup)


@method("editMessageCaption")
async def edit_message_caption(call: Call) -> dict[str, Any]:
    message = _target(call)
    if "text" in message.data:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = formatted_text(
        call,
        field="caption",
        entities_field="caption_entities",
        max_length=call.limits.max_caption_length,
        required=False,
    )
    markup = validate_inline_markup(
        call.params.structure("reply_markup", error=MARKUP_PARSE_ERROR), call.limits
    )
    changes = {"caption": caption or None, "caption_entities": entities or None}
    return _apply(call, message, changes, markup)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> dict[str, Any]:
    message = _target(call)
    markup = validate_inline_markup(
        call.params.structure("reply_markup", error=MARKUP_PARSE_ERROR), call.limits
    )
    return _apply(call, message, {}, markup)


@method("deleteMessage")
async def delete_message(call: Call) -> bool:
    message = _target(call, purpose="delete")
    message.deleted = True
    call.state.touch(call.state.chats[message.data["chat"]["id"]])
    return True


@method("answerCallbackQuery")
async def answer_callback_query(call: Call) -> bool:
    query_id = call.params.string("callback_query_id", required=True)
    query = call.state.callbacks.get(query_id or "")
    if query is None or query["answer"] is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = call.params.string("text") or ""
    if len(text) > call.limits.max_callback_answer_length:
        raise bad_request("MESSAGE_TOO_LONG")
    answer = {
        "callback_query_id": query_id,
        "message_id": query["message_id"],
        "text": text,
        "show_alert": call.params.flag("show_alert"),
        "url": call.params.string("url"),
        "date": int(call.state.clock()),
    }
    query["answer"] = answer
    chat = call.state.chats.get(query["chat_id"])
    if chat is not None:
        chat.answers.append(answer)
        call.state.touch(chat)
    return True
