"""Checked rows into the database, chunk by chunk: plan the changes, then flush them in bulk.

Existing rows are loaded per chunk in a handful of queries, compared in plain Python, and only
real changes are written; an import that changes nothing leaves no ImportBatch behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.sheet import ImportKind, SheetRow
from messages import N_
from storage.import_basis import BASIS, load_bases, plan_basis, write_bases
from storage.import_bulk import (
    BATCH,
    CYCLE,
    HISTORY,
    HISTORY_JOINED,
    HISTORY_NEW,
    POST,
    POST_CHANGE,
    POST_NEW,
    RESULT,
    RESULT_CHANGE,
    RESULT_NEW,
    SEARCHED,
    WORKER,
    WORKER_CHANGE,
    WORKER_NEW,
    Bulk,
)
from storage.import_hashing import keyed_hasher
from storage.import_known import WorkerNow, loaded, looked_up
from storage.import_recruitment import plan_known, plan_recruitment, write_recruitment
from storage.import_sqlite import DeferredIndexes
from storage.sheet_reader import SheetError

REASON_CYCLE_CLOSED = N_(
    "The {year} assessment is closed: its results are final and cannot be imported again."
)


@dataclass
class BatchInfo:
    kind: ImportKind
    file_name: str
    sha256: str
    imported_by: str


@dataclass(slots=True)
class _PostNow:
    id: int
    unit_id: int
    title: str


@dataclass(slots=True)
class _ResultNow:
    id: int
    unit_id: int
    post_title: str
    grade: str
    renew: bool
    remark: str


class Writer:
    """Writes checked rows chunk by chunk inside the import's transaction."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        secret_key: str,
        units: dict[str, int],
        batch: BatchInfo,
        now: datetime,
        chunk: int,
    ) -> None:
        self.session = session
        self.chunk = chunk
        self.units = units
        self.batch = batch
        self.now = now
        self.id_hash = keyed_hasher(secret_key, "id")
        self.phone_hash = keyed_hasher(secret_key, "phone")
        self.cycle_id: int | None = None
        self.batch_id: int | None = None
        self.created = self.updated = self.unchanged = 0
        self.vacant: dict[tuple[int, str], list[int]] = {}
        # Workers whose public result line was added or changed (posted again during a 公示).
        self.touched: list[int] = []
        # False when the worker table was empty as the import began: nobody in the file can be
        # on record then (the file holds each person once), so no chunk needs looking up.
        self.had_workers = True
        # Every worker on record, loaded once when few (storage.import_known); else None.
        self.on_record: dict[str, WorkerNow] | None = None
        # With foreign keys off (storage.import_sqlite), the parents to confirm before commit: the
        # units the rows name, and the workers read before the first write (opening the batch).
        self.unit_ids: set[int] = set()
        self.read_unlocked: set[int] = set()
        self._bulk: Bulk | None = None
        self.indexes: DeferredIndexes | None = None
        self._stamp: object = now
        self._today: object = now.astimezone(ZoneInfo("Asia/Shanghai")).date()

    @property
    def bulk(self) -> Bulk:
        assert self._bulk is not None, "start() first"
        return self._bulk

    @property
    def counts(self) -> tuple[int, int, int]:
        return self.created, self.updated, self.unchanged

    async def start(self, cycle_year: int | None, expected_rows: int = 0) -> None:
        connection = await self.session.connection()
        self._bulk = Bulk(connection, chunk=self.chunk)
        self.had_workers = await self.bulk.last_id(WORKER) is not None
        if self.had_workers:
            self.on_record = await loaded(connection, expected_rows)
        tables = [WORKER, POST, RESULT, HISTORY, BASIS]
        searched = SEARCHED if self.had_workers and self.on_record is None else None
        self.indexes = await DeferredIndexes.for_import(
            connection, tables, expected_rows, searched=searched
        )
        self._stamp = self.bulk.constant(WORKER, "updated_at", self.now)
        self._today = self.bulk.constant(HISTORY, "on_day", self._today)
        await self._load_vacant_posts()
        if cycle_year is not None:
            await self.use_cycle(cycle_year)

    async def finish(self) -> None:
        if self.indexes is not None:
            await self.indexes.restore()
        if self.batch_id is not None:
            await self.session.execute(
                update(BATCH)
                .where(BATCH.c.id == self.batch_id)
                .values(
                    rows=self.created + self.updated + self.unchanged,
                    created=self.created,
                    updated=self.updated,
                    unchanged=self.unchanged,
                )
            )

    async def use_cycle(self, year: int) -> None:
        found = (
            await self.session.execute(
                select(CYCLE.c.id, CYCLE.c.state).where(CYCLE.c.year == year)
            )
        ).first()
        if found is None:
            inserted = await self.session.execute(
                insert(CYCLE)
                .values(year=year, state="assessing", settings={}, created_at=self.now)
                .returning(CYCLE.c.id)
            )
            self.cycle_id = int(inserted.scalar_one())
        elif found.state == "closed":
            raise SheetError(REASON_CYCLE_CLOSED, year=str(year))
        else:
            self.cycle_id = int(found.id)

    async def _batch(self) -> int:
        """The ImportBatch row, written only once something is about to change."""
        if self.batch_id is None:
            inserted = await self.session.execute(
                insert(BATCH)
                .values(
                    kind=self.batch.kind,
                    file_name=self.batch.file_name,
                    file_sha256=self.batch.sha256,
                    cycle_id=self.cycle_id,
                    imported_by=self.batch.imported_by,
                    imported_at=self.now,
                    rows=0,
                    created=0,
                    updated=0,
                    unchanged=0,
                )
                .returning(BATCH.c.id)
            )
            self.batch_id = int(inserted.scalar_one())
            if self.indexes is not None:  # the transaction is open now: see import_sqlite
                await self.indexes.drop()
        return self.batch_id

    async def _load_vacant_posts(self) -> None:
        found = await self.session.execute(
            select(POST.c.id, POST.c.unit_id, POST.c.title)
            .where(POST.c.worker_id.is_(None))
            .order_by(POST.c.id)
        )
        for post_id, unit_id, title in found:
            self.vacant.setdefault((unit_id, title), []).append(post_id)

    async def write(self, rows: Sequence[SheetRow]) -> None:
        plan = _Plan()
        id_hash = self.id_hash
        self.unit_ids.update(map(self.units.__getitem__, {row.unit for row in rows}))
        keyed = [(row, id_hash(row.id_number)) for row in rows]
        newcomers = await self._plan_known(plan, keyed) if self.had_workers else keyed
        new_ids = await self._insert_workers(newcomers)
        self._plan_newcomers(plan, newcomers, new_ids)
        await self._flush(plan)

    async def _plan_known(
        self, plan: _Plan, keyed: list[tuple[SheetRow, str]]
    ) -> list[tuple[SheetRow, str]]:
        """Plans the changes to workers on record; the rows of people not on record come back."""
        workers = await self._workers([id_hash for _, id_hash in keyed])
        worker_ids = [worker.id for worker in workers.values()]
        posts = await self._posts(worker_ids)
        results = await self._results(worker_ids)
        with_basis = self.cycle_id is not None and bool(keyed) and keyed[0][0].basis is not None
        bases = (
            await load_bases(self.bulk, cycle_id=self.cycle_id, worker_ids=worker_ids)
            if with_basis and self.cycle_id is not None
            else {}
        )
        recruited = await plan_known(self.bulk, plan.recruitment, keyed, workers)
        newcomers: list[tuple[SheetRow, str]] = []
        for row, id_hash in keyed:
            worker = workers.get(id_hash)
            if worker is None:
                newcomers.append((row, id_hash))
                continue
            worker_changed = self._plan_worker(plan, row, worker) or worker.id in recruited
            post_changed = self._plan_post(plan, row, worker.id, posts.get(worker.id))
            result = self._plan_result(plan, row, worker.id, results.get(worker.id))
            basis_changed = with_basis and plan_basis(
                plan.bases, worker.id, row.basis, bases.get(worker.id)
            )
            if result == "new":
                self.created += 1
            elif worker_changed or post_changed or result == "changed" or basis_changed:
                self.updated += 1
            else:
                self.unchanged += 1
        return newcomers

    def _plan_newcomers(
        self, plan: _Plan, newcomers: list[tuple[SheetRow, str]], new_ids: dict[str, int]
    ) -> None:
        """_plan_post and _plan_result for workers who have neither yet, in one loop: a first
        import consists of nothing else."""
        units, vacant = self.units, self.vacant
        with_results = self.cycle_id is not None
        post_changes, new_posts, new_results = plan.post_changes, plan.new_posts, plan.new_results
        for row, id_hash in newcomers:
            worker_id = new_ids[id_hash]
            unit_id = units[row.unit]
            plan.joined.append((worker_id, unit_id))
            plan_recruitment(plan.recruitment, worker_id, row.recruitment, None)
            spare = vacant.get((unit_id, row.post)) if vacant else None
            if spare:
                post_changes.append((unit_id, row.post, worker_id, spare.pop(0)))
            else:
                new_posts.append((unit_id, row.post, worker_id))
            if with_results and row.grade is not None and row.renew is not None:
                new_results.append(
                    (worker_id, unit_id, row.post, row.grade.value, row.renew, row.remark)
                )
                self.touched.append(worker_id)
                plan_basis(plan.bases, worker_id, row.basis, None)
        self.created += len(newcomers)

    def _phone(self, row: SheetRow) -> tuple[str | None, str | None]:
        if row.phone is None:
            return None, None
        return self.phone_hash(row.phone), row.phone[-4:]

    def _plan_worker(self, plan: _Plan, row: SheetRow, worker: WorkerNow) -> bool:
        phone_hash, phone_last4 = self._phone(row)
        if phone_hash is None:  # an empty phone cell keeps the phone on record
            phone_hash, phone_last4 = worker.phone_hash, worker.phone_last4
        unit_id = self.units[row.unit]
        new = (row.name, phone_hash, phone_last4, unit_id)
        if new == (worker.name, worker.phone_hash, worker.phone_last4, worker.unit_id):
            return False
        plan.worker_changes.append((*new, self._stamp, worker.id))
        if unit_id != worker.unit_id:  # the roster's own history: a move is a leave and a join
            day, stamp = self._today, self._stamp
            self.unit_ids.add(worker.unit_id)
            plan.history.append((worker.id, worker.unit_id, "left", day, "transfer", stamp))
            plan.history.append((worker.id, unit_id, "joined", day, "transfer", stamp))
        return True

    def _plan_post(self, plan: _Plan, row: SheetRow, worker_id: int, post: _PostNow | None) -> bool:
        """The worker's post follows the row: their own post is corrected, else a vacant post of
        the unit with that title is taken, else a post is created."""
        unit_id = self.units[row.unit]
        if post is not None:
            if (post.unit_id, post.title) == (unit_id, row.post):
                return False
            plan.post_changes.append((unit_id, row.post, worker_id, post.id))
            return True
        vacant = self.vacant.get((unit_id, row.post))
        if vacant:
            plan.post_changes.append((unit_id, row.post, worker_id, vacant.pop(0)))
        else:
            plan.new_posts.append((unit_id, row.post, worker_id))
        return True

    def _plan_result(
        self, plan: _Plan, row: SheetRow, worker_id: int, result: _ResultNow | None
    ) -> Literal["new", "changed", "same"]:
        if self.cycle_id is None or row.grade is None or row.renew is None:
            return "same"  # a roster row has no result
        unit_id = self.units[row.unit]
        grade = row.grade.value
        if result is None:
            plan.new_results.append((worker_id, unit_id, row.post, grade, row.renew, row.remark))
            self.touched.append(worker_id)
            return "new"
        new = (unit_id, row.post, grade, row.renew, row.remark)
        if new == (result.unit_id, result.post_title, result.grade, result.renew, result.remark):
            return "same"
        plan.result_changes.append((*new, result.id))
        self.touched.append(worker_id)
        return "changed"

    async def _workers(self, id_hashes: list[str]) -> dict[str, WorkerNow]:
        if not self.had_workers:
            return {}
        if self.on_record is None:
            found = await looked_up(self.bulk, id_hashes)
            if self.batch_id is not None:  # read holding SQLite's write lock
                return found
        else:  # loaded before the first write
            known = self.on_record
            found = {key: known[key] for key in id_hashes if key in known}
        self.read_unlocked.update(worker.id for worker in found.values())
        return found

    async def _posts(self, worker_ids: list[int]) -> dict[int, _PostNow]:
        columns = ("worker_id", "id", "unit_id", "title")
        found = await self.bulk.select_in(POST, columns, "worker_id", worker_ids)
        return {row[0]: _PostNow(*row[1:]) for row in found}

    async def _results(self, worker_ids: list[int]) -> dict[int, _ResultNow]:
        if self.cycle_id is None:
            return {}
        columns = ("worker_id", "id", "unit_id", "post_title", "grade", "renew", "remark")
        found = await self.bulk.select_in(
            RESULT, columns, "worker_id", worker_ids, cycle_id=self.cycle_id
        )
        # SQLite hands booleans back as 0 and 1.
        return {
            row[0]: _ResultNow(row[1], row[2], row[3], row[4], bool(row[5]), row[6])
            for row in found
        }

    async def _insert_workers(self, newcomers: list[tuple[SheetRow, str]]) -> dict[str, int]:
        """Inserts new workers and reads their ids back in one query."""
        if not newcomers:
            return {}
        await self._batch()
        units, phone_hash, stamp = self.units, self.phone_hash, self._stamp
        rows = [
            (
                row.name,
                id_hash,
                row.id_number[-4:],
                None if row.phone is None else phone_hash(row.phone),
                None if row.phone is None else row.phone[-4:],
                units[row.unit],
            )
            for row, id_hash in newcomers
        ]
        last = await self.bulk.last_id(WORKER)
        fixed = {"status": "on_duty", "created_at": stamp, "updated_at": stamp}
        await self.bulk.insert(WORKER, WORKER_NEW, rows, fixed)
        wanted = [id_hash for _, id_hash in newcomers]
        numbered = await self.bulk.numbered_in_order(WORKER, last, len(rows))
        if numbered is not None:
            return dict(zip(wanted, numbered, strict=True))
        # New rows get keys above the highest one: reading those back is one range scan, where
        # looking up each key hash would be thousands of index searches. Should the database have
        # numbered them otherwise (or another import's rows show up), the hashes are looked up.
        found = await self.bulk.select_after(WORKER, ("id_hash", "id"), last)
        ours = set(wanted)
        ids = {id_hash: worker_id for id_hash, worker_id in found if id_hash in ours}
        if len(ids) != len(wanted):
            found = await self.bulk.select_in(WORKER, ("id_hash", "id"), "id_hash", wanted)
            ids = dict(found)
        return ids

    async def _flush(self, plan: _Plan) -> None:
        if plan.empty:
            return
        batch_id = await self._batch()
        await self.bulk.update(WORKER, WORKER_CHANGE, plan.worker_changes)
        await self.bulk.update(POST, POST_CHANGE, plan.post_changes)
        await self.bulk.insert(POST, POST_NEW, plan.new_posts, {"created_at": self._stamp})
        await self.bulk.insert(HISTORY, HISTORY_NEW, plan.history)
        joined = {"change": "joined", "on_day": self._today, "reason": "roster"}
        await self.bulk.insert(
            HISTORY, HISTORY_JOINED, plan.joined, joined | {"recorded_at": self._stamp}
        )
        if plan.new_results:
            fixed = {
                "cycle_id": self.cycle_id,
                "status": "pending",
                "renewal_blocked": self.bulk.constant(RESULT, "renewal_blocked", False),
                "subsidy_stopped": self.bulk.constant(RESULT, "subsidy_stopped", False),
                "findings": self.bulk.constant(RESULT, "findings", []),
                "import_batch_id": batch_id,
                "updated_at": self._stamp,
            }
            await self.bulk.insert(RESULT, RESULT_NEW, plan.new_results, fixed)
        changes = [
            (*values[:-1], batch_id, self._stamp, values[-1]) for values in plan.result_changes
        ]
        await self.bulk.update(RESULT, RESULT_CHANGE, changes)
        await write_recruitment(self.bulk, plan.recruitment)
        if plan.bases and self.cycle_id is not None:
            await write_bases(
                self.session, self.bulk, cycle_id=self.cycle_id, changes=plan.bases, now=self.now
            )


@dataclass
class _Plan:
    """The writes one chunk needs, as tuples in the column order of the constants above."""

    worker_changes: list[tuple[Any, ...]] = field(default_factory=list)
    post_changes: list[tuple[Any, ...]] = field(default_factory=list)
    new_posts: list[tuple[Any, ...]] = field(default_factory=list)
    new_results: list[tuple[Any, ...]] = field(default_factory=list)
    result_changes: list[tuple[Any, ...]] = field(default_factory=list)
    bases: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    recruitment: list[tuple[Any, ...]] = field(default_factory=list)
    history: list[tuple[Any, ...]] = field(default_factory=list)
    joined: list[tuple[int, int]] = field(default_factory=list)  # newcomers' (worker, unit)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, part.name) for part in fields(self))
