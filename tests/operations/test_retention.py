"""Past the outbox retention (30 days by default), `gongshi purge` and the daily retention
sweep delete delivered messages (never a 公示 channel post the close still has to delete) and
take away a finished case's chat and complainant hash; what is still live stays."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from domain.clock import FixedClock
from domain.workdays import WorkCalendar
from notices.config import NoticeSettings
from notices.scheduler import RETENTION, standard_sweeps
from storage.models import Case, ChannelPost, Complaint, Cycle, Outbox, Unit

NOW = datetime.now(UTC)
WEEKS_AGO = NOW - timedelta(days=40)  # past the default 30 days
LATELY = NOW - timedelta(days=10)
CHANNEL = -1001234567890


@pytest.fixture
async def county(storage):
    async with storage.sessions() as session, session.begin():
        unit = Unit(name="01号单位", quota=5)
        cycle = Cycle(year=2026, state="open", gongshi_closes_on=date(2026, 12, 21))
        session.add_all([unit, cycle])
        await session.flush()

        def message(text: str, state: str, at: datetime, chat_id: int = 301) -> Outbox:
            row = Outbox(
                chat_id=chat_id,
                kind="notice",
                payload={"text": text},
                state=state,
                created_at=at,
                sent_at=at if state == "sent" else None,
            )
            session.add(row)
            return row

        message("old sent", "sent", WEEKS_AGO)
        message("old failed", "failed", WEEKS_AGO)
        message("recent sent", "sent", LATELY)
        message("old pending", "pending", WEEKS_AGO)
        post = message("01号单位 公示", "sent", WEEKS_AGO, chat_id=CHANNEL)
        await session.flush()
        session.add(
            ChannelPost(cycle_id=cycle.id, unit_id=unit.id, chat_id=CHANNEL, outbox_id=post.id)
        )

        def complaint(code: str, chat: int, closed: datetime | None) -> Complaint:
            filed = Complaint(
                ticket_code=code,
                cycle_id=cycle.id,
                unit_id=unit.id,
                category="conduct",
                description="该单位人员多次迟到早退。",
                submitted_by=chat,
                complainant_hash=f"hash-{code}",
                submitted_at=(closed or WEEKS_AGO) - timedelta(days=2),
            )
            session.add(filed)
            return filed

        filed = {
            "OLDDONE1": (complaint("OLDDONE1", 401, WEEKS_AGO), "closed", WEEKS_AGO),
            "NEWDONE1": (complaint("NEWDONE1", 402, LATELY), "closed", LATELY),
            "STILLOPN": (complaint("STILLOPN", 403, None), "investigating", None),
            "MERGEDIN": (complaint("MERGEDIN", 404, WEEKS_AGO), "merged", WEEKS_AGO),
        }
        await session.flush()
        cases = {}
        for code, (c, state, closed) in filed.items():
            cases[code] = Case(
                complaint_id=c.id,
                category="conduct",
                severity="minor",
                route="unit",
                state=state,
                closed_at=closed,
                updated_at=closed or NOW,
            )
            session.add(cases[code])
        await session.flush()
        # Merged into a case still open: its complainant is told when that one closes.
        cases["MERGEDIN"].merged_into_id = cases["STILLOPN"].id


async def what_is_kept(storage) -> dict[str, object]:
    async with storage.sessions() as session:
        texts = (await session.execute(select(Outbox.payload))).scalars()
        complaints = (
            await session.execute(
                select(Complaint.ticket_code, Complaint.submitted_by, Complaint.complainant_hash)
            )
        ).all()
    return {
        "outbox": sorted(payload["text"] for payload in texts),
        "complaints": sorted(complaints),
    }


EXPECTED = {
    "outbox": ["01号单位 公示", "old pending", "recent sent"],
    "complaints": [
        ("MERGEDIN", 404, None),
        ("NEWDONE1", 402, None),
        ("OLDDONE1", None, None),
        ("STILLOPN", 403, "hash-STILLOPN"),
    ],
}


async def gongshi(storage, *args: str):
    env = {
        "GONGSHI_DATABASE_URL": storage.settings.database_url,
        "GONGSHI_SECRET_KEY": storage.settings.secret_key.get_secret_value(),
        "GONGSHI_LANGUAGE": "en",
    }
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)


async def test_purge_retires_delivered_messages_and_finished_cases_chats(storage, county):
    before = await what_is_kept(storage)
    dry = await gongshi(storage, "purge", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert (
        "Messages delivered more than 30 days ago: 2; chats of finished cases: 1; "
        "complainant hashes of finished cases: 3."
    ) in dry.output
    assert await what_is_kept(storage) == before

    result = await gongshi(storage, "purge")
    assert result.exit_code == 0, result.output
    assert await what_is_kept(storage) == EXPECTED
    again = await gongshi(storage, "purge")
    assert "Messages delivered more than 30 days ago: 0; chats of finished cases: 0" in again.output


async def test_a_shorter_outbox_retention_is_an_option(storage, county):
    result = await gongshi(storage, "purge", "--outbox-older-than-days", "5")
    assert result.exit_code == 0, result.output
    kept = await what_is_kept(storage)
    assert kept["outbox"] == ["01号单位 公示", "old pending"]
    # Closed ten days ago: its complainant may still ask for 复查 from that chat
    # (domain.appeals), whatever the outbox retention; the hash, only for the daily limit, goes.
    assert ("NEWDONE1", 402, None) in kept["complaints"]


async def test_the_daily_sweep_retires_the_same(storage, county):
    sweeps = standard_sweeps(
        sessions=storage.sessions,
        clock=FixedClock(NOW),
        calendar=WorkCalendar(),
        settings=NoticeSettings(),
    )
    (retention,) = [sweep for sweep in sweeps if sweep.id == RETENTION]
    assert retention.every_seconds == 86400
    await retention.run()
    assert await what_is_kept(storage) == EXPECTED
