"""`gongshi publish open|close|status|notice`: the window shown, clear one-line refusals (bad
cycle, already open, closing one not open), and the printable notices written per unit."""

from __future__ import annotations

import asyncio

import pytest
import typer
from pdftext import pdf_text
from pubworld import CHANNEL, UNITS, import_people, person
from typer.testing import CliRunner

from bot.cli_publish import publish_app
from domain.clock import SystemClock
from domain.workdays import WorkCalendar
from messages.i18n import Translator
from messages.tasks import day_text
from services import publication as use_case
from storage import publication as store

PEOPLE = [person(n, UNITS[n % 2]) for n in range(6)]


@pytest.fixture
def gongshi(storage, monkeypatch):
    monkeypatch.setenv("GONGSHI_DATABASE_URL", storage.settings.database_url)
    monkeypatch.setenv("GONGSHI_PUBLIC_CHANNEL", str(CHANNEL))
    asyncio.run(import_people(storage, PEOPLE))
    app = typer.Typer()
    app.add_typer(publish_app, name="publish")
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["publish", *args])


def test_open_shows_the_window_and_status_then_close(gongshi):
    t = Translator("zh")
    today = SystemClock().today()
    window = store.plan_window(calendar=WorkCalendar(), today=today, workdays=5)
    opened = gongshi("open", "--cycle", "2026")
    assert opened.exit_code == 0, opened.output
    assert day_text(t, window.opens_on) in opened.output
    assert day_text(t, window.closes_on) in opened.output
    assert "2 个单位" in opened.output

    again = gongshi("open", "--cycle", "2026")
    assert again.exit_code == 2
    assert again.output.strip() == t(
        use_case.ALREADY_OPEN, year=2026, closes=window.closes_on.isoformat()
    )

    status = gongshi("status", "--cycle", "2026")
    assert status.exit_code == 0
    assert "2026年度公示：公示中" in status.output.replace(" ", "")
    assert f"考核结果：{len(PEOPLE)} 条" in status.output

    closed = gongshi("close", "--cycle", "2026")
    assert closed.exit_code == 0, closed.output
    assert f"{len(PEOPLE)} 条结果生效" in closed.output
    twice = gongshi("close", "--cycle", "2026")
    assert twice.exit_code == 2
    assert twice.output.strip() == t(use_case.NOT_OPEN, year=2026)
    reopened = gongshi("open", "--cycle", "2026")
    assert reopened.exit_code == 2 and "Traceback" not in reopened.output


def test_a_cycle_that_does_not_exist_is_one_clear_line(gongshi):
    result = gongshi("open", "--cycle", "2031")
    assert result.exit_code == 2
    assert result.output.strip() == Translator("zh")(store.NO_CYCLE, year=2031)
    closing = gongshi("close", "--cycle", "2031")
    assert closing.exit_code == 2 and len(closing.output.strip().splitlines()) == 1


def test_a_window_shorter_than_the_minimum_is_refused(gongshi):
    result = gongshi("open", "--cycle", "2026", "--days", "3")
    assert result.exit_code == 2
    assert result.output.strip() == Translator("zh")(use_case.TOO_SHORT, min=5, days=3)


def test_the_notices_are_one_pdf_per_unit_with_masked_names(gongshi, tmp_path):
    before = gongshi("notice", "--cycle", "2026", "--output", str(tmp_path / "early"))
    assert before.exit_code == 2 and "请先开始公示" in before.output
    assert gongshi("open", "--cycle", "2026").exit_code == 0
    written = gongshi("notice", "--cycle", "2026", "--output", str(tmp_path / "pdf"))
    assert written.exit_code == 0, written.output
    files = sorted((tmp_path / "pdf").glob("*.pdf"))
    assert len(files) == len(UNITS)
    for unit in UNITS:
        (match,) = [f for f in files if unit in f.name]
        text = pdf_text(match.read_bytes())
        mine = [p for p in PEOPLE if p.unit == unit]
        for p in mine:
            assert p.name not in text and p.id_number not in text and p.phone not in text
            assert f"{p.name[0]}*{p.name[-1]}" in text
    one = gongshi("notice", "--cycle", "2026", "--unit", UNITS[1], "--output", str(tmp_path / "1"))
    assert one.exit_code == 0 and len(list((tmp_path / "1").glob("*.pdf"))) == 1
    unknown = gongshi("notice", "--cycle", "2026", "--unit", "不存在局", "--output", str(tmp_path))
    assert unknown.exit_code == 2 and "不存在局" in unknown.output
