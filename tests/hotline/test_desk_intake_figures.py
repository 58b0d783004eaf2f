"""A logged call, letter or visit is counted under its own channel in the centre's figures, on
SQLite and PostgreSQL: the desk's channel names and the figures' are one list."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from test_desk_intake_use_cases import NOW, call, log, setting

from domain.figures import CHANNEL_NAMES
from services.figures import figures_report
from storage.cases import Actor

DESK = Actor(user_id=900, role="bureau")


async def test_calls_letters_and_visits_count_under_their_channel(any_storage):
    async with any_storage.sessions() as session, session.begin():
        unit_id, _, worker_id = await setting(session)
        await log(session, call(unit_id, worker_id, "13800138000"), DESK)
        await log(session, replace(call(unit_id, None, ""), channel="letter"), DESK)
        await log(session, replace(call(unit_id, None, "13900139000"), channel="visit"), DESK)
    async with any_storage.sessions() as session:
        report = await figures_report(
            session=session, first=date(2026, 12, 1), last=date(2026, 12, 31), now=NOW
        )
    assert report.total.by_channel == {"phone": 1, "letter": 1, "visit": 1}
    assert set(report.total.by_channel) <= set(CHANNEL_NAMES)
