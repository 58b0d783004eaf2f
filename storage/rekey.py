"""Re-keying the hashes of ID numbers and phones after the secret key has changed.

Workers are known by keyed hashes only, so a worker imported under the old key is a stranger
under the new one, and an import under the new key would create a second worker beside them.
The clear ID numbers are kept nowhere but in the units' own spreadsheets: each row's ID number
hashed under the old key finds the worker, and hashed under the new key gives the hash the same
worker row keeps, with their posts, results, bindings and cases.

A phone hash is re-keyed only when it is the old key's hash of the phone in the sheet: a phone
on record that differs from the sheet (changed by a later import) or is missing is left as it is,
since re-keying is no place to change what the roster says.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.idnumber import IdNumberError, normalize_id_number
from domain.masking import PhoneError, mask_name, normalize_phone
from domain.sheet import (
    ID_NUMBER,
    NAME,
    PHONE,
    HeaderMatch,
    ImportKind,
    RowIssue,
    without_float_tail,
)
from storage.audit import audit
from storage.importer import DEFAULT_MAX_MB, find_header, keyed_hasher, read_table
from storage.models import Unit, Worker

# A results sheet has every column of a roster, so one header search reads both kinds.
_SHEET_KIND: ImportKind = "roster"
_CHUNK = 400  # ID numbers per look-up; two hashes each stay under SQLite's oldest limit of 999
_PURGED = "purged-"  # storage.purge gives removed workers' hashes this prefix: no key to move


@dataclass(frozen=True)
class SheetPerson:
    """A row with a valid ID number, in canonical form; ``phone`` when the row has a good one."""

    row: int
    id_number: str
    phone: str | None


@dataclass
class SheetPeople:
    """What a sheet says about who is who, and the rows that could not be read."""

    file: str
    rows: int = 0
    people: list[SheetPerson] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)


@dataclass(frozen=True)
class Leftover:
    """A worker still under the old key, as an operator may see them."""

    unit: str
    masked_name: str
    removed: bool


@dataclass
class Rekeyed:
    """What re-keying did (or, in a dry run, would do). Workers are counted once, rows as read."""

    rows: int = 0
    rekeyed: int = 0
    already: int = 0
    unmatched_rows: int = 0
    phones_rekeyed: int = 0
    phones_differing: int = 0
    under_both_keys: int = 0
    leftovers: list[Leftover] = field(default_factory=list)


def read_people(*, path: str | os.PathLike[str], max_mb: int = DEFAULT_MAX_MB) -> SheetPeople:
    """The ID numbers and phones of a roster or results sheet, read as the importer reads them.

    A whole-file problem raises the importer's SheetError; a bad cell becomes a RowIssue and the
    other rows are still read.
    """
    rows = read_table(path, max_mb=max_mb)
    header = find_header(rows, _SHEET_KIND)
    found = SheetPeople(file=Path(path).name)
    for index in range(header.row_index + 1, len(rows)):
        _read_row(found, header, index + 1, rows[index])
    return found


def _read_row(found: SheetPeople, header: HeaderMatch, row: int, cells: Sequence[str]) -> None:
    values = {
        column: cells[position].strip() if position < len(cells) else ""
        for column, position in header.columns.items()
    }
    if not any(values.values()):
        return
    found.rows += 1
    masked = mask_name(values[NAME]) if values[NAME] else ""

    def report(column: str, error: IdNumberError | PhoneError) -> None:
        found.issues.append(
            RowIssue(row, header.labels[column], error.reason, error.params, masked)
        )

    phone: str | None = None
    if values.get(PHONE):
        try:
            phone = normalize_phone(without_float_tail(values[PHONE]))
        except PhoneError as error:
            report(PHONE, error)
    try:
        id_number = normalize_id_number(without_float_tail(values[ID_NUMBER]))
    except IdNumberError as error:
        report(ID_NUMBER, error)
        return
    found.people.append(SheetPerson(row, id_number, phone))


@dataclass(slots=True)
class _Stored:
    id: int
    id_hash: str
    phone_hash: str | None


async def rekey_workers(
    *,
    session: AsyncSession,
    sheets: Sequence[SheetPeople],
    old_key: str,
    new_key: str,
    now: datetime,
    dry_run: bool = False,
) -> Rekeyed:
    """Moves every worker found in ``sheets`` from ``old_key`` to ``new_key``, in the caller's
    transaction; with ``dry_run`` nothing is written. A worker already under the new key is
    counted as done, so running again changes nothing. The workers found in no sheet are listed
    as leftovers: they stay under the old key until their unit's sheet is given."""
    old_id, new_id = keyed_hasher(old_key, "id"), keyed_hasher(new_key, "id")
    old_phone, new_phone = keyed_hasher(old_key, "phone"), keyed_hasher(new_key, "phone")
    phones = _phones_by_id_number(sheets)
    hashes = {id_number: (old_id(id_number), new_id(id_number)) for id_number in phones}
    stored = await _stored_workers(session, [h for pair in hashes.values() for h in pair])
    outcome = Rekeyed(rows=sum(sheet.rows for sheet in sheets))
    done: set[int] = set()
    changes: list[dict[str, object]] = []
    unmatched: set[str] = set()
    for id_number, (old_hash, new_hash) in hashes.items():
        under_old, under_new = stored.get(old_hash), stored.get(new_hash)
        worker = under_new or under_old
        if worker is None:
            unmatched.add(id_number)
            continue
        done.add(worker.id)
        if under_new is not None:
            outcome.already += 1
            # Someone imported this person under the new key before re-keying: the old row
            # cannot take the same hash, and stays behind as a leftover.
            if under_old is not None:
                outcome.under_both_keys += 1
        else:
            outcome.rekeyed += 1
        phone_hash = worker.phone_hash
        if phone_hash is not None and phones[id_number]:
            same = next((p for p in phones[id_number] if old_phone(p) == phone_hash), None)
            if same is not None:
                phone_hash = new_phone(same)
                outcome.phones_rekeyed += 1
            elif all(new_phone(p) != phone_hash for p in phones[id_number]):
                outcome.phones_differing += 1
        if worker is under_old or phone_hash != worker.phone_hash:
            changes.append({"id": worker.id, "id_hash": new_hash, "phone_hash": phone_hash})
    outcome.unmatched_rows = sum(
        person.id_number in unmatched for sheet in sheets for person in sheet.people
    )
    outcome.leftovers = await _leftovers(session, done)
    if changes and not dry_run:
        await session.execute(update(Worker), changes)
        audit(
            session,
            action="rekey",
            actor="cli",
            target_type="worker",
            at=now,
            rekeyed=outcome.rekeyed,
            already=outcome.already,
            phones_rekeyed=outcome.phones_rekeyed,
            leftovers=len(outcome.leftovers),
        )
        await session.flush()
    return outcome


