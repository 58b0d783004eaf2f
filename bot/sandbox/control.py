"""The control API under /_control/: what tests and the chat page use to play users and to read
what the bot did. JSON in and out; errors are {"error": "..."} with 400 or 404 (403 and 415
for what only another web page would send: see guard.py)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web

import bot.sandbox.guard as guard
import bot.sandbox.inject as inject

from .faults import Fault
from .limits import Limits
from .models import ROLES, Chat
from .state import STATE_KEY, SandboxState

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
routes = web.RouteTableDef()
MAX_WAIT = 120.0


def _state(request: web.Request) -> SandboxState:
    return request.app[STATE_KEY]


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def control_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """LookupError is a 404 and ValueError (bad input) a 400, for every control route."""
    if not request.path.startswith("/_control/"):
        return await handler(request)
    try:
        return await handler(request)
    except LookupError as error:
        return _error(404, str(error).strip("'\""))
    except (ValueError, TypeError, binascii.Error) as error:
        return _error(400, str(error))


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    body = await request.json()
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def _int(value: Any, name: str) -> int:
    if value is None or value == "":
        raise ValueError(f"{name} is required")
    return int(value)


def _timeout(request: web.Request, default: float = 10.0) -> float:
    return min(max(float(request.query.get("timeout", default)), 0.0), MAX_WAIT)


def _chat(state: SandboxState, chat_id: Any) -> Chat:
    chat_id = _int(chat_id, "chat_id")
    if chat_id in state.personas:
        return state.private_chat(state.personas[chat_id])
    chat = state.chats.get(chat_id)
    if chat is None:
        raise LookupError(f"no chat {chat_id}")
    return chat


def _chat_view(state: SandboxState, chat: Chat) -> dict[str, Any]:
    persona = state.personas.get(chat.id)
    return {
        "chat": chat.to_json(),
        "version": chat.version,
        "messages": [m.to_json() for m in chat.messages],
        "reply_keyboard": chat.reply_keyboard,
        "reply_keyboard_message_id": chat.reply_keyboard_message_id,
        "answers": chat.answers,
        "commands": state.commands_for(persona) if persona else [],
    }


def _bot_count(chat: Chat) -> int:
    return sum(1 for m in chat.messages if m.from_bot)


# -- overview -------------------------------------------------------------------------------
@routes.get("/_control/state")
async def overview(request: web.Request) -> web.Response:
    state = _state(request)
    now = state.clock()
    online = state.pollers > 0 or (
        state.last_api_call is not None and now - state.last_api_call < 15
    )
    if state.webhook is not None:
        online = state.webhook.last_error_date is None or state.webhook.delivered > 0
    return web.json_response(
        {
            "bot": state.bot.me_json(),
            "version": state.version,
            "online": online,
            "mode": "webhook" if state.webhook else "polling",
            "webhook": state.webhook.info(len(state.pending)) if state.webhook else None,
            "limits": state.limits.to_json(),
            "roles": {role: {"zh": zh, "en": en} for role, (zh, en) in ROLES.items()},
            "personas": [_persona_view(state, p.id) for p in state.personas.values()],
            "chats": [c.summary() for c in state.chats.values() if c.type != "private"],
            "pending_updates": len(state.pending),
            "tokens_seen": sorted(state.tokens_seen),
        }
    )


@routes.get("/_control/poll")
async def poll(request: web.Request) -> web.Response:
    """Long poll: answers when the version passes `since` (of one chat, with chat_id)."""
    state = _state(request)
    since = int(request.query.get("since", 0))
    chat = _chat(state, request.query["chat_id"]) if "chat_id" in request.query else None

    def changed() -> bool:
        return (chat.version if chat else state.version) > since

    await state.wait_until(changed, _timeout(request, 25.0), chat=chat)
    version = chat.version if chat else state.version
    return web.json_response({"version": version, "changed": version > since})


@routes.post("/_control/reset")
async def reset(request: web.Request) -> web.Response:
    _state(request).reset()
    return web.json_response({"ok": True})


# -- personas and chats ---------------------------------------------------------------------
def _persona_view(state: SandboxState, persona_id: int) -> dict[str, Any]:
    persona = state.persona(persona_id)
    chat = state.chats.get(persona_id)
    return {**persona.to_json(), "chat": chat.summary() if chat else None}


@routes.get("/_control/personas")
async def list_personas(request: web.Request) -> web.Response:
    state = _state(request)
    return web.json_response([_persona_view(state, p) for p in state.personas])


@routes.post("/_control/personas")
async def create_persona(request: web.Request) -> web.Response:
    state = _state(request)
    persona = state.add_persona(**await _body(request))
    return web.json_response(_persona_view(state, persona.id), status=201)


@routes.patch("/_control/personas/{user_id}")
async def update_persona(request: web.Request) -> web.Response:
    state = _state(request)
    persona = state.persona(int(request.match_info["user_id"]))
    body = await _body(request)
    editable = {"first_name", "last_name", "username", "language_code", "role", "phone"}
    for name, value in body.items():
        if name in ("blocked", "started"):
            setattr(persona, name, bool(value))
        elif name in editable:
            if name == "role" and value not in ROLES:
                raise ValueError(f"role must be one of {', '.join(ROLES)}")
            if name == "first_name" and not str(value or "").strip():
                raise ValueError("first_name is required")
            setattr(persona, name, value)
        else:
            raise ValueError(f"cannot change {name}")
    state.touch(state.chats.get(persona.id))
    return web.json_response(_persona_view(state, persona.id))


@routes.get("/_control/chats")
async def list_chats(request: web.Request) -> web.Response:
    return web.json_response([c.summary() for c in _state(request).chats.values()])


@routes.post("/_control/chats")
async def create_chat(request: web.Request) -> web.Response:
    body = await _body(request)
    chat = _state(request).add_chat(
        type=str(body.get("type", "channel")),
        title=str(body.get("title", "")),
        username=body.get("username"),
        id=int(body["id"]) if body.get("id") is not None else None,
    )
    return web.json_response(chat.summary(), status=201)


@routes.get("/_control/chats/{chat_id}")
async def chat_view(request: web.Request) -> web.Response:
    state = _state(request)
    return web.json_response(_chat_view(state, _chat(state, request.match_info["chat_id"])))


@routes.get("/_control/chats/{chat_id}/messages")
async def chat_messages(request: web.Request) -> web.Response:
    state = _state(request)
    chat = _chat(state, request.match_info["chat_id"])
    sender = request.query.get("from")
    messages = [
        m.to_json() for m in chat.messages if sender is None or m.from_bot == (sender == "bot")
    ]
    return web.json_response(messages)


@routes.get("/_control/chats/{chat_id}/wait")
async def wait_for_messages(request: web.Request) -> web.Response:
    """Long poll until the chat holds at least `count` bot messages (deleted ones count: they
    were sent), or `timeout` seconds pass; `reached` tells which."""
    state = _state(request)
    chat = _chat(state, request.match_info["chat_id"])
    count = int(request.query.get("count", 1))
    reached = await state.wait_until(
        lambda: _bot_count(chat) >= count, _timeout(request), chat=chat
    )
    messages = [m.to_json() for m in chat.messages if m.from_bot]
    return web.json_response({"reached": reached, "count": len(messages), "messages": messages})


@routes.get("/_control/channel_posts")
async def channel_posts(request: web.Request) -> web.Response:
    state = _state(request)
    wanted = request.query.get("chat_id")
    posts = [
        {**m.to_json(), "channel": chat.to_json()}
        for chat in state.chats.values()
        if chat.type == "channel"
        and (wanted is None or str(chat.id) == wanted or chat.username == wanted.lstrip("@"))
        for m in chat.messages
    ]
    posts.sort(key=lambda p: (p["date"], p["message_id"]))
    return web.json_response(posts)


# -- a persona acts -------------------------------------------------------------------------
def _injected(request: web.Request, update_id: int, message: Any) -> web.Response:
    """Also the chat's version after it (a poll since then wakes at the answer) and when."""
    state = _state(request)
    chat = state.chats[message.data["chat"]["id"]]
    return web.json_response(
        {
            "update_id": update_id,
            "accepted": state.clock(),
            "version": chat.version,
            "message_id": message.message_id,
            "chat_id": message.data["chat"]["id"],
        }
    )


