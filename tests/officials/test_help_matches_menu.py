"""/help is written from the same table as the "/" menu (messages.commands), so they list the
same commands for every role in both languages; over the sandbox on both runtimes, the desk's
/help names the case desk and a citizen's does not."""

from __future__ import annotations

import re

import pytest
from officials_county import BUREAU

from messages.commands import BY_ROLE, bot_commands, commands_for, help_text

WAIT = 30
ROLE_SETS = [(), *((role,) for role in BY_ROLE), ("bureau", "admin")]


def commands_in(text: str) -> list[str]:
    return re.findall(r"^/(\w+)", text, flags=re.MULTILINE)


@pytest.mark.parametrize("roles", ROLE_SETS)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_help_lists_what_the_menu_sets(roles, language):
    menu = bot_commands(commands_for(roles), language)
    said = help_text(roles, language)
    assert commands_in(said) == [entry["command"] for entry in menu]
    for entry in menu:
        assert entry["description"] in said


async def test_the_desk_and_a_citizen_each_read_their_own_commands(bot, client, county):
    await client.create_persona("刘受理", role="bureau", id=BUREAU)
    citizen = await client.create_persona("路人", role="citizen")
    for user in (BUREAU, citizen):
        await client.send_command(user, "/help")
    desk = await client.wait_until(BUREAU, lambda ms: "命令：" in str(ms), timeout=WAIT)
    anyone = await client.wait_until(citizen, lambda ms: "命令：" in str(ms), timeout=WAIT)
    desk_help, citizen_help = desk[-1]["text"], anyone[-1]["text"]
    assert "/cases — 案件台账" in desk_help and "/cases" not in citizen_help
    assert "/status 查询码 — 查询投诉办理进度" in citizen_help
    assert commands_in(citizen_help) == [c.name for c in commands_for(())]
