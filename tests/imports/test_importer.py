"""storage.importer against a real database: what lands in it, and what never does."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sheets import (
    HEADER,
    ROSTER_HEADER,
    UNITS,
    add_units,
    id_number,
    phone,
    result_row,
    result_rows,
)
from sqlalchemy import func, insert, select, update

from domain import sheet
from domain.idnumber import REASON_CHECKSUM
from services.imports import import_results, import_roster
from storage import importer
from storage.identity import keyed_hash
from storage.importer import SheetError, keyed_hasher
from storage.models import Cycle, ImportBatch, Post, Result, Worker

T1 = datetime(2026, 12, 15, 1, 0, tzinfo=UTC)
T2 = datetime(2026, 12, 16, 1, 0, tzinfo=UTC)
TABLES = (Worker, Post, Result, Cycle, ImportBatch)


def secret(storage) -> str:
    return storage.settings.secret_key.get_secret_value()


async def results(storage, path, *, cycle: int = 2026, now: datetime = T1, **options):
    return await import_results(
        sessions=storage.sessions,
        secret_key=secret(storage),
        path=path,
        cycle_year=cycle,
        now=now,
        **options,
    )


async def counts(storage) -> dict[str, int]:
    async with storage.sessions() as session:
        return {
            model.__name__: (
                await session.execute(select(func.count()).select_from(model))
            ).scalar_one()
            for model in TABLES
        }


async def all_of(storage, model):
    async with storage.sessions() as session:
        return (await session.execute(select(model).order_by(model.id))).scalars().all()


# A good file -----------------------------------------------------------------------------------


async def test_a_good_results_file_goes_in_whole(storage, units, sheet_files):
    rows = [
        result_row(1),
        result_row(2, grade="基本合格", renew="是", remark="诫勉谈话"),
        result_row(3, grade="不合格", renew="否"),
        [UNITS[0], "欧阳小明", id_number(4), "", "护林员", "Pass", "no", ""],
    ]
    path = sheet_files.xlsx([HEADER, *rows])
    report = await results(storage, path)

    assert report.ok and not report.issues
    assert (report.rows, report.created, report.updated, report.unchanged) == (4, 4, 0, 0)
    assert report.batch_id is not None and not report.already_imported
    workers = await all_of(storage, Worker)
    key = secret(storage)
    assert [(w.name, w.id_hash, w.id_last4) for w in workers] == [
        (row[1], keyed_hash(key, "id", row[2]), row[2][-4:]) for row in rows
    ]
    assert workers[0].phone_hash == keyed_hash(key, "phone", phone(1))
    assert workers[0].phone_last4 == phone(1)[-4:]
    assert workers[3].phone_hash is None
    assert [w.unit_id for w in workers] == [units[row[0]] for row in rows]
    posts = await all_of(storage, Post)
    assert [(p.worker_id, p.title) for p in posts] == [
        (w.id, row[4]) for w, row in zip(workers, rows, strict=True)
    ]
    found = await all_of(storage, Result)
    assert [(r.worker_id, r.grade, r.renew, r.remark, r.post_title) for r in found] == [
        (workers[0].id, "合格", True, "", "保洁员"),
        (workers[1].id, "基本合格", True, "诫勉谈话", "保洁员"),
        (workers[2].id, "不合格", False, "", "保洁员"),
        (workers[3].id, "合格", False, "", "护林员"),
    ]
    assert {r.import_batch_id for r in found} == {report.batch_id}
    (cycle,) = await all_of(storage, Cycle)
    assert (cycle.year, cycle.state) == (2026, "assessing")
    (batch,) = await all_of(storage, ImportBatch)
    assert (batch.kind, batch.file_name, batch.rows, batch.created, batch.cycle_id) == (
        "results", "results.xlsx", 4, 4, cycle.id,
    )  # fmt: skip
    assert len(batch.file_sha256) == 64


async def test_no_clear_id_number_or_phone_anywhere_in_the_database_file(
    storage, units, sheet_files
):
    rows = result_rows(50)
    await results(storage, sheet_files.xlsx([HEADER, *rows]))
    await storage.engine.dispose()  # checkpoints nothing away: the WAL is read too
    database = Path(storage.settings.database_url.removeprefix("sqlite+aiosqlite:///"))
    stored = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
    assert "张49".encode() in stored  # the bytes searched are the right ones
    for row in rows:
        assert row[2].encode() not in stored
        assert row[2][:17].encode() not in stored
        assert row[3].encode() not in stored


async def test_the_bigger_page_cache_does_not_outlive_the_import(storage, units, sheet_files):
    async with storage.engine.connect() as connection:
        before = (await connection.exec_driver_sql("PRAGMA cache_size")).scalar_one()
    await results(storage, sheet_files.xlsx([HEADER, *result_rows(3)]))
    async with storage.engine.connect() as connection:
        assert (await connection.exec_driver_sql("PRAGMA cache_size")).scalar_one() == before


def test_the_fast_hasher_is_keyed_hash():
    digest = keyed_hasher("a-secret-key-of-16+", "id")
    assert digest(id_number(1)) == keyed_hash("a-secret-key-of-16+", "id", id_number(1))


# Bad rows: all reported, nothing written -------------------------------------------------------


async def test_bad_rows_of_every_kind_are_all_reported_and_nothing_is_written(
    storage, units, sheet_files
):
    before = await counts(storage)
    bad_checksum = id_number(5)[:-1] + ("1" if id_number(5)[-1] == "0" else "0")
    rows = [
        ["2026年度公益性岗位考核结果"],
        HEADER,
        *result_rows(3),  # rows 3-5 are fine
        ["", "李四", id_number(10), "", "保洁员", "合格", "是", ""],  # 6: empty unit
        [UNITS[0], "王五", bad_checksum, "", "保洁员", "合格", "是", ""],  # 7: checksum
        [UNITS[0], "赵六", id_number(11), "1380013800", "保洁员", "合格", "是", ""],  # 8: phone
        [UNITS[0], "钱七", id_number(12), "", "保洁员", "良好", "是", ""],  # 9: grade
        [UNITS[0], "孙八", id_number(13), "", "保洁员", "合格", "待定", ""],  # 10: renewal
        [UNITS[0], "周九", id_number(14), "", "保洁员", "不合格", "是", ""],  # 11: inconsistent
        ["县教育局", "吴十", id_number(15), "", "保洁员", "合格", "是", ""],  # 12: unknown unit
        [UNITS[1], "郑一", id_number(1), "", "保洁员", "合格", "是", ""],  # 13: same as row 4
        [UNITS[1], "冯二", id_number(16), "", "保洁员", "合格", "是", "长" * 501],  # 14: remark
        [UNITS[1], "陈三", "1.10105197001e+17", "", "保洁员", "合格", "是", ""],  # 15: float
    ]
    report = await results(storage, sheet_files.xlsx(rows))

    assert not report.ok
    assert report.rows == 13
    assert [(i.row, i.column) for i in report.issues] == [
        (6, "单位"), (7, "身份证号"), (8, "手机号"), (9, "考核等次"), (10, "是否续签"),
        (11, "是否续签"), (12, "单位"), (13, "身份证号"), (14, "备注"), (15, "身份证号"),
    ]  # fmt: skip
    assert report.issues[1].reason == REASON_CHECKSUM
    assert report.issues[7].reason == sheet.REASON_DUPLICATE
    assert report.issues[7].params == {"first_row": "4"}
    assert (report.created, report.updated, report.batch_id) == (0, 0, None)
    assert await counts(storage) == before
    for issue in report.issues:  # rows are named by number and masked name only
        assert not any(row[2] in repr(issue) for row in rows[2:] if len(row) > 2 and row[2])


cells = st.one_of(st.text(max_size=12), st.sampled_from(["合格", "是", "否", "1.2e+17", UNITS[0]]))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    good=st.integers(min_value=0, max_value=3),
    garbage=st.lists(st.lists(cells, min_size=1, max_size=9), min_size=1, max_size=5),
)
async def test_garbage_rows_never_crash_and_never_import_anything(storage, units, good, garbage):
    # A name cell of digits only is never a valid ID number: each garbage row is bad for sure.
    body = result_rows(good) + [[*row[:2], "x" + "".join(row[2:3]), *row[3:]] for row in garbage]
    lines = [",".join(cell.replace(",", " ").replace("\n", " ") for cell in row) for row in body]
    data = "\n".join([",".join(HEADER), *lines]).encode()
    before = await counts(storage)
    try:
        report = await results(storage, data, filename="fuzz.csv")
    except SheetError:
        pass  # a file-level refusal (say, no data rows) is an answer too
    else:
        assert not report.ok
        assert report.issues
    assert await counts(storage) == before


# Readable files of every kind ------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
async def test_csv_from_chinese_windows_and_with_bom(storage, units, sheet_files, encoding):
    rows = [result_row(1, remark="年度表现突出"), result_row(2)]
    report = await results(storage, sheet_files.csv([HEADER, *rows], encoding=encoding))
    assert report.ok and report.created == 2
    assert [w.name for w in await all_of(storage, Worker)] == ["张1", "张2"]
    assert [r.remark for r in await all_of(storage, Result)] == ["年度表现突出", ""]


async def test_traditional_headers_below_a_title_row(storage, units, sheet_files):
    header = ["用人單位", "姓名", "身份證號碼", "手機號碼", "崗位", "考核等次", "是否續簽", "備註"]
    path = sheet_files.xlsx([["2026年度公益性崗位考核結果"], [""], header, *result_rows(3)])
    report = await results(storage, path)
    assert report.ok and report.created == 3
    assert len(await all_of(storage, Result)) == 3


async def test_extra_columns_are_ignored_and_named(storage, units, sheet_files):
    header = ["序号", *HEADER[:2], "性别", *HEADER[2:]]
    rows = [[str(n), *row[:2], "男", *row[2:]] for n, row in enumerate(result_rows(2), 1)]
    report = await results(storage, sheet_files.xlsx([header, *rows]))
    assert report.ok and report.created == 2
    assert report.ignored_columns == ["序号", "性别"]


async def test_ten_thousand_rows(storage, units, sheet_files):
    progress = []
    path = sheet_files.xlsx([HEADER, *result_rows(10_000)])
    report = await results(storage, path, progress=lambda done, total: progress.append(done))
    assert report.ok and report.created == 10_000
    assert (await counts(storage))["Result"] == 10_000
    assert progress == sorted(progress) and progress[-1] == 20_000 and len(progress) > 2


# Importing again -------------------------------------------------------------------------------


async def test_the_same_file_again_changes_nothing(storage, units, sheet_files):
    path = sheet_files.xlsx([HEADER, *result_rows(20)])
    first = await results(storage, path, now=T1)
    before = await counts(storage)
    again = await results(storage, path, now=T2)

    assert again.ok and again.already_imported
    assert (again.created, again.updated, again.unchanged, again.batch_id) == (0, 0, 20, None)
    assert await counts(storage) == before
    assert {w.updated_at for w in await all_of(storage, Worker)} == {T1}
    assert {(r.updated_at, r.import_batch_id) for r in await all_of(storage, Result)} == {
        (T1, first.batch_id)
    }


async def test_a_changed_file_updates_only_what_changed(storage, units, sheet_files):
    rows = result_rows(10)
    first = await results(storage, sheet_files.xlsx([HEADER, *rows], "v1.xlsx"), now=T1)
    rows[1][5], rows[1][6] = "不合格", "否"  # grade and renewal
    rows[2][3] = "13712345678"  # phone
    rows[3][4] = "治安巡逻员"  # post title
    rows[4][1] = "张四四"  # name
    rows[5][0] = UNITS[2] if rows[5][0] != UNITS[2] else UNITS[0]  # moved to another unit
    rows.append(result_row(99))
    second = await results(storage, sheet_files.xlsx([HEADER, *rows], "v2.xlsx"), now=T2)

    assert second.ok and not second.already_imported
    assert (second.created, second.updated, second.unchanged) == (1, 5, 5)
    assert second.batch_id not in (None, first.batch_id)
    workers = {w.name: w for w in await all_of(storage, Worker)}
    changed = {name for name, worker in workers.items() if worker.updated_at == T2}
    assert changed == {"张2", "张四四", "张5", "张99"}
    assert workers["张2"].phone_hash == keyed_hash(secret(storage), "phone", "13712345678")
    assert workers["张5"].unit_id == units[rows[5][0]]
    by_worker = {r.worker_id: r for r in await all_of(storage, Result)}
    assert by_worker[workers["张1"].id].grade == "不合格"
    assert by_worker[workers["张1"].id].import_batch_id == second.batch_id
    assert by_worker[workers["张3"].id].post_title == "治安巡逻员"
    assert by_worker[workers["张0"].id].updated_at == T1
    assert by_worker[workers["张0"].id].import_batch_id == first.batch_id
    posts = {p.worker_id: p for p in await all_of(storage, Post)}
    assert posts[workers["张3"].id].title == "治安巡逻员"
    assert posts[workers["张5"].id].unit_id == units[rows[5][0]]
    assert len(posts) == 11  # posts are corrected in place, not duplicated
    batches = await all_of(storage, ImportBatch)
    assert [(b.created, b.updated, b.unchanged) for b in batches] == [(10, 0, 0), (1, 5, 5)]


async def test_a_vacant_post_of_the_unit_is_taken_before_a_new_one_is_made(
    storage, units, sheet_files
):
    async with storage.sessions() as session, session.begin():
        await session.execute(
            insert(Post), [{"unit_id": units[UNITS[1]], "title": "保洁员", "created_at": T1}]
        )
    report = await results(storage, sheet_files.xlsx([HEADER, result_row(1), result_row(4)]))
    assert report.ok
    posts = await all_of(storage, Post)
    assert len(posts) == 2
    assert posts[0].worker_id is not None  # the vacant post, now held by the row of its unit


async def test_a_closed_cycle_is_refused(storage, units, sheet_files):
    path = sheet_files.xlsx([HEADER, *result_rows(2)])
    await results(storage, path)
    async with storage.sessions() as session, session.begin():
        await session.execute(update(Cycle).values(state="closed"))
    rows = result_rows(2)
    rows[0][5], rows[0][6] = "不合格", "否"
    with pytest.raises(SheetError) as caught:
        await results(storage, sheet_files.xlsx([HEADER, *rows], "late.xlsx"))
    assert caught.value.reason == importer.REASON_CYCLE_CLOSED
    assert {r.grade for r in await all_of(storage, Result)} == {"合格"}


# Rosters ---------------------------------------------------------------------------------------


async def test_a_roster_creates_workers_and_posts_and_never_removes_anyone(
    storage, units, sheet_files
):
    rows = [row[:5] for row in result_rows(4)]
    report = await import_roster(
        sessions=storage.sessions,
        secret_key=secret(storage),
        path=sheet_files.csv([ROSTER_HEADER, *rows]),
    )
    assert report.ok and report.created == 4
    assert (await counts(storage))["Result"] == 0
    assert (await counts(storage))["Cycle"] == 0

    shorter = await import_roster(
        sessions=storage.sessions,
        secret_key=secret(storage),
        path=sheet_files.csv([ROSTER_HEADER, *rows[:2]], "part.csv"),
    )
    assert shorter.already_imported and shorter.unchanged == 2
    workers = await all_of(storage, Worker)
    assert [(w.name, w.status) for w in workers] == [(row[1], "on_duty") for row in rows]

    later = await results(storage, sheet_files.xlsx([HEADER, *result_rows(4)]))
    assert (later.created, later.updated, later.unchanged) == (4, 0, 0)  # new results only
    assert (await counts(storage))["Worker"] == 4


# Whole-file refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "reason", "params"),
    [
        ([["2026年度考核结果"], ["说明：请如实填写"]], importer.REASON_NO_HEADER,
         {"scan": "10", "required": "单位、姓名、身份证号、岗位、考核等次、是否续签"}),
        ([["标题"], ["单位", "姓名", "身份证号", "岗位"]], importer.REASON_MISSING_COLUMNS,
         {"row": "2", "missing": "考核等次、是否续签",
          "required": "单位、姓名、身份证号、岗位、考核等次、是否续签"}),
        ([HEADER, [""] * 8], importer.REASON_NO_DATA_ROWS, {}),
    ],
)  # fmt: skip
async def test_files_refused_as_a_whole(storage, units, sheet_files, rows, reason, params):
    before = await counts(storage)
    with pytest.raises(SheetError) as caught:
        await results(storage, sheet_files.xlsx(rows))
    assert (caught.value.reason, caught.value.params) == (reason, params)
    assert await counts(storage) == before


async def test_unusable_files_are_refused_before_the_database_is_touched(storage, sheet_files):
    cases = {
        sheet_files.folder / "missing.xlsx": importer.REASON_NOT_FOUND,
        sheet_files.raw(b"", "empty.csv"): importer.REASON_EMPTY,
        sheet_files.raw(
            b"PK\x03\x04" + bytes(range(256)) * 8, "broken.xlsx"
        ): importer.REASON_CORRUPT,
        sheet_files.raw(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(512), "locked.xlsx"): (
            importer.REASON_PROTECTED
        ),
    }
    for path, reason in cases.items():
        with pytest.raises(SheetError) as caught:
            await results(storage, path)
        assert caught.value.reason == reason, path.name
        assert id_number(1) not in str(caught.value)
    big = sheet_files.csv([HEADER, *result_rows(20_000)], "big.csv")
    assert big.stat().st_size > 2**20
    with pytest.raises(SheetError) as caught:
        await results(storage, big, max_mb=1)
    assert caught.value.reason == importer.REASON_TOO_LARGE
    assert await counts(storage) == dict.fromkeys(
        ["Worker", "Post", "Result", "Cycle", "ImportBatch"], 0
    )


# Both databases --------------------------------------------------------------------------------


async def test_import_and_reimport_on_both_databases(any_storage, sheet_files):
    units = await add_units(any_storage)
    rows = result_rows(60)
    first = await results(any_storage, sheet_files.xlsx([HEADER, *rows], "v1.xlsx"))
    assert first.ok and first.created == 60
    same = await results(any_storage, sheet_files.xlsx([HEADER, *rows], "v1.xlsx"), now=T2)
    assert same.already_imported and same.unchanged == 60
    rows[7][5], rows[7][6] = "不合格", "否"
    rows[8][0] = UNITS[2] if rows[8][0] != UNITS[2] else UNITS[0]
    changed = await results(any_storage, sheet_files.xlsx([HEADER, *rows], "v2.xlsx"), now=T2)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 2, 58)
    found = await all_of(any_storage, Result)
    assert sum(r.grade == "不合格" for r in found) == 1
    assert {r.renew for r in found} == {True, False}
    assert sorted({r.unit_id for r in found}) == sorted(units.values())
    assert {r.updated_at for r in found} == {T1, T2}


# The fast paths of a large import --------------------------------------------------------------


@given(
    key=st.text(min_size=1, max_size=100),
    kind=st.sampled_from(["id", "phone"]),
    value=st.text(max_size=40),
)
def test_the_fast_hasher_is_keyed_hash_for_any_key_and_value(key, kind, value):
    # Keys longer than SHA-256's 64-byte block are hashed first: some of these are.
    assert keyed_hasher(key, kind)(value) == keyed_hash(key, kind, value)


async def test_new_workers_are_found_by_hash_when_their_keys_cannot_be_confirmed(
    storage, units, sheet_files, monkeypatch
):
    """numbered_in_order confirms keys only as SQLite numbers them; otherwise the inserted rows
    are read back and matched by hash, and failing that looked up by hash."""

    async def unconfirmed(self, table, last, count):
        return None

    async def nothing_after(self, table, columns, last):
        return []

    monkeypatch.setattr(importer, "CHUNK", 7)
    monkeypatch.setattr(importer._Bulk, "numbered_in_order", unconfirmed)
    rows = result_rows(20)
    first = await results(storage, sheet_files.xlsx([HEADER, *rows], "v1.xlsx"))
    monkeypatch.setattr(importer._Bulk, "select_after", nothing_after)
    more = result_rows(10, start=20)
    second = await results(storage, sheet_files.xlsx([HEADER, *rows, *more], "v2.xlsx"))

    assert (first.created, second.created, second.unchanged) == (20, 10, 20)
    key = secret(storage)
    workers = await all_of(storage, Worker)
    assert [w.id_hash for w in workers] == [keyed_hash(key, "id", row[2]) for row in rows + more]
    by_worker = {post.worker_id: post for post in await all_of(storage, Post)}
    results_of = {result.worker_id: result for result in await all_of(storage, Result)}
    for worker, row in zip(workers, rows + more, strict=True):
        assert by_worker[worker.id].unit_id == results_of[worker.id].unit_id == units[row[0]]


async def test_a_first_import_in_chunks_gives_every_row_its_own_worker(
    storage, units, sheet_files, monkeypatch
):
    monkeypatch.setattr(importer, "CHUNK", 7)
    rows = result_rows(30)
    report = await results(storage, sheet_files.xlsx([HEADER, *rows]))
    assert report.ok and report.created == 30
    key = secret(storage)
    workers = await all_of(storage, Worker)
    assert [(w.name, w.id_hash) for w in workers] == [
        (row[1], keyed_hash(key, "id", row[2])) for row in rows
    ]
    assert [(p.worker_id, p.unit_id) for p in await all_of(storage, Post)] == [
        (w.id, w.unit_id) for w in workers
    ]
    assert [r.worker_id for r in await all_of(storage, Result)] == [w.id for w in workers]


async def test_the_garbage_collector_runs_again_after_an_import(storage, units, sheet_files):
    path = sheet_files.xlsx([HEADER, *result_rows(3)])
    assert gc.isenabled()
    await results(storage, path)
    assert gc.isenabled()
    gc.disable()
    try:
        await results(storage, path, now=T2)
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
