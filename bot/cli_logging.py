"""Logging for the long-running commands (`run`, `notices run`, `demo`): one format, a level
chosen with --log-level, and the libraries that log routine work at INFO kept quiet."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

import typer

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# httpx logs every request, Alembic every schema check, and APScheduler two lines for every run
# of every sweep ("Running job", "executed successfully": about 57,000 lines a day).
CHATTY = ("httpx", "alembic", "apscheduler")


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


def log_level_option() -> Any:
    """The same option on every command that logs (a default value for typer, not a level)."""
    return typer.Option(
        LogLevel.INFO,
        "--log-level",
        case_sensitive=False,
        help="日志级别 / log level: DEBUG, INFO, WARNING, ERROR",
    )


def setup_logging(level: LogLevel | str = LogLevel.INFO) -> None:
    """The chatty libraries log from WARNING up, unless DEBUG asks for everything."""
    number = logging.getLevelName(str(level).upper())
    logging.basicConfig(level=number, format=FORMAT)
    logging.getLogger().setLevel(number)
    quiet = number if number <= logging.DEBUG else max(number, logging.WARNING)
    for name in CHATTY:
        logging.getLogger(name).setLevel(quiet)
