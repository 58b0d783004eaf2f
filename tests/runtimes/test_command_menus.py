"""The bot as Telegram shows it, on aiogram and on python-telegram-bot: the "/" menu everyone
sees, in Chinese and English, a bound official's own menu once an invitation binds them, and
the description and short description; read back from the sandbox as Telegram would answer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.app import build_dispatcher
from bot.cli_run import serve_bot
from domain.clock import FixedClock
from messages.commands import BY_ROLE
from messages.commands import EVERYONE as LISTED
from storage.invitations import create_invitation

EVERYONE = ["start", "help", "complain", "status", "gongshi", "language", "cancel"]


@pytest.fixture
async def product(runtime, token, sandbox, storage) -> AsyncIterator[None]:
    """`gongshi run` in this process (updates, outbox and sweeps) against the sandbox."""
    settings = storage.settings.model_copy(
        update={"bot_token": SecretStr(token), "api_base": sandbox.url}
    )
    stop = asyncio.Event()
    running = asyncio.create_task(serve_bot(settings, runtime=runtime, stop=stop))
    yield
    stop.set()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(running, 20)


@pytest.fixture
async def tg(sandbox, token) -> AsyncIterator[Callable[..., Any]]:
    """A Bot API call with the bot's token; returns the result, failing on an error."""
    async with httpx.AsyncClient(base_url=f"{sandbox.url}/bot{token}/") as http:

        async def call(method: str, **params: Any) -> Any:
            body = (await http.post(method, json=params)).json()
            assert body["ok"], body
            return body["result"]

        yield call


async def eventually(read: Callable[[], Any], ready: Callable[[Any], bool]) -> Any:
    """What ``read`` gives once ``ready`` says so, within 15 s."""
    for _ in range(150):
        value = await read()
        if ready(value):
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"not ready in time: {value!r}")


def names(commands: list[dict[str, str]]) -> list[str]:
    return [command["command"] for command in commands]


async def test_everyone_sees_the_menu_in_chinese_and_english(product, tg):
    chinese = await eventually(lambda: tg("getMyCommands"), bool)
    english = await eventually(lambda: tg("getMyCommands", language_code="en"), bool)
    assert names(chinese) == EVERYONE
    assert names(english) == EVERYONE
    said = {c["command"]: c["description"] for c in chinese}
    assert said["complain"] == "向监督热线反映问题"
    assert said["gongshi"] == "查看公示的考核结果"
    assert {c["command"]: c["description"] for c in english}["status"] == "Follow your complaint"


async def test_the_description_and_short_description_are_set_in_both_languages(product, tg):
    chinese = await eventually(lambda: tg("getMyDescription"), lambda d: d["description"])
    english = await eventually(
        lambda: tg("getMyDescription", language_code="en"),
        lambda d: d["description"] != chinese["description"],
    )
    assert chinese["description"].startswith("公示通是本县公益性岗位考核结果公示与监督热线")
    assert english["description"].startswith("公示通 is the public notice and hotline")
    short = await eventually(lambda: tg("getMyShortDescription"), lambda d: d["short_description"])
    short_en = await tg("getMyShortDescription", language_code="en")
    assert short["short_description"] == "本县公益性岗位：考核结果公示、监督热线与案件办理。"
    assert short_en["short_description"].startswith("The county's public-welfare posts")
    assert len(short["short_description"]) <= 120


async def test_an_official_bound_by_invitation_gets_the_case_desk_in_their_menu(
    product, tg, client, storage
):
    async with storage.sessions() as session, session.begin():
        token = await create_invitation(session=session, role="investigator", now=datetime.now(UTC))
    official = await client.create_persona("陈静", role="investigator")
    citizen = await client.create_persona("张伟", role="citizen")
    await client.send_command(citizen, "/start")
    await client.wait_for(citizen, 1)
    scope = {"type": "chat", "chat_id": official["id"]}
    assert await tg("getMyCommands", scope=scope) == []

    await client.send_command(official, "/start", f"inv_{token}")
    await client.wait_until(official, lambda ms: any("欢迎！您已绑定身份" in m["text"] for m in ms))
    chinese = await eventually(lambda: tg("getMyCommands", scope=scope), bool)
    english = await eventually(lambda: tg("getMyCommands", scope=scope, language_code="en"), bool)
    assert names(chinese) == [*EVERYONE, "cases"]
    assert names(english) == [*EVERYONE, "cases"]
    assert chinese[-1]["description"] == "案件台账"
    assert english[-1]["description"] == "The case desk"
    # The citizen's chat keeps everyone's menu: nothing was set for it.
    assert await tg("getMyCommands", scope={"type": "chat", "chat_id": citizen["id"]}) == []
    # The chat page shows each persona the menu Telegram would.
    assert names((await client.chat(official))["commands"]) == [*EVERYONE, "cases"]
    assert names((await client.chat(citizen))["commands"]) == EVERYONE


def test_every_command_in_the_menus_is_one_the_bot_answers_for_that_role(storage):
    """The menu is data beside the routes: each command listed is registered, and a role's
    own commands are open to that role."""
    clock = FixedClock(datetime(2026, 12, 16, 1, 0, tzinfo=UTC))
    routes = build_dispatcher(settings=storage.settings, sessions=storage.sessions, clock=clock)
    commands = routes.router.commands
    for command in LISTED:
        assert command.name in commands and commands[command.name].roles is None, command
    for role, own in BY_ROLE.items():
        for command in own:
            route = commands[command.name]
            assert route.roles is None or role in route.roles, (role, command)
