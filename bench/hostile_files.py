"""Hostile spreadsheets: the peak memory and the time until each is refused, and how long others
wait on the event loop while the largest allowed file is imported.

    .venv/bin/python bench/hostile_files.py [--rows N] [--largest-only] [--rest R]
                                            [--postgres | --database-url URL]

Each hostile file is built first, then handed to services.imports.import_results in a fresh
process of its own (against a SQLite database holding only the units), which reports its time to
refusal, its own peak resident memory (VmHWM) and that of the reading process it started
(RUSAGE_CHILDREN's ru_maxrss, an upper bound: see peak()). Goal: every peak under 300 MB.

Then the largest allowed file (a city's results, 100,000 rows) is imported while a coroutine in
the same process sleeps 10 ms in a loop; the largest delay it sees is how long another user's
answer could wait. Goal: under a second. By default it is imported as at the command line, into
SQLite; --rest 1.0 imports it as the bot does a file sent in chat (resting after each chunk as
long as the chunk took, in the smaller chunks of storage.importer.RESTING_CHUNK; only where the
database is not SQLite, which never rests), --postgres into a throwaway PostgreSQL server
started as the tests start one, --database-url into an empty PostgreSQL database of your own;
--largest-only leaves the hostile files out.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_results import HEADER, create_database, unit_names, write_xlsx  # noqa: E402

GOAL_MB = 300
GOAL_LAG = 1.0
SECRET = "bench-secret-key-0123456789-0123456789"


def figure(name: str, value: float, unit: str, goal: str, met: bool) -> None:
    """One machine-readable line per figure, collected by bench/run_all.py."""
    line = {"bench": "hostile_files", "figure": name, "value": round(value, 3), "unit": unit}
    print("BENCH " + json.dumps({**line, "goal": goal, "met": met}, ensure_ascii=False))


def row(n: int) -> list[str]:
    return [unit_names()[0], f"张{n}", "110105197001010010", "13900000001", "保洁员", "合格", "是"]


def xlsx_parts(sheet_xml: str, strings: Callable[[IO[bytes]], None] | None = None) -> bytes:
    """A minimal workbook around ``sheet_xml``; ``strings`` writes the shared strings part."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="r1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            f'Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        book.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if strings is not None:
            with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                strings(part)
    return out.getvalue()


def sheet(rows: list[list[str]], dimension: str, extra: str = "") -> str:
    body = "".join(
        f'<row r="{r}">'
        + "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in cells)
        + "</row>"
        for r, cells in enumerate(rows, 1)
    )
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{body}{extra}</sheetData></worksheet>'
    )


FAR = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def zip_bomb() -> bytes:
    """300 MB of one shared string, packed to a few hundred KB."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    def strings(part: IO[bytes]) -> None:
        part.write(f'<sst xmlns="{main}"><si><t>'.encode())
        for _ in range(300):
            part.write(b"A" * 2**20)
        part.write(b"</t></si></sst>")

    extra = '<row r="3"><c r="A3" t="s"><v>0</v></c></row>'
    return xlsx_parts(sheet([HEADER, row(1)], "A1:H3", extra), strings)


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def billion_laughs() -> bytes:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(9)
    )
    xml = sheet([HEADER, [*row(1)[:-1], "&j;"]], "A1:H2")
    return xlsx_parts(f"<!DOCTYPE worksheet [{entities}]>" + xml)


def deep_nesting() -> bytes:
    depth = 100_000
    extra = (
        '<row r="3"><c r="A3" t="inlineStr"><is>'
        + "<r>" * depth
        + "</r>" * depth
        + "</is></c></row>"
    )
    return xlsx_parts(sheet([HEADER], "A1:H3", extra))


CASES = {
    "far cell XFD1048576 (used range says so)": (
        "far.xlsx",
        lambda: xlsx_parts(sheet([HEADER, row(1)], "A1:XFD1048576", FAR)),
    ),
    "far cell XFD1048576 (used range lies)": (
        "far2.xlsx",
        lambda: xlsx_parts(sheet([HEADER, row(1)], "A1:H2", FAR)),
    ),
    "zip bomb: one 300 MB shared string": ("bomb.xlsx", zip_bomb),
    "CSV cell of 5 MB": ("cell.csv", lambda: csv_bytes([HEADER, ["x" * 5 * 2**20]])),
    "CSV unterminated quote": (
        "quote.csv",
        lambda: b",".join(h.encode() for h in HEADER) + b'\n"open' + b"x" * 2**10,
    ),
    "XLSX of 5,000 columns": (
        "wide.xlsx",
        lambda: xlsx_parts(sheet([HEADER + ["c"] * 5000, row(1)], "A1:GNN2")),
    ),
    "CSV of 300,000 rows (limit 200,000)": (
        "many.csv",
        lambda: csv_bytes([HEADER, *(row(n) for n in range(300_000))]),
    ),
    "billion laughs entities": ("laughs.xlsx", billion_laughs),
    "XML nested 100,000 deep": ("deep.xlsx", deep_nesting),
}


def peak(who: int) -> float:
    """Peak resident memory in MB. This process's own from /proc (VmHWM starts afresh at exec,
    where ru_maxrss keeps the high-water mark of the process that forked it); the reading
    process's from RUSAGE_CHILDREN, which therefore includes what it inherited at fork: an
    upper bound."""
    if who == resource.RUSAGE_SELF:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def child_refuse(path: Path, url: str) -> dict[str, object]:
    from services.imports import import_results
    from storage.db import make_engine, make_sessionmaker
    from storage.importer import SheetError

    async def run() -> dict[str, object]:
        engine = make_engine(url)
        started = time.perf_counter()
        try:
            await import_results(
                sessions=make_sessionmaker(engine),
                secret_key=SECRET,
                path=path,
                cycle_year=2026,
                imported_by="bench",
            )
            answer = "IMPORTED"
        except SheetError as error:
            answer = str(error)
        finally:
            await engine.dispose()
        return {"seconds": time.perf_counter() - started, "answer": answer}

    result = asyncio.run(run())
    result["parent_mb"] = peak(resource.RUSAGE_SELF)
    result["child_mb"] = peak(resource.RUSAGE_CHILDREN)
    return result


def child_largest(path: Path, url: str, rest: float = 0.0) -> dict[str, object]:
    """The largest allowed file imported, and the event loop's longest delay meanwhile."""
    from services.imports import import_results
    from storage.db import make_engine, make_sessionmaker

    async def run() -> dict[str, object]:
        engine = make_engine(url)
        lags: list[float] = []
        done = asyncio.Event()

        async def other_user() -> None:
            while not done.is_set():
                before = time.perf_counter()
                await asyncio.sleep(0.01)
                lags.append(time.perf_counter() - before - 0.01)

        watcher = asyncio.create_task(other_user())
        started = time.perf_counter()
        try:
            report = await import_results(
                sessions=make_sessionmaker(engine),
                secret_key=SECRET,
                path=path,
                cycle_year=2026,
                imported_by="bench",
                rest=rest,
            )
        finally:
            done.set()
            await watcher
            await engine.dispose()
        return {
            "seconds": time.perf_counter() - started,
            "created": report.created,
            "max_lag": max(lags),
            "p99_lag": sorted(lags)[int(len(lags) * 0.99)],
        }

    result = asyncio.run(run())
    result["parent_mb"] = peak(resource.RUSAGE_SELF)
    result["child_mb"] = peak(resource.RUSAGE_CHILDREN)
    return result


