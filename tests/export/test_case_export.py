"""The cases export: one row per case of the cycle, dates in Shanghai time, overdue from the
running clock, read back from real XLSX and CSV files; never the complainant's identity."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime_context import open_storage
from domain.complaints import BY_KEY
from domain.desk_intake import CHANNEL_NAMES
from domain.masking import mask_name
from messages.i18n import Translator
from services.case_export import COLUMNS, UnknownFormatError, export_cases
from storage.migrate import upgrade
from storage.models import Case, CaseEvent, ComplainantContact, Complaint, Cycle, Unit, Worker
from storage.subsidy import cycle_by_year

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 28, 10, 0, tzinfo=SHANGHAI)
UNIT = "城关镇人民政府"
WORKER = "欧阳娜娜"
COMPLAINANT_NAME = "李小花"
COMPLAINANT_PHONE = "13912345678"
COMPLAINANT_USER = 987654321


@dataclass(frozen=True)
class Seeded:
    ticket: str
    year: int
    category: str
    severity: str
    route: str
    state: str
    about_worker: bool
    submitted_at: datetime
    accepted_at: datetime | None = None
    closed_at: datetime | None = None
    accept_due: date | None = None
    conclude_due: date | None = None
    finding: str | None = None
    opinion: str = ""
    rating: int | None = None
    channel: str = "chat"
    returns: int = 0


CASES = [
    Seeded(
        "TKCLOSED",
        2026,
        "absent",
        "serious",
        "investigators",
        "closed",
        True,
        submitted_at=datetime(2026, 12, 16, 15, 30, tzinfo=UTC),  # 23:30 in Shanghai
        accepted_at=datetime(2026, 12, 16, 17, 0, tzinfo=UTC),  # the 17th in Shanghai
        closed_at=datetime(2026, 12, 27, 17, 0, tzinfo=UTC),  # the 28th in Shanghai
        accept_due=date(2026, 12, 17),
        conclude_due=date(2027, 1, 15),
        finding="属实",
        opinion="解除岗位协议，追回补贴。",
        rating=4,
    ),
    Seeded(
        "TKLATE",
        2026,
        "conduct",
        "minor",
        "unit",
        "submitted",
        False,
        submitted_at=datetime(2026, 12, 18, 2, 0, tzinfo=UTC),
        accept_due=date(2026, 12, 21),
    ),
    Seeded(
        "TKWORKING",
        2026,
        "unfair",
        "medium",
        "bureau",
        "accepted",
        True,
        submitted_at=datetime(2026, 12, 19, 2, 0, tzinfo=UTC),
        accepted_at=datetime(2026, 12, 21, 2, 0, tzinfo=UTC),
        channel="phone",  # logged by the desk, and returned twice before it was accepted
        returns=2,
        accept_due=date(2026, 12, 21),  # passed, but that clock has stopped
        conclude_due=date(2027, 1, 10),
    ),
    Seeded(
        "TKLASTYEAR",
        2025,
        "other",
        "triage",
        "bureau",
        "rejected",
        False,
        submitted_at=datetime(2025, 12, 18, 2, 0, tzinfo=UTC),
        closed_at=datetime(2025, 12, 19, 2, 0, tzinfo=UTC),
        accept_due=date(2025, 12, 19),
    ),
]
OVERDUE = {"TKLATE"}


async def seed_cases(storage) -> None:
    async with storage.sessions() as session, session.begin():
        unit = Unit(name=UNIT)
        cycles = {2025: Cycle(year=2025, state="closed"), 2026: Cycle(year=2026, state="open")}
        session.add_all([unit, *cycles.values()])
        await session.flush()
        worker = Worker(name=WORKER, id_hash="h1", id_last4="6514", unit_id=unit.id)
        session.add(worker)
        await session.flush()
        for seeded in CASES:
            cycle_id = cycles[seeded.year].id
            worker_id = worker.id if seeded.about_worker else None
            complaint = Complaint(
                ticket_code=seeded.ticket,
                cycle_id=cycle_id,
                unit_id=unit.id,
                worker_id=worker_id,
                category=seeded.category,
                description=f"{COMPLAINANT_NAME}反映的问题",
                anonymous=False,
                submitted_by=COMPLAINANT_USER,
                submitted_at=seeded.submitted_at,
                channel=seeded.channel,
            )
            session.add(complaint)
            await session.flush()
            session.add(
                ComplainantContact(
                    complaint_id=complaint.id,
                    user_id=COMPLAINANT_USER,
                    name=COMPLAINANT_NAME,
                    phone=COMPLAINANT_PHONE,
                )
            )
            case = Case(
                complaint_id=complaint.id,
                cycle_id=cycle_id,
                unit_id=unit.id,
                worker_id=worker_id,
                category=seeded.category,
                severity=seeded.severity,
                route=seeded.route,
                state=seeded.state,
                accept_due=seeded.accept_due,
                conclude_due=seeded.conclude_due,
                finding=seeded.finding,
                opinion=seeded.opinion,
                rating=seeded.rating,
                closed_at=seeded.closed_at,
            )
            session.add(case)
            await session.flush()
            events = [("submitted", seeded.submitted_at)]
            events += [("return", seeded.submitted_at)] * seeded.returns
            if seeded.accepted_at is not None:
                # A later "accept" (after a review) must not move the acceptance date.
                events += [("accept", seeded.accepted_at), ("accept", NOW)]
            for seq, (action, at) in enumerate(events, start=1):
                session.add(
                    CaseEvent(
                        case_id=case.id,
                        seq=seq,
                        action=action,
                        actor_user_id=COMPLAINANT_USER if action == "submitted" else None,
                        at=at,
                    )
                )


async def exported(storage, *, year: int | None, file_format: str, language: str = "zh"):
    async with storage.sessions() as session:
        cycle = None
        if year is not None:
            cycle = await cycle_by_year(session, year)
        return await export_cases(
            session=session, cycle=cycle, file_format=file_format, now=NOW, language=language
        )


def xlsx_lines(content: bytes) -> list[list[str]]:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    return [[str(cell) for cell in row] for row in sheet.to_python()]


def csv_lines(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def table_of(lines: list[list[str]], t: Translator) -> list[dict[str, str]]:
    """The rows under the header, as column name → cell."""
    header = [t(column) for column in COLUMNS]
    start = next(i for i, line in enumerate(lines) if line[: len(header)] == header)
    return [dict(zip(header, line, strict=False)) for line in lines[start + 1 :] if any(line)]


def expected_row(seeded: Seeded, number: int, t: Translator) -> dict[str, str]:
    def local_day(at: datetime | None) -> str:
        return at.astimezone(SHANGHAI).date().isoformat() if at else ""

    values = {
        "Case no.": f"#{number}",
        "Ticket code": seeded.ticket,
        "Submitted at": seeded.submitted_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        "Channel": t(CHANNEL_NAMES[seeded.channel]),
        "Returned (times)": str(seeded.returns),
        "Kind of problem": t(BY_KEY[seeded.category].label),
        "Unit": UNIT,
        "Worker (masked)": mask_name(WORKER) if seeded.about_worker else "",
        "Accepted on": local_day(seeded.accepted_at),
        "Concluded on": local_day(seeded.closed_at),
        "Acceptance due": seeded.accept_due.isoformat() if seeded.accept_due else "",
        "Conclusion due": seeded.conclude_due.isoformat() if seeded.conclude_due else "",
        "Overdue": t("Yes") if seeded.ticket in OVERDUE else t("No"),
        "Finding": seeded.finding or "",
        "Opinion": seeded.opinion,
        "Rating (1-5)": str(seeded.rating) if seeded.rating is not None else "",
    }
    return {t(column): value for column, value in values.items()}


def check_rows(rows: list[dict[str, str]], expected: list[Seeded], t: Translator) -> None:
    assert [row[t("Ticket code")] for row in rows] == [s.ticket for s in expected]
    numbers = [int(row[t("Case no.")].lstrip("#")) for row in rows]
    assert numbers == sorted(numbers)
    for row, seeded, number in zip(rows, expected, numbers, strict=True):
        want = expected_row(seeded, number, t)
        assert {key: row[key] for key in want} == want
        assert row[t("State")] and row[t("Severity")] and row[t("Office in charge")]


def check_no_complainant(text: str) -> None:
    assert COMPLAINANT_NAME not in text
    assert COMPLAINANT_PHONE not in text
    assert str(COMPLAINANT_USER) not in text
    assert WORKER not in text


THIS_YEAR = [s for s in CASES if s.year == 2026]


async def test_xlsx_of_a_cycle_reads_back(any_storage):
    await seed_cases(any_storage)
    content = await exported(any_storage, year=2026, file_format="xlsx")
    lines = xlsx_lines(content)
    t = Translator("zh")
    check_rows(table_of(lines, t), THIS_YEAR, t)
    check_no_complainant("\n".join("\t".join(line) for line in lines))
    assert "2026" in lines[0][0]
    summary = lines[1][0]
    assert str(len(THIS_YEAR)) in summary and str(len(OVERDUE)) in summary


async def test_csv_of_every_year_in_english(storage):
    await seed_cases(storage)
    content = await exported(storage, year=None, file_format="csv", language="en")
    lines = csv_lines(content)
    t = Translator("en")
    assert lines[0] == list(COLUMNS)
    check_rows(table_of(lines, t), CASES, t)
    check_no_complainant(content.decode("utf-8-sig"))


async def test_an_unknown_format_is_refused(storage):
    await seed_cases(storage)
    with pytest.raises(UnknownFormatError):
        await exported(storage, year=2026, file_format="ods")


def env_for(settings) -> dict[str, str]:
    return {
        "GONGSHI_DATABASE_URL": settings.database_url,
        "GONGSHI_SECRET_KEY": settings.secret_key.get_secret_value(),
    }


async def seed_database(settings) -> None:
    async with open_storage(settings) as storage:
        await upgrade(storage.engine)
        await seed_cases(storage)


def test_the_command_writes_the_cycle(settings, tmp_path):
    asyncio.run(seed_database(settings))
    out = tmp_path / "cases.xlsx"
    result = CliRunner().invoke(
        app,
        ["export", "cases", "--cycle", "2026", "--output", str(out)],
        env=env_for(settings),
    )
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    rows = table_of(xlsx_lines(out.read_bytes()), Translator("zh"))
    assert [row["受理编号"] for row in rows] == [s.ticket for s in THIS_YEAR]


def test_the_command_refuses_bad_input(settings):
    asyncio.run(seed_database(settings))
    env = env_for(settings)
    unknown = CliRunner().invoke(app, ["export", "cases", "--cycle", "1999"], env=env)
    assert unknown.exit_code == 1 and "1999" in unknown.output
    bad = CliRunner().invoke(app, ["export", "cases", "--format", "ods"], env=env)
    assert bad.exit_code == 2 and "ods" in bad.output
    assert "Traceback" not in unknown.output + bad.output
