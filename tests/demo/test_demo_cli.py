"""`gongshi demo-data`: loads, says what it loaded in the configured language, and refuses to
overwrite a database unless told to with --replace."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import typer
from testsupport import SECRET
from typer.testing import CliRunner

from bot.cli_demo import demo_data


def run(tmp_path, *args, language="zh"):
    app = typer.Typer()
    app.command()(demo_data)
    env = {
        "GONGSHI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
        "GONGSHI_SECRET_KEY": SECRET,
        "GONGSHI_LANGUAGE": language,
    }
    return CliRunner().invoke(app, list(args), env=env)


def test_loads_refuses_then_replaces(tmp_path):
    first = run(tmp_path, "--year", "2026")
    assert first.exit_code == 0, first.output
    loaded = "演示数据已载入（随机种子 2026）：26 个用人单位，2683 个岗位，2349 名在岗人员"
    assert loaded in first.stdout
    assert "2026 年度考核（考核中）" in first.stdout
    assert "2025 年度考核（已结束）" in first.stdout
    assert "连续两次考核不合格" in first.stdout
    assert first.stderr == ""

    refused = run(tmp_path, "--year", "2026")
    assert refused.exit_code == 1
    assert "--replace" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    replaced = run(tmp_path, "--replace", "--seed", "7", language="en")
    assert replaced.exit_code == 0, replaced.output
    this_year = datetime.now(ZoneInfo("Asia/Shanghai")).year
    loaded = "Demo data loaded (seed 7): 26 units, 2683 posts, 2349 workers on duty"
    assert loaded in replaced.stdout
    assert f"{this_year} assessment (being assessed)" in replaced.stdout
    with sqlite3.connect(tmp_path / "cli.db") as db:
        years = [row[0] for row in db.execute("select year from cycle order by year")]
        workers = db.execute("select count(*) from worker").fetchone()[0]
    assert (years, workers) == ([this_year - 1, this_year], 2349)
