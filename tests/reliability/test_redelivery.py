"""Telegram may deliver an update more than once (a webhook answer lost, a process killed
before it confirmed a batch). A scripted day of the hotline is played once on one database;
then the same updates are played on a fresh one, each delivered 1 to 5 times, the extra
copies shuffled among the later updates and handled in batches of random size (the group
commit path): every update has exactly one effect, the same as in the single run."""

from __future__ import annotations

import random
import re
from collections import Counter

from counts_and_sandbox import short_or_long
from driver import Chat
from sqlalchemy import func, select
from testsupport import make_settings

from bot.app import build_dispatcher
from bot.runtime_context import open_storage
from bot.sandbox.citizens import UNIT_NAMES, add_county
from handlers.core import Dispatcher
from handlers.types import Incoming, Outcome
from messages.replies import Reply
from storage.migrate import upgrade
from storage.models import Case, Complaint, ConversationState, Outbox, RoleBinding, TelegramUser

BUREAU = 7001
CODE = re.compile(r"[2-9A-HJKMNP-Z]{8}")


class Recording(Dispatcher):
    """The dispatcher, keeping every update and what it answered."""

    played: list[tuple[Incoming, Outcome]]

    async def handle(self, incoming: Incoming) -> Outcome:
        outcome = await super().handle(incoming)
        self.played.append((incoming, outcome))
        return outcome


def answered(outcome: Outcome) -> list[str]:
    # Ticket codes are random: the same update files the same complaint under another code.
    return [CODE.sub("CODE", r.text) for r in outcome.replies if isinstance(r, Reply)]


async def day_of_complaints(chat, citizens: int, rng: random.Random) -> None:
    for n in range(citizens):
        me = chat(9000 + n)
        await me.send("/start")
        await me.click("我要投诉")
        await me.click(rng.choice(UNIT_NAMES))
        await me.click("投诉单位本身")
        await me.click("工作作风 / 服务态度")
        await me.send(f"第{n}位市民：该单位人员多次迟到早退，态度很差。")
        await me.click("继续")
        if n % 2:
            await me.share_contact(f"1380013{n:04d}")
        else:
            await me.click("匿名投诉")
        await me.click("提交投诉")
        if n % 3 == 0:
            await me.send("/start")  # and back to the menu


async def effects(storage) -> dict[str, object]:
    async with storage.sessions() as session:
        complaints = Counter(
            (await session.execute(select(Complaint.submitted_by, Complaint.description))).all()
        )
        states = dict(
            (
                await session.execute(select(ConversationState.chat_id, ConversationState.state))
            ).all()
        )
        outbox = dict(
            (await session.execute(select(Outbox.kind, func.count()).group_by(Outbox.kind))).all()
        )
        cases = await session.scalar(select(func.count()).select_from(Case))
    return {"complaints": complaints, "cases": cases, "outbox": outbox, "states": states}


async def bind_bureau(storage) -> None:
    async with storage.sessions() as session, session.begin():
        session.add(TelegramUser(id=BUREAU, language="zh"))
        session.add(RoleBinding(user_id=BUREAU, role="bureau"))


def redelivered(played: list[Incoming], rng: random.Random) -> list[Incoming]:
    """Each update 1 to 5 times: the first copies in the day's order (the hotline's answers
    depend on it: the third complainant about a unit escalates the case), the other copies
    shuffled anywhere after their first."""
    sequence = list(played)
    for incoming in played:
        for _ in range(rng.randint(0, 4)):
            after = sequence.index(incoming)
            sequence.insert(rng.randint(after + 1, len(sequence)), incoming)
    return sequence


async def test_every_update_has_exactly_one_effect(storage, clock, tmp_path, counts):
    rng = random.Random(7)
    citizens = short_or_long(30, 300)
    await add_county(storage)
    await bind_bureau(storage)
    product = build_dispatcher(settings=storage.settings, sessions=storage.sessions, clock=clock)
    once = Recording(
        sessions=storage.sessions,
        settings=storage.settings,
        clock=clock,
        router=product.router,
        services=product.services,
    )
    once.played = []
    await day_of_complaints(lambda user: Chat(once, user), citizens, rng)
    expected = {incoming.update_id: answered(outcome) for incoming, outcome in once.played}
    baseline = await effects(storage)

    again = make_settings(f"sqlite+aiosqlite:///{tmp_path}/again.db")
    async with open_storage(again) as replay:
        await upgrade(replay.engine)
        await add_county(replay)
        await bind_bureau(replay)
        dispatcher = build_dispatcher(settings=again, sessions=replay.sessions, clock=clock)
        sequence = redelivered([incoming for incoming, _ in once.played], rng)
        seen: set[int] = set()
        wrong: list[int] = []
        duplicates_answered = 0
        position = 0
        while position < len(sequence):
            batch = sequence[position : position + rng.randint(1, 8)]
            position += len(batch)
            for incoming, outcome in zip(batch, await dispatcher.handle_many(batch), strict=True):
                if incoming.update_id in seen:
                    duplicates_answered += bool(outcome.replies or not outcome.duplicate)
                    continue
                seen.add(incoming.update_id)
                if answered(outcome) != expected[incoming.update_id]:
                    wrong.append(incoming.update_id)
        replayed = await effects(replay)

    counts.update(
        updates=len(expected),
        deliveries=len(sequence),
        extra_copies=len(sequence) - len(expected),
        complaints=sum(baseline["complaints"].values()),  # type: ignore[union-attr]
        second_effects=duplicates_answered,
        different_answers=len(wrong),
    )
    print(f"\nredelivery: {counts}")
    assert seen == set(expected)
    assert duplicates_answered == 0
    assert wrong == []
    assert replayed == baseline
    assert sum(baseline["complaints"].values()) == citizens  # type: ignore[union-attr]
