"""The things the sandbox keeps, in Telegram's JSON shapes: the bot, personas (users), chats
with their messages, and the webhook."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Named as the bot names them when they sign in (handlers.menu.ROLE_NAMES), so the page and
# the chat agree on who is who.
ROLES: dict[str, tuple[str, str]] = {
    "citizen": ("市民", "Citizen"),
    "worker": ("公益性岗位从业人员", "Worker"),
    "unit": ("用人单位联系人", "Unit contact"),
    "bureau": ("投诉受理台（县就业局）", "Hotline desk (employment bureau)"),
    "investigator": ("调查人员（县人社局）", "Investigator (HR and social security bureau)"),
    "inspector": ("考核组成员（市考核组）", "Inspector (city inspection group)"),
    "admin": ("管理员（县就业局）", "Administrator (employment bureau)"),
}


@dataclass
class BotIdentity:
    id: int = 7_000_000_001
    first_name: str = "公示通"
    username: str = "gongshi_bot"

    def user_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def me_json(self) -> dict[str, Any]:
        return {
            **self.user_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass
class Persona:
    """A Telegram user someone plays in the sandbox; `role` is only a hint for people and tests,
    the bot never sees it."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "zh-hans"
    role: str = "citizen"
    phone: str | None = None
    blocked: bool = False  # has blocked the bot: sends to them are 403
    started: bool = False  # has written to the bot, so the bot may write to them

    def user_json(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for name in ("last_name", "username", "language_code"):
            if getattr(self, name):
                user[name] = getattr(self, name)
        return user

    def to_json(self) -> dict[str, Any]:
        zh, en = ROLES.get(self.role, (self.role, self.role))
        return {**asdict(self), "role_label": f"{zh} / {en}"}


@dataclass
class StoredMessage:
    data: dict[str, Any]  # the Telegram Message as it stands now (after edits)
    from_bot: bool
    # The markup as sent: Telegram echoes only inline keyboards, but tests and the page also
    # need to see a reply keyboard (say, the contact-share button).
    markup: dict[str, Any] | None = None
    deleted: bool = False
    edits: int = 0

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])

    def to_json(self) -> dict[str, Any]:
        data = self.data
        kind = next((k for k in ("text", "document", "photo", "contact") if k in data), "other")
        markup = self.markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        buttons = [button["text"] for row in rows for button in row]
        return {
            "message_id": self.message_id,
            "chat_id": data["chat"]["id"],
            "from_bot": self.from_bot,
            "from_id": data.get("from", {}).get("id"),
            "kind": kind,
            "date": data["date"],
            "edit_date": data.get("edit_date"),
            "text": data.get("text", data.get("caption")),
            "entities": data.get("entities", data.get("caption_entities", [])),
            "reply_markup": self.markup,
            "buttons": buttons,
            "document": data.get("document"),
            "photo": data.get("photo"),
            "contact": data.get("contact"),
            "protect_content": bool(data.get("has_protected_content")),
            "deleted": self.deleted,
            "edited": self.edits > 0,
            "edits": self.edits,
            "message": data,
        }


@dataclass
class Chat:
    id: int
    type: str  # private, group, supergroup, channel
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    messages: list[StoredMessage] = field(default_factory=list)
    next_message_id: int = 1
    version: int = 0
    # The reply keyboard the user currently sees, and the message that put it there.
    reply_keyboard: dict[str, Any] | None = None
    reply_keyboard_message_id: int | None = None
    answers: list[dict[str, Any]] = field(default_factory=list)  # answerCallbackQuery toasts

    def to_json(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        for name in ("title", "username", "first_name", "last_name"):
            if getattr(self, name):
                chat[name] = getattr(self, name)
        return chat

    def find(self, message_id: int | None) -> StoredMessage | None:
        # Message ids are dense per chat, so the index is a good first guess.
        if message_id is None:
            return None
        index = message_id - 1
        if 0 <= index < len(self.messages) and self.messages[index].message_id == message_id:
            return self.messages[index]
        return next((m for m in self.messages if m.message_id == message_id), None)

    def summary(self) -> dict[str, Any]:
        last = self.messages[-1].to_json() if self.messages else None
        return {
            **self.to_json(),
            "version": self.version,
            "message_count": len(self.messages),
            "bot_message_count": sum(1 for m in self.messages if m.from_bot),
            "last_message": {k: last[k] for k in ("text", "from_bot", "date", "kind")}
            if last
            else None,
        }


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0

    def info(self, pending: int) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
            "max_connections": self.max_connections,
        }
        if self.allowed_updates is not None:
            info["allowed_updates"] = self.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info
