"""Every benchmark once, one after the other, and a table of their figures and goals in
bench/RESULTS.md.

    .venv/bin/python bench/run_all.py        (or: make bench)

Each benchmark prints its own report, shown here as it runs, and one ``BENCH {json}`` line
per figure, which this script collects. A benchmark that fails is named in the table, and
the exit status is 1; a goal missed is reported, not an error."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ("import_results", "100,000 result rows imported from XLSX into SQLite"),
    (
        "import_results --shared-strings",
        "the same rows saved as Excel saves them, the texts in a table of shared strings",
    ),
    (
        "throughput",
        "500 users in a closed loop: our bot against a bare echo bot, replies/s and latency",
    ),
    ("broadcast", "20,000 recipients at 300 messages/s, and a case alert in the middle"),
    ("fleet_limits", "two sender processes on PostgreSQL at Telegram's 30 messages/s together"),
    ("hostile_files", "hostile spreadsheets refused; others' wait during the largest import"),
    ("under_load", "10,000 citizens' replies while the channel posts and the largest import runs"),
    ("under_load --postgres", "the same on PostgreSQL (a throwaway server of its own)"),
]


def run(name: str) -> tuple[list[dict[str, object]], int, float]:
    """``name``: the script's name, and its arguments if any (``under_load --postgres``)."""
    script, *arguments = name.split()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(HERE / f"{script}.py"), *arguments],
        stdout=subprocess.PIPE,
        text=True,
        cwd=HERE.parent,
    )
    figures: list[dict[str, object]] = []
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("BENCH "):
            figures.append(json.loads(line.removeprefix("BENCH ")))
        else:
            print(line, end="", flush=True)
    return figures, process.wait(), time.perf_counter() - started


def table(results: list[tuple[str, str, list[dict[str, object]], int, float]]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {datetime.now():%Y-%m-%d %H:%M}, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs ({platform.machine()}). Each benchmark's docstring says what "
        "it measures; run one alone with `.venv/bin/python bench/<name>.py --help`.",
        "",
        "| benchmark | figure | value | goal | met? |",
        "|---|---|---|---|---|",
    ]
    for name, _, figures, status, _ in results:
        if status != 0:
            lines.append(f"| {name} | (failed, exit status {status}) | — | — | no |")
        for f in figures:
            value = f"{f['value']:g} {f['unit']}".strip()
            met = "—" if f["met"] is None or f["goal"] == "—" else "yes" if f["met"] else "**no**"
            lines.append(f"| {name} | {f['figure']} | {value} | {f['goal']} | {met} |")
    lines += ["", "| benchmark | what | seconds |", "|---|---|---|"]
    lines += [f"| {name} | {what} | {seconds:.0f} |" for name, what, _, _, seconds in results]
    return "\n".join(lines) + "\n"


def main() -> int:
    results = []
    for name, what in BENCHMARKS:
        print(f"== {name}: {what}", flush=True)
        figures, status, seconds = run(name)
        results.append((name, what, figures, status, seconds))
    written = table(results)
    (HERE / "RESULTS.md").write_text(written, encoding="utf-8")
    print(f"\n{written}")
    return 0 if all(status == 0 for _, _, _, status, _ in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
