"""Triage/read state: round trips, per-mailbox separation, atomicity and recovery."""

from __future__ import annotations

import sqlite3

import pytest

from viewer.core.store import SCHEMA_VERSION, PatchState, SeriesState, Store, data_dir


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
        first.set_note("box", "m1@x", "look at the locking")
        first.set_flagged("box", ["m1@x"])
        first.set_series_states("box", {"s1@x": SeriesState("waiting")})
    with Store(path) as second:
        assert second.read_ids("box") == {"m1@x"}
        assert second.patch_state("box", "m1@x").note == "look at the locking"
        assert second.flagged_ids("box") == {"m1@x"}
        assert second.series_states("box")["s1@x"].state == "waiting"
        assert second.schema_version == SCHEMA_VERSION


def test_marks_keep_read_state_and_note(store):
    store.mark_read("box", ["m1@x"])
    store.set_note("box", "m1@x", "ask about the error path")
    store.set_mark("box", ["m1@x", "m2@x"], "done")
    assert store.is_read("box", "m1@x")
    assert store.patch_state("box", "m1@x").mark == "done"
    assert store.patch_state("box", "m1@x").note == "ask about the error path"
    assert set(store.patch_states("box")) == {"m1@x", "m2@x"}
    store.set_mark("box", ["m1@x"], None)
    assert store.patch_state("box", "m1@x") == PatchState(
        None, "ask about the error path", store.patch_state("box", "m1@x").updated
    )
    assert store.is_read("box", "m1@x")


def test_bad_values_change_nothing(store):
    with pytest.raises(ValueError):
        store.set_mark("box", ["m1@x"], "maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        store.set_series_states(
            "box", {"a@x": SeriesState("new"), "b@x": SeriesState("pondering")}
        )
    assert store.patch_state("box", "m1@x").mark is None
    assert store.series_states("box") == {}


def test_series_state_round_trip(store):
    store.set_series_states(
        "box", {"a@x": SeriesState("waiting", snoozed_until=2e9), "b@x": SeriesState("new")}
    )
    store.set_series_states("box", {"b@x": SeriesState("archived", superseded_by="c@x")})
    states = store.series_states("box")
    assert (states["a@x"].state, states["a@x"].snoozed_until) == ("waiting", 2e9)
    assert (states["b@x"].state, states["b@x"].superseded_by) == ("archived", "c@x")


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


@pytest.mark.expect_log("WARNING", "viewer.core.database", match="moved aside")
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
    store.set_series_states("box", {"a@x": SeriesState("new")})
    store.forget("box")
    assert store.read_ids("box") == set()
    assert store.series_states("box") == {}


def test_addressed_marks_are_kept_per_mailbox_and_cleared(tmp_path):
    box, other = str(tmp_path / "a.mbox"), str(tmp_path / "b.mbox")
    with Store(tmp_path / "state.sqlite3") as store:
        store.set_addressed(box, "r1@x", "abc", addressed=True)
        store.set_addressed(box, "r2@x", "def", addressed=True)
        store.set_addressed(box, "r2@x", "def", addressed=False)
    with Store(tmp_path / "state.sqlite3") as again:
        assert again.addressed(box) == {("r1@x", "abc")}
        assert again.addressed(other) == set()
        again.forget(box)
        assert again.addressed(box) == set()
