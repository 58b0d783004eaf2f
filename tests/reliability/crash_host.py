"""A bot host for the crash suite: imports the bot once, then forks a fresh bot process for
every line read on stdin (the line names the runtime) and prints the child's pid. The test
kills the children with SIGKILL; starting one by fork takes milliseconds, not the seconds a
new interpreter takes to import both frameworks, so a thousand kills fit in a test run.

The child is the bot as ``gongshi run`` starts it (``serve_bot``: updates, outbox, leader),
with the hotline's per-user limits raised: a few simulated citizens file many complaints."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import aiogram  # noqa: F401  (imported here so that children do not)
import telegram  # noqa: F401

import bot.runtimes.aiogram_runtime
import bot.runtimes.files
import bot.runtimes.ptb_runtime
import bot.runtimes.serving  # noqa: F401
import notices.config
import notices.service  # noqa: F401
import storage.migrate  # noqa: F401
from bot.app import build_dispatcher
from bot.cli_run import serve_bot
from bot.settings import load_settings
from domain.complaints import HotlineLimits

UNLIMITED = HotlineLimits(complaints_per_day=10**6, messages_per_minute=10**6)


def build(**kw: object):  # type: ignore[no-untyped-def]
    return build_dispatcher(**kw, services={"hotline_limits": UNLIMITED})  # type: ignore[arg-type]


def child(runtime: str, log: str) -> None:
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(out, 1)
    os.dup2(out, 2)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    asyncio.run(serve_bot(load_settings(), runtime=runtime, build=build))  # type: ignore[arg-type]


def main() -> None:
    log = sys.argv[1]
    # Children are reaped by the kernel: the test sees a killed one vanish.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            try:
                child(line.strip(), log)
            finally:
                os._exit(0)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
