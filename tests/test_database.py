"""The shared SQLite opener: migrations step by step, WAL, recovery from a broken file."""

from __future__ import annotations

import sqlite3

import pytest

from viewer.core.database import open_database

V1 = "CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"
V2 = (
    "ALTER TABLE note ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX note_pin ON note(pinned)"
)


def test_fresh_file_gets_every_step_and_wal(tmp_path):
    database = open_database(tmp_path / "s.sqlite3", (V1, V2))
    assert database.schema_version == 2
    assert database.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.recovered_from is None
    database.close()


def test_old_file_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "s.sqlite3"
    old = open_database(path, (V1,))
    with old.transaction() as db:
        db.execute("INSERT INTO note (text) VALUES ('kept')")
    old.close()
    new = open_database(path, (V1, V2))
    assert new.schema_version == 2
    assert new.db.execute("SELECT text, pinned FROM note").fetchall() == [("kept", 0)]
    new.close()


def test_failed_migration_step_leaves_previous_version(tmp_path):
    path = tmp_path / "s.sqlite3"
    first = open_database(path, (V1,))
    with first.transaction() as db:
        db.execute("INSERT INTO note (text) VALUES ('kept')")
    first.close()
    broken_step = "ALTER TABLE note ADD COLUMN x INTEGER; SELECT nonsense FROM nowhere"
    with pytest.raises(sqlite3.OperationalError):
        open_database(path, (V1, broken_step))
    assert not list(tmp_path.glob("*.corrupt-*"))  # a bad migration is no reason to move aside
    again = open_database(path, (V1,))
    assert again.db.execute("SELECT text FROM note").fetchall() == [("kept",)]
    assert again.schema_version == 1
    columns = [row[1] for row in again.db.execute("PRAGMA table_info(note)")]
    assert columns == ["id", "text"]  # the half-done step was rolled back whole
    again.close()


def test_file_from_a_newer_version_is_opened_untouched(tmp_path):
    path = tmp_path / "s.sqlite3"
    open_database(path, (V1, V2)).close()
    older_app = open_database(path, (V1,))
    assert older_app.schema_version == 2
    assert older_app.recovered_from is None
    older_app.close()


@pytest.mark.expect_log("WARNING", "viewer.core.database", match="moved aside")
def test_garbage_file_is_moved_aside(tmp_path):
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not SQLite at all\n" * 100)
    database = open_database(path, (V1,))
    assert database.recovered_from is not None
    assert database.recovered_from.read_bytes().startswith(b"this is not SQLite")
    assert database.schema_version == 1
    database.close()


def test_transaction_rolls_back_on_error(tmp_path):
    database = open_database(tmp_path / "s.sqlite3", (V1,))
    with pytest.raises(RuntimeError), database.transaction() as db:
        db.execute("INSERT INTO note (text) VALUES ('lost')")
        raise RuntimeError("boom")
    assert database.db.execute("SELECT count(*) FROM note").fetchone()[0] == 0
    database.close()
