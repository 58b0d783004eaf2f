"""The outbox through a Bot API that fails: the sandbox answers a random share of sendMessage
calls with 429 (retry_after), 500, an answer too late (the sender's timeout), or a lost
connection (before or after the message took effect). No row is lost, nothing is sent
before a 429's retry_after has passed, and a message goes out twice only where the outcome
was unknowable (a lost connection after the effect, an answer after the timeout)."""

from __future__ import annotations

import random
from collections import Counter

from counts_and_sandbox import short_or_long
from sqlalchemy import func, select

from notices.botapi import BotApi
from notices.config import NoticeSettings
from notices.sender import OutboxSender
from storage.db import transaction
from storage.models import Outbox
from storage.outbox import enqueue

TOKEN = "7000000001:FAULTS-test"
IN_FLIGHT = 0.25  # seconds
KINDS = ["retry_after", "error", "delay", "reset", "reset_effect", None, None, None]


async def inject_random_faults(client, rng: random.Random, calls: int) -> Counter:
    """One fault (or none) queued for each of the next `calls` sendMessage calls."""
    queued: Counter = Counter()
    for _ in range(calls):
        kind = rng.choice(KINDS)
        queued[kind or "none"] += 1
        if kind is None:
            # A pass-through: the sandbox has no "no fault", so a delay of zero stands in.
            await client.inject_fault("sendMessage", "delay", delay=0.0)
        elif kind == "retry_after":
            await client.inject_fault("sendMessage", "retry_after", retry_after=rng.choice([1, 2]))
        elif kind == "error":
            await client.inject_fault("sendMessage", "error", status=rng.choice([500, 502]))
        elif kind == "delay":
            await client.inject_fault("sendMessage", "delay", delay=1.5)  # past the timeout
        else:
            await client.inject_fault("sendMessage", "reset", effect=kind == "reset_effect")
    return queued


async def test_no_row_lost_and_no_send_before_retry_after(storage, sandbox, client, counts):
    rng = random.Random(2026)
    chats, per_chat = short_or_long(20, 200), 3
    await client.disable_rate_limits()
    users = []
    for n in range(chats):
        persona = await client.create_persona(f"收件人{n}")
        await client.update_persona(persona, started=True)
        users.append(int(persona["id"]))
    async with transaction(storage.sessions) as session:
        for user in users:
            for k in range(per_chat):
                await enqueue(session, chat_id=user, kind="notice", text=f"{user}-{k}")
    queued = await inject_random_faults(client, rng, chats * per_chat)
    settings = NoticeSettings(
        api_base=sandbox.url,
        bot_token=TOKEN,
        outbox_rate=1000.0,
        outbox_private_per_second=1000.0,
        outbox_poll_seconds=0.05,
        outbox_backoff_base=0.1,
        outbox_backoff_max=0.5,
        outbox_timeout_seconds=1.0,
    )
    api = BotApi(settings.api_base, settings.bot_token, timeout=settings.outbox_timeout_seconds)
    try:
        sender = OutboxSender(sessions=storage.sessions, api=api, settings=settings)
        await sender.drain(timeout=short_or_long(120, 900), wait_for_delayed=True)
    finally:
        await api.aclose()

    calls = await client.calls("sendMessage")
    async with storage.sessions() as session:
        states = dict(
            (await session.execute(select(Outbox.state, func.count()).group_by(Outbox.state))).all()
        )
    copies = Counter(c["params"]["text"] for c in calls if c["ok"])
    expected = {f"{user}-{k}" for user in users for k in range(per_chat)}
    lost = expected - set(copies)
    twice = sum(n - 1 for n in copies.values() if n > 1)
    # Delivered but never answered: a reset after the effect, or an answer after the timeout.
    unknowable = sum(1 for c in calls if c["via"] in ("fault-reset", "fault-delay"))
    early = []
    for refused in (c for c in calls if c["status"] == 429):
        retry_after = int(refused["description"].rsplit(" ", 1)[1])
        until = refused["time"] + refused["duration"] + retry_after
        # Every send of the process waits, not only the refused row's chat. Calls already in
        # flight when the 429 came back (sent together with it, up to outbox_max_in_flight)
        # cannot be recalled: only calls that arrived later than IN_FLIGHT after it count.
        early += [
            c
            for c in calls
            if refused["time"] + IN_FLIGHT < c["time"] < until and c["seq"] > refused["seq"]
        ]
    counts.update(
        rows=len(expected),
        calls=len(calls),
        **{f"fault_{kind}": n for kind, n in sorted(queued.items())},
        delivered=len(copies),
        lost=len(lost),
        sent_twice=twice,
        unknowable_outcomes=unknowable,
        sent_before_retry_after=len(early),
    )
    print(f"\nfaults: {counts}")
    assert states == {"sent": len(expected)}
    assert lost == set()
    assert twice <= unknowable
    assert early == []
