"""Save first, deliver later: every message that is not a direct reply is an outbox row,
written in the same transaction as the change that caused it (DESIGN.md, "the outbox").

``enqueue`` adds the row to the caller's session and never commits: if the change rolls back,
so does the message, and if it commits, the message is there for the sender even when the
process dies a moment later.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from messages.callbacks_menu import MENU_HOME
from messages.replies import Button, FileReply, Reply
from storage.models import Outbox
from storage.models.ops import OutboxAttachment

# Lower goes first: a case alert is never stuck behind a broadcast to thousands, and a
# direct reply Telegram made us put off (the user is waiting for it) goes before everything.
# A "call" changes how the bot looks to a chat (its "/" menu after a role changed): soon, but
# after the alerts.
PRIORITY = {"reply": 5, "alert": 10, "call": 20, "reminder": 30, "notice": 50, "broadcast": 70}
KINDS = tuple(PRIORITY)
METHODS = ("sendMessage", "sendPhoto", "sendDocument", "deleteMessage")
# Bot API calls that are not messages: the row's payload holds their parameters as sent.
CALL_METHODS = ("setMyCommands", "deleteMyCommands")
FILE_FIELD = {"sendPhoto": "photo", "sendDocument": "document"}


@dataclass(frozen=True)
class Attachment:
    """A file to upload with the message (a chart); one copy is stored for every recipient."""

    filename: str
    content: bytes


ButtonRows = Sequence[Sequence[Button]] | Sequence[Sequence[tuple[str, str]]]


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    kind: str,
    text: str,
    buttons: ButtonRows | None = None,
    priority: int | None = None,
    dedup_key: str | None = None,
    method: str = "sendMessage",
    file: Attachment | str | None = None,
    not_before: datetime | None = None,
    protect: bool = False,
    message_id: int | None = None,
    request_contact: str | None = None,
    remove_keyboard: bool = False,
) -> Outbox:
    """Add a message for ``chat_id`` to the session's transaction.

    ``kind`` is reply, alert, reminder, notice or broadcast, and sets the priority unless one
    is given. A ``dedup_key`` already used returns the existing row instead of a second one:
    the same reminder written twice is sent once. ``request_contact`` is the label of a button
    that shares the user's phone, and ``remove_keyboard`` takes such a keyboard away, as a
    direct reply may. ``file`` is an ``Attachment`` to upload or a
    Telegram file_id to send again, for sendPhoto and sendDocument; ``text`` is then the caption.
    deleteMessage takes the ``message_id`` to delete (a withdrawn 公示 post) and no text.
    """
    if kind not in PRIORITY:
        raise ValueError(f"unknown outbox kind {kind!r}; use one of {', '.join(KINDS)}")
    if method not in METHODS:
        raise ValueError(f"unsupported method {method!r}")
    if (method in FILE_FIELD) != (file is not None):
        raise ValueError(f"{method} needs a file, and only sendPhoto and sendDocument take one")
    if (method == "deleteMessage") != (message_id is not None):
        raise ValueError("deleteMessage needs a message_id, and only it takes one")
    if dedup_key is not None:
        existing = await _by_dedup_key(session, dedup_key)
        if existing is not None:
            return existing
    payload: dict[str, Any] = {"text": text}
    if buttons:
        payload["buttons"] = _buttons_json(buttons)
    if protect:
        payload["protect"] = True
    if request_contact is not None:
        payload["request_contact"] = request_contact
    elif remove_keyboard and not buttons:
        payload["remove_keyboard"] = True
    if message_id is not None:
        payload["message_id"] = message_id
    row = Outbox(
        chat_id=chat_id,
        kind=kind,
        priority=PRIORITY[kind] if priority is None else priority,
        method=method,
        payload=payload,
        dedup_key=dedup_key,
    )
    if isinstance(file, str):
        payload["file_id"] = file
    elif file is not None:
        row.attachment_id = await _store_attachment(session, file)
    if not_before is not None:
        row.not_before = not_before
    session.add(row)
    return row


async def enqueue_call(
    session: AsyncSession, *, chat_id: int, method: str, params: dict[str, Any]
) -> Outbox:
    """A Bot API call about ``chat_id`` that is not a message (its command menu), delivered
    like one: within the limits, in the chat's order, and after a restart."""
    if method not in CALL_METHODS:
        raise ValueError(f"unsupported call {method!r}; use one of {', '.join(CALL_METHODS)}")
    row = Outbox(
        chat_id=chat_id,
        kind="call",
        priority=PRIORITY["call"],
        method=method,
        payload={"params": params},
    )
    session.add(row)
    return row


