"""When the 公示 opens, every bound worker is told their result is published, where, until when
and how to object; workers and subscribers are counted apart (no more "已通知 0 位订阅者" while
workers are bound), on SQLite and PostgreSQL, and by the CLI."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import typer
from pubworld import CHANNEL, import_people, person
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli_publish import publish_app
from domain.clock import FixedClock
from domain.workdays import WorkCalendar
from services import publication as gongshi
from services.publication import PublicationRules
from storage.db import transaction
from storage.models import Outbox, RoleBinding, TelegramUser, Worker, utcnow

PEOPLE = [person(n) for n in range(4)]
BOUND = (7001, 7002)
REVOKED = 7003


async def bind(storage) -> None:
    async with transaction(storage.sessions) as session:
        ids = list((await session.execute(select(Worker.id).order_by(Worker.id))).scalars())
        for user_id, worker_id in zip((*BOUND, REVOKED), ids, strict=False):
            session.add(TelegramUser(id=user_id, language="zh"))
            session.add(
                RoleBinding(
                    user_id=user_id,
                    role="worker",
                    worker_id=worker_id,
                    revoked_at=utcnow() if user_id == REVOKED else None,
                )
            )


async def test_bound_workers_are_told_and_counted_apart(any_storage):
    storage = any_storage
    await import_people(storage, PEOPLE)
    await bind(storage)
    clock = FixedClock(datetime(2026, 12, 14, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    async with transaction(storage.sessions) as session:
        opened = await gongshi.open_gongshi(
            session=session,
            rules=PublicationRules(
                calendar=WorkCalendar(),
                min_workdays=5,
                channel_id=CHANNEL,
                bot_username="gongshi_bot",
                language="zh",
            ),
            clock=clock,
            year=2026,
            actor="test",
        )
    assert (opened.workers, opened.subscribers) == (2, 0)
    async with storage.sessions() as session:
        rows = (await session.execute(select(Outbox).where(Outbox.chat_id.in_(BOUND)))).scalars()
        told = {row.chat_id: row for row in rows}
        revoked = (
            (await session.execute(select(Outbox).where(Outbox.chat_id == REVOKED))).scalars().all()
        )
    assert set(told) == set(BOUND) and revoked == []
    text = told[BOUND[0]].payload["text"]
    # Published, where, until when (14 Dec + 5 working days: Fri 18 Dec), how to object.
    assert "考核结果已在公示中公布" in text and "公示频道和本机器人" in text
    assert "2026年12月18日（周五）前提出申辩" in text
    data = [b["data"] for row in told[BOUND[0]].payload["buttons"] for b in row]
    assert "wkob:start" in data and "wkme:show" in data


@pytest.fixture
def cli(storage, monkeypatch):
    monkeypatch.setenv("GONGSHI_DATABASE_URL", storage.settings.database_url)
    monkeypatch.setenv("GONGSHI_PUBLIC_CHANNEL", str(CHANNEL))
    asyncio.run(import_people(storage, PEOPLE))
    asyncio.run(bind(storage))
    app = typer.Typer()
    app.add_typer(publish_app, name="publish")
    return lambda *args: CliRunner().invoke(app, ["publish", *args])


def test_the_opening_says_how_many_workers_were_told(cli):
    opened = cli("open", "--cycle", "2026")
    assert opened.exit_code == 0, opened.output
    assert "已通知已绑定的从业人员 2 名（告知其考核结果已公示）、订阅者 0 位" in opened.output
    assert "已通知 0 位订阅者" not in opened.output
