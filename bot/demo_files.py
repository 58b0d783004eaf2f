"""Where the demo keeps its state, and `gongshi demo --reset`: the SQLite database, the chat
page's snapshot (bot.sandbox.snapshot) and the evidence kept beside them. Reset removes those
files, and the next start builds a fresh demo county, without reinstalling anything.

A running demo holds a lock on its database file (``demo_lock``), so that a reset, or a second
demo, from another terminal refuses instead of removing files under a bot that is still
answering."""

from __future__ import annotations

import contextlib
import fcntl
import shutil
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings import Settings
from messages.i18n import N_

SNAPSHOT_NAME = "demo-sandbox.json"
NOT_A_FILE = N_(
    "Only a demo on a SQLite file can be reset; this one uses {url}. Point GONGSHI_DATABASE_URL "
    "at a file of its own, or empty that database yourself."
)
RESET_DONE = N_("The demo county starts afresh: removed {files}.")
NOTHING_TO_RESET = N_("Nothing to reset: the demo has no data yet.")
STILL_RUNNING = N_(
    "The demo is still running on {path}. Stop it first (Ctrl+C in its window), then try again."
)


def database_file(settings: Settings) -> Path | None:
    """The SQLite file the demo writes, None for another database or one in memory."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def snapshot_path(settings: Settings) -> Path:
    """Beside the database file (var/ by default), so one folder holds the whole demo."""
    database = database_file(settings)
    return (database.parent if database else Path("var")) / SNAPSHOT_NAME


class CannotReset(RuntimeError):
    pass


class DemoRunning(RuntimeError):
    """Another process holds the demo's database: the path, as the message's {path}."""


@contextlib.contextmanager
def demo_lock(settings: Settings) -> Iterator[None]:
    """Held while a demo runs, on its database file (an empty file is a valid new SQLite
    database, so it is created first). flock, not SQLite's own POSIX locks, which it does not
    disturb; the kernel drops it when the process ends, however it ends. Raises DemoRunning
    when another process holds it; a server database is not locked."""
    database = database_file(settings)
    if database is None:
        yield
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    with database.open("ab") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DemoRunning(str(database)) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def reset_files(settings: Settings) -> list[Path]:
    """Remove the demo's database (with SQLite's journal files), the chat snapshot and, when it
    sits in the database's folder, the evidence folder; the removed paths, in that order.
    Raises CannotReset for a database that is not a file: a server database may hold more
    than the demo, and is not ours to drop; DemoRunning while a demo still runs on it."""
    database = database_file(settings)
    if database is None:
        raise CannotReset(settings.database_url)
    if database.is_file():
        with demo_lock(settings):
            pass  # free: no demo is running on it
    snapshot = snapshot_path(settings)
    candidates = [
        database,
        *(database.with_name(database.name + suffix) for suffix in ("-wal", "-shm", "-journal")),
        snapshot,
        snapshot.with_name(snapshot.name + ".tmp"),
    ]
    removed = []
    for path in candidates:
        if path.is_file():
            path.unlink()
            removed.append(path)
    evidence = settings.evidence_dir
    if evidence.is_dir() and evidence.resolve().parent == database.resolve().parent:
        shutil.rmtree(evidence)
        removed.append(evidence)
    return removed
