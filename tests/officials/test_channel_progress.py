"""The channel's publishing is reported to whoever opened the 公示 once every page is posted
(or given up), once, on SQLite and PostgreSQL; from the CLI, every administrator is told."""

from __future__ import annotations

import pytest
from officials_county import ADMIN, build_county
from sqlalchemy import select

from services.channel_progress import report_when_posted
from storage.audit import audit
from storage.models import ChannelPost, Cycle, Outbox
from storage.outbox import enqueue

CHANNEL = -100123


async def open_with_pages(storage, county, *, opener: int | None) -> int:
    async with storage.sessions() as session, session.begin():
        cycle = (await session.execute(select(Cycle).where(Cycle.year == 2026))).scalar_one()
        cycle.state = "open"
        audit(session, action="gongshi_opened", actor_user_id=opener, target_id=2026)
        for page, unit_id in enumerate(county.units.values(), start=1):
            row = await enqueue(
                session, chat_id=CHANNEL, kind="notice", text=f"page {page}", protect=True
            )
            await session.flush()
            session.add(
                ChannelPost(cycle_id=cycle.id, unit_id=unit_id, chat_id=CHANNEL, outbox_id=row.id)
            )
        return int(cycle.id)


async def post(storage, *states: str) -> None:
    async with storage.sessions() as session, session.begin():
        rows = (
            (await session.execute(select(Outbox).where(Outbox.chat_id == CHANNEL))).scalars().all()
        )
        for row, state in zip(sorted(rows, key=lambda r: r.id), states, strict=False):
            row.state = state


async def report(storage) -> tuple[bool, list[str]]:
    async with storage.sessions() as session, session.begin():
        cycle = (await session.execute(select(Cycle).where(Cycle.year == 2026))).scalar_one()
        told = await report_when_posted(session=session, cycle=cycle)
    async with storage.sessions() as session:
        texts = (
            await session.execute(select(Outbox.payload).where(Outbox.chat_id == ADMIN))
        ).scalars()
        return told, [payload["text"] for payload in texts]


async def test_the_opener_is_told_once_when_every_page_is_up(any_storage):
    county = await build_county(any_storage)
    await open_with_pages(any_storage, county, opener=ADMIN)
    await post(any_storage, "sent", "sent")  # the third page still on its way
    assert await report(any_storage) == (False, [])
    await post(any_storage, "sent", "sent", "sent")
    told, said = await report(any_storage)
    assert told and said == ["2026年度公示已全部发布到公示频道，共 3 页。"]
    assert (await report(any_storage))[1] == said  # the next sweep adds nothing


async def test_pages_that_could_not_be_posted_are_counted(storage):
    county = await build_county(storage)
    await open_with_pages(storage, county, opener=None)  # opened from the CLI
    await post(storage, "sent", "failed", "sent")
    told, said = await report(storage)
    assert told and said == [
        "2026年度公示发布到公示频道：共 3 页，已发布 2 页，1 页未能发布，"
        "原因请系统运行人员查看日志。"
    ]


@pytest.mark.parametrize("states", [(), ("sending", "sent", "sent")])
async def test_nothing_is_said_before_the_pages_are_done(storage, states):
    county = await build_county(storage)
    await open_with_pages(storage, county, opener=ADMIN)
    await post(storage, *states)
    assert await report(storage) == (False, [])