@routes.post("/_control/inject/text")
async def inject_text(request: web.Request) -> web.Response:
    body = await _body(request)
    chat_id = body.get("chat_id")
    update_id, message = inject.inject_text(
        _state(request),
        _int(body.get("user_id"), "user_id"),
        str(body.get("text", "")),
        int(chat_id) if chat_id is not None else None,
    )
    return _injected(request, update_id, message)


@routes.post("/_control/inject/command")
async def inject_command(request: web.Request) -> web.Response:
    body = await _body(request)
    update_id, message = inject.inject_command(
        _state(request),
        _int(body.get("user_id"), "user_id"),
        str(body.get("command", "")),
        body.get("arg") or None,
    )
    return _injected(request, update_id, message)


@routes.post("/_control/inject/callback")
async def inject_callback(request: web.Request) -> web.Response:
    body = await _body(request)
    chat_id = body.get("chat_id")
    update_id, query_id = inject.inject_callback(
        _state(request),
        _int(body.get("user_id"), "user_id"),
        _int(body.get("message_id"), "message_id"),
        str(body.get("data", "")),
        chat_id=int(chat_id) if chat_id is not None else None,
        forge=bool(body.get("forge", False)),
    )
    state = _state(request)
    version = _chat(state, chat_id if chat_id is not None else body.get("user_id")).version
    answer = {"update_id": update_id, "callback_query_id": query_id, "version": version}
    return web.json_response({**answer, "accepted": state.clock()})