def in_child(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{done.stderr}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the largest file")
    parser.add_argument("--largest-only", action="store_true", help="no hostile files")
    parser.add_argument("--rest", type=float, default=0.0, help="as the bot's import: 1.0")
    parser.add_argument("--database-url", help="an empty PostgreSQL database for the largest")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        kind, path, url, *rest = options.child
        if kind == "refuse":
            print(json.dumps(child_refuse(Path(path), url), ensure_ascii=False))
        else:
            print(json.dumps(child_largest(Path(path), url, float(rest[0])), ensure_ascii=False))
        return 0
    if options.postgres:
        sys.path.insert(0, str(ROOT / "tests"))
        from pgserver import start_pg

        server = start_pg()
        try:
            return measure(options, server.create_database("hostile"))
        finally:
            server.stop()
    return measure(options, options.database_url)


def measure(options: argparse.Namespace, largest_url: str | None) -> int:
    """The hostile files on SQLite, the largest file into ``largest_url`` (else SQLite too)."""
    worst = None
    with tempfile.TemporaryDirectory(prefix="gongshi-hostile-") as scratch:
        folder = Path(scratch)
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        asyncio.run(create_database(url))
        if not options.largest_only:
            worst = refuse_all(folder, url)
        if largest_url is not None:
            asyncio.run(create_database(largest_url))
        largest = folder / "largest.xlsx"
        write_xlsx(largest, options.rows)
        result = in_child("largest", str(largest), largest_url or url, str(options.rest))
    lag = float(result["max_lag"])  # type: ignore[arg-type]
    where = "SQLite" if (largest_url or url).startswith("sqlite") else "PostgreSQL"
    print(
        f"\nlargest allowed file: {options.rows:,} rows imported into {where} in "
        f"{result['seconds']:.1f} s (rest {options.rest:g}); "
        f"parent peak {result['parent_mb']:.0f} MB, reading process {result['child_mb']:.0f} MB; "
        f"another user's longest wait {lag * 1000:.0f} ms (99th percentile "
        f"{float(result['p99_lag']) * 1000:.0f} ms)"  # type: ignore[arg-type]
    )
    if worst is not None:
        figure(
            "peak memory of any refused hostile file",
            worst,
            "MB",
            f"<= {GOAL_MB}",
            worst <= GOAL_MB,
        )
    figure(
        "longest event-loop wait during the largest import",
        lag,
        "s",
        f"< {GOAL_LAG:g}",
        lag < GOAL_LAG,
    )
    return 0


def refuse_all(folder: Path, url: str) -> float:
    """Each hostile file refused in a process of its own: the highest peak memory seen."""
    worst = 0.0
    print(f"{'file':42} {'size':>9} {'refused in':>10} {'parent':>8} {'reader':>8}  answer")
    for title, (name, build) in CASES.items():
        path = folder / name
        path.write_bytes(build())
        result = in_child("refuse", str(path), url)
        parent, reader = float(result["parent_mb"]), float(result["child_mb"])  # type: ignore[arg-type]
        worst = max(worst, parent, reader)
        print(
            f"{title:42} {path.stat().st_size / 1024:>7.0f} KB {result['seconds']:>9.2f} s "
            f"{parent:>5.0f} MB {reader:>5.0f} MB  {str(result['answer'])[:70]}"
        )
        path.unlink()
    return worst


if __name__ == "__main__":
    raise SystemExit(main())
