"""What the reader has done with a mailbox: read, flagged, triage states, kept in SQLite.

The mailbox file itself is never written to (it is often a list archive shared with other
tools), so state lives beside it in the user's data folder, keyed by the mailbox's resolved path
and the Message-ID. SQLite gives us atomic, crash-safe writes: every change is one transaction
in WAL mode, so a killed app loses at most the change being made, never one it reported done.
Opening, the versioned schema and moving an unreadable file aside are viewer.core.database's.

Version history:

1. ``message_state``: read flag, a todo/done/ignored ``triage`` word and a note per message.
2. adds ``flagged`` and the per-patch ``mark`` (done/skip) to ``message_state`` (old "done"
   becomes the done mark, "ignored" the skip mark, "todo" the flag: what each meant) and the
   per-series ``series_state`` table (new … archived, snoozed until, superseded by).
3. adds ``addressed``: a reviewer comment of an older revision ticked "addressed" by hand, by
   the reply's Message-ID and a fingerprint of the comment's words (annotation ids are
   positions, which a better comment splitter may shift).
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

PatchMark = Literal["done", "skip"]
PATCH_MARKS: tuple[str, ...] = ("done", "skip")

SERIES_STATES: tuple[str, ...] = ("new", "reviewing", "replied", "waiting", "accepted", "archived")
"""The kernel maintainer's words for where a series stands (Patchwork's, shortened)."""

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
    """
    ALTER TABLE message_state ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE message_state ADD COLUMN mark TEXT;
    UPDATE message_state SET mark = 'done' WHERE triage = 'done';
    UPDATE message_state SET mark = 'skip' WHERE triage = 'ignored';
    UPDATE message_state SET flagged = 1 WHERE triage = 'todo';
    UPDATE message_state SET triage = NULL;
    CREATE TABLE series_state (
        mailbox INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
        msgid TEXT NOT NULL,
        state TEXT NOT NULL,
        snoozed_until REAL,
        superseded_by TEXT,
        updated REAL NOT NULL,
        PRIMARY KEY (mailbox, msgid)
    ) WITHOUT ROWID;
    """,
    """
    CREATE TABLE addressed (
        mailbox INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
        reply_msgid TEXT NOT NULL,
        comment TEXT NOT NULL,
        updated REAL NOT NULL,
        PRIMARY KEY (mailbox, reply_msgid, comment)
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
class PatchState:
    """The reviewer's own marks on one patch mail."""

    mark: PatchMark | None = None
    """"done" ✓ or "skip"; None when unmarked."""
    note: str = ""
    """A private note, never sent anywhere."""
    updated: float = 0.0
    """When it was last changed, seconds since the epoch."""


@dataclass(frozen=True, slots=True)
class SeriesState:
    """Where a series stands, as the maintainer set it (or a transition did)."""

    state: str
    """One of :data:`SERIES_STATES`."""
    snoozed_until: float | None = None
    """Hidden from the views until then (seconds since the epoch); None when not snoozed."""
    superseded_by: str | None = None
    """Key of the newer revision that replaced this one, once one appeared."""
    updated: float = 0.0


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
        return self._ids_where(mailbox, "read")

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
        self._upsert(mailbox, msgids, "read", int(read))

    # -- flags ------------------------------------------------------------------------------

    def flagged_ids(self, mailbox: str | os.PathLike[str]) -> set[str]:
        return self._ids_where(mailbox, "flagged")

    def set_flagged(
        self, mailbox: str | os.PathLike[str], msgids: Iterable[str], *, flagged: bool = True
    ) -> None:
        """Flag (or unflag) messages; all of them or none, in one transaction."""
        self._upsert(mailbox, msgids, "flagged", int(flagged))

    # -- per-patch marks and notes ------------------------------------------------------------

    def patch_states(self, mailbox: str | os.PathLike[str]) -> dict[str, PatchState]:
        """Every patch with a mark or a note (one query)."""
        box = self._mailbox_id(mailbox, create=False)
        if box is None:
            return {}
        rows = self._db.execute(
            "SELECT msgid, mark, note, updated FROM message_state "
            "WHERE mailbox = ? AND (mark IS NOT NULL OR note != '')",
            (box,),
        )
        return {msgid: PatchState(mark, note, updated) for msgid, mark, note, updated in rows}

    def patch_state(self, mailbox: str | os.PathLike[str], msgid: str) -> PatchState:
        box = self._mailbox_id(mailbox, create=False)
        if box is None:
            return PatchState()
        row = self._db.execute(
            "SELECT mark, note, updated FROM message_state WHERE mailbox = ? AND msgid = ?",
            (box, msgid),
        ).fetchone()
        return PatchState(row[0], row[1], row[2]) if row else PatchState()

    def set_mark(
        self, mailbox: str | os.PathLike[str], msgids: Iterable[str], mark: PatchMark | None
    ) -> None:
        """Mark patches done or skipped (``None`` clears the mark); the note stays."""
        if mark is not None and mark not in PATCH_MARKS:
            raise ValueError(f"unknown mark {mark!r} (known: {', '.join(PATCH_MARKS)})")
        self._upsert(mailbox, msgids, "mark", mark)

    def set_note(self, mailbox: str | os.PathLike[str], msgid: str, note: str) -> None:
        self._upsert(mailbox, [msgid], "note", note)

    def _ids_where(self, mailbox: str | os.PathLike[str], column: str) -> set[str]:
        """The Message-IDs whose yes/no ``column`` is set (one query; the list keeps the set)."""
        assert column in ("read", "flagged")  # never a caller's string in SQL
        box = self._mailbox_id(mailbox, create=False)
        if box is None:
            return set()
        rows = self._db.execute(
            f"SELECT msgid FROM message_state WHERE mailbox = ? AND {column} = 1", (box,)
        )
        return {msgid for (msgid,) in rows}

    def _upsert(self, mailbox, msgids: Iterable[str], column: str, value) -> None:
        """One column of many messages' state, all of them or none, in one transaction."""
        assert column in ("read", "flagged", "mark", "note")  # never a caller's string in SQL
        ids = list(dict.fromkeys(msgids))
        if not ids:
            return
        now = time.time()
        with self._transaction():
            box = self._mailbox_id(mailbox, create=True)
            self._db.executemany(
                f"INSERT INTO message_state (mailbox, msgid, {column}, updated) "
                f"VALUES (?, ?, ?, ?) ON CONFLICT (mailbox, msgid) DO UPDATE SET "
                f"{column} = excluded.{column}, updated = excluded.updated",
                [(box, msgid, value, now) for msgid in ids],
            )

    # -- per-series state ---------------------------------------------------------------------

    def series_states(self, mailbox: str | os.PathLike[str]) -> dict[str, SeriesState]:
        """Every series with a recorded state, by series key (one query)."""
        box = self._mailbox_id(mailbox, create=False)
        if box is None:
            return {}
        rows = self._db.execute(
            "SELECT msgid, state, snoozed_until, superseded_by, updated FROM series_state "
            "WHERE mailbox = ?",
            (box,),
        )
        return {key: SeriesState(*rest) for key, *rest in rows}

    def set_series_states(
        self, mailbox: str | os.PathLike[str], states: dict[str, SeriesState]
    ) -> None:
        """Record several series' states at once: all of them or none."""
        for value in states.values():
            if value.state not in SERIES_STATES:
                raise ValueError(
                    f"unknown state {value.state!r} (known: {', '.join(SERIES_STATES)})"
                )
        if not states:
            return
        now = time.time()
        with self._transaction():
            box = self._mailbox_id(mailbox, create=True)
            self._db.executemany(
                "INSERT INTO series_state (mailbox, msgid, state, snoozed_until, superseded_by, "
                "updated) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (mailbox, msgid) DO UPDATE SET "
                "state = excluded.state, snoozed_until = excluded.snoozed_until, "
                "superseded_by = excluded.superseded_by, updated = excluded.updated",
                [
                    (box, key, v.state, v.snoozed_until, v.superseded_by, now)
                    for key, v in states.items()
                ],
            )

    # -- comments of an older revision ticked "addressed" ----------------------------------------

    def addressed(self, mailbox: str | os.PathLike[str]) -> set[tuple[str, str]]:
        """(reply Message-ID, comment fingerprint) of every comment ticked addressed."""
        box = self._mailbox_id(mailbox, create=False)
        if box is None:
            return set()
        rows = self._db.execute(
            "SELECT reply_msgid, comment FROM addressed WHERE mailbox = ?", (box,)
        )
        return {(reply, comment) for reply, comment in rows}

    def set_addressed(
        self, mailbox: str | os.PathLike[str], reply_msgid: str, comment: str, *, addressed: bool
    ) -> None:
        """Tick (or untick) one comment; ``comment`` is :func:`comment_fingerprint`'s."""
        with self._transaction():
            box = self._mailbox_id(mailbox, create=True)
            if addressed:
                self._db.execute(
                    "INSERT OR REPLACE INTO addressed (mailbox, reply_msgid, comment, updated) "
                    "VALUES (?, ?, ?, ?)",
                    (box, reply_msgid, comment, time.time()),
                )
            else:
                self._db.execute(
                    "DELETE FROM addressed WHERE mailbox = ? AND reply_msgid = ? AND comment = ?",
                    (box, reply_msgid, comment),
                )

    def forget(self, mailbox: str | os.PathLike[str]) -> None:
        """Drop everything remembered about a mailbox."""
        with self._transaction():
            box = self._mailbox_id(mailbox, create=False)
            if box is not None:
                self._db.execute("DELETE FROM message_state WHERE mailbox = ?", (box,))
                self._db.execute("DELETE FROM series_state WHERE mailbox = ?", (box,))
                self._db.execute("DELETE FROM addressed WHERE mailbox = ?", (box,))
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
