"""How long a 100,000-row results import takes next to merely reading the file, and its memory.

    .venv/bin/python bench/import_results.py [--rows N] [--keep DIR] [--repeat N] [--shared-strings]
                                             [--county-rows N]

Writes an XLSX of N rows (26 units; its texts inline in the cells, or with --shared-strings in a
table of shared strings as Excel saves them), then measures in child processes, one after the
other:
  read    storage.importer.read_table alone (calamine once the file passes the checks of
          storage.import_speed, else the streaming reader; text out)
  import  services.imports.import_results, reading included (the reading process reads a
          large file a piece at a time, checks and sends the rows in batches while this one
          writes them), into a fresh SQLite database at the newest schema holding only the units
  pandas  the naive peer: pandas.read_excel(engine="calamine") and DataFrame.to_sql into a fresh
          SQLite file, no validation, no hashing (pandas is the optional "bench" extra:
          pip install -e '.[bench]'; without it the bench says so and measures the rest)
With --county-rows N every import goes into a database already holding a county's N results of
the year before (the same people as the file's first N rows, imported first, not timed), as a
city's file comes after its counties' own.
Each child reports its wall time, its processor time (its own and its reading process's, the
steadier figure on a shared machine) and its own peak resident memory (ru_maxrss), which is the
honest figure for "how much memory does an import need". Each measurement is taken --repeat
times (read and import alternating, every import into a new database) and the best time of each
is compared, so that a busy machine disturbs the ratio less; the peak is the highest seen.
Goals: import ≤ 2 × read, no slower than the pandas peer, ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain.idnumber import make_id_number  # noqa: E402

UNITS = 26
HEADER = ["单位", "姓名", "身份证号", "手机号", "岗位", "考核等次", "是否续签", "备注"]
POSTS = ["保洁员", "治安巡逻员", "公共设施管护员", "就业服务协理员", "交通协管员", "护林员"]
REGIONS = ["110105", "320102", "440305", "510104", "610113", "420111"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂"
SECRET = "bench-secret-key-0123456789"
GOAL_RATIO = 2.0
GOAL_MB = 300


def figure(name: str, value: float, unit: str, goal: str, met: bool) -> None:
    """One machine-readable line per figure, collected by bench/run_all.py."""
    line = {"bench": "import_results", "figure": name, "value": round(value, 3), "unit": unit}
    print("BENCH " + json.dumps({**line, "goal": goal, "met": met}, ensure_ascii=False))


def unit_names() -> list[str]:
    return [f"县第{n + 1:02d}公益服务单位" for n in range(UNITS)]


def write_xlsx(path: Path, rows: int, seed: int = 2026, *, shared_strings: bool = False) -> None:
    """``shared_strings``: each text once in the workbook's table of strings, the cells naming
    it by number, as Excel and WPS save a file; else the text in each cell (inline), as a
    program writing a sheet row by row does."""
    import xlsxwriter

    rng = random.Random(seed)
    units = unit_names()
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": not shared_strings})
    sheet = workbook.add_worksheet("考核结果")
    sheet.write_row(0, 0, ["2026年度公益性岗位考核结果"])
    sheet.write_row(1, 0, HEADER)
    for n in range(rows):
        # Distinct people: the birth date walks forward every 1000 sequence numbers.
        born = date(1965, 1, 1) + timedelta(days=n // 1000)
        id_number = make_id_number(REGIONS[n % len(REGIONS)], born, n % 1000)
        grade = rng.choices(["合格", "基本合格", "不合格"], weights=[90, 8, 2])[0]
        renew = "否" if grade == "不合格" else rng.choices(["是", "否"], weights=[95, 5])[0]
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice([1, 2])))
        sheet.write_row(
            n + 2,
            0,
            [
                units[n % UNITS],
                name,
                id_number,
                f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                rng.choice(POSTS),
                grade,
                renew,
                "" if rng.random() < 0.9 else "年度表现突出",
            ],
        )
    workbook.close()


async def create_database(url: str) -> None:
    from sqlalchemy import insert

    from storage.db import make_engine
    from storage.migrate import upgrade
    from storage.models import Unit, utcnow

    engine = make_engine(url)
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(
                insert(Unit),
                [{"name": name, "quota": 5000, "created_at": utcnow()} for name in unit_names()],
            )
    finally:
        await engine.dispose()


async def timed_import(url: str, path: Path, cycle_year: int) -> tuple[Any, float, float]:
    """The import of ``path`` into the database at ``url``: its report, wall and processor time."""
    from services.imports import import_results
    from storage.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    try:
        started, cpu = time.perf_counter(), cpu_seconds()
        report = await import_results(
            sessions=make_sessionmaker(engine),
            secret_key=SECRET,
            path=path,
            cycle_year=cycle_year,
            imported_by="bench",
            max_mb=2000,
        )
        return report, time.perf_counter() - started, cpu_seconds() - cpu
    finally:
        await engine.dispose()


async def import_county(url: str, path: Path, rows: int) -> None:
    """The file's first ``rows`` people with results of the year before, as a county's own."""
    if not path.exists():
        write_xlsx(path, rows)
    report, _, _ = await timed_import(url, path, 2025)
    if not report.ok:
        raise SystemExit(f"the county's file was refused: {report.issues[:3]}")


def child_read(path: Path) -> dict[str, float]:
    from storage.importer import read_table

    started, cpu = time.perf_counter(), cpu_seconds()
    rows = read_table(path, max_mb=2000)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "cpu": cpu_seconds() - cpu, "rows": len(rows), "peak_mb": peak_mb()}


def child_import(path: Path, url: str) -> dict[str, float]:
    report, seconds, cpu = asyncio.run(timed_import(url, path, 2026))
    if not report.ok:
        raise SystemExit(f"import refused the file: {report.issues[:3]}")
    return {"seconds": seconds, "cpu": cpu, "created": report.created, "peak_mb": peak_mb()}


def child_pandas(path: Path, database: Path) -> dict[str, float]:
    import sqlite3

    import pandas as pd

    started, cpu = time.perf_counter(), cpu_seconds()
    frame = pd.read_excel(path, engine="calamine", header=1, dtype=str)
    with sqlite3.connect(database) as connection:
        frame.to_sql("results", connection, index=False)
    connection.close()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu": cpu_seconds() - cpu,
        "rows": len(frame),
        "peak_mb": peak_mb(),
    }


def have_pandas() -> bool:
    import importlib.util

    return importlib.util.find_spec("pandas") is not None


def peak_mb() -> float:
    """The larger peak of this process and of the reading process it started (the import reads
    and checks the file in a process of its own). Linux reports ru_maxrss in kilobytes."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def cpu_seconds() -> float:
    """Processor time of this process and of the processes it waited for (the reading process),
    user and system: on a busy machine a steadier figure than the wall clock."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def in_child(*args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the file and database here and keep them")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument(
        "--shared-strings",
        action="store_true",
        help="the texts in a table of shared strings, as Excel saves them (default: inline)",
    )
    parser.add_argument(
        "--county-rows",
        type=int,
        default=0,
        help="import into a database already holding this many results of the year before",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        kind, path, *rest = options.child
        if kind == "read":
            result = child_read(Path(path))
        elif kind == "pandas":
            result = child_pandas(Path(path), Path(rest[0]))
        else:
            result = child_import(Path(path), rest[0])
        print(json.dumps(result))
        return 0

    with tempfile.TemporaryDirectory(prefix="gongshi-bench-") as scratch:
        folder = options.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        xlsx = folder / "results.xlsx"
        database = folder / "bench.db"
        for stale in folder.glob("bench.db*"):
            stale.unlink()
        started = time.perf_counter()
        write_xlsx(xlsx, options.rows, shared_strings=options.shared_strings)
        generated = time.perf_counter() - started
        size_mb = xlsx.stat().st_size / 2**20
        url = f"sqlite+aiosqlite:///{database}"
        reads: list[dict[str, float]] = []
        imports: list[dict[str, float]] = []
        peers: list[dict[str, float]] = []
        for _ in range(max(1, options.repeat)):
            for stale in folder.glob("bench.db*"):
                stale.unlink()
            asyncio.run(create_database(url))
            if options.county_rows:
                asyncio.run(import_county(url, folder / "county.xlsx", options.county_rows))
            reads.append(in_child("read", str(xlsx)))
            imports.append(in_child("import", str(xlsx), url))
            if have_pandas():
                peer_db = folder / "peer.db"
                peer_db.unlink(missing_ok=True)
                peers.append(in_child("pandas", str(xlsx), str(peer_db)))
        read = min(reads, key=lambda run: run["seconds"])
        imported = dict(min(imports, key=lambda run: run["seconds"]))
        imported["peak_mb"] = max(run["peak_mb"] for run in imports)

    ratio = imported["seconds"] / read["seconds"]
    peer = min(peers, key=lambda run: run["seconds"]) if peers else None
    lines = [
        f"rows                 {options.rows:>10,}   {UNITS} units, XLSX {size_mb:.1f} MB "
        f"(written in {generated:.1f} s), best of {len(imports)} runs"
        + (f", into a county of {options.county_rows:,}" if options.county_rows else ""),
        f"read                 {read['seconds']:>10.2f} s   peak {read['peak_mb']:.0f} MB, "
        f"CPU {read['cpu']:.2f} s",
        f"import (SQLite)      {imported['seconds']:>10.2f} s   peak {imported['peak_mb']:.0f} MB, "
        f"CPU {imported['cpu']:.2f} s",
        f"import / read        {ratio:>10.2f} x   goal ≤ {GOAL_RATIO:.0f} x "
        f"{'ok' if ratio <= GOAL_RATIO else 'OVER'}",
    ]
    if peer is None:
        lines.append(
            "pandas peer          not measured: pandas is not installed (pip install -e '.[bench]')"
        )
    else:
        versus = imported["seconds"] / peer["seconds"]
        lines += [
            f"pandas peer          {peer['seconds']:>10.2f} s   peak {peer['peak_mb']:.0f} MB, "
            f"CPU {peer['cpu']:.2f} s (read_excel calamine + to_sql SQLite, no checks)",
            f"import / pandas      {versus:>10.2f} x   goal ≤ 1 x "
            f"{'ok' if versus <= 1 else 'OVER'}",
        ]
    lines += [
        f"peak memory (import) {imported['peak_mb']:>10.0f} MB  goal ≤ {GOAL_MB} MB "
        f"{'ok' if imported['peak_mb'] <= GOAL_MB else 'OVER'}",
    ]
    print("\n".join(lines))
    figure("import time / read time", ratio, "x", f"<= {GOAL_RATIO:g}", ratio <= GOAL_RATIO)
    if peer is not None:
        versus = imported["seconds"] / peer["seconds"]
        figure("import time / naive pandas peer", versus, "x", "<= 1", versus <= 1)
    figure(
        "peak memory of the import",
        imported["peak_mb"],
        "MB",
        f"<= {GOAL_MB}",
        imported["peak_mb"] <= GOAL_MB,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
