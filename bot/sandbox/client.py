"""`SandboxClient`: tests speak to the sandbox in the user's words through this.

    async with SandboxClient(sandbox.url) as sb:
        citizen = await sb.create_persona("张三")
        await sb.send(citizen, "/start")
        await sb.wait_for(citizen, 1)
        await sb.click(citizen, "投诉")

A user is a persona's id or the persona dict `create_persona` returned. Actions return the
update_id the bot will receive.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Mapping
from typing import Any

import httpx

UserRef = int | Mapping[str, Any]


class SandboxError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def _id(user: UserRef) -> int:
    return int(user["id"]) if isinstance(user, Mapping) else int(user)


class SandboxClient:
    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout, limits=httpx.Limits(max_connections=None)
        )
        # Each update this client handed in, by update_id: the user, and the sandbox's time
        # (its clock, seconds since the epoch) when it accepted it. A benchmark measures the
        # bot's answers from there.
        self.injected: dict[int, dict[str, Any]] = {}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _call(self, verb: str, path: str, *, timeout: float | None = None, **kw: Any) -> Any:
        """The JSON answer of a control endpoint; SandboxError for a 4xx/5xx."""
        if timeout is not None:
            # A long poll answers after `timeout`; give the HTTP request a little longer.
            kw["timeout"] = timeout + 10
        if verb != "GET" and "json" not in kw:
            kw["json"] = {}  # what changes state must be JSON, even with nothing to say
        response = await self._http.request(verb, f"/_control/{path}", **kw)
        if response.status_code >= 400:
            try:
                message = response.json().get("error", response.text)
            except ValueError:
                message = response.text
            raise SandboxError(response.status_code, message)
        return response.json()

    async def _object(self, verb: str, path: str, **kw: Any) -> dict[str, Any]:
        body = await self._call(verb, path, **kw)
        assert isinstance(body, dict), body
        return body

    async def _list(self, verb: str, path: str, **kw: Any) -> list[dict[str, Any]]:
        body = await self._call(verb, path, **kw)
        assert isinstance(body, list), body
        return body

    # -- personas and chats ---------------------------------------------------------------
    async def create_persona(
        self,
        first_name: str = "测试用户",
        *,
        role: str = "citizen",
        username: str | None = None,
        language_code: str | None = "zh-hans",
        phone: str | None = None,
        last_name: str | None = None,
        id: int | None = None,
    ) -> dict[str, Any]:
        """A new Telegram user; role is citizen, worker, unit, bureau, investigator or admin."""
        body = {
            "first_name": first_name,
            "role": role,
            "username": username,
            "language_code": language_code,
            "phone": phone,
            "last_name": last_name,
            "id": id,
        }
        return await self._object("POST", "personas", json=body)

    async def personas(self) -> list[dict[str, Any]]:
        return await self._list("GET", "personas")

    async def update_persona(self, user: UserRef, **changes: Any) -> dict[str, Any]:
        return await self._object("PATCH", f"personas/{_id(user)}", json=changes)

    async def set_blocked(self, user: UserRef, blocked: bool = True) -> dict[str, Any]:
        """Mark that the user blocked the bot: the bot's sends to them answer 403."""
        return await self.update_persona(user, blocked=blocked)

    async def create_chat(
        self, title: str, *, type: str = "channel", username: str | None = None
    ) -> dict[str, Any]:
        body = {"title": title, "type": type, "username": username}
        return await self._object("POST", "chats", json=body)

    async def state(self) -> dict[str, Any]:
        return await self._object("GET", "state")

    async def reset(self) -> None:
        await self._call("POST", "reset")

    # -- a persona acts -------------------------------------------------------------------
    async def _inject(self, kind: str, body: dict[str, Any]) -> int:
        answer = await self._object("POST", f"inject/{kind}", json=body)
        update_id = int(answer["update_id"])
        self.injected[update_id] = {"user": body["user_id"], "kind": kind, **answer}
        return update_id

    async def send_text(self, user: UserRef, text: str, *, chat_id: int | None = None) -> int:
        """A message typed by the user; a leading /command gets its bot_command entity."""
        body = {"user_id": _id(user), "text": text, "chat_id": chat_id}
        return await self._inject("text", body)

    send = send_text

    async def send_command(self, user: UserRef, command: str, arg: str | None = None) -> int:
        body = {"user_id": _id(user), "command": command, "arg": arg}
        return await self._inject("command", body)

    async def press(
        self,
        user: UserRef,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        forge: bool = False,
    ) -> int:
        """Press the inline button with `data` on a bot message. The button must be there
        unless `forge`, which sends any data (for tests that the bot trusts no button)."""
        body = {
            "user_id": _id(user),
            "message_id": message_id,
            "data": data,
            "chat_id": chat_id,
            "forge": forge,
        }
        return await self._inject("callback", body)

    async def share_contact(
        self,
        user: UserRef,
        phone: str | None = None,
        user_id: int | None = None,
        *,
        without_user_id: bool = False,
        first_name: str | None = None,
    ) -> int:
        """Share a contact. By default it is the user's own (user_id = theirs, the persona's
        phone if `phone` is None), as the request_contact button sends it; `user_id` makes it
        someone else's, `without_user_id` a contact with no Telegram account."""
        body: dict[str, Any] = {"user_id": _id(user), "phone_number": phone}
        if without_user_id:
            body["contact_user_id"] = None
        elif user_id is not None:
            body["contact_user_id"] = user_id
        if first_name:
            body["first_name"] = first_name
        return await self._inject("contact", body)

    async def send_file(
        self,
        user: UserRef,
        name: str,
        data: bytes,
        kind: str = "document",
        *,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> int:
        """Upload a document or a photo (photo bytes must be an image)."""
        body = {
            "user_id": _id(user),
            "kind": kind,
            "filename": name,
            "data_base64": base64.b64encode(data).decode(),
            "caption": caption,
            "mime_type": mime_type,
        }
        return await self._inject("file", body)

    async def click(
        self, user: UserRef, text: str, *, view: Mapping[str, Any] | None = None
    ) -> int:
        """Press the button labelled `text` on the newest bot message that has one, in the
        user's chat with the bot: an inline button (exact label, else the one label that
        contains `text`), or a reply-keyboard button (sends its text, or shares the contact).
        `view`: the chat as `chat()` just returned it, to save asking again."""
        if view is None:
            view = await self.chat(user)
        for message in reversed(view["messages"]):
            if not message["from_bot"] or message["deleted"]:
                continue
            markup = message["message"].get("reply_markup") or {}
            inline = [b for row in markup.get("inline_keyboard", []) for b in row]
            button = _pick(inline, text)
            if button is not None:
                if "callback_data" not in button:
                    raise SandboxError(400, f"button {button['text']!r} is not a callback button")
                return await self.press(user, message["message_id"], button["callback_data"])
            if message["message_id"] == view["reply_keyboard_message_id"]:
                keyboard = view["reply_keyboard"]["keyboard"]
                button = _pick([b for row in keyboard for b in row], text)
                if button is not None and button.get("request_contact"):
                    return await self.share_contact(user)
                if button is not None:
                    return await self.send_text(user, button["text"])
        labels = [m["buttons"] for m in view["messages"] if m["from_bot"] and m["buttons"]]
        raise LookupError(f"no button {text!r} in chat {_id(user)}; buttons seen: {labels}")

    # -- what the bot did --------------------------------------------------------------------
    async def chat(self, chat_id: UserRef) -> dict[str, Any]:
        """The chat, its messages, the reply keyboard shown and the callback answers."""
        return await self._object("GET", f"chats/{_id(chat_id)}")

    async def messages(
        self, chat_id: UserRef, *, from_bot: bool | None = None
    ) -> list[dict[str, Any]]:
        """Every message of the chat in order, as it stands now (edited text, deleted flag)."""
        params = {} if from_bot is None else {"from": "bot" if from_bot else "user"}
        return await self._list("GET", f"chats/{_id(chat_id)}/messages", params=params)

    async def bot_messages(self, chat_id: UserRef) -> list[dict[str, Any]]:
        return await self.messages(chat_id, from_bot=True)

    async def last_bot_message(self, chat_id: UserRef) -> dict[str, Any]:
        sent = [m for m in await self.bot_messages(chat_id) if not m["deleted"]]
        if not sent:
            raise LookupError(f"the bot has sent nothing to chat {_id(chat_id)}")
        return sent[-1]

    async def wait_for(
        self, chat_id: UserRef, count: int, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until the bot has sent at least `count` messages to the chat; return them all."""
        found = await self._object(
            "GET",
            f"chats/{_id(chat_id)}/wait",
            params={"count": count, "timeout": timeout},
            timeout=timeout,
        )
        if not found["reached"]:
            texts = [m["text"] for m in found["messages"]]
            raise TimeoutError(
                f"chat {_id(chat_id)}: {found['count']} bot messages after {timeout}s, "
                f"wanted {count}; got {texts}"
            )
        messages: list[dict[str, Any]] = found["messages"]
        return messages

    async def wait_until(
        self,
        chat_id: UserRef,
        predicate: Callable[[list[dict[str, Any]]], bool],
        timeout: float = 10.0,
    ) -> list[dict[str, Any]]:
        """Wait until `predicate(messages)` holds for the chat (say, a message was edited)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            view = await self.chat(chat_id)
            messages: list[dict[str, Any]] = view["messages"]
            if predicate(messages):
                return messages
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"chat {_id(chat_id)}: condition not met after {timeout}s")
            await self._call(
                "GET",
                "poll",
                params={"since": view["version"], "chat_id": _id(chat_id), "timeout": remaining},
                timeout=remaining,
            )

    async def changed_since(
        self, chat_id: UserRef, version: int, timeout: float = 10.0
    ) -> dict[str, Any]:
        """The chat as `chat()` gives it, once something in it changed after `version` (an
        action's answer in `injected` carries the version it left) and then stayed still for a
        moment; TimeoutError if nothing did within `timeout`."""
        found = await self._object(
            "GET",
            f"chats/{_id(chat_id)}/after/{version}",
            params={"timeout": timeout},
            timeout=timeout,
        )
        if not found["changed"]:
            raise TimeoutError(f"chat {_id(chat_id)}: nothing changed in {timeout}s")
        return found

    async def channel_posts(self, chat: int | str | None = None) -> list[dict[str, Any]]:
        """Posts in channels (one channel by id or @username), oldest first."""
        params = {} if chat is None else {"chat_id": str(chat)}
        return await self._list("GET", "channel_posts", params=params)

    async def calls(self, method: str | None = None, *, since: int = 0) -> list[dict[str, Any]]:
        """The Bot API calls the bot made: method, params, time, status, fault."""
        params: dict[str, Any] = {"since": since}
        if method:
            params["method"] = method
        return await self._list("GET", "calls", params=params)

    async def clear_calls(self) -> None:
        await self._call("DELETE", "calls")

    async def pending_updates(self) -> list[dict[str, Any]]:
        pending: list[dict[str, Any]] = (await self._object("GET", "updates"))["pending"]
        return pending

    async def webhook(self) -> dict[str, Any]:
        return await self._object("GET", "webhook")

    async def download(self, file_id: str) -> bytes:
        response = await self._http.get(f"/_control/files/{file_id}")
        if response.status_code >= 400:
            raise SandboxError(response.status_code, response.text)
        return response.content

    # -- limits and faults -------------------------------------------------------------------
    async def limits(self) -> dict[str, Any]:
        return await self._object("GET", "limits")

    async def set_limits(self, *, reset: bool = False, **changes: Any) -> dict[str, Any]:
        """Change limits (names of `Limits`), e.g. `set_limits(rate_limits=False)`; `reset`
        first returns every limit to Telegram's default."""
        body = {**changes, "reset": reset}
        return await self._object("POST", "limits", json=body)

    async def disable_rate_limits(self) -> dict[str, Any]:
        return await self.set_limits(rate_limits=False)

    async def inject_fault(
        self,
        method: str,
        kind: str,
        *,
        count: int = 1,
        retry_after: int | None = None,
        status: int | None = None,
        description: str | None = None,
        delay: float | None = None,
        effect: bool = False,
    ) -> dict[str, Any]:
        """The next `count` calls of `method` ("*" for any) fail: kind "retry_after" (429),
        "error" (HTTP `status`, 500 by default), "delay" (answer `delay` s late) or "reset"
        (connection dropped; after the call took effect if `effect`)."""
        body = {
            "method": method,
            "kind": kind,
            "count": count,
            "retry_after": retry_after,
            "status": status,
            "description": description,
            "delay": delay,
            "effect": effect,
        }
        return await self._object("POST", "faults", json=body)

    async def faults(self) -> dict[str, Any]:
        return await self._object("GET", "faults")

    async def clear_faults(self) -> None:
        await self._call("DELETE", "faults")


def _pick(buttons: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    exact = [b for b in buttons if b.get("text") == text]
    if exact:
        return exact[0]
    partial = [b for b in buttons if text in str(b.get("text", ""))]
    return partial[0] if len(partial) == 1 else None
