"""A small conversation of the tests' own, so the runtime tests do not depend on the product's
handlers: /start shows a menu with a button, /echo starts a counting echo whose count lives in
the chat's state, and contacts and files are described back.

Run as a script it is the bot process of the kill-and-restart test:
``python runtime_router.py aiogram|ptb`` with the GONGSHI_ settings in the environment.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from handlers.context import Context
from handlers.core import Dispatcher, Router
from messages.replies import Button

# The echo of this text takes a while: long enough to kill the process in the middle. It
# writes the update id to the file named by $RUNTIME_TEST_SLOW_MARKER when it begins.
SLOW = "slow"
SLOW_SECONDS = 4.0
SLOW_MARKER = "RUNTIME_TEST_SLOW_MARKER"


def build_router() -> Router:
    r = Router()

    @r.command("start")
    async def start(ctx: Context) -> None:
        ctx.reset()
        ctx.say("Menu", [[Button("Hello", data="menu:hello")]])

    @r.button("menu")
    async def pressed(ctx: Context) -> None:
        ctx.say("You pressed hello", edit=True)
        ctx.answer("Hi!")

    @r.command("echo")
    async def ask_echo(ctx: Context) -> None:
        ctx.goto("echo", count=0)
        ctx.say("Say something")

    @r.command("phone")
    async def ask_phone(ctx: Context) -> None:
        ctx.say("Share your phone", request_contact="Share my phone")

    @r.state("echo")
    async def process_echo(ctx: Context) -> None:
        count = int(ctx.data.get("count", 0)) + 1
        if ctx.incoming.text == SLOW:
            marker = os.environ.get(SLOW_MARKER)
            if marker:
                Path(marker).write_text(str(ctx.incoming.update_id))
            await asyncio.sleep(SLOW_SECONDS)
        ctx.goto("echo", count=count)
        ctx.say(f"echo {count}: {ctx.incoming.text}")

    @r.otherwise
    async def describe(ctx: Context) -> None:
        incoming = ctx.incoming
        if incoming.contact is not None:
            ctx.say(f"contact {incoming.contact.phone} of {incoming.contact.user_id}")
        elif incoming.file is not None:
            file = incoming.file
            ctx.say(f"file {file.kind} {file.file_name} {file.size}")
        else:
            ctx.say(f"text {incoming.text}")

    return r


def build_dispatcher(*, settings, sessions, clock) -> Dispatcher:
    return Dispatcher(sessions=sessions, settings=settings, clock=clock, router=build_router())


if __name__ == "__main__":
    from bot.cli_run import serve_bot
    from bot.settings import load_settings

    asyncio.run(serve_bot(load_settings(), runtime=sys.argv[1], build=build_dispatcher))
