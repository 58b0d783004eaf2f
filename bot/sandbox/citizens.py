"""Simulated citizens, for the reliability suites and the benchmarks.

``Citizen`` reacts to whatever the bot last said, as a person does, and files complaint after
complaint; a reply that never comes (the bot was killed) makes them act again after a while, as
a person presses a button twice. ``first_day_part`` is the script of a 公示's first day (who
only opens the bot, who files a complaint, who asks about a ticket code), played update by
update by the load test and over HTTP by ``FirstDayCitizen`` (bench/under_load.py)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import re
from collections.abc import Awaitable
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
    units: list[str] = field(default_factory=lambda: list(UNIT_NAMES))
    typed: list[str] = field(default_factory=list)
    actions: int = 0
    _seen: tuple[int, str] = (0, "")
    _waited: int = 0
    _attempts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

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
            await self._do(self.client.click(self.user, random.choice(self.units)))
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


# -- the first day of a 公示 ------------------------------------------------------------------
BROWSE, FILE, STATUS = "browse", "file", "status"


def first_day_part(n: int) -> str:
    """What the n-th citizen of the first day does after opening the bot: one in twenty files
    a complaint, one in ten asks about a ticket code, the others only look."""
    if n % 20 == 0:
        return FILE
    return STATUS if n % 10 == 1 else BROWSE


def shares_phone(n: int) -> bool:
    """Of those who file, one in two shares their phone number; the others stay anonymous."""
    return n % 40 == 0


def first_day_phone(n: int) -> str:
    return f"139{n:08d}"


STATUS_CODE = "ABCD2345"  # a code nobody was given: the bot says it knows no such ticket


@dataclass
class FirstDayCitizen:
    """The n-th citizen of the first day over the sandbox: opens the bot, then does their
    ``first_day_part``, waiting for each answer and thinking ``think`` seconds before the next
    step. ``stuck`` says why they gave up, if they did (no answer within ``patience``, or an
    answer they did not expect). Two requests a step (act; wait for the chat to change and read
    it), so that thousands of them load the bot more than the sandbox and themselves."""

    client: SandboxClient
    user: int
    n: int
    units: list[str]
    think: tuple[float, float] = (0.5, 2.0)
    patience: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    ticket: str | None = None
    stuck: str | None = None
    _view: dict[str, Any] = field(default_factory=dict)

    async def run(self) -> None:
        try:
            await self._step(self.client.send_command(self.user, "/start"))
            part = first_day_part(self.n)
            if part == STATUS:
                await self._step(self.client.send_command(self.user, "/status", STATUS_CODE))
            elif part == FILE:
                await self._file()
        except (TimeoutError, LookupError, SandboxError) as error:
            self.stuck = f"{type(error).__name__}: {error}"[:200]

    async def _file(self) -> None:
        await self._step(self.client.send_command(self.user, "/complain"))
        for _ in range(2 * len(PROMPTS)):
            said = last_said(self._view["messages"])[1]
            if (found := TICKET.search(said)) is not None:
                self.ticket = found.group(1)
                return
            answer = next((a for prompt, a in PROMPTS if prompt in said), "")
            if answer == "":
                # Part of an answer ("您将匿名投诉。"), the rest to come: wait for it.
                await self._step(None)
                continue
            try:
                await self._step(self._answer(answer))
            except SandboxError:
                # The button went as the answer went on (a newer keyboard): look again.
                await self._step(None)
        raise LookupError("no ticket after every step")

    def _answer(self, answer: str | None) -> Awaitable[int]:
        if answer is None:
            text = f"第{self.n}位市民反映：公示名单中的人员长期不在岗。"
            return self.client.send_text(self.user, text)
        if answer == "匿名投诉" and shares_phone(self.n):
            return self.client.share_contact(self.user, first_day_phone(self.n))
        label = self._a_unit() if answer == "UNIT" else answer
        return self.client.click(self.user, label, view=self._view)

    def _a_unit(self) -> str:
        """One of the units on the list's first page, as a person picks what they see."""
        said = bot_said(self._view["messages"])
        shown: list[str] = said[-1]["buttons"] if said else []
        listed = [label for label in shown if label in self.units] or self.units
        return listed[self.n % len(listed)]

    async def _step(self, action: Awaitable[int] | None) -> None:
        """Think, act, and wait for the bot's newest message to change (and settle: a step
        may answer with two messages; the citizen acts on the last)."""
        if action is None:
            since = int(self._view["version"])
        else:
            await asyncio.sleep(self.rng.uniform(*self.think))
            update_id = await action
            since = int(self.client.injected[update_id]["version"])
        deadline = asyncio.get_running_loop().time() + self.patience
        while True:
            left = deadline - asyncio.get_running_loop().time()
            view = await self.client.changed_since(self.user, since, timeout=max(left, 0.01))
            since = int(view["version"])
            # Another change first (an older message's buttons taken away): wait on.
            if action is None or last_said(view["messages"]) != last_said(
                self._view.get("messages", [])
            ):
                self._view = view
                return
