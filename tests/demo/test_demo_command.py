"""`gongshi demo` (the README's first command): sandbox, data and bot in one process, every
official role already bound, and Ctrl-C stops it all cleanly."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys

from bot.sandbox.client import SandboxClient
from bot.sandbox.state import DEFAULT_CHANNEL_ID

BUREAU, UNIT, ADMIN, CITIZEN = 5000000004, 5000000003, 5000000006, 5000000001


async def read_until(
    stream, pattern: str, timeout: float = 90, seen: list[str] | None = None
) -> re.Match[str]:
    """The first line matching ``pattern``; the lines read are added to ``seen``."""
    seen = [] if seen is None else seen

    async def scan() -> re.Match[str]:
        while True:
            line = await stream.readline()
            if not line:
                raise AssertionError("demo ended early:\n" + "".join(seen))
            seen.append(line.decode())
            if match := re.search(pattern, seen[-1]):
                return match

    return await asyncio.wait_for(scan(), timeout)


def is_menu(message: dict) -> bool:
    return message["from_bot"] and "中文 / English" in message["buttons"]


async def menu_of(client: SandboxClient, user: int) -> tuple[str, list[str]]:
    """/start and the menu it brings (the demo's alerts and notices may arrive around it)."""
    before = len(await client.messages(user))
    await client.send_command(user, "/start")
    shown = await client.wait_until(
        user, lambda ms: any(is_menu(m) for m in ms[before:]), timeout=20
    )
    message = next(m for m in reversed(shown) if is_menu(m))
    return message["text"], message["buttons"]


async def admin_opens_gongshi_and_the_channel_shows_it(client: SandboxClient) -> None:
    """The demo's own public channel receives the lists when the admin opens the 公示."""
    await client.click(ADMIN, "公示管理：开始、结束、张榜公告")
    await client.wait_until(ADMIN, lambda ms: "开始2026年度公示" in str(ms[-1]), timeout=20)
    await client.click(ADMIN, "开始2026年度公示")
    await client.wait_until(ADMIN, lambda ms: "确认开始" in str(ms[-1]), timeout=20)
    await client.click(ADMIN, "确认开始")
    # A channel takes 20 messages a minute: the first pages are enough to see.
    posts = await client.wait_for(DEFAULT_CHANNEL_ID, 3, timeout=60)
    assert all(post["protect_content"] for post in posts)
    text = "\n".join(post["text"] or "" for post in posts)
    assert "考核等次" in text and "2026" in text


async def test_demo_runs_every_role_and_stops_on_ctrl_c(tmp_path):
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from bot.cli import main; main()", "demo", "--port", "0",
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        startup: list[str] = []
        found = await read_until(process.stdout, r"(http://127\.0\.0\.1:\d+)/", seen=startup)
        url = found.group(1)
        await read_until(process.stdout, r"@gongshi_bot", seen=startup)
        # A quiet start: where the page is, what to do, how to stop (once), and no log lines.
        assert len(startup) <= 5, startup
        assert "".join(startup).count("Ctrl-C") == 1, startup
        assert not any(" INFO " in line for line in startup), startup
        client = SandboxClient(url)
        bureau_text, _ = await menu_of(client, BUREAU)
        unit_text, unit_buttons = await menu_of(client, UNIT)
        _, admin_buttons = await menu_of(client, ADMIN)
        citizen_text, citizen_buttons = await menu_of(client, CITIZEN)
        assert "投诉受理台（县就业局）" in bureau_text
        assert "用人单位联系人 · 县" in unit_text
        assert "邀请工作人员" in admin_buttons
        assert "匿名" in citizen_text and "邀请工作人员" not in citizen_buttons
        assert unit_buttons != citizen_buttons
        # Every role has work waiting: the unit its deadlines, the desk its digest chart.
        await client.click(UNIT, "本单位任务")
        tasks = await client.wait_until(UNIT, lambda ms: "截止" in str(ms[-1]["text"]), timeout=20)
        assert "暂无任务" not in tasks[-1]["text"] and "✅" in tasks[-1]["text"]
        await client.wait_until(
            BUREAU,
            lambda ms: any(m["kind"] == "photo" and "每周汇总" in m["text"] for m in ms),
            timeout=30,
        )
        await admin_opens_gongshi_and_the_channel_shows_it(client)
    finally:
        process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(process.wait(), 60)
    rest = (await process.stdout.read()).decode()
    assert code == 0, rest
    assert "Traceback" not in rest
    assert (tmp_path / "var" / "gongshi.db").exists()
