"""Our bot running in the test's own event loop, and a free port for a webhook listener."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field

from bot.runtimes import make_transport
from bot.runtimes.serving import Webhook, serve
from handlers.core import Dispatcher


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningBot:
    """Our bot in this process; ``start`` and ``stop`` may be called again and again."""

    runtime: str
    token: str
    api_base: str
    dispatcher: Dispatcher
    webhook: Webhook | None = None
    _task: asyncio.Task[None] | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        self._stop = asyncio.Event()
        ready = asyncio.Event()
        transport = make_transport(self.runtime, token=self.token, api_base=self.api_base)  # type: ignore[arg-type]
        self._task = asyncio.create_task(
            serve(
                transport,
                self.dispatcher,
                webhook=self.webhook,
                stop=self._stop,
                on_ready=lambda _username: ready.set(),
            )
        )
        done, _ = await asyncio.wait(
            {self._task, asyncio.ensure_future(ready.wait())},
            timeout=10,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if self._task in done:
            self._task.result()  # raises what stopped it
        assert ready.is_set(), "the bot did not start within 10 s"

    async def stop(self) -> None:
        if self._task is None:
            return
        self._stop.set()
        task, self._task = self._task, None
        await asyncio.wait_for(task, 15)
