"""Where the demo keeps its state, and `gongshi demo --reset`: the SQLite database, the chat
page's snapshot (bot.sandbox.snapshot) and the evidence kept beside them. Reset removes those
files, and the next start builds a fresh demo county, without reinstalling anything."""

from __future__ import annotations

import shutil
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


def reset_files(settings: Settings) -> list[Path]:
    """Remove the demo's database (with SQLite's journal files), the chat snapshot and, when it
    sits in the database's folder, the evidence folder; the removed paths, in that order.
    Raises CannotReset for a database that is not a file: a server database may hold more
    than the demo, and is not ours to drop."""
    database = database_file(settings)
    if database is None:
        raise CannotReset(settings.database_url)
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
