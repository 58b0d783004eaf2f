"""`gongshi inspection plan|member|move|invite` as the administrator types them."""

from __future__ import annotations

import asyncio

import pytest
import typer
from inspection_world import SECRET, build_city
from typer.testing import CliRunner

from bot.cli_inspection import inspection_app


@pytest.fixture
def gongshi(storage, monkeypatch):
    monkeypatch.setenv("GONGSHI_DATABASE_URL", storage.settings.database_url)
    monkeypatch.setenv("GONGSHI_SECRET_KEY", SECRET)
    monkeypatch.setenv("GONGSHI_LANGUAGE", "zh")
    app = typer.Typer()
    app.add_typer(inspection_app, name="inspection")
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["inspection", *args])


def test_the_administrator_plans_adjusts_and_invites(gongshi, storage):
    asyncio.run(build_city(storage.sessions, tasks=False))
    shown = gongshi("plan", "--cycle", "2026")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == (
        "2026 年度考核检查：2026年12月21日（周一）至2026年12月25日（周五），共 2 个考核组。"
    )
    assert "第1组：2 个单位，6 名人员" in lines and "第2组：2 个单位，5 名人员" in lines
    added = gongshi(
        "member", "--cycle", "2026", "--group", "2", "--leader", "--name", "田培革",
        "--post", "市人社局副局长", "--department", "人社",
    )  # fmt: skip
    assert added.exit_code == 0 and "成员编号" in added.output
    member_id = added.output.split("成员编号 ")[1].split("）")[0]
    moved = gongshi("move", "--cycle", "2026", "--unit", "县交通协管站", "--group", "2")
    assert moved.output.strip() == "县交通协管站已调整由第2组考核。"
    assert gongshi("move", "--cycle", "2026", "--unit", "县无此单位", "--group", "2").exit_code == 1
    invited = gongshi("invite", "--cycle", "2026", "--member", member_id)
    assert invited.exit_code == 0 and "?start=inv_" in invited.output
    assert "田培革（第2组考核人员）" in invited.output
    bad = gongshi(
        "member", "--cycle", "2026", "--office", "--name", "郝雪淘", "--department", "公安"
    )
    assert bad.exit_code == 2 and "未知部门“公安”" in bad.output
    after = gongshi("plan", "--cycle", "2026").output
    assert "  组长：田培革 市人社局副局长【人社】" in after
    group2 = after.split("第2组")[1]
    assert "县交通协管站" in group2


def test_export_inspection_writes_the_summary_and_every_record(storage, monkeypatch, tmp_path):
    from bot.cli_export import export_app
    from bot.cli_export_inspection import export_inspection

    monkeypatch.setenv("GONGSHI_DATABASE_URL", storage.settings.database_url)
    monkeypatch.setenv("GONGSHI_SECRET_KEY", SECRET)
    monkeypatch.setenv("GONGSHI_LANGUAGE", "zh")
    asyncio.run(build_city(storage.sessions, tasks=False))
    app = typer.Typer()
    app.add_typer(inspection_app, name="inspection")
    export_app.command("inspection")(export_inspection)
    app.add_typer(export_app, name="export")
    runner = CliRunner()
    refused = runner.invoke(app, ["export", "inspection", "--cycle", "2026"])
    assert refused.exit_code == 1 and "还没有检查方案" in refused.output
    assert runner.invoke(app, ["inspection", "plan", "--cycle", "2026"]).exit_code == 0
    out = tmp_path / "检查"
    done = runner.invoke(app, ["export", "inspection", "--cycle", "2026", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "4 个单位的汇总表和 4 份检查记录" in done.output
    written = sorted(p.name for p in out.iterdir())
    assert "考核检查汇总_2026.xlsx" in written
    assert "考核检查汇总图_2026.png" in written
    assert "检查记录_县城市管理局_2026.pdf" in written and len(written) == 6


def test_an_inspector_is_not_invited_by_the_general_invitation(storage, monkeypatch):
    from bot.cli_invite import invite

    monkeypatch.setenv("GONGSHI_DATABASE_URL", storage.settings.database_url)
    monkeypatch.setenv("GONGSHI_SECRET_KEY", SECRET)
    monkeypatch.setenv("GONGSHI_LANGUAGE", "zh")
    app = typer.Typer()
    app.command("invite")(invite)
    app.command("unused")(lambda: None)
    done = CliRunner().invoke(app, ["invite", "--role", "inspector"])
    assert done.exit_code == 2 and "gongshi inspection invite" in done.output


def test_days_given_on_the_command_line_are_checked_as_the_chat_checks_them(gongshi, storage):
    """Saturday 19 to Sunday 27 December 2026: the window moves onto Monday 21 and Friday 25,
    as a window typed in chat does; a first day in another year is refused, nothing changed."""
    asyncio.run(build_city(storage.sessions, tasks=False))
    moved = gongshi("plan", "--cycle", "2026", "--starts", "2026-12-19", "--due", "2026-12-27")
    assert moved.exit_code == 0, moved.output
    assert moved.output.splitlines()[0].startswith(
        "2026 年度考核检查：2026年12月21日（周一）至2026年12月25日（周五）"
    )
    refused = gongshi("plan", "--cycle", "2026", "--starts", "2027-01-04", "--due", "2027-01-08")
    assert refused.exit_code == 2 and "2026 年度的考核检查须在 2026 年内开始" in refused.output
    assert (
        "2026年12月21日（周一）至2026年12月25日（周五）"
        in gongshi("plan", "--cycle", "2026").output
    )
