"""A county's first day, on the command line, on SQLite and PostgreSQL: an empty database, the
units registered, the roster, each unit's procedure record and minutes, the results with the
basis of their grades, the 公示 opened and closed, and the subsidy export."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, timedelta

from procedure_world import procedure_csv
from pubworld import UNITS, person
from sqlmodel import select
from testsupport import SECRET, make_settings
from typer.testing import CliRunner

from bot.app import build_deps
from bot.cli import app
from domain.clock import SystemClock
from services import renewal
from storage.db import make_engine, make_sessionmaker
from storage.models import Cycle, Worker

PEOPLE = [
    person(0, UNITS[0]),
    person(1, UNITS[0], grade="基本合格"),
    person(2, UNITS[0], grade="不合格", renew="否"),
    person(3, UNITS[1]),
]


def sheet(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode("utf-8")


def test_a_county_s_first_day(database_url, tmp_path):
    env = {
        "GONGSHI_DATABASE_URL": database_url,
        "GONGSHI_SECRET_KEY": SECRET,
        "GONGSHI_LANGUAGE": "zh",
    }
    runner = CliRunner()

    def gongshi(*args: object) -> str:
        done = runner.invoke(app, [str(a) for a in args], env=env)
        assert done.exit_code == 0, done.output
        return done.output

    def write(name: str, data: bytes):
        path = tmp_path / name
        path.write_bytes(data)
        return path

    gongshi("db", "upgrade")
    units = write(
        "units.csv",
        sheet(["单位", "岗位指标", "联系电话"], [[UNITS[0], "5", "0571-1"], [UNITS[1], "2", ""]]),
    )
    assert "新增 2 行" in gongshi("import", "units", units)
    roster = write(
        "roster.csv",
        sheet(
            ["单位", "姓名", "身份证号", "手机号", "岗位"],
            [[p.unit, p.name, p.id_number, p.phone, p.post] for p in PEOPLE],
        ),
    )
    gongshi("import", "roster", roster)

    status = gongshi("procedure", "status", "--cycle", 2026)
    assert f"{UNITS[0]}：缺少个人述职、谈话考核、民主测评、集体研究" in status

    held = SystemClock("Asia/Shanghai").today() - timedelta(days=1)
    rows = []
    for unit, members in ((UNITS[0], PEOPLE[:3]), (UNITS[1], PEOPLE[3:])):
        rows += [[unit, "个人述职", held.isoformat(), p.name, "", ""] for p in members]
        rows += [
            [unit, "谈话考核", held.isoformat(), members[0].name, "", ""],
            [unit, "民主测评", held.isoformat(), "王分管", "分管领导", ""],
            [unit, "民主测评", held.isoformat(), "居民甲", "服务对象", ""],
            [unit, "民主测评", held.isoformat(), "居民乙", "服务对象", ""],
            [unit, "集体研究", held.isoformat(), "王分管", "", ""],
        ]
    recorded = gongshi(
        "procedure", "import", write("procedure.csv", procedure_csv(rows)), "--cycle", 2026
    )
    assert "已记录考核程序 8 个环节" in recorded
    minutes = write("集体研究会议纪要.pdf", b"%PDF-1.4 minutes")
    for unit in UNITS[:2]:
        gongshi("procedure", "minutes", minutes, "--cycle", 2026, "--unit", unit)
    assert "均已记录" in gongshi("procedure", "status", "--cycle", 2026)

    header = ["单位", "姓名", "身份证号", "手机号", "岗位", "考核等次", "是否续签", "备注"]
    basis = {"不合格": ["经常缺勤", "经常迟到早退"]}
    lines = [
        [p.unit, p.name, p.id_number, p.phone, p.post, p.grade, p.renew, "",
         *basis.get(p.grade, ["", ""])]
        for p in PEOPLE
    ]  # fmt: skip
    results = write("results.csv", sheet([*header, "勤", "不合格情形"], lines))
    imported = gongshi("import", "results", results, "--cycle", 2026)
    assert "考核程序" not in imported  # nothing missing: no warning

    opened = gongshi("publish", "open", "--cycle", 2026)
    assert "2026年度公示已开始" in opened.replace(" ", "")
    closed = gongshi("publish", "close", "--cycle", 2026)
    assert "4 条结果生效" in closed

    def subsidy() -> dict[str, list[str]]:
        out = tmp_path / "subsidy.csv"
        gongshi("export", "subsidy", "--cycle", 2026, "--format", "csv", "-o", out)
        text = out.read_bytes().decode("utf-8-sig")
        assert "经常缺勤" not in text  # the basis of a grade is the worker's own
        table = list(csv.reader(io.StringIO(text)))
        assert {line[6] for line in table[1:]} == {"已确定"}
        return {line[1]: line for line in table[1:]}

    before = subsidy()
    assert set(before) == {p.name for p in PEOPLE}
    # Closed but nothing signed yet: the renewing workers' subsidies wait for their agreement.
    assert before[PEOPLE[0].name][7] == "待定"

    asyncio.run(paperwork(database_url))
    after = subsidy()
    assert after[PEOPLE[0].name][7] == "继续发放"
    assert after[PEOPLE[2].name][7] == "终止" and after[PEOPLE[2].name][5] == "不续签"


async def paperwork(database_url: str) -> None:
    """The renewal paperwork each unit contact does in chat (「续签手续」), through the same use
    cases: the renewing workers' agreements signed, the non-renewal's reason written."""
    settings = make_settings(database_url)
    engine = make_engine(database_url)
    deps = build_deps(settings, clock=SystemClock("Asia/Shanghai"))
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            cycle = (await session.execute(select(Cycle).where(Cycle.year == 2026))).scalar_one()
            workers = {w.name: w.id for w in (await session.execute(select(Worker))).scalars()}
            for p in PEOPLE:
                action = (
                    {"reason": "考核不合格，不再续签上岗协议"}
                    if p.renew == "否"
                    else {"starts_on": date(2027, 1, 1), "consent": True, "eligible": True}
                )
                await (renewal.record_non_renewal if p.renew == "否" else renewal.sign_agreement)(
                    session=session,
                    deps=deps,
                    cycle=cycle,
                    worker_id=workers[p.name],
                    unit_ids=None,
                    actor_user_id=1,
                    **action,
                )
    finally:
        await engine.dispose()
