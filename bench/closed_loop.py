"""The sandbox with a closed loop of users in it, for bench/throughput.py.

    .venv/bin/python bench/closed_loop.py --port 8090

The sandbox as ``python -m bot.sandbox`` runs it, plus two control routes:
  POST /_bench/loop {"users": [...], "per_user": 10}
        each user sends a first text; from then on a user sends the next as soon as the
        sandbox has taken the bot's reply to the previous one (sendMessage to their chat),
        until each has sent ``per_user``.
  GET  /_bench/loop?timeout=600
        waits until every reply came; the seconds from the first text to the last reply,
        and each reply's latency: from the moment the sandbox accepted the update (the text
        was pending for getUpdates) to the moment it had taken the reply.
The loop runs inside the sandbox, so the users cost the bot under test no CPU and no HTTP
round trip of their own, and every time is read on one clock.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sandbox.inject import inject_text  # noqa: E402
from bot.sandbox.server import build_app  # noqa: E402
from bot.sandbox.state import STATE_KEY, SandboxState  # noqa: E402


@dataclass
class ClosedLoop:
    per_user: int
    sent: dict[int, int] = field(default_factory=dict)
    waiting: dict[int, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    last: float = 0.0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def send(self, state: SandboxState, user: int) -> None:
        n = self.sent.get(user, 0)
        self.sent[user] = n + 1
        inject_text(state, user, f"m{n}")
        self.waiting[user] = time.perf_counter()

    def replied(self, state: SandboxState, user: int) -> None:
        began = self.waiting.pop(user, None)
        if began is None:
            return  # not a reply anybody waits for
        self.last = time.perf_counter()
        self.latencies.append(self.last - began)
        if self.sent[user] < self.per_user:
            self.send(state, user)
        elif not self.waiting:
            self.done.set()


class LoopState(SandboxState):
    loop: ClosedLoop | None = None

    def record_call(self, entry: dict[str, Any]) -> None:
        super().record_call(entry)
        if self.loop is not None and entry["ok"] and entry["method"] == "sendMessage":
            self.loop.replied(self, int(entry["params"]["chat_id"]))

    def reset(self) -> None:
        self.loop = None
        super().reset()


async def start_loop(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    assert isinstance(state, LoopState)
    body = await request.json()
    state.loop = ClosedLoop(per_user=int(body["per_user"]))
    for user in body["users"]:
        state.loop.send(state, int(user))
    return web.json_response({"ok": True})


async def loop_result(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    assert isinstance(state, LoopState) and state.loop is not None
    loop = state.loop
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(loop.done.wait(), float(request.query.get("timeout", 600)))
    return web.json_response(
        {
            "done": loop.done.is_set(),
            "seconds": loop.last - loop.started,
            "latencies": loop.latencies,
        }
    )


def main(port: int) -> None:
    app = build_app(LoopState())
    app.router.add_post("/_bench/loop", start_loop)
    app.router.add_get("/_bench/loop", loop_result)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    main(parser.parse_args().port)
