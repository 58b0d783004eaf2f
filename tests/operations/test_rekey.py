"""`gongshi rekey`: after the secret key changes, the units' own sheets move every worker's ID
and phone hashes to the new key; the same worker rows keep their results and bindings, a second
run changes nothing, and workers no sheet accounts for are listed by unit and masked name."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from imports.sheets import HEADER, ROSTER_HEADER, UNITS, Sheets, add_units, id_number, phone
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from domain.idnumber import check_digit
from domain.masking import mask_name
from services.imports import import_results, import_roster
from services.workers import bind_by_phone
from storage.db import transaction
from storage.identity import keyed_hash
from storage.models import AuditLog, Result, Worker
from storage.rekey import read_people, rekey_workers

PEOPLE = range(9)  # three workers in each of the three units
NEW_KEY = "the-new-secret-key-after-a-leak-of-the-old"


def name(n: int) -> str:
    return f"张小{n}"


def roster_row(n: int) -> list[str]:
    return [UNITS[n % len(UNITS)], name(n), id_number(n), phone(n), "保洁员"]


def results_row(n: int) -> list[str]:
    return [*roster_row(n), "合格", "是", ""]


@pytest.fixture
def sheets(tmp_path) -> Sheets:
    folder = tmp_path / "sheets"
    folder.mkdir()
    return Sheets(folder)


@pytest.fixture
async def county(storage, sheets):
    return await imported_county(storage, sheets)


async def imported_county(storage, sheets):
    """Nine workers imported under the old key (the settings' key), with 2026 results; the
    roster file."""
    await add_units(storage)
    old_key = storage.settings.secret_key.get_secret_value()
    roster = sheets.xlsx([ROSTER_HEADER, *(roster_row(n) for n in PEOPLE)], "roster.xlsx")
    results = sheets.xlsx([HEADER, *(results_row(n) for n in PEOPLE)], "results.xlsx")
    imported = await import_roster(sessions=storage.sessions, secret_key=old_key, path=roster)
    assert imported.ok and imported.created == len(PEOPLE)
    graded = await import_results(
        sessions=storage.sessions, secret_key=old_key, path=results, cycle_year=2026
    )
    assert graded.ok
    return roster


async def gongshi(storage, *args: str, old_key: str | None = "settings"):
    """`gongshi ...` under the new key, the old one in GONGSHI_OLD_SECRET_KEY, in English."""
    env = {
        "GONGSHI_DATABASE_URL": storage.settings.database_url,
        "GONGSHI_SECRET_KEY": NEW_KEY,
        "GONGSHI_LANGUAGE": "en",
    }
    if old_key == "settings":
        env["GONGSHI_OLD_SECRET_KEY"] = storage.settings.secret_key.get_secret_value()
    elif old_key is not None:
        env["GONGSHI_OLD_SECRET_KEY"] = old_key
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)


async def workers(storage) -> list[tuple[int, str, str | None]]:
    async with storage.sessions() as session:
        found = await session.execute(
            select(Worker.id, Worker.id_hash, Worker.phone_hash).order_by(Worker.id)
        )
        return [tuple(row) for row in found]


async def results_by_worker(storage) -> dict[int, int]:
    async with storage.sessions() as session:
        found = await session.execute(
            select(Result.worker_id, func.count()).group_by(Result.worker_id)
        )
        return dict(found.all())


async def binds_by_phone(storage, *, secret_key: str, n: int) -> bool:
    """Whether person ``n`` would be bound by sharing their phone (rolled back either way)."""
    async with storage.sessions() as session, session.begin():
        bound = await bind_by_phone(
            session=session,
            secret_key=secret_key,
            phone=phone(n),
            user_id=7000 + n,
            now=datetime.now(UTC),
        )
        await session.rollback()
        return bound is not None


def counts(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("Rows read"))


async def test_the_same_workers_move_to_the_new_key(storage, county):
    old_key = storage.settings.secret_key.get_secret_value()
    before = await workers(storage)
    results_before = await results_by_worker(storage)
    assert await binds_by_phone(storage, secret_key=old_key, n=4)

    done = await gongshi(storage, "rekey", str(county))

    assert done.exit_code == 0, done.output
    after = await workers(storage)
    assert [worker_id for worker_id, _, _ in after] == [worker_id for worker_id, _, _ in before]
    by_new_hash = {id_hash: worker_id for worker_id, id_hash, _ in after}
    old_ids = {id_hash: worker_id for worker_id, id_hash, _ in before}
    for n in PEOPLE:
        worker_id = old_ids[keyed_hash(old_key, "id", id_number(n))]
        assert by_new_hash[keyed_hash(NEW_KEY, "id", id_number(n))] == worker_id
    assert {phone_hash for _, _, phone_hash in after} == {
        keyed_hash(NEW_KEY, "phone", phone(n)) for n in PEOPLE
    }
    assert await results_by_worker(storage) == results_before
    assert await binds_by_phone(storage, secret_key=NEW_KEY, n=4)
    assert not await binds_by_phone(storage, secret_key=old_key, n=4)
    assert f"workers re-keyed: {len(PEOPLE)};" in counts(done.output)
    assert f"phones re-keyed: {len(PEOPLE)}." in counts(done.output)
    assert "remove GONGSHI_OLD_SECRET_KEY" in done.output


async def test_a_second_run_finds_everyone_done_and_changes_nothing(storage, county, sheets):
    first = await gongshi(storage, "rekey", str(county))
    assert first.exit_code == 0, first.output
    rekeyed = await workers(storage)
    results = sheets.csv([HEADER, *(results_row(n) for n in PEOPLE)], "results.csv")

    again = await gongshi(storage, "rekey", str(county), str(results))

    assert again.exit_code == 0, again.output
    assert await workers(storage) == rekeyed
    line = counts(again.output)
    assert f"Rows read: {2 * len(PEOPLE)};" in line
    assert "workers re-keyed: 0;" in line
    assert f"already re-keyed: {len(PEOPLE)};" in line
    assert "phones re-keyed: 0." in line
    async with storage.sessions() as session:
        audits = await session.execute(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "rekey")
        )
        assert audits.scalar_one() == 1


async def test_workers_of_a_unit_missing_from_the_sheets_are_listed(storage, county, sheets):
    missing_unit = UNITS[2]
    given = [n for n in PEOPLE if UNITS[n % len(UNITS)] != missing_unit]
    left = [n for n in PEOPLE if n not in given]
    partial = sheets.xlsx([ROSTER_HEADER, *(roster_row(n) for n in given)], "two-units.xlsx")

    done = await gongshi(storage, "rekey", str(partial))

    assert done.exit_code == 1, done.output
    assert f"workers re-keyed: {len(given)};" in counts(done.output)
    assert f"still under the old key: {len(left)}." in done.output
    listed = [line.strip() for line in done.output.splitlines() if line.startswith("  ")]
    masked = "、".join(mask_name(name(n)) for n in left)
    assert listed == [f"{missing_unit} ({len(left)}): {masked}"]
    for n in given:
        assert mask_name(name(n)) not in done.output

    complete = await gongshi(storage, "rekey", str(partial), str(county))
    assert complete.exit_code == 0, complete.output
    assert f"workers re-keyed: {len(left)};" in counts(complete.output)


async def test_a_bad_id_number_is_reported_and_the_other_rows_go_on(storage, county, sheets):
    rows = [roster_row(n) for n in PEOPLE]
    bad = 3
    good_check = id_number(bad)[-1]
    wrong_check = next(c for c in "0123456789X" if c != good_check)
    assert check_digit(id_number(bad)[:17]) == good_check
    rows[bad][2] = id_number(bad)[:17] + wrong_check
    path = sheets.csv([ROSTER_HEADER, *rows], "with-a-typo.csv")

    done = await gongshi(storage, "rekey", str(path))

    assert done.exit_code == 1, done.output
    row_in_file = bad + 2  # the header is row 1
    problems = [line for line in done.output.splitlines() if line.startswith(str(path))]
    assert len(problems) == 1
    assert f"Row {row_in_file}, column 身份证号" in problems[0]
    assert id_number(bad)[:17] not in done.output
    assert f"workers re-keyed: {len(PEOPLE) - 1};" in counts(done.output)
    assert f"Rows read: {len(PEOPLE)};" in counts(done.output)
    assert f"({1}): {mask_name(name(bad))}" in done.output


async def test_dry_run_writes_nothing(storage, county):
    before = await workers(storage)

    done = await gongshi(storage, "rekey", str(county), "--dry-run")

    assert done.exit_code == 0, done.output
    assert "Dry run" in done.output
    assert f"workers re-keyed: {len(PEOPLE)};" in counts(done.output)
    assert await workers(storage) == before


async def test_a_wrong_old_key_matches_nobody_and_says_so(storage, county):
    before = await workers(storage)

    done = await gongshi(storage, "rekey", str(county), old_key="not-the-key-we-used-before")

    assert done.exit_code == 1
    assert f"rows matching no worker: {len(PEOPLE)};" in counts(done.output)
    assert "No row matched a worker" in done.output
    assert await workers(storage) == before


@pytest.mark.parametrize(
    ("old_key", "files", "says"),
    [
        (None, ["roster"], "Set GONGSHI_OLD_SECRET_KEY"),
        (NEW_KEY, ["roster"], "GONGSHI_OLD_SECRET_KEY equals GONGSHI_SECRET_KEY"),
        ("settings", ["roster", "nowhere.xlsx"], "No such file: nowhere.xlsx"),
    ],
)
async def test_bad_input_is_one_line_and_exit_code_2(storage, county, old_key, files, says):
    before = await workers(storage)
    paths = [str(county) if file == "roster" else file for file in files]

    done = await gongshi(storage, "rekey", *paths, old_key=old_key)

    assert done.exit_code == 2
    assert done.output.strip().splitlines() == [done.output.strip()]
    assert says in done.output
    assert "Traceback" not in done.output
    assert await workers(storage) == before


async def test_the_old_key_may_wait_in_the_env_file(storage, county, tmp_path):
    old_key = storage.settings.secret_key.get_secret_value()
    (tmp_path / ".env").write_text(f"GONGSHI_OLD_SECRET_KEY={old_key}\n", encoding="utf-8")

    done = await gongshi(storage, "rekey", str(county), old_key=None)

    assert done.exit_code == 0, done.output
    assert f"workers re-keyed: {len(PEOPLE)};" in counts(done.output)


async def test_the_data_function_on_both_databases(any_storage, sheets):
    roster = await imported_county(any_storage, sheets)
    old_key = any_storage.settings.secret_key.get_secret_value()
    people = read_people(path=roster)
    assert [person.id_number for person in people.people] == [id_number(n) for n in PEOPLE]

    async with transaction(any_storage.sessions) as session:
        outcome = await rekey_workers(
            session=session,
            sheets=[people],
            old_key=old_key,
            new_key=NEW_KEY,
            now=datetime.now(UTC),
        )

    assert (outcome.rekeyed, outcome.phones_rekeyed, outcome.leftovers) == (
        len(PEOPLE),
        len(PEOPLE),
        [],
    )
    assert {id_hash for _, id_hash, _ in await workers(any_storage)} == {
        keyed_hash(NEW_KEY, "id", id_number(n)) for n in PEOPLE
    }
