"""Update ids start again (a new token on the same database, Telegram after a week without
updates): a new update with an old id is answered, a true redelivery is not, and a dropped
update leaves a warning in the log."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from testsupport import make_settings

from bot.app import build_dispatcher
from handlers.types import Incoming, User
from storage.models import ProcessedUpdate

FIRST_BOT, SECOND_BOT = "7000000001:first-token", "7000000002:second-token"


def dispatcher_of(storage, clock, token: str, **settings):
    chosen = make_settings(str(storage.settings.database_url), bot_token=token, **settings)
    return build_dispatcher(settings=chosen, sessions=storage.sessions, clock=clock)


def start(update_id: int, user_id: int = 5101) -> Incoming:
    return Incoming(update_id=update_id, user=User(user_id), chat_id=user_id, command="start")


async def recorded(storage) -> list[tuple[int, int]]:
    async with storage.sessions() as session:
        found = await session.execute(
            select(ProcessedUpdate.bot_id, ProcessedUpdate.update_id).order_by(
                ProcessedUpdate.bot_id, ProcessedUpdate.update_id
            )
        )
        return [tuple(row) for row in found.all()]


async def test_the_same_update_id_from_another_bot_is_answered(storage, clock):
    first = dispatcher_of(storage, clock, FIRST_BOT)
    assert not (await first.handle(start(1))).duplicate
    second = dispatcher_of(storage, clock, SECOND_BOT)
    outcome = await second.handle(start(1))
    assert not outcome.duplicate
    assert "公示通" in outcome.replies[0].text
    # The second bot's redelivery is still caught, in a batch too.
    again = await second.handle_many([start(1), start(2, 5102)])
    assert again[0].duplicate and not again[1].duplicate
    assert await recorded(storage) == [(7000000001, 1), (7000000002, 1), (7000000002, 2)]


async def test_processed_updates_are_kept_only_for_the_window(storage, clock):
    bot = dispatcher_of(storage, clock, FIRST_BOT, processed_update_days=2)
    await bot.handle(start(1))
    clock.advance(timedelta(days=1))
    await bot.handle(start(2, 5102))
    # Within the window a redelivery is caught.
    assert (await bot.handle(start(1))).duplicate
    clock.advance(timedelta(days=1, hours=2))
    # Update 1 is now more than two days old: pruned, and the same id is new again.
    outcome = await bot.handle(start(1, 5103))
    assert not outcome.duplicate and outcome.replies
    assert await recorded(storage) == [(7000000001, 1), (7000000001, 2)]


async def test_pruning_runs_at_most_once_an_hour(storage, clock):
    bot = dispatcher_of(storage, clock, FIRST_BOT, processed_update_days=1)
    await bot.handle(start(1))
    clock.advance(timedelta(days=1, minutes=1))
    await bot.handle(start(2, 5102))  # prunes update 1
    assert await recorded(storage) == [(7000000001, 2)]
    clock.advance(timedelta(days=1, minutes=1))
    await bot.handle(start(3, 5103))  # more than an hour later: prunes update 2
    assert await recorded(storage) == [(7000000001, 3)]
    clock.advance(timedelta(days=1, minutes=1) - timedelta(minutes=30))
    await bot.handle(start(4, 5104))  # within the hour since the last: nothing pruned yet
    assert await recorded(storage) == [(7000000001, 3), (7000000001, 4)]


async def test_a_dropped_duplicate_is_logged_as_a_warning(storage, clock, caplog):
    bot = dispatcher_of(storage, clock, FIRST_BOT)
    await bot.handle(start(41))
    with caplog.at_level(logging.WARNING):
        assert (await bot.handle(start(41))).duplicate
        assert (await bot.handle_many([start(41), start(42, 5102)]))[0].duplicate
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert all("41" in r.getMessage() and "7000000001" in r.getMessage() for r in warnings)


def test_the_bot_id_is_the_number_before_the_colon_of_the_token():
    from storage.processed_updates import bot_id_of

    assert bot_id_of("123456789:AAE-secret") == 123456789
    assert bot_id_of(None) == 0
    assert bot_id_of("not-a-token") == 0
