"""A scripted week of the hotline on the demo county, then its figures (not a benchmark: a
reproducible walk through the use cases with an injected clock, to read the figures off).

    .venv/bin/python bench/demo_week.py [--seed 2026] [--out DIR]

The demo county (26 units, 2683 posts) is written to a fresh SQLite file; the 公示 opens on
Monday 14 December 2026 for five working days; each day citizens file complaints between 8:00
and 15:00 (the categories in the proportions below), and at 16:00 the offices act as offices
do: most cases are accepted the same or the next day, some wait; a unit returns some as outside
its remit and the desk decides the next day; findings, handling opinions and closings follow;
complainants rate most closed cases; the desk merges a duplicate; a complainant asks for 复查.
The case clocks' sweep runs every evening. On Sunday the 20th the figures of the 公示 are
written (XLSX, PNG) and printed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.runtime_context import open_storage
from bot.settings import load_settings
from documents.figures import percent
from domain.clock import FixedClock
from domain.workdays import WorkCalendar
from notices.case_clocks import sweep_case_clocks
from services import appeals, dispatch
from services import cases as steps
from services.complaints import file_complaint
from services.figures import figures_files
from services.publication import PublicationRules, open_gongshi
from storage.cases import Actor
from storage.complaints import ComplaintDraft
from storage.db import transaction
from storage.demo import load_demo_data
from storage.migrate import upgrade
from storage.models import Case, Result, RoleBinding, TelegramUser, Unit

ZONE = ZoneInfo("Asia/Shanghai")
SECRET = "demo-week-secret-key-long-enough-for-the-hashes"
CALENDAR = WorkCalendar()
BUREAU, INVESTIGATOR = 900001, 900101
CONTACTS = 910000  # + unit id
CITIZENS = 920000
CATEGORIES = [
    ("conduct", 40),
    ("unfair", 20),
    ("absent", 15),
    ("impostor", 8),
    ("fraud", 5),
    ("other", 12),
]
OPINIONS = {
    "属实": "情况属实，责令整改。",
    "部分属实": "部分属实，予以批评教育。",
    "不属实": "经核查，反映情况不属实。",
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ZONE)


async def bind_officials(storage, units: list[int]) -> None:
    async with transaction(storage.sessions) as session:
        for user_id, role, unit_id in [
            (BUREAU, "bureau", None),
            (INVESTIGATOR, "investigator", None),
            *[(CONTACTS + u, "unit", u) for u in units],
        ]:
            session.add(TelegramUser(id=user_id, language="zh"))
            session.add(RoleBinding(user_id=user_id, role=role, unit_id=unit_id))


async def act(storage, fn, **kw) -> bool:
    try:
        async with transaction(storage.sessions) as session:
            await fn(session=session, **kw)
    except steps.CaseRefused:
        return False
    return True


def office(case: Case) -> Actor:
    if case.route == "unit":
        return Actor(CONTACTS + (case.unit_id or 0), "unit", unit_id=case.unit_id)
    if case.route == "investigators":
        return Actor(INVESTIGATOR, "investigator")
    return Actor(BUREAU, "bureau")


async def cases_now(storage) -> list[Case]:
    async with storage.sessions() as session:
        return list((await session.execute(select(Case).order_by(Case.id))).scalars())


async def week(storage, rng: random.Random) -> None:
    async with storage.sessions() as session:
        units = list((await session.execute(select(Unit.id).order_by(Unit.id))).scalars())
        workers = (await session.execute(select(Result.worker_id, Result.unit_id))).all()
    await bind_officials(storage, units)
    async with transaction(storage.sessions) as session:
        rules = PublicationRules(
            calendar=CALENDAR,
            min_workdays=5,
            channel_id=None,
            bot_username="gongshi_bot",
            language="zh",
        )
        await open_gongshi(
            session=session, rules=rules, clock=FixedClock(at(14, 9)), year=2026, actor="demo"
        )
    citizen = CITIZENS
    filed_by: dict[int, int] = {}
    for day in range(14, 19):
        for _ in range(rng.randint(8, 14)):  # the day's complaints
            citizen += 1
            category = rng.choices([c for c, _ in CATEGORIES], [w for _, w in CATEGORIES])[0]
            worker_id, unit_id = rng.choice(workers)
            async with transaction(storage.sessions) as session:
                submitted = await file_complaint(
                    session=session,
                    draft=ComplaintDraft(
                        unit_id=unit_id,
                        worker_id=worker_id,
                        category=category,
                        description="该人员经常不在岗位，请核实。",
                    ),
                    user_id=citizen,
                    language="zh",
                    now=at(day, rng.randint(8, 15)),
                    calendar=CALENDAR,
                    threshold=3,
                    secret_key=SECRET,
                )
                filed_by[submitted.case.id or 0] = citizen
        await office_hours(storage, rng, day, filed_by)
        await sweep_case_clocks(
            sessions=storage.sessions, clock=FixedClock(at(day, 20)), calendar=CALENDAR
        )


async def office_hours(storage, rng: random.Random, day: int, filed_by: dict[int, int]) -> None:
    """What the offices do on ``day``, at 16:00 and later."""
    now = at(day, 16)
    merged = False
    for case in await cases_now(storage):
        who = office(case)
        roll = rng.random()
        if case.state == "submitted" and case.route == "unit" and roll < 0.1:
            await act(
                storage,
                dispatch.return_case,
                case_id=case.id,
                actor=who,
                now=now,
                reason="该岗位不归本单位管理",
            )
        elif case.state == "submitted" and roll < 0.75:
            await act(storage, steps.accept, case_id=case.id, actor=who, now=now, calendar=CALENDAR)
        elif case.state == "returned" and roll < 0.8:
            await act(
                storage,
                dispatch.redispatch,
                case_id=case.id,
                actor=Actor(BUREAU, "bureau"),
                now=now,
                calendar=CALENDAR,
                category="unfair",
            )
        elif case.state == "accepted" and case.route == "investigators" and roll < 0.6:
            await act(
                storage,
                steps.assign,
                case_id=case.id,
                actor=who,
                now=now,
                investigator=INVESTIGATOR,
            )
        elif case.state in ("accepted", "investigating") and roll < 0.45:
            finding = rng.choice(list(OPINIONS))
            chosen = ("criticise",) if case.severity == "serious" and finding != "不属实" else ()
            await act(
                storage,
                steps.record_finding,
                case_id=case.id,
                actor=who,
                now=now,
                finding=finding,
                opinion=OPINIONS[finding],
                calendar=CALENDAR,
                consequences=chosen,
            )
        elif case.state == "concluded" and roll < 0.8:
            await act(storage, steps.close, case_id=case.id, actor=who, now=at(day, 17))
        elif case.state == "closed" and case.rating is None and roll < 0.65:
            rating = rng.choices([1, 2, 3, 4, 5], [1, 1, 2, 5, 6])[0]
            await act(
                storage,
                steps.rate,
                case_id=case.id,
                user_id=filed_by[case.id or 0],
                now=at(day, 19),
                rating=rating,
            )
        elif case.state == "submitted" and case.route == "bureau" and not merged:
            others = [
                c
                for c in await cases_now(storage)
                if c.id != case.id and c.unit_id == case.unit_id and c.state == "accepted"
            ]
            if others:
                merged = await act(
                    storage,
                    steps.merge,
                    case_id=case.id,
                    actor=Actor(BUREAU, "bureau"),
                    now=now,
                    into=others[0].id,
                )
    if day == 18:
        closed = [c for c in await cases_now(storage) if c.state == "closed"]
        if closed:
            await act(
                storage,
                appeals.request_appeal,
                case_id=closed[0].id,
                user_id=filed_by[closed[0].id or 0],
                now=at(day, 20),
                reasons="对处理意见不服，请求复查。",
                calendar=CALENDAR,
            )


async def main(seed: int, out: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="gongshi-week-"))
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{folder}/week.db", secret_key=SECRET
    )
    async with open_storage(settings) as storage:
        await upgrade(storage.engine)
        await load_demo_data(
            sessions=storage.sessions, secret_key=SECRET, seed=seed, year=2026, now=at(1, 9)
        )
        await week(storage, random.Random(seed))
        async with storage.sessions() as session:
            files = await figures_files(
                session=session,
                first=date(2026, 12, 14),
                last=date(2026, 12, 18),
                now=at(20, 18),
                language="zh",
            )
    out.mkdir(parents=True, exist_ok=True)
    (out / files.xlsx_name).write_bytes(files.xlsx)
    (out / files.chart_name).write_bytes(files.chart)
    report = files.report
    print(files.summary)
    for fig in [report.total, *report.offices]:
        print(
            " ".join(
                [
                    f"{fig.name or '全县'}: 受理 {fig.received}",
                    f"{fig.by_channel} {fig.by_category};",
                    f"响应率 {percent(fig.response)}; 按期办结率 {percent(fig.on_time)};",
                    f"解决率 {percent(fig.resolved)}; 满意率 {percent(fig.satisfied)}",
                    f"均分 {fig.mean_rating} ({fig.ratings} 条);",
                    f"回访率 {percent(fig.followed_up)};",
                    f"受理 {fig.days_to_accept} 天; 办结 {fig.days_to_conclude} 天;",
                    f"退单 {fig.returns} 次 {fig.bouncing}; 复查/复核 {fig.appeals}",
                ]
            )
        )
    ranked = [u for u in report.units if u.ranked]
    print(f"units: {len(report.units)} with complaints, {len(ranked)} ranked (5+ ratings)")
    print(f"written: {out / files.xlsx_name}, {out / files.chart_name}")
    print(f"as of {report.as_of}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=Path("."))
    arguments = parser.parse_args()
    asyncio.run(main(arguments.seed, arguments.out))
