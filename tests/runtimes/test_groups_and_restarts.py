"""Over real HTTP on both runtimes: the bot says nothing in a group, and a sandbox started
again on the same database (the demo restarted) is still answered."""

from __future__ import annotations

import asyncio
import contextlib

from runtime_harness import RunningBot
from sqlalchemy import select

from bot.demo import continue_update_ids
from bot.sandbox import SandboxState, start_sandbox
from bot.sandbox.client import SandboxClient
from storage.models import ConversationState, ProcessedUpdate


async def processed_ids(storage) -> set[int]:
    async with storage.sessions() as session:
        return set((await session.execute(select(ProcessedUpdate.update_id))).scalars())


async def wait_processed(storage, update_ids: set[int], timeout: float = 10) -> None:
    async def poll() -> None:
        while not update_ids <= await processed_ids(storage):
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), timeout)


async def test_a_message_and_a_button_in_a_group_get_no_reply(bot, client, storage):
    member = await client.create_persona("群成员")
    group = await client.create_chat("某单位工作群", type="group")
    typed = await client.send_text(member, "/start", chat_id=group["id"])
    # The bot never posted in the group, so the press is forged, as any client can forge one.
    pressed = await client.press(member, 1, "menu:hello", chat_id=group["id"], forge=True)
    await wait_processed(storage, {typed, pressed})

    # The same member in private is answered: the bot was up and reading all along.
    await client.send_text(member, "/start")
    [menu] = await client.wait_for(member, 1)
    assert menu["text"] == "Menu"

    sent = await client.calls("sendMessage") + await client.calls("editMessageText")
    assert {int(call["params"]["chat_id"]) for call in sent} == {member["id"]}
    assert await client.bot_messages(group["id"]) == []
    # The press is only acknowledged, so the member's button stops spinning; nothing is said.
    [answer] = await client.calls("answerCallbackQuery")
    assert not answer["params"].get("text")
    async with storage.sessions() as session:
        chats = set((await session.execute(select(ConversationState.chat_id))).scalars())
    assert chats == {member["id"]}


async def test_a_sandbox_restarted_on_the_same_database_is_answered(
    runtime, token, storage, dispatcher
):
    seen: list[int] = []
    for _run in range(2):
        state = SandboxState()
        persona = state.add_persona(first_name="重启后")
        await continue_update_ids(state, storage.sessions, token)
        sandbox = await start_sandbox(state=state)
        running = RunningBot(runtime, token, sandbox.url, dispatcher)
        try:
            await running.start()
            async with SandboxClient(sandbox.url) as client:
                seen.append(await client.send_text(persona.id, "/start"))
                [menu] = await client.wait_for(persona.id, 1, timeout=10)
                assert menu["text"] == "Menu"
        finally:
            with contextlib.suppress(Exception):
                await running.stop()
            await sandbox.stop()
    assert seen[1] > seen[0]
