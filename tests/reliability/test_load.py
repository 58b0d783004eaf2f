"""The first day of 公示 (bot.sandbox.citizens.first_day_part): 10,000 citizens open the bot,
one in twenty files a complaint and one in ten asks about a ticket code. Their updates go
through the dispatcher the way the runtime feeds it on SQLite (group commits of up to 100
chats, each chat's updates in order).
Counts only, no timing: every update handled and recorded, every complaint stored, no update
answered with an apology."""

from __future__ import annotations

import itertools
import time

from counts_and_sandbox import short_or_long
from sqlalchemy import func, select

from bot.app import build_dispatcher
from bot.runtimes.serving import GroupCommit
from bot.sandbox.citizens import (
    FILE,
    STATUS,
    STATUS_CODE,
    add_county,
    first_day_part,
    first_day_phone,
    shares_phone,
)
from domain.complaints import CATEGORIES
from handlers.core import SOMETHING_WRONG
from handlers.types import Incoming, SharedContact, User
from messages.i18n import translate
from messages.replies import Reply
from storage.models import Complaint, ProcessedUpdate, Unit

BATCH = GroupCommit.MAX_BATCH


def script(user_id: int, n: int, units: list[int], ids: itertools.count) -> list[Incoming]:
    """One citizen's updates: the menu, and for some a complaint or a status question."""
    me = User(user_id, f"市民{n}", None, "zh-hans")

    def update(**fields: object) -> Incoming:
        return Incoming(update_id=next(ids), user=me, chat_id=user_id, **fields)  # type: ignore[arg-type]

    steps = [update(command="start")]
    part = first_day_part(n)
    if part == FILE:
        steps += [
            update(command="complain"),
            update(button=f"cp:unit:{units[n % len(units)]}", callback_id=f"q{n}a", message_id=2),
            update(button="cp:whole", callback_id=f"q{n}b", message_id=3),
            update(button=f"cp:cat:{CATEGORIES[n % len(CATEGORIES)].key}", callback_id=f"q{n}c"),
            update(text=f"第{n}位市民反映：公示名单中的人员长期不在岗。"),
            update(button="cp:evdone", callback_id=f"q{n}d", message_id=6),
        ]
        if shares_phone(n):
            steps.append(update(contact=SharedContact(phone=first_day_phone(n), user_id=user_id)))
        else:
            steps.append(update(button="cp:anon", callback_id=f"q{n}e", message_id=7))
        steps.append(update(button="cp:confirm", callback_id=f"q{n}f", message_id=8))
    elif part == STATUS:
        steps.append(update(command="status", argument=STATUS_CODE))
    return steps


async def test_ten_thousand_citizens_on_the_first_day(storage, clock, counts):
    users = short_or_long(10_000, 50_000)
    await add_county(storage)
    async with storage.sessions() as session:
        units = list((await session.execute(select(Unit.id))).scalars())
    dispatcher = build_dispatcher(settings=storage.settings, sessions=storage.sessions, clock=clock)
    ids = itertools.count(1)
    scripts = [script(10_000_000 + n, n, units, ids) for n in range(users)]
    sorry = translate(SOMETHING_WRONG, "zh-hans")
    handled = replies = apologies = 0
    started = time.perf_counter()
    # Round k holds every citizen's k-th update: a batch never holds two of one chat.
    for round_ in itertools.zip_longest(*scripts):
        due = [incoming for incoming in round_ if incoming is not None]
        for at in range(0, len(due), BATCH):
            for outcome in await dispatcher.handle_many(due[at : at + BATCH]):
                handled += 1
                said = [r.text for r in outcome.replies if isinstance(r, Reply)]
                replies += len(said)
                apologies += sum(text == sorry for text in said)
                apologies += outcome.callback_answer == sorry
    seconds = time.perf_counter() - started
    total = sum(len(s) for s in scripts)
    async with storage.sessions() as session:
        recorded = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
        complaints = await session.scalar(select(func.count()).select_from(Complaint))
    filers = sum(1 for n in range(users) if first_day_part(n) == FILE)
    counts.update(
        citizens=users,
        updates=total,
        handled=handled,
        recorded=recorded,
        lost=total - int(recorded or 0),
        replies=replies,
        apologies=apologies,
        complaints_filed=filers,
        complaints_stored=complaints,
        seconds=f"{seconds:.1f}",
    )
    print(f"\nload: {counts}")
    assert handled == total and recorded == total
    assert apologies == 0
    assert complaints == filers