@routes.post("/_control/inject/contact")
async def inject_contact(request: web.Request) -> web.Response:
    body = await _body(request)
    state = _state(request)
    user_id = _int(body.get("user_id"), "user_id")
    phone = body.get("phone_number") or state.persona(user_id).phone
    if not phone:
        raise ValueError("phone_number is required (the persona has no phone)")
    update_id, message = inject.inject_contact(
        state,
        user_id,
        str(phone),
        body.get("contact_user_id", inject.SELF),
        first_name=body.get("first_name"),
        last_name=body.get("last_name"),
    )
    return _injected(request, update_id, message)


@routes.post("/_control/inject/file")
async def inject_file(request: web.Request) -> web.Response:
    """JSON with `data_base64`, or a multipart form with a `file` part (what the page sends)."""
    if request.content_type == "multipart/form-data":
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise ValueError("a file part named 'file' is required")
        fields: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
        data = upload.file.read()
        name: Any = fields.get("filename") or upload.filename
        mime_type: Any = upload.content_type
    else:
        fields = await _body(request)
        data = base64.b64decode(str(fields.get("data_base64", "")), validate=True)
        name, mime_type = fields.get("filename"), fields.get("mime_type")
    update_id, message = inject.inject_file(
        _state(request),
        _int(fields.get("user_id"), "user_id"),
        kind=str(fields.get("kind") or "document"),
        file_name=str(name or "file"),
        data=data,
        caption=fields.get("caption") or None,
        mime_type=mime_type if mime_type != "application/octet-stream" else None,
    )
    return _injected(request, update_id, message)


# -- what the bot did -----------------------------------------------------------------------
@routes.get("/_control/calls")
async def calls(request: web.Request) -> web.Response:
    state = _state(request)
    method = request.query.get("method", "").lower()
    since = int(request.query.get("since", 0))
    found = [c for c in state.calls[since:] if not method or c["method"].lower() == method]
    return web.json_response(found)


@routes.delete("/_control/calls")
async def clear_calls(request: web.Request) -> web.Response:
    _state(request).calls.clear()
    return web.json_response({"ok": True})


@routes.get("/_control/updates")
async def pending_updates(request: web.Request) -> web.Response:
    state = _state(request)
    return web.json_response({"pending": state.pending, "next_update_id": state.next_update_id})


@routes.get("/_control/webhook")
async def webhook(request: web.Request) -> web.Response:
    state = _state(request)
    hook = state.webhook
    if hook is None:
        return web.json_response({"url": "", "delivered": 0})
    return web.json_response(
        {
            **hook.info(len(state.pending)),
            "secret_token_set": bool(hook.secret_token),
            "delivered": hook.delivered,
        }
    )


@routes.get("/_control/files/{file_id}")
async def file_content(request: web.Request) -> web.Response:
    stored = _state(request).files.get(request.match_info["file_id"])
    if stored is None:
        raise LookupError("no such file")
    disposition = "attachment" if request.query.get("download") else "inline"
    return web.Response(
        body=stored.data,
        content_type=stored.mime_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.file_name)}"
        },
    )


# -- limits and faults ----------------------------------------------------------------------
@routes.get("/_control/limits")
async def get_limits(request: web.Request) -> web.Response:
    return web.json_response(_state(request).limits.to_json())


@routes.route("PATCH", "/_control/limits")
@routes.post("/_control/limits")
async def set_limits(request: web.Request) -> web.Response:
    state = _state(request)
    body = await _body(request)
    if body.pop("reset", False):
        state.limits = Limits()
    state.limits = state.limits.updated(body)
    state.rate.reset()
    return web.json_response(state.limits.to_json())


@routes.get("/_control/faults")
async def get_faults(request: web.Request) -> web.Response:
    return web.json_response(_state(request).faults.to_json())


@routes.post("/_control/faults")
async def add_fault(request: web.Request) -> web.Response:
    body = await _body(request)
    method = str(body.get("method") or "").strip()
    if not method:
        raise ValueError("method is required (a Bot API method name, or * for any)")
    state = _state(request)
    state.faults.add(method, Fault.from_json(body))
    return web.json_response(state.faults.to_json(), status=201)


@routes.delete("/_control/faults")
async def clear_faults(request: web.Request) -> web.Response:
    _state(request).faults.clear()
    return web.json_response({})


def setup(app: web.Application) -> None:
    app.middlewares.append(guard.own_origin_only)  # outermost: before anything is read
    app.middlewares.append(control_errors)
    app.router.add_routes(routes)
