"""Completeness before the 公示: opening lists per unit the on-duty workers without a result and
the procedure steps missing, and refuses unless an administrator overrides with a reason (in
chat and on the command line); results that come in while it runs get a full notice period of
their own, posted to the channel, and nobody's result becomes final before it has run."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import typer
from procedure_world import record_all, unit_id
from pubworld import CHANNEL, UNITS, import_people, person, results_csv
from sqlalchemy import select
from testsupport import SECRET
from typer.testing import CliRunner

from bot.cli_publish import publish_app
from domain.clock import FixedClock
from domain.masking import mask_name
from domain.workdays import WorkCalendar
from messages.i18n import Translator
from services.import_report import report_lines
from services.imports import import_results, import_roster
from services.publication import PublicationRules, close_gongshi, open_gongshi
from services.publication_checks import IncompleteError
from services.publication_texts import entry_line
from storage import publication as store
from storage.db import transaction
from storage.models import (
    AuditLog,
    Cycle,
    LateNotice,
    Outbox,
    Result,
    RoleBinding,
    TelegramUser,
    Worker,
)
from storage.public_rows import public_rows
from storage.workers import worker_view

RULES = PublicationRules(WorkCalendar(), 5, CHANNEL, "gongshi_bot", "zh")
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def a_county_half_ready(storage, clock) -> None:
    """Unit 0 has done everything; unit 1 has one worker with a result, one without (from the
    roster only), and has recorded nothing of its procedure."""
    await import_people(storage, [person(0), person(1), person(2, UNITS[1])], procedure=False)
    async with storage.sessions() as session:
        ids = dict((await session.execute(select(Worker.name, Worker.id))).all())
    await record_all(
        storage, clock, await unit_id(storage), [ids[person(0).name], ids[person(1).name]]
    )
    extra = person(3, UNITS[1])
    roster = io.StringIO()
    csv.writer(roster).writerows(
        [
            ["单位", "姓名", "身份证号", "手机号", "岗位"],
            [extra.unit, extra.name, extra.id_number, extra.phone, extra.post],
        ]
    )
    report = await import_roster(
        sessions=storage.sessions, secret_key=SECRET, path=roster.getvalue().encode(),
        filename="roster.csv",
    )  # fmt: skip
    assert report.ok


async def test_opening_is_refused_per_unit_until_an_override_with_a_reason(any_storage, clock):
    storage = any_storage
    await a_county_half_ready(storage, clock)

    async def open_it(reason=None):
        async with transaction(storage.sessions) as session:
            return await open_gongshi(
                session=session, rules=RULES, clock=clock, year=2026, actor="test",
                override_reason=reason,
            )  # fmt: skip

    with pytest.raises(IncompleteError) as refused:
        await open_it()
    (short,) = refused.value.shortfalls
    assert (short.unit_name, short.without_result) == (UNITS[1], 1)
    assert [gap.step for gap in short.gaps] == ["report", "interview", "evaluation", "meeting"]
    with pytest.raises(store.PublicationError):
        await open_it("   ")
    async with storage.sessions() as session:
        assert (await store.cycle_by_year(session, 2026)).state == "assessing"

    opened = await open_it("县林业局已书面承诺12月20日前补齐")
    assert opened.cycle.state == "open"
    async with storage.sessions() as session:
        entry = (
            await session.execute(
                select(AuditLog).where(AuditLog.action == "gongshi_opened_incomplete")
            )
        ).scalar_one()
    assert entry.detail["reason"] == "县林业局已书面承诺12月20日前补齐"
    assert entry.detail["units"][UNITS[1]]["without_result"] == 1


def test_the_command_line_lists_what_each_unit_lacks(storage, clock, monkeypatch):
    monkeypatch.setenv("GONGSHI_DATABASE_URL", storage.settings.database_url)
    asyncio.run(a_county_half_ready(storage, clock))
    app = typer.Typer()
    app.add_typer(publish_app, name="publish")
    runner = CliRunner()
    refused = runner.invoke(app, ["publish", "open", "--cycle", "2026"])
    assert refused.exit_code == 2
    assert "2026 年度公示尚不能开始：有 1 个单位未就绪" in refused.output
    assert f"{UNITS[1]}：1 名在岗人员没有考核结果（{person(3).name}）" in refused.output
    assert f"{UNITS[1]}：缺少个人述职、谈话考核、民主测评、集体研究" in (refused.output)
    assert UNITS[0] not in refused.output
    opened = runner.invoke(
        app, ["publish", "open", "--cycle", "2026", "--override", "补报材料已在途"]
    )
    assert opened.exit_code == 0, opened.output


async def test_an_administrator_overrides_in_the_chat(storage, chat, clock):
    await a_county_half_ready(storage, clock)
    async with storage.sessions() as session, session.begin():
        session.add(TelegramUser(id=9101))
        await session.flush()
        session.add(RoleBinding(user_id=9101, role="admin"))
    admin = chat(9101)
    await admin.send("/start")
    await admin.click("公示管理：开始、结束、张榜公告")
    await admin.click("开始2026年度公示")
    await admin.click("确认开始")
    assert f"{UNITS[1]}：1 名在岗人员没有考核结果（{person(3).name}）" in admin.last
    await admin.click("说明理由后仍然开始")
    await admin.send("县林业局补报材料已在途")
    assert admin.last.startswith("2026年度公示已开始")
    async with storage.sessions() as session:
        assert (await store.cycle_by_year(session, 2026)).state == "open"
        reasons = (
            (
                await session.execute(
                    select(AuditLog.detail).where(AuditLog.action == "gongshi_opened_incomplete")
                )
            )
            .scalars()
            .all()
        )
    assert [r["reason"] for r in reasons] == ["县林业局补报材料已在途"]


async def test_results_changed_during_the_gongshi_get_their_own_full_notice(any_storage):
    storage = any_storage
    clock = FixedClock(datetime(2026, 12, 16, 9, tzinfo=SHANGHAI))
    people = [person(n) for n in range(3)]
    await import_people(storage, people)
    async with transaction(storage.sessions) as session:
        opened = await open_gongshi(session=session, rules=RULES, clock=clock, year=2026, actor="t")
    first_close = opened.window.closes_on

    clock.set(datetime(2026, 12, 18, 10, tzinfo=SHANGHAI))
    changed = [person(0, grade="基本合格"), people[1], people[2], person(7)]

    async def upload():
        return await import_results(
            sessions=storage.sessions, secret_key=SECRET, path=results_csv(changed),
            filename="更正.csv", cycle_year=2026, today=clock.today(), now=clock.now(),
            notice=RULES,
        )  # fmt: skip

    report = await upload()
    own = store.plan_window(calendar=WorkCalendar(), today=clock.today(), workdays=5)
    assert own.closes_on > first_close
    assert (report.late_rows, report.late_until) == (2, own.closes_on)
    warning = "\n".join(report_lines(report, Translator("zh")))
    assert "公示已在进行中：新增或变更的 2 条结果现即公示" in warning

    async with storage.sessions() as session:
        cycle = (await session.execute(select(Cycle).where(Cycle.year == 2026))).scalar_one()
        notices = (await session.execute(select(LateNotice))).scalars().all()
        late_posts = [
            o.payload["text"]
            for o in (await session.execute(select(Outbox))).scalars()
            if o.dedup_key and ":late:" in o.dedup_key
        ]
    assert cycle.gongshi_closes_on == own.closes_on
    assert {(n.opens_on, n.closes_on) for n in notices} == {(own.opens_on, own.closes_on)}
    assert len(late_posts) == 1 and late_posts[0].startswith("2026年12月18日（周五）新增或更正")
    assert mask_name(person(0).name) in late_posts[0] and mask_name(person(7).name) in late_posts[0]
    assert mask_name(person(1).name) not in late_posts[0]
    mark = (
        f"（新增或更正，公示至{own.closes_on.year}年{own.closes_on.month}月{own.closes_on.day}日）"
    )
    assert mark in late_posts[0]
    async with storage.sessions() as session:
        listed = {r.masked_name: r for r in await public_rows(session=session, cycle_id=cycle.id)}
    # The bot's list marks the late rows the same way, and only them.
    zh = Translator("zh")
    assert mark in entry_line(zh, 1, listed[mask_name(person(7).name)])
    assert "新增或更正" not in entry_line(zh, 2, listed[mask_name(person(1).name)])

    async with storage.sessions() as session:
        ids = dict((await session.execute(select(Worker.name, Worker.id))).all())
        late_view = await worker_view(session=session, worker_id=ids[person(7).name])
        kept_view = await worker_view(session=session, worker_id=ids[person(1).name])
    # The worker whose result came late reads their own period; the others the 公示's.
    assert (late_view.opens_on, late_view.closes_on) == (own.opens_on, own.closes_on)
    assert (kept_view.opens_on, kept_view.closes_on) == (opened.window.opens_on, own.closes_on)

    again = await upload()  # the same file again: nothing new to publish
    assert again.already_imported and again.late_rows == 0

    for day in (first_close + timedelta(days=1), own.closes_on):
        async with transaction(storage.sessions) as session:
            with pytest.raises(store.PublicationError) as early:
                await close_gongshi(
                    session=session, year=2026, actor="t",
                    now=datetime(day.year, day.month, day.day, 18, tzinfo=SHANGHAI),
                )  # fmt: skip
        assert early.value.params["n"] == "2"
    after = own.closes_on + timedelta(days=1)
    async with transaction(storage.sessions) as session:
        assert await store.due_to_close(session, today=after) == [2026]
        closed = await close_gongshi(
            session=session, year=2026, actor="t",
            now=datetime(after.year, after.month, after.day, 9, tzinfo=SHANGHAI),
        )  # fmt: skip
    assert closed.final == 4
    async with storage.sessions() as session:
        assert set((await session.execute(select(Result.status))).scalars()) == {"final"}
