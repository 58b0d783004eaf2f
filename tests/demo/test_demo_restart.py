"""`gongshi demo` stopped and started again on the same folder answers at once, and shows the
chats and the channel as the data says they are: the citizen's earlier conversation is still
there, the 公示 the administrator opened is still on the channel and goes on posting, and new
updates number on from the ids the bot has on record. `gongshi demo --reset` then starts a
fresh demo county: empty chats, no 公示 posted, the first citizen's /start answered."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from test_demo_command import ADMIN, CITIZEN, is_menu, read_until

from bot.sandbox.client import SandboxClient
from bot.sandbox.state import DEFAULT_CHANNEL_ID


@asynccontextmanager
async def demo(cwd, *args: str, seen: list[str]) -> AsyncIterator[SandboxClient]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from bot.cli import main; main()", "demo", "--port", "0", *args,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = (await read_until(process.stdout, r"(http://127\.0\.0\.1:\d+)/", seen=seen)).group(1)
        await read_until(process.stdout, r"@gongshi_bot", seen=seen)
        async with SandboxClient(url) as client:
            yield client
    finally:
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), 60) == 0


async def start(client: SandboxClient, user: int) -> dict:
    """/start and the menu it brings (the demo's notices may arrive around it)."""
    before = len(await client.messages(user))
    await client.send_command(user, "/start")
    shown = await client.wait_until(
        user, lambda ms: any(is_menu(m) for m in ms[before:]), timeout=20
    )
    return next(m for m in reversed(shown) if is_menu(m))


async def open_gongshi(client: SandboxClient) -> None:
    await start(client, ADMIN)
    await client.click(ADMIN, "公示管理：开始、结束、张榜公告")
    await client.wait_until(ADMIN, lambda ms: "开始2026年度公示" in str(ms[-1]), timeout=20)
    await client.click(ADMIN, "开始2026年度公示")
    await client.wait_until(ADMIN, lambda ms: "确认开始" in str(ms[-1]), timeout=20)
    await client.click(ADMIN, "确认开始")
    await client.wait_for(DEFAULT_CHANNEL_ID, 1, timeout=30)


async def test_a_restarted_demo_shows_its_chats_and_channel_and_reset_starts_afresh(tmp_path):
    async with demo(tmp_path, seen=[]) as client:
        first_menu = await start(client, CITIZEN)
        await open_gongshi(client)
        posted = await client.channel_posts(DEFAULT_CHANNEL_ID)
        said_to_citizen = await client.messages(CITIZEN)
    assert "公示通" in first_menu["text"]

    async with demo(tmp_path, seen=[]) as client:
        # The page shows what happened before the restart, in the same order with the same ids.
        # (Notices that arrived while it stopped are kept after them.)
        kept = (await client.messages(CITIZEN))[: len(said_to_citizen)]
        assert [(m["message_id"], m["text"]) for m in kept] == [
            (m["message_id"], m["text"]) for m in said_to_citizen
        ]
        kept_posts = await client.channel_posts(DEFAULT_CHANNEL_ID)
        assert [(p["message_id"], p["text"]) for p in kept_posts[: len(posted)]] == [
            (p["message_id"], p["text"]) for p in posted
        ]
        assert all(p["protect_content"] for p in kept_posts)
        # And it answers at once, numbering on.
        second_menu = await start(client, CITIZEN)
        assert second_menu["text"] == first_menu["text"]
        assert second_menu["message_id"] > said_to_citizen[-1]["message_id"]
        # The 公示 the database says is open goes on posting after the kept pages.
        more = await client.wait_for(DEFAULT_CHANNEL_ID, len(kept_posts) + 1, timeout=30)
        assert more[-1]["message_id"] > kept_posts[-1]["message_id"]

    seen: list[str] = []
    async with demo(tmp_path, "--reset", seen=seen) as client:
        # The fresh county's notices only: nothing the citizen typed before, no 公示 posted.
        assert [m for m in await client.messages(CITIZEN) if not m["from_bot"]] == []
        assert await client.channel_posts(DEFAULT_CHANNEL_ID) == []
        assert "公示通" in (await start(client, CITIZEN))["text"]
        # A fresh county: the 公示 can be opened again.
        await open_gongshi(client)
    said = "".join(seen)
    assert "演示县将重新开始" in said and "gongshi.db" in said
