"""Fixtures and the counts summary shared by the reliability and scale-out suites (conftest
modules cannot be imported by name: several directories have one)."""

from __future__ import annotations

import os

import pytest

from bot.sandbox import RunningSandbox

LONG = os.environ.get("GONGSHI_RELIABILITY", "").lower() == "long"

_counts: list[tuple[str, dict[str, object]]] = []


def short_or_long(short: int, long: int) -> int:
    return long if LONG else short


@pytest.fixture
def counts(request: pytest.FixtureRequest) -> dict[str, object]:
    """A suite's counts: filled by the test, printed in the run's summary."""
    found: dict[str, object] = {}
    _counts.append((request.node.name, found))
    return found


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    shown = [(name, found) for name, found in _counts if found]
    _counts.clear()  # both directories' conftests call this: print once
    if not shown:
        return
    form = "long" if LONG else "short"
    terminalreporter.section(f"reliability counts ({form} form)")
    for name, found in shown:
        figures = ", ".join(f"{key} {value}" for key, value in found.items())
        terminalreporter.write_line(f"{name}: {figures}")


@pytest.fixture
def token(sandbox: RunningSandbox) -> str:
    return f"{sandbox.state.bot.id}:reliability-token"
