"""The on-disk index: reused only for the same bytes, tail-scanned when the mbox grew."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest

import viewer.core.scan as scan
from viewer.core import index_cache
from viewer.core.mbox import open_mailbox

SERIES = Path(__file__).parent / "fixtures" / "mail" / "series.mbox"
EXTRA = (
    b"From mboxrd@z Thu Jan  1 00:00:00 1970\n"
    b"From: Late <late@example.org>\nSubject: Re: appended\nMessage-ID: <late@example.org>\n"
    b"In-Reply-To: <20240604081500.1-cover@example.org>\n\nappended later\n\n"
)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def mailbox(tmp_path) -> Path:
    path = tmp_path / "list.mbox"
    shutil.copy(SERIES, path)
    return path


@pytest.fixture
def scanned(monkeypatch) -> list[int]:
    """Start offsets of every message the scanner reads headers of."""
    starts: list[int] = []
    real = scan._entry_from_headers

    def spy(number, data, start, end, *rest):
        starts.append(start)
        return real(number, data, start, end, *rest)

    monkeypatch.setattr(scan, "_entry_from_headers", spy)
    return starts


def test_cache_dir_honours_env(cache):
    assert index_cache.cache_dir() == cache


def test_reopen_comes_from_cache_with_equal_entries(cache, mailbox, scanned):
    first = open_mailbox(mailbox)
    assert not first.from_cache
    assert len(list(cache.glob("*.idx"))) == 1
    scanned.clear()
    second = open_mailbox(mailbox)
    assert second.from_cache
    assert scanned == []
    assert second.entries == first.entries
    assert second.raw(2) == first.raw(2)


def test_use_cache_false_neither_reads_nor_writes(cache, mailbox):
    source = open_mailbox(mailbox, use_cache=False)
    assert not source.from_cache
    assert not cache.exists() or not list(cache.glob("*.idx"))


def test_appended_mbox_scans_only_the_tail(cache, mailbox, scanned):
    first = open_mailbox(mailbox)
    with mailbox.open("ab") as f:
        f.write(EXTRA)
    scanned.clear()
    grown = open_mailbox(mailbox)
    assert not grown.from_cache
    # Only the last cached message (possibly continued) and the new one are read.
    assert scanned == [first._spans[-1][0], first._spans[-1][1]]
    assert grown.entries[:-1] == first.entries
    assert grown.entries[-1].msgid == "late@example.org"
    assert grown.entries[-1].number == 4
    assert grown.entries == open_mailbox(mailbox, use_cache=False).entries
    assert open_mailbox(mailbox).from_cache


def test_rewritten_mbox_same_size_is_rescanned(cache, mailbox):
    open_mailbox(mailbox)
    data = mailbox.read_bytes().replace(b"refactor ping", b"refactor pong")
    mailbox.write_bytes(data)
    os.utime(mailbox, ns=(1, 1))
    source = open_mailbox(mailbox)
    assert not source.from_cache
    assert "pong" in source.entries[1].subject


def test_shrunk_mbox_is_rescanned(cache, mailbox):
    open_mailbox(mailbox)
    data = mailbox.read_bytes()
    mailbox.write_bytes(data[: data.rfind(b"\nFrom ") + 1])
    source = open_mailbox(mailbox)
    assert not source.from_cache
    assert len(source.entries) == 3


def test_corrupt_or_old_cache_is_ignored(cache, mailbox):
    open_mailbox(mailbox)
    (target,) = cache.glob("*.idx")
    target.write_bytes(b"\x00garbage")
    assert not open_mailbox(mailbox).from_cache
    assert open_mailbox(mailbox).from_cache  # rewritten by the scan


def test_version_bump_invalidates(cache, mailbox, monkeypatch):
    open_mailbox(mailbox)
    monkeypatch.setattr(index_cache, "VERSION", index_cache.VERSION + 1)
    assert not open_mailbox(mailbox).from_cache


def test_unwritable_cache_dir_still_loads(tmp_path, monkeypatch, mailbox, expect_log):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(blocker / "sub"))
    with expect_log("WARNING", "viewer.core.index_cache", match="could not save"):
        assert len(open_mailbox(mailbox).entries) == 4


def test_gzip_cache_and_growth(cache, tmp_path):
    path = tmp_path / "t.mbox.gz"
    path.write_bytes(gzip.compress(SERIES.read_bytes()))
    open_mailbox(path)
    assert open_mailbox(path).from_cache
    path.write_bytes(gzip.compress(SERIES.read_bytes() + EXTRA))
    grown = open_mailbox(path)
    assert [e.msgid for e in grown.entries][-1] == "late@example.org"


def test_no_temporary_files_left(cache, mailbox):
    open_mailbox(mailbox)
    assert [p.suffix for p in cache.iterdir()] == [".idx"]
