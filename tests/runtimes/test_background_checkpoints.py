"""`gongshi run` opens its database with SQLite's automatic checkpoints off and checkpoints
beside the updates instead (storage.checkpoints), until it stops."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import SecretStr

from bot.cli_run import serve_bot


async def test_the_bot_checkpoints_beside_the_updates_not_in_commits(
    token: str, sandbox: Any, storage: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.checkpoints as checkpoints

    seen: dict[str, object] = {}

    async def recorded(engine: Any, stop: asyncio.Event, every: float = 1.0) -> None:
        async with engine.connect() as connection:
            found = await connection.exec_driver_sql("PRAGMA wal_autocheckpoint")
            seen["automatic pages"] = found.scalar()
        await stop.wait()
        seen["stopped"] = True

    monkeypatch.setattr(checkpoints, "keep_checkpointing", recorded)
    settings = storage.settings.model_copy(
        update={"bot_token": SecretStr(token), "api_base": sandbox.url}
    )
    stop = asyncio.Event()
    running = asyncio.create_task(serve_bot(settings, runtime="aiogram", stop=stop))
    try:
        for _ in range(150):
            if "automatic pages" in seen or running.done():
                break
            await asyncio.sleep(0.1)
        assert seen.get("automatic pages") == 0
    finally:
        stop.set()
        await asyncio.wait_for(running, 20)
    assert seen["stopped"] is True
