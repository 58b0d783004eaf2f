"""`--log-level` on the long-running commands (`run`, `notices run`, `demo`), and APScheduler's
two INFO lines per sweep run ("Running job", "executed successfully") silenced under each,
unless DEBUG asks for everything."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bot.demo
from bot.cli import app

NAMES = ("", "apscheduler", "apscheduler.executors.default", "apscheduler.scheduler", "httpx")


@pytest.fixture(autouse=True)
def levels() -> Iterator[None]:
    """Every test starts from loggers that nobody configured, and leaves them so."""
    loggers = [logging.getLogger(name) for name in NAMES]
    saved = [logger.level for logger in loggers]
    for logger in loggers[1:]:
        logger.setLevel(logging.NOTSET)
    yield
    for logger, level in zip(loggers, saved, strict=True):
        logger.setLevel(level)


def start(tmp_path: Path, *args: str):
    """The command up to its schema check, which an empty database fails (exit 2): logging
    is set up by then."""
    env = {
        "GONGSHI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/empty.db",
        "GONGSHI_SECRET_KEY": "k" * 32,
        "GONGSHI_BOT_TOKEN": "1:never-used",
        "GONGSHI_API_BASE": "http://127.0.0.1:9",
    }
    done = CliRunner().invoke(app, list(args), env=env)
    assert done.exit_code == 2 and "gongshi db upgrade" in done.output, done.output
    return done


def effective(name: str) -> int:
    return logging.getLogger(name).getEffectiveLevel()


COMMANDS = [["run"], ["notices", "run"]]


@pytest.mark.parametrize("command", COMMANDS, ids=["run", "notices-run"])
def test_apscheduler_runs_are_not_logged_by_default(tmp_path, command):
    start(tmp_path, *command)
    assert effective("") == logging.INFO
    assert effective("apscheduler.executors.default") == logging.WARNING
    assert effective("apscheduler.scheduler") == logging.WARNING
    assert effective("httpx") == logging.WARNING


@pytest.mark.parametrize("command", COMMANDS, ids=["run", "notices-run"])
def test_the_log_level_is_chosen(tmp_path, command):
    start(tmp_path, *command, "--log-level", "warning")
    assert effective("") == logging.WARNING
    assert effective("apscheduler.executors.default") == logging.WARNING

    start(tmp_path, *command, "--log-level", "ERROR")
    assert effective("") == logging.ERROR
    assert effective("apscheduler.executors.default") == logging.ERROR

    start(tmp_path, *command, "--log-level", "DEBUG")
    assert effective("") == logging.DEBUG
    assert effective("apscheduler.executors.default") == logging.DEBUG


def test_an_unknown_level_is_refused(tmp_path):
    done = CliRunner().invoke(app, ["run", "--log-level", "LOUD"])
    assert done.exit_code == 2
    assert "'LOUD' is not one of" in done.output


def test_the_demo_takes_a_log_level(monkeypatch):
    started = []

    async def no_demo(**kwargs: object) -> None:
        started.append(kwargs)

    monkeypatch.setattr(bot.demo, "run_demo", no_demo)
    done = CliRunner().invoke(app, ["demo", "--log-level", "WARNING"])
    assert done.exit_code == 0, done.output
    assert started and effective("") == logging.WARNING
    assert effective("apscheduler.executors.default") == logging.WARNING
