"""What the "/" menu and the bot's profile say, and keeping a chat's menu in step with the
roles of the person in it.

A chat whose person gained or lost a role gets its own menu (Telegram's ``BotCommandScopeChat``)
in each language, as outbox rows written in the caller's transaction: if the binding rolls
back, so does the menu, and a menu written just before a crash is still set after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from messages.commands import (
    DESCRIPTION,
    EVERYONE,
    SHORT_DESCRIPTION,
    bot_commands,
    commands_for,
    menu_languages,
)
from messages.i18n import translate
from storage.conversations import load_roles
from storage.outbox import enqueue_call

BotCall = tuple[str, dict[str, Any]]


async def refresh_chat_menu(
    *, session: AsyncSession, user_ids: Iterable[int], default_language: str | None = None
) -> None:
    """Set each user's private-chat menu to what their live roles allow, in every language.
    Called after a binding was made or ended; a user with no role left gets everyone's list."""
    for user_id in sorted(set(user_ids)):
        roles = await load_roles(session=session, user_id=user_id)
        commands = commands_for(roles.names())
        for code, language in menu_languages(default_language):
            params: dict[str, Any] = {
                "scope": {"type": "chat", "chat_id": user_id},
                "commands": bot_commands(commands, language),
            }
            if code is not None:
                params["language_code"] = code
            await enqueue_call(session, chat_id=user_id, method="setMyCommands", params=params)


def profile_calls(default_language: str | None) -> list[BotCall]:
    """The calls that set everyone's menu, the description and the short description, in
    each language; made at every start, so a new release's wording replaces the old."""
    calls: list[BotCall] = []
    for code, language in menu_languages(default_language):
        lang: dict[str, Any] = {} if code is None else {"language_code": code}
        calls.append(("setMyCommands", {"commands": bot_commands(EVERYONE, language), **lang}))
        calls.append(
            ("setMyDescription", {"description": translate(DESCRIPTION, language), **lang})
        )
        calls.append(
            (
                "setMyShortDescription",
                {"short_description": translate(SHORT_DESCRIPTION, language), **lang},
            )
        )
    return calls
