"""Loading the demo into a database: the counts of the seed city, identifiers only as keyed
hashes, two cycles of results, refusal to overwrite, and replacement on request."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text
from sqlmodel import SQLModel
from testsupport import SECRET, make_settings

from bot.runtime_context import open_storage
from storage.demo import DemoDataExists, build_demo_plan, load_demo_data, purge_statements
from storage.identity import keyed_hash
from storage.migrate import upgrade
from storage.models import (
    Case,
    CaseEvent,
    ChannelPost,
    Complaint,
    Invitation,
    Official,
    Reminder,
    RenewalPaper,
    RoleBinding,
    Unit,
    UnitTask,
    Verification,
    Worker,
    WorkerCode,
)

YEAR = 2026


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One SQLite database loaded once for the read-only tests of this module.

    Loaded in a thread with its own event loop, so that it cannot disturb the loop pytest-asyncio
    gives each test."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"

    async def load():
        async with open_storage(make_settings(f"sqlite+aiosqlite:///{path}")) as storage:
            await upgrade(storage.engine)
            return await load_demo_data(sessions=storage.sessions, secret_key=SECRET, year=YEAR)

    with ThreadPoolExecutor(1) as pool:
        summary = pool.submit(asyncio.run, load()).result()
    connection = sqlite3.connect(path)
    yield path, summary, connection
    connection.close()


def scalar(connection, sql):
    return connection.execute(sql).fetchone()[0]


def test_tables_hold_the_seed_city(loaded):
    _, summary, db = loaded
    assert scalar(db, "select count(*) from unit") == summary.units == 26
    assert scalar(db, "select count(*) from post") == summary.posts == 2683
    assert scalar(db, "select count(*) from post where worker_id is not null") == 2349
    assert scalar(db, "select count(*) from post where worker_id is null") == summary.vacant == 334
    assert scalar(db, "select count(*) from worker where status = 'on_duty'") == 2349
    assert summary.workers == 2349
    mismatched_quota = """
        select count(*) from unit
        where quota != (select count(*) from post where post.unit_id = unit.id)"""
    assert scalar(db, mismatched_quota) == 0
    holder_elsewhere = """
        select count(*) from post join worker on worker.id = post.worker_id
        where worker.unit_id != post.unit_id"""
    assert scalar(db, holder_elsewhere) == 0


def test_workers_are_stored_as_keyed_hashes_and_last_four(loaded):
    _, _, db = loaded
    people = build_demo_plan(2026).people
    rows = db.execute(
        "select name, id_hash, id_last4, phone_hash, phone_last4 from worker order by id"
    ).fetchall()
    expected = [
        (
            person.name,
            keyed_hash(SECRET, "id", person.id_number),
            person.id_number[-4:],
            keyed_hash(SECRET, "phone", person.phone),
            person.phone[-4:],
        )
        for person in people
    ]
    assert rows == expected


def test_no_clear_id_number_or_phone_anywhere_in_the_file(loaded):
    path, _, _ = loaded
    stored = b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith("demo."))
    people = build_demo_plan(2026).people
    # The file is readable as it is: names and hashes can be found in it.
    assert people[0].name.encode() in stored
    assert keyed_hash(SECRET, "id", people[0].id_number).encode() in stored
    for person in people[::10]:
        assert person.id_number.encode() not in stored
        assert person.phone.encode() not in stored


def test_two_cycles_of_results(loaded):
    _, summary, db = loaded
    cycles = db.execute("select year, state, gongshi_opens_on from cycle order by year").fetchall()
    assert [(year, state) for year, state, _ in cycles] == [(2025, "closed"), (2026, "assessing")]
    assert cycles[0][2] is not None and cycles[0][2].startswith("2025-12-")
    grades = db.execute(
        "select cycle.year, grade, count(*) from result join cycle on cycle.id = result.cycle_id"
        " group by cycle.year, grade"
    ).fetchall()
    counted: dict[int, dict[str, int]] = {}
    for year, grade, count in grades:
        counted.setdefault(year, {})[grade] = count
    assert counted == summary.results
    assert sum(counted[2026].values()) == 2349
    assert 0.85 * 2349 <= sum(counted[2025].values()) < 2349
    statuses = db.execute(
        "select cycle.year, result.status, count(*) from result"
        " join cycle on cycle.id = result.cycle_id group by cycle.year, result.status"
    ).fetchall()
    assert {(year, status) for year, status, _ in statuses} == {(2025, "final"), (2026, "pending")}


def test_fail_never_renews_and_two_fails_show(loaded):
    _, summary, db = loaded
    assert scalar(db, "select count(*) from result where grade = '不合格' and renew") == 0
    assert scalar(db, "select count(*) from result where grade = '合格' and not renew") > 0
    twice = """
        select count(*) from result now
        join result before on before.worker_id = now.worker_id
        join cycle c_now on c_now.id = now.cycle_id
        join cycle c_before on c_before.id = before.cycle_id
        where c_now.year = 2026 and c_before.year = 2025
          and now.grade = '不合格' and before.grade = '不合格'"""
    assert scalar(db, twice) == summary.two_fails >= 10


def test_results_name_the_post_the_worker_holds(loaded):
    _, _, db = loaded
    mismatched = """
        select count(*) from result join post on post.worker_id = result.worker_id
        where post.title != result.post_title or post.unit_id != result.unit_id"""
    assert scalar(db, mismatched) == 0
    assert scalar(db, "select count(*) from result where remark != ''") > 0


def test_purge_reaches_every_table_that_refers_to_the_roster():
    purged = {statement.table.name for statement in purge_statements()}
    roster = {"unit", "worker", "post", "cycle"}
    tables = SQLModel.metadata.tables
    # Anything that refers, directly or through others, to the roster must be purged too, or
    # a replacement would fail on a foreign key.
    dependent = set(roster)
    changed = True
    while changed:
        changed = False
        for name, table in tables.items():
            targets = {fk.column.table.name for fk in table.foreign_keys}
            if name not in dependent and targets & dependent:
                dependent.add(name)
                changed = True
    assert dependent <= purged
    assert "audit_log" not in purged


async def _roster_hashes(storage):
    async with storage.sessions() as session:
        return set((await session.scalars(select(Worker.id_hash))).all())


async def _count(storage, model):
    async with storage.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def _add_dependents(storage):
    """Rows in the tables that refer to the roster, as the running bot would leave them,
    and an admin who has nothing to do with the roster."""
    now = datetime.now(UTC)
    async with storage.sessions() as session, session.begin():
        unit = (await session.scalars(select(Unit).limit(1))).one()
        worker = (await session.scalars(select(Worker).where(Worker.unit_id == unit.id))).first()
        cycle_id = (await session.execute(text("select id from cycle where year = 2026"))).scalar()
        contact = Official(name="单位联系人", role="unit", unit_id=unit.id)
        admin = Official(name="管理员", role="admin")
        session.add_all([contact, admin])
        await session.flush()
        complaint = Complaint(
            ticket_code="T-DEMO-1",
            cycle_id=cycle_id,
            unit_id=unit.id,
            worker_id=worker.id,
            category="不在岗",
            description="x",
        )
        session.add(complaint)
        await session.flush()
        case = Case(
            complaint_id=complaint.id,
            unit_id=unit.id,
            worker_id=worker.id,
            category="不在岗",
            severity="serious",
            route="investigators",
            assignee_id=contact.id,
        )
        task = UnitTask(
            cycle_id=cycle_id, unit_id=unit.id, kind="results", due_on=date(2026, 12, 15)
        )
        session.add_all([case, task])
        await session.flush()
        session.add_all(
            [
                CaseEvent(case_id=case.id, seq=1, action="submitted"),
                Reminder(task_id=task.id, kind="before", on_day=date(2026, 12, 12)),
                Verification(cycle_id=cycle_id, worker_id=worker.id, present=True),
                ChannelPost(cycle_id=cycle_id, unit_id=unit.id, chat_id=-100),
                WorkerCode(worker_id=worker.id, code_hash="c" * 64),
                RenewalPaper(
                    cycle_id=cycle_id, unit_id=unit.id, worker_id=worker.id, outcome="renewed"
                ),
                Invitation(token_hash="i" * 64, role="unit", unit_id=unit.id, expires_at=now),
                RoleBinding(user_id=1, role="worker", worker_id=worker.id, via="code"),
                RoleBinding(user_id=2, role="unit", official_id=contact.id, unit_id=unit.id),
                RoleBinding(user_id=3, role="admin", official_id=admin.id),
            ]
        )


async def test_refuses_a_second_load_and_replaces_on_request(any_storage, loaded):
    storage = any_storage
    calls = []
    first = await load_demo_data(
        sessions=storage.sessions,
        secret_key=SECRET,
        year=YEAR,
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    assert [stage for stage, _, _ in calls[:3]] == ["units", "workers", "workers"]
    assert calls[-1][0] == "results" and calls[-1][1] == calls[-1][2] > 9000
    hashes = await _roster_hashes(storage)
    # Two loads of the same seed with the same key store the same hashes.
    _, _, db = loaded
    assert hashes == {row[0] for row in db.execute("select id_hash from worker")}

    with pytest.raises(DemoDataExists, match="replace=True"):
        await load_demo_data(sessions=storage.sessions, secret_key=SECRET, year=YEAR)
    assert await _count(storage, Unit) == 26

    await _add_dependents(storage)
    second = await load_demo_data(
        sessions=storage.sessions, secret_key=SECRET, seed=7, year=YEAR, replace=True
    )
    assert (second.units, second.posts, second.workers) == (first.units, first.posts, 2349)
    assert await _count(storage, Unit) == 26
    assert await _count(storage, Worker) == 2349
    # Another seed draws other people; a handful of ID numbers may coincide by chance.
    assert len((await _roster_hashes(storage)) & hashes) < 10
    for model in (Complaint, Case, UnitTask, Reminder, WorkerCode, Invitation, Verification):
        assert await _count(storage, model) == 0, model
    async with storage.sessions() as session:
        officials = (await session.scalars(select(Official.name))).all()
        bindings = (await session.scalars(select(RoleBinding.role))).all()
    assert (officials, bindings) == (["管理员"], ["admin"])


def test_the_demo_has_an_inspection_plan_of_two_groups(loaded):
    _path, summary, connection = loaded
    assert scalar(connection, "select count(*) from inspection_plan") == 1
    assert scalar(connection, "select count(*) from inspection_group") == 2
    # Every unit in exactly one group, the workers split evenly between the two.
    assert scalar(connection, "select count(distinct unit_id) from inspection_assignment") == (
        summary.units
    )
    assert scalar(connection, "select count(*) from inspection_assignment") == summary.units
    loads = connection.execute(
        "select a.group_id, count(w.id) from inspection_assignment a"
        " join worker w on w.unit_id = a.unit_id and w.status = 'on_duty' group by a.group_id"
    ).fetchall()
    (_, first), (_, second) = loads
    assert first + second == summary.workers and abs(first - second) < summary.workers // 10
    leaders = connection.execute(
        "select g.number, m.department from inspection_member m"
        " join inspection_group g on g.id = m.group_id where m.position = 'leader'"
        " order by g.number"
    ).fetchall()
    assert leaders == [(1, "hr"), (2, "discipline")]
    departments = {
        row[0]
        for row in connection.execute(
            "select distinct department from inspection_member where group_id is not null"
        )
    }
    assert departments == {"hr", "discipline", "finance", "audit"}


def test_the_demo_has_newcomers_of_the_year_for_the_inspection(loaded):
    """人员增减变动 and 人员招录 show something: each unit's newest worker joined this year, with
    a recruitment on record, but a few for the inspector to find (none, or not eligible)."""
    _path, summary, connection = loaded
    year = scalar(connection, "select max(year) from cycle")
    joins = connection.execute(
        "select c.unit_id, c.worker_id, c.on_day, w.unit_id, w.status from worker_change c"
        " join worker w on w.id = c.worker_id where c.change = 'joined'"
    ).fetchall()
    assert len(joins) == summary.units == len({unit for unit, *_ in joins})
    for unit_id, _, on_day, worker_unit, status in joins:
        assert str(on_day).startswith(str(year)) and (worker_unit, status) == (unit_id, "on_duty")
    flags = connection.execute(
        "select w.recruited_by, w.eligible from worker_change c join worker w"
        " on w.id = c.worker_id where c.change = 'joined'"
    ).fetchall()
    unrecorded = sum(1 for method, _ in flags if method is None)
    not_eligible = sum(1 for _, eligible in flags if eligible == 0)
    assert unrecorded >= 1 and not_eligible >= 1 and unrecorded + not_eligible < len(flags) // 2
    assert (
        scalar(
            connection,
            "select count(*) from worker where status = 'on_duty' and recruited_by is null",
        )
        == unrecorded
    )  # everyone else has a recruitment on record
