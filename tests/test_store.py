"""Triage/read state: round trips, per-mailbox separation, atomicity and recovery."""

from __future__ import annotations

import sqlite3

import pytest

from viewer.core.store import SCHEMA_VERSION, Store, Triage, data_dir


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "state.sqlite3") as s:
        yield s


def test_read_state_round_trip(store, tmp_path):
    box = tmp_path / "a.mbox"
    assert store.read_ids(box) == set()
    store.mark_read(box, ["m1@x", "m2@x", "m1@x"])
    assert store.read_ids(box) == {"m1@x", "m2@x"}
    assert store.is_read(box, "m1@x")
    store.mark_read(box, ["m1@x"], read=False)
    assert store.read_ids(box) == {"m2@x"}
    assert not store.is_read(box, "m1@x")


def test_state_is_per_mailbox_and_path_is_normalised(store, tmp_path):
    (tmp_path / "sub").mkdir()
    store.mark_read(tmp_path / "a.mbox", ["m1@x"])
    assert store.read_ids(tmp_path / "b.mbox") == set()
    assert store.read_ids(tmp_path / "sub" / ".." / "a.mbox") == {"m1@x"}


def test_state_survives_reopen(tmp_path):
    path = tmp_path / "state.sqlite3"
    with Store(path) as first:
        first.mark_read("box", ["m1@x"])
        first.set_triage("box", "m1@x", "todo", "look at the locking")
    with Store(path) as second:
        assert second.read_ids("box") == {"m1@x"}
        triage = second.triage("box", "m1@x")
        assert triage is not None
        assert (triage.state, triage.note) == ("todo", "look at the locking")
        assert second.schema_version == SCHEMA_VERSION


def test_triage_keeps_read_state_and_can_be_cleared(store):
    store.mark_read("box", ["m1@x"])
    store.set_triage("box", "m1@x", "done")
    assert store.is_read("box", "m1@x")
    assert store.triage_all("box") == {"m1@x": store.triage("box", "m1@x")}
    store.set_triage("box", "m1@x", None)
    assert store.triage("box", "m1@x") is None
    assert store.is_read("box", "m1@x")


def test_bad_triage_state_changes_nothing(store):
    with pytest.raises(ValueError):
        store.set_triage("box", "m1@x", "maybe")  # type: ignore[arg-type]
    assert store.triage("box", "m1@x") is None


def test_failed_transaction_leaves_nothing_behind(store, monkeypatch):
    store.mark_read("box", ["m1@x"])
    original = store._db

    class Exploding:
        """Delegates to the connection but fails the bulk insert half-way."""

        def __getattr__(self, name):
            return getattr(original, name)

        def executemany(self, sql, rows):
            rows = list(rows)
            original.execute(sql, rows[0])
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "_db", Exploding())
    with pytest.raises(sqlite3.OperationalError):
        store.mark_read("box", ["m2@x", "m3@x"])
    monkeypatch.setattr(store, "_db", original)
    assert store.read_ids("box") == {"m1@x"}


def test_wal_mode(store):
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_corrupt_database_is_moved_aside(tmp_path):
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"this is not a database, it is a sandwich" * 100)
    with Store(path) as store:
        assert store.recovered_from is not None and store.recovered_from.exists()
        store.mark_read("box", ["m1@x"])
        assert store.read_ids("box") == {"m1@x"}


def test_data_dir_honours_env(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_DATA_DIR", str(tmp_path / "d"))
    assert data_dir() == tmp_path / "d"
    with Store() as store:
        assert store.path == tmp_path / "d" / "state.sqlite3"
        assert store.path.exists()


def test_forget(store):
    store.mark_read("box", ["m1@x"])
    store.forget("box")
    assert store.read_ids("box") == set()
    assert Triage(None).note == ""
