"""Reading and setting what the bot is: getMe, getChat, getFile, the command menu and the
descriptions."""

from __future__ import annotations

import re
from typing import Any

from .errors import bad_request
from .registry import Call, method

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


@method("getMe")
async def get_me(call: Call) -> dict[str, Any]:
    return call.state.bot.me_json()


@method("logOut")
async def log_out(call: Call) -> bool:
    return True


@method("close")
async def close(call: Call) -> bool:
    return True


@method("getChat")
async def get_chat(call: Call) -> dict[str, Any]:
    chat = call.state.resolve_chat(call.params.chat_id())
    # ChatFullInfo: fields both clients require, with the values of an ordinary chat.
    return {
        **chat.to_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


@method("getFile")
async def get_file(call: Call) -> dict[str, Any]:
    file_id = call.params.string("file_id", required=True)
    stored = call.state.files.get(file_id or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > call.limits.max_download_bytes:
        raise bad_request("file is too big")
    return stored.as_file()


def _commands_key(call: Call) -> tuple[str, str]:
    scope = call.params.structure("scope")
    if scope is not None and not (isinstance(scope, dict) and isinstance(scope.get("type"), str)):
        raise bad_request("can't parse BotCommandScope JSON object")
    if isinstance(scope, dict) and "chat_id" in scope:
        chat = call.state.resolve_chat(scope["chat_id"])
        scope = {**scope, "chat_id": chat.id}
    return call.state.command_key(scope, call.params.string("language_code"))


@method("setMyCommands")
async def set_my_commands(call: Call) -> bool:
    commands = call.params.structure("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    checked = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = str(command.get("command", "")).removeprefix("/")
        description = str(command.get("description", ""))
        if not _COMMAND.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("command description must be 1-256 characters")
        checked.append({"command": name, "description": description})
    key = _commands_key(call)
    if checked:
        call.state.commands[key] = checked
    else:
        call.state.commands.pop(key, None)
    call.state.touch()
    return True


@method("getMyCommands")
async def get_my_commands(call: Call) -> list[dict[str, str]]:
    return call.state.commands.get(_commands_key(call), [])


@method("deleteMyCommands")
async def delete_my_commands(call: Call) -> bool:
    call.state.commands.pop(_commands_key(call), None)
    call.state.touch()
    return True


# Telegram's limits: a description of up to 512 characters, a short one of up to 120.
_DESCRIPTIONS = {"description": 512, "short_description": 120}


def _set_description(call: Call, which: str) -> bool:
    text = call.params.string(which) or ""
    if len(text) > _DESCRIPTIONS[which]:
        raise bad_request(f"{which} is too long")
    key = (which, call.params.string("language_code") or "")
    if text:
        call.state.descriptions[key] = text
    else:
        call.state.descriptions.pop(key, None)
    call.state.touch()
    return True


def _get_description(call: Call, which: str) -> dict[str, str]:
    """The text set for the language asked, or the default one, as Telegram falls back."""
    code = call.params.string("language_code") or ""
    found = call.state.descriptions.get((which, code)) or call.state.descriptions.get((which, ""))
    return {which: found or ""}


@method("setMyDescription")
async def set_my_description(call: Call) -> bool:
    return _set_description(call, "description")


@method("getMyDescription")
async def get_my_description(call: Call) -> dict[str, str]:
    return _get_description(call, "description")


@method("setMyShortDescription")
async def set_my_short_description(call: Call) -> bool:
    return _set_description(call, "short_description")


@method("getMyShortDescription")
async def get_my_short_description(call: Call) -> dict[str, str]:
    return _get_description(call, "short_description")
