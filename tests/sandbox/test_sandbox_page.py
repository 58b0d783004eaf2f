"""The chat page in headless Chromium: type, see the bot's reply, press its button, see the
edit; upload a file; read the public channel. A tiny echo bot answers over the Bot API."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import pytest
from sandbox_helpers import BotApi

from bot.sandbox import RunningSandbox
from bot.sandbox.client import SandboxClient

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


async def echo_bot(tg: BotApi) -> None:
    """Answers text with an echo carrying a button, a press by editing that message, and a
    file with its name."""
    offset = 0
    while True:
        for update in await tg.ok("getUpdates", offset=offset, timeout=5):
            offset = update["update_id"] + 1
            if message := update.get("message"):
                chat_id = message["chat"]["id"]
                if "document" in message:
                    name = message["document"]["file_name"]
                    await tg.ok("sendMessage", chat_id=chat_id, text=f"收到文件 / got file: {name}")
                    continue
                await tg.ok(
                    "sendMessage",
                    chat_id=chat_id,
                    text=f"<b>回声 / echo:</b> {message.get('text', '')}",
                    parse_mode="HTML",
                    reply_markup={
                        "inline_keyboard": [[{"text": "确认 / Confirm", "callback_data": "ok"}]]
                    },
                )
            elif query := update.get("callback_query"):
                await tg.ok(
                    "answerCallbackQuery", callback_query_id=query["id"], text="已处理 / done"
                )
                await tg.ok(
                    "editMessageText",
                    chat_id=query["message"]["chat"]["id"],
                    message_id=query["message"]["message_id"],
                    text="已确认 / confirmed ✅",
                )


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
async def test_chat_page_in_headless_chromium(
    sandbox: RunningSandbox, sb: SandboxClient, tg: BotApi, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    citizen = await sb.create_persona("张伟", role="citizen", phone="+8613800000001")
    await sb.create_persona("刘洋", role="bureau")
    await tg.ok(
        "sendMessage",
        chat_id="@gongshi_public",
        text="2025年度考核结果公示：张*三 合格",
        protect_content=True,
    )
    bot = asyncio.create_task(echo_bot(tg))
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            page = await browser.new_page(viewport={"width": 1200, "height": 800})
            errors: list[Any] = []
            page.on("pageerror", lambda error: errors.append(error))
            await page.goto(f"{sandbox.url}/#persona={citizen['id']}")
            # Both personas and their role badges are listed; the empty chat offers START.
            await expect(page.locator(".chat-item .badge", has_text="就业局")).to_be_visible()
            await page.click("#start-btn")
            await expect(page.locator(".msg.in .text").first).to_contain_text("/start")

            await page.fill("#text", "你好，我要投诉")
            await page.press("#text", "Enter")
            reply = page.locator(".msg.in", has_text="你好，我要投诉")
            await expect(reply).to_contain_text("回声 / echo:")
            await expect(page.locator(".msg.out", has_text="你好，我要投诉")).to_be_visible()

            await reply.locator(".key", has_text="确认 / Confirm").click()
            edited = page.locator(".msg.in", has_text="已确认 / confirmed")
            await expect(edited).to_contain_text("已编辑")
            await expect(page.locator("#toast")).to_contain_text("已处理 / done")

            await page.set_input_files(
                "#file-input",
                files=[{"name": "证据.txt", "mimeType": "text/plain", "buffer": b"evidence"}],
            )
            await expect(page.locator(".msg.out .doc-name")).to_contain_text("证据.txt")
            await expect(page.locator(".msg.in", has_text="收到文件")).to_be_visible()

            screenshot = tmp_path / "chat.png"
            await page.screenshot(path=str(screenshot))

            await page.click(".chat-item[data-chat]")
            await expect(page.locator(".post")).to_contain_text("张*三 合格")
            await expect(page.locator(".protected-note")).to_be_visible()
            await browser.close()
        assert errors == []
    finally:
        bot.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await bot

    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    # The user's actions went through the control API and reached the bot as Telegram updates.
    sent_texts = [m["text"] for m in await sb.messages(citizen, from_bot=False)]
    assert sent_texts[:2] == ["/start", "你好，我要投诉"]
