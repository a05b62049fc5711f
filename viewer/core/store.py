"""What the reader has done with a mailbox: read/unread and triage, kept in SQLite.

The mailbox file itself is never written to (it is often a list archive shared with other
tools), so state lives beside it in the user's data folder, keyed by the mailbox's resolved path
and the Message-ID. SQLite gives us atomic, crash-safe writes for free: every change is one
transaction in WAL mode, so a killed app loses at most the change being made. Opening, the
versioned schema and moving an unreadable file aside are viewer.core.database's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import platformdirs

from viewer.core.database import open_database

TriageState = Literal["todo", "done", "ignored"]
TRIAGE_STATES: tuple[str, ...] = ("todo", "done", "ignored")

# One list entry per schema version: migration i brings a database from version i to i + 1.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE mailbox (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE
    );
    CREATE TABLE message_state (
        mailbox INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
        msgid TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        triage TEXT,
        note TEXT NOT NULL DEFAULT '',
        updated REAL NOT NULL,
        PRIMARY KEY (mailbox, msgid)
    ) WITHOUT ROWID;
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)


def data_dir() -> Path:
    """Where state is kept; ``HUNKWISE_DATA_DIR`` wins so tests never touch the real one."""
    override = os.environ.get("HUNKWISE_DATA_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir("hunkwise"))


def mailbox_key(path: str | os.PathLike[str]) -> str:
    """The name a mailbox is remembered by: its absolute, symlink-free path."""
    return str(Path(path).expanduser().resolve())


@dataclass(frozen=True, slots=True)
class Triage:
    state: TriageState | None
    """None when only read state was ever recorded for the message."""
    note: str = ""
    updated: float = 0.0
    """When it was last changed, seconds since the epoch."""


class Store:
    """Per-mailbox message state. One instance per app; used from the GUI thread only."""

    FILENAME = "state.sqlite3"

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else data_dir() / self.FILENAME
        self._database = open_database(self.path, _MIGRATIONS)
        self._db = self._database.db
        self.recovered_from: Path | None = self._database.recovered_from
        """Set when an unreadable database was moved aside at start (for the message bar)."""
        self._mailbox_ids: dict[str, int] = {}

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- mailboxes ----------------------------------------------------------------------------

    def _mailbox_id(self, mailbox: str | os.PathLike[str], *, create: bool) -> int | None:
        key = mailbox_key(mailbox)
        cached = self._mailbox_ids.get(key)
        if cached is not None:
            return cached
        row = self._db.execute("SELECT id FROM mailbox WHERE path = ?", (key,)).fetchone()
        if row is None:
            if not create:
                return None
            row = (self._db.execute("INSERT INTO mailbox (path) VALUES (?)", (key,)).lastrowid,)
        self._mailbox_ids[key] = row[0]
        return row[0]

    # -- read state ---------------------------------------------------------------------------

    def read_ids(self, mailbox: str | os.PathLike[str]) -> set[str]:
        """Every Message-ID marked read in this mailbox (one query; the list keeps the set)."""
        box = self._mailbox_id(mailbox, create=False)
        if box is None:
            return set()
        rows = self._db.execute(
            "SELECT msgid FROM message_state WHERE mailbox = ? AND read = 1", (box,)
        )
        return {msgid for (msgid,) in rows}

    def is_read(self, mailbox: str | os.PathLike[str], msgid: str) -> bool:
        box = self._mailbox_id(mailbox, create=False)
        if box is None:
            return False
        row = self._db.execute(
            "SELECT read FROM message_state WHERE mailbox = ? AND msgid = ?", (box, msgid)
        ).fetchone()
        return bool(row and row[0])

    def mark_read(
        self, mailbox: str | os.PathLike[str], msgids: Iterable[str], *, read: bool = True
    ) -> None:
        """Mark messages read (or unread again); all of them or none, in one transaction."""
        ids = list(dict.fromkeys(msgids))
        if not ids:
            return
        now = time.time()
        with self._transaction():
            box = self._mailbox_id(mailbox, create=True)
            self._db.executemany(
                "INSERT INTO message_state (mailbox, msgid, read, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (mailbox, msgid) DO UPDATE SET read = excluded.read, "
                "updated = excluded.updated",
                [(box, msgid, int(read), now) for msgid in ids],
            )

    # -- triage -------------------------------------------------------------------------------

    def triage(self, mailbox: str | os.PathLike[str], msgid: str) -> Triage | None:
        box = self._mailbox_id(mailbox, create=False)
        if box is None:
            return None
        row = self._db.execute(
            "SELECT triage, note, updated FROM message_state WHERE mailbox = ? AND msgid = ?",
            (box, msgid),
        ).fetchone()
        if row is None or (row[0] is None and not row[1]):
            return None
        return Triage(row[0], row[1], row[2])

    def triage_all(self, mailbox: str | os.PathLike[str]) -> dict[str, Triage]:
        box = self._mailbox_id(mailbox, create=False)
        if box is None:
            return {}
        rows = self._db.execute(
            "SELECT msgid, triage, note, updated FROM message_state "
            "WHERE mailbox = ? AND (triage IS NOT NULL OR note != '')",
            (box,),
        )
        return {msgid: Triage(state, note, updated) for msgid, state, note, updated in rows}

    def set_triage(
        self,
        mailbox: str | os.PathLike[str],
        msgid: str,
        state: TriageState | None,
        note: str = "",
    ) -> None:
        """Set (or with ``None`` clear) a message's triage state and note."""
        if state is not None and state not in TRIAGE_STATES:
            raise ValueError(f"unknown triage state {state!r} (known: {', '.join(TRIAGE_STATES)})")
        with self._transaction():
            box = self._mailbox_id(mailbox, create=True)
            self._db.execute(
                "INSERT INTO message_state (mailbox, msgid, triage, note, updated) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (mailbox, msgid) DO UPDATE SET "
                "triage = excluded.triage, note = excluded.note, updated = excluded.updated",
                (box, msgid, state, note, time.time()),
            )

    def forget(self, mailbox: str | os.PathLike[str]) -> None:
        """Drop everything remembered about a mailbox."""
        with self._transaction():
            box = self._mailbox_id(mailbox, create=False)
            if box is not None:
                self._db.execute("DELETE FROM message_state WHERE mailbox = ?", (box,))
                self._db.execute("DELETE FROM mailbox WHERE id = ?", (box,))
        self._mailbox_ids.pop(mailbox_key(mailbox), None)

    def _transaction(self) -> _Transaction:
        return _Transaction(self)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error (the id cache too)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> None:
        self.store._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.store._db.execute("COMMIT")
        else:
            self.store._db.execute("ROLLBACK")
            # A mailbox row inserted in the rolled-back transaction no longer exists.
            self.store._mailbox_ids.clear()
