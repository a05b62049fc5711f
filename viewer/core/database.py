"""Opening a SQLite file the engine keeps user state in: WAL, a versioned schema, recovery.

Read state, triage and review drafts are each worth keeping across a crash and never worth a
dead app. Every store opens its file through :func:`open_database`, which settles the three
things they share:

* WAL with ``synchronous=NORMAL``: a committed transaction survives the app being killed (it
  may be lost only by a power cut, which is the trade every desktop app makes), and readers
  never block the one writer;
* the schema version in ``PRAGMA user_version``, brought forward one migration at a time, each
  step in its own transaction so a crash mid-migration leaves the previous version intact;
* a file that is not a database we can read (truncated by a full disk, overwritten by hand) is
  moved aside, kept for forensics, and a fresh one started.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# SQLITE_CORRUPT, SQLITE_NOTADB: the only errors for which the file itself is given up on.
_BROKEN_FILE = frozenset({11, 26})


@dataclass(slots=True)
class Database:
    """An open store file and what happened when it was opened."""

    db: sqlite3.Connection
    """Autocommit connection (``isolation_level=None``): transactions are opened explicitly."""
    path: Path
    recovered_from: Path | None = None
    """Where an unreadable file was moved aside at open (the message bar says so), else None."""

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def transaction(self) -> Transaction:
        return Transaction(self.db)

    def close(self) -> None:
        self.db.close()


class Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

    IMMEDIATE takes the write lock at once, so two processes saving at the same moment wait for
    each other (up to the connection's timeout) instead of failing half-way with SQLITE_BUSY.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")


def open_database(path: str | os.PathLike[str], migrations: Sequence[str]) -> Database:
    """Open (creating, migrating or recovering) the store at ``path``.

    ``migrations[i]`` is the SQL script bringing the schema from version i to i + 1; the
    current version is ``len(migrations)``. A file written by a newer Hunkwise (a higher
    version) is opened as it is: each new version only adds tables and columns.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return Database(_connect(path, migrations), path)
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorcode", None) not in _BROKEN_FILE:
            # A failing migration or a locked file is a bug or a busy disk, not a broken
            # file: moving the user's drafts aside for it would look like losing them.
            raise
        aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
        log.warning("%s is not a readable database (%s); moved aside to %s", path, error, aside)
        path.replace(aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return Database(_connect(path, migrations), path, recovered_from=aside)


def _connect(path: Path, migrations: Sequence[str]) -> sqlite3.Connection:
    # timeout: the GUI and a `hunkwise` command may write the same file at the same moment.
    db = sqlite3.connect(path, isolation_level=None, timeout=10.0)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        migrate(db, migrations)
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db


def migrate(db: sqlite3.Connection, migrations: Sequence[str]) -> None:
    """Bring the schema to ``len(migrations)``, one committed step at a time."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for step in range(version, len(migrations)):
        with Transaction(db):
            # executescript would COMMIT on its own; run the statements inside our transaction.
            for statement in migrations[step].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version={step + 1}")
        log.debug("migrated %s to schema version %d", db, step + 1)