async def enqueue_replies(
    session: AsyncSession,
    *,
    chat_id: int,
    replies: Sequence[Reply | FileReply],
    not_before: datetime,
) -> list[Outbox]:
    """Direct replies that could not be sent when they were made (Telegram asked to wait
    longer than a user is kept waiting), in their order, to go from ``not_before``. An edit
    becomes a new message: the message it would change may be long gone by then. A file
    is stored with the row, as a chart is."""
    rows = []
    for reply in replies:
        if isinstance(reply, FileReply):
            row = await enqueue(
                session,
                chat_id=chat_id,
                kind="reply",
                text=reply.caption,
                method="sendPhoto" if reply.as_photo else "sendDocument",
                file=Attachment(reply.filename, reply.content),
                not_before=not_before,
            )
        else:
            row = await enqueue(
                session,
                chat_id=chat_id,
                kind="reply",
                text=reply.text,
                buttons=reply.buttons,
                protect=reply.protect,
                request_contact=reply.request_contact,
                remove_keyboard=reply.remove_keyboard,
                not_before=not_before,
            )
        rows.append(row)
    return rows


async def _by_dedup_key(session: AsyncSession, key: str) -> Outbox | None:
    # Pending rows of this transaction count too: flush them before looking.
    await session.flush()
    found = await session.execute(select(Outbox).where(col(Outbox.dedup_key) == key))
    return found.scalars().first()


async def _store_attachment(session: AsyncSession, file: Attachment) -> int:
    digest = hashlib.sha256(file.content).hexdigest()
    found = await session.execute(
        select(OutboxAttachment.id).where(col(OutboxAttachment.sha256) == digest)
    )
    existing = found.scalar_one_or_none()
    if existing is not None:
        return int(existing)
    attachment = OutboxAttachment(sha256=digest, filename=file.filename, content=file.content)
    session.add(attachment)
    await session.flush()
    assert attachment.id is not None
    return attachment.id


# Files kept for their own sake too (a meeting's minutes given at the command line).
store_attachment = _store_attachment


def _buttons_json(rows: ButtonRows) -> list[list[dict[str, str]]]:
    result = []
    for row in rows:
        out = []
        for button in row:
            if isinstance(button, Button):
                item = {"text": button.text}
                if button.url:
                    item["url"] = button.url
                else:
                    item["data"] = button.data or MENU_HOME
            else:
                item = {"text": button[0], "data": button[1]}
            out.append(item)
        result.append(out)
    return result


def bot_api_params(chat_id: int, method: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The Bot API parameters of a row, except an uploaded file (the sender attaches it)."""
    if method in CALL_METHODS:
        return dict(payload["params"])
    params: dict[str, Any] = {"chat_id": chat_id}
    if method == "deleteMessage":
        params["message_id"] = payload["message_id"]
        return params
    text = str(payload.get("text", ""))
    if method == "sendMessage":
        params["text"] = text
    else:
        if text:
            params["caption"] = text
        if "file_id" in payload:
            params[FILE_FIELD[method]] = payload["file_id"]
    buttons = payload.get("buttons")
    if "request_contact" in payload:
        keyboard = [[{"text": str(payload["request_contact"]), "request_contact": True}]]
        markup = {"keyboard": keyboard, "resize_keyboard": True, "one_time_keyboard": True}
        params["reply_markup"] = json.dumps(markup, ensure_ascii=False)
    elif payload.get("remove_keyboard"):
        params["reply_markup"] = json.dumps({"remove_keyboard": True})
    elif buttons:
        params["reply_markup"] = json.dumps(
            {
                "inline_keyboard": [
                    [
                        {"text": b["text"], "url": b["url"]}
                        if "url" in b
                        else {"text": b["text"], "callback_data": b["data"]}
                        for b in row
                    ]
                    for row in buttons
                ]
            },
            ensure_ascii=False,
        )
    if payload.get("protect"):
        params["protect_content"] = True
    return params
