"""Sending: sendMessage, sendDocument, sendPhoto, sendChatAction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import ApiError, bad_request, too_many_requests
from .formatting import parse_html
from .markup import MARKUP_PARSE_ERROR, validate_markup
from .media import StoredFile, image_size
from .models import Chat
from .params import Upload
from .registry import Call, method


def formatted_text(
    call: Call, *, field: str, entities_field: str, max_length: int, required: bool
) -> tuple[str | None, list[dict[str, Any]]]:
    """The text as the user will see it, and its entities; 400 if empty, too long or badly
    formatted. Length is counted after the markup is parsed, as Telegram counts it."""
    params = call.params
    raw = params.string(field)
    if raw is None:
        if required:
            raise bad_request("message text is empty")
        return None, []
    parse_mode = params.string("parse_mode")
    entities: list[dict[str, Any]] = []
    if parse_mode:
        mode = parse_mode.lower()
        if mode == "html":
            text, entities = parse_html(raw)
        elif mode in ("markdown", "markdownv2"):
            text = raw  # accepted as written; the sandbox parses HTML only
        else:
            raise bad_request(f"unsupported parse_mode {parse_mode}")
    else:
        text = raw
        given = params.structure(entities_field)
        if given is not None:
            if not isinstance(given, list):
                raise bad_request(f"can't parse {entities_field} JSON object")
            entities = given
    if required and not text.strip():
        raise bad_request("message text is empty")
    if len(text) > max_length:
        raise bad_request(
            "message is too long" if field == "text" else "message caption is too long"
        )
    return text, entities


def check_rate(call: Call, chat: Chat) -> None:
    wait = call.state.rate.check(call.limits, chat.id, chat.type)
    if wait:
        raise too_many_requests(wait)


def reply_to(call: Call, chat: Chat) -> dict[str, Any] | None:
    """The message replied to, as Telegram embeds it; 400 if it does not exist (unless the bot
    allowed sending without it)."""
    params = call.params
    reply = params.structure("reply_parameters") or {}
    if not isinstance(reply, dict):
        raise bad_request("can't parse reply parameters JSON object")
    message_id = reply.get("message_id")
    if message_id is None:
        message_id = params.integer("reply_to_message_id")
    if message_id is None:
        return None
    target = chat.find(int(message_id))
    if target is None or target.deleted:
        if reply.get("allow_sending_without_reply") or params.flag("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    return {k: v for k, v in target.data.items() if k != "reply_to_message"}


def send(
    call: Call,
    chat: Chat,
    content: dict[str, Any],
    markup: dict[str, Any] | None,
    attach: Callable[[], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The common tail of every send: the replied message (400), the rate limit (429), then
    the message. `attach` adds the file only once the send is allowed, so a refused upload
    leaves nothing behind."""
    replied = reply_to(call, chat)
    check_rate(call, chat)
    if attach is not None:
        content = {**attach(), **content}
    if replied is not None:
        content["reply_to_message"] = replied
    if markup is not None and "inline_keyboard" in markup:
        content["reply_markup"] = markup
    if call.params.flag("protect_content"):
        content["has_protected_content"] = True
    # In a channel the post is the channel's own, without a `from`.
    sender = None if chat.type == "channel" else call.state.bot.user_json()
    return call.state.add_message(chat, content, sender=sender, from_bot=True, markup=markup).data


@method("sendMessage")
async def send_message(call: Call) -> dict[str, Any]:
    chat = call.state.writable_chat(call.params.chat_id())
    text, entities = formatted_text(
        call,
        field="text",
        entities_field="entities",
        max_length=call.limits.max_text_length,
        required=True,
    )
    markup = validate_markup(
        call.params.structure("reply_markup", error=MARKUP_PARSE_ERROR), call.limits
    )
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    return send(call, chat, content, markup)


def input_file(call: Call, field: str, kind: str) -> StoredFile | Upload:
    """A file to send: a multipart part named `field`, `attach://<part>` (aiogram), or the
    file_id of a file the sandbox holds. URLs are refused: the sandbox fetches nothing."""
    params = call.params
    upload = params.uploads.get(field)
    if upload is None:
        value = params.string(field)
        if value is None:
            raise bad_request(f"there is no {kind} in the request")
        if value.startswith("attach://"):
            upload = params.uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"file {value} not found in the request")
        elif value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        else:
            stored = call.state.files.get(value)
            if stored is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            if stored.kind != kind:
                raise bad_request("type of file mismatch")
            return stored
    if not upload.data:
        raise bad_request("file must be non-empty")
    if len(upload.data) > call.limits.max_upload_bytes:
        raise ApiError(413, "Request Entity Too Large")
    if kind == "photo":
        if len(upload.data) > call.limits.max_photo_bytes:
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        if image_size(upload.data) is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
    return upload


async def _send_file(call: Call, kind: str) -> dict[str, Any]:
    chat = call.state.writable_chat(call.params.chat_id())
    caption, entities = formatted_text(
        call,
        field="caption",
        entities_field="caption_entities",
        max_length=call.limits.max_caption_length,
        required=False,
    )
    markup = validate_markup(
        call.params.structure("reply_markup", error=MARKUP_PARSE_ERROR), call.limits
    )
    source = input_file(call, kind, kind)

    def attach() -> dict[str, Any]:
        stored = source
        if isinstance(stored, Upload):
            content_type = stored.content_type
            if content_type == "application/octet-stream":
                content_type = None  # let the file name tell, as Telegram does
            stored = call.state.files.add(
                kind=kind, data=stored.data, file_name=stored.filename, mime_type=content_type
            )
        if kind == "document":
            return {"document": stored.as_document()}
        return {"photo": stored.as_photo()}

    content: dict[str, Any] = {}
    if caption:
        content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
    return send(call, chat, content, markup, attach)


@method("sendDocument")
async def send_document(call: Call) -> dict[str, Any]:
    return await _send_file(call, "document")


@method("sendPhoto")
async def send_photo(call: Call) -> dict[str, Any]:
    return await _send_file(call, "photo")


@method("sendChatAction")
async def send_chat_action(call: Call) -> bool:
    call.state.writable_chat(call.params.chat_id())
    if not call.params.string("action"):
        raise bad_request("action is empty")
    return True