def _phones_by_id_number(sheets: Iterable[SheetPeople]) -> dict[str, list[str]]:
    """Each ID number once, with the distinct phones the sheets give for it."""
    phones: dict[str, list[str]] = {}
    for sheet in sheets:
        for person in sheet.people:
            known = phones.setdefault(person.id_number, [])
            if person.phone is not None and person.phone not in known:
                known.append(person.phone)
    return phones


async def _stored_workers(session: AsyncSession, id_hashes: list[str]) -> dict[str, _Stored]:
    found: dict[str, _Stored] = {}
    for start in range(0, len(id_hashes), 2 * _CHUNK):
        some = id_hashes[start : start + 2 * _CHUNK]
        rows = await session.execute(
            select(col(Worker.id), col(Worker.id_hash), col(Worker.phone_hash)).where(
                col(Worker.id_hash).in_(some)
            )
        )
        for worker_id, id_hash, phone_hash in rows:
            assert worker_id is not None  # a primary key read back
            found[id_hash] = _Stored(worker_id, id_hash, phone_hash)
    return found


async def _leftovers(session: AsyncSession, done: set[int]) -> list[Leftover]:
    """Workers no sheet accounted for, by unit name and then as they were added."""
    rows = await session.execute(
        select(col(Worker.id), col(Worker.name), col(Worker.status), col(Unit.name))
        .join(Unit, col(Unit.id) == col(Worker.unit_id))
        .where(~col(Worker.id_hash).startswith(_PURGED))
        .order_by(col(Unit.name), col(Worker.id))
    )
    return [
        Leftover(unit, mask_name(name), status == "removed")
        for worker_id, name, status, unit in rows
        if worker_id not in done
    ]
