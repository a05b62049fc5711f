"""The triage store opens yesterday's databases: a version-1 file made with the version-1
schema (as Hunkwise 0.x wrote it, statements copied here, not imported, so a later edit of
the migration list cannot make this test agree with itself) is migrated and keeps its data."""

from __future__ import annotations

import sqlite3

import pytest

from viewer.core.store import SCHEMA_VERSION, Store, mailbox_key

# The schema as shipped at version 1, verbatim.
_V1 = """
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
"""


def _version_1_database(path, box: str) -> None:
    db = sqlite3.connect(path)
    db.executescript(_V1)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("INSERT INTO mailbox (id, path) VALUES (1, ?)", (mailbox_key(box),))
    db.executemany(
        "INSERT INTO message_state VALUES (1, ?, ?, ?, ?, 1700000000.0)",
        [
            ("read@x", 1, None, ""),
            ("done@x", 0, "done", "checked the locking"),
            ("ignored@x", 1, "ignored", ""),
            ("todo@x", 0, "todo", "come back to this"),
        ],
    )
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()


def test_version_1_database_migrates_and_keeps_everything(tmp_path):
    path = tmp_path / "state.sqlite3"
    box = str(tmp_path / "list.mbox")
    _version_1_database(path, box)
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 3
        assert store.read_ids(box) == {"read@x", "ignored@x"}
        assert store.patch_state(box, "done@x").mark == "done"
        assert store.patch_state(box, "done@x").note == "checked the locking"
        assert store.patch_state(box, "ignored@x").mark == "skip"
        assert store.flagged_ids(box) == {"todo@x"}
        assert store.patch_state(box, "todo@x").note == "come back to this"
        assert store.series_states(box) == {}
        assert store.addressed(box) == set()
        # And the migrated file takes new writes of every kind.
        store.set_flagged(box, ["read@x"])
        store.set_series_states(box, {})
        store.set_addressed(box, "r@x", "fingerprint", addressed=True)
    with Store(path) as again:
        assert again.flagged_ids(box) == {"todo@x", "read@x"}
        assert again.addressed(box) == {("r@x", "fingerprint")}


def test_migration_that_fails_leaves_version_1_intact(tmp_path, monkeypatch):
    path = tmp_path / "state.sqlite3"
    box = str(tmp_path / "list.mbox")
    _version_1_database(path, box)
    import viewer.core.store as store_module

    broken = (store_module._MIGRATIONS[0], store_module._MIGRATIONS[1] + "\nNOT SQL AT ALL;")
    monkeypatch.setattr(store_module, "_MIGRATIONS", broken)
    with pytest.raises(sqlite3.DatabaseError):
        Store(path)
    assert not list(tmp_path.glob("*.corrupt-*"))  # not mistaken for a damaged file
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = {row[1] for row in db.execute("PRAGMA table_info(message_state)")}
    assert "flagged" not in columns
    assert db.execute("SELECT count(*) FROM message_state").fetchone()[0] == 4
    db.close()
