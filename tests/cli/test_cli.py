"""The command line as an operator meets it: exit codes and the lines it prints."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from bot.cli import app
from bot.runtime_context import open_storage
from storage.models import Unit

runner = CliRunner()


def gongshi(*args: str, env: dict[str, str]):
    return runner.invoke(app, list(args), env=env)


def env_for(settings) -> dict[str, str]:
    return {
        "GONGSHI_DATABASE_URL": settings.database_url,
        "GONGSHI_SECRET_KEY": settings.secret_key.get_secret_value(),
    }


def test_upgrade_is_safe_twice(settings):
    env = env_for(settings)
    first = gongshi("db", "upgrade", env=env)
    second = gongshi("db", "upgrade", env=env)
    assert first.exit_code == 0 and "升级到" in first.output
    assert second.exit_code == 0 and "已是最新结构" in second.output


def test_status_needs_the_schema(settings):
    result = gongshi("status", env=env_for(settings))
    assert result.exit_code == 2
    assert "gongshi db upgrade" in result.output


def test_status_json_after_demo_data(settings):
    env = env_for(settings)
    assert gongshi("demo-data", "--year", "2026", env=env).exit_code == 0
    result = gongshi("status", "--json", env=env)
    assert result.exit_code == 0
    counts = json.loads(result.output)
    assert counts["units"] == 26
    assert counts["posts"] == {"total": 2683, "filled": 2349, "vacant": 334}
    assert counts["workers"]["on_duty"] == 2349
    assert sum(counts["cycles"]["2026"]["grades"].values()) == 2349
    assert counts["cycles"]["2026"]["state"] == "assessing"
    assert set(counts) == {
        "units", "quota_cuts", "workers", "posts", "cycles", "complaints", "cases",
        "unit_tasks_overdue", "outbox",
    }  # fmt: skip
    assert counts["quota_cuts"] == []
    text = gongshi("status", env=env).output
    assert "公益性岗位：2683 个（在岗 2349，空岗 334）" in text
    assert text.index("合格 ") < text.index("基本合格") < text.index("不合格")


def test_status_shows_the_units_whose_quota_a_finding_cut(settings):
    env = env_for(settings)
    assert gongshi("db", "upgrade", env=env).exit_code == 0
    units = {"01号单位": (40, 2), "02号单位": (15, 0), "03号单位": (8, 1)}

    async def add_units() -> None:
        async with (
            open_storage(settings) as storage,
            storage.sessions() as session,
            session.begin(),
        ):
            session.add_all(
                Unit(name=name, quota=quota, quota_cut=cut) for name, (quota, cut) in units.items()
            )

    asyncio.run(add_units())
    counts = json.loads(gongshi("status", "--json", env=env).output)
    cut = {name: v for name, v in units.items() if v[1] > 0}
    assert counts["quota_cuts"] == [
        {"unit": name, "quota": quota, "cut": n} for name, (quota, n) in cut.items()
    ]
    text = gongshi("status", env=env).output
    [line] = [line for line in text.splitlines() if "核减岗位指标" in line]
    for name, (quota, n) in cut.items():
        assert f"{name} 核减 {n} 个（原指标 {quota} 个）" in line
    assert "02号单位" not in line


def test_a_bad_setting_is_one_line_without_a_traceback(tmp_path):
    process = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", "status"],
        env={
            **os.environ,
            "GONGSHI_TIMEZONE": "Mars/Olympus",
            "PYTHONPATH": os.pathsep.join(sys.path),
        },
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert process.returncode == 2
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and "GONGSHI_TIMEZONE" in lines[0]
    assert "Traceback" not in process.stderr


def test_invite_checks_role_and_unit(settings):
    env = env_for(settings)
    gongshi("db", "upgrade", env=env)
    no_unit = gongshi("invite", "--role", "unit", env=env)
    assert no_unit.exit_code == 2 and "--unit" in no_unit.output
    bad_role = gongshi("invite", "--role", "mayor", env=env)
    assert bad_role.exit_code == 2
    unknown = gongshi("invite", "--role", "unit", "--unit", "不存在的单位", env=env)
    assert unknown.exit_code == 1 and "不存在的单位" in unknown.output
    made = gongshi("invite", "--role", "bureau", env=env)
    assert made.exit_code == 0
    assert "https://t.me/gongshi_bot?start=inv_" in made.output
