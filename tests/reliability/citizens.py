"""Simulated citizens for the reliability suites: each reacts to whatever the bot last said,
as a person does, and files complaint after complaint; a reply that never comes (the bot was
killed) makes them act again after a while, as a person presses a button twice."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.sandbox.client import SandboxClient, SandboxError
from storage.models import Cycle, Unit

TICKET = re.compile(r"查询码是 ([2-9A-HJKMNP-Z]{8})")
UNIT_NAMES = [f"{n:02d}号单位" for n in range(1, 5)]
# What the bot asks → what the citizen presses (a label) or types (None: a description).
PROMPTS: list[tuple[str, str | None]] = [
    ("您要投诉哪个用人单位", "UNIT"),
    ("还是其中某位从业人员", "投诉单位本身"),
    ("请选择问题类型", "工作作风 / 服务态度"),
    ("请描述具体情况", None),
    ("证据材料可选", "继续"),
    ("分享您本人的手机号码", "匿名投诉"),
    ("是否希望匿名", "匿名投诉"),
    ("请核对您的投诉", "提交投诉"),
]


async def add_county(storage: Any) -> None:
    """A few units and an open 公示, so that complaints go to cases in a cycle."""
    async with storage.sessions() as session, session.begin():
        session.add_all(Unit(name=name, quota=10) for name in UNIT_NAMES)
        session.add(
            Cycle(
                year=2026,
                state="open",
                gongshi_opens_on=date(2026, 12, 15),
                gongshi_closes_on=date(2026, 12, 21),
            )
        )


def bot_said(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["from_bot"] and not m["deleted"]]


def last_said(messages: list[dict[str, Any]]) -> tuple[int, str]:
    """The bot's newest message as it stands (a step may edit its message in place)."""
    said = bot_said(messages)
    return (int(said[-1]["message_id"]), said[-1]["text"] or "") if said else (0, "")


@dataclass
class Citizen:
    client: SandboxClient
    user: int
    patience: float = 1.5
    typed: list[str] = field(default_factory=list)
    actions: int = 0
    _seen: tuple[int, str] = (0, "")
    _waited: int = 0
    _attempts: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def run(self, stop: asyncio.Event) -> None:
        await self.client.send_command(self.user, "/complain")
        while not stop.is_set():
            try:
                messages = await self.client.wait_until(
                    self.user, lambda ms: last_said(ms) != self._seen, timeout=self.patience
                )
                # A step may answer with two messages: act on the last of them.
                await asyncio.sleep(0.05)
                messages = (await self.client.chat(self.user))["messages"]
                impatient = False
            except TimeoutError:
                messages = (await self.client.chat(self.user))["messages"]
                impatient = True
            self._seen = last_said(messages)
            self._waited = self._waited + 1 if impatient else 0
            if self._waited > 2:
                # The answer was lost (the bot died after its commit, before its reply): the
                # button shown is stale now, and the bot says so; start again, as a person would.
                self._waited = 0
                await self._do(self.client.send_command(self.user, "/complain"))
                continue
            await self.react(self._seen[1], impatient=impatient)

    async def react(self, last: str, *, impatient: bool) -> None:
        for prompt, answer in PROMPTS:
            if prompt in last:
                with contextlib.suppress(LookupError, SandboxError):
                    await self._answer(answer)
                return
        # A ticket, the menu, a refusal, or nothing yet: start the next complaint, but only
        # once a reply is overdue, unless the last complaint just went through.
        if impatient or TICKET.search(last):
            await self._do(self.client.send_command(self.user, "/complain"))

    async def _answer(self, answer: str | None) -> None:
        if answer is None:
            text = f"第{next(self._attempts)}次描述：用户{self.user}反映该单位人员经常迟到早退。"
            self.typed.append(text)
            await self._do(self.client.send_text(self.user, text))
        elif answer == "UNIT":
            await self._do(self.client.click(self.user, random.choice(UNIT_NAMES)))
        else:
            await self._do(self.client.click(self.user, answer))

    async def _do(self, action: Any) -> None:
        self.actions += 1
        await action


def tickets_shown(messages: list[dict[str, Any]]) -> list[str]:
    """The ticket codes the bot told the user: complaints acknowledged."""
    return [
        found.group(1)
        for m in bot_said(messages)
        if (found := TICKET.search(m["text"] or "")) is not None
    ]
