"""Every mailbox of the shared corpus opens, with as many messages as it has separators."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.core.mbox import open_mailbox

CORPUS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus").resolve()

pytestmark = pytest.mark.corpus

# git's t5100 expected-output fragment: a body whose headers were split off. Named as mail and
# plain text, it is listed as one broken message (shown, not refused).
HEADERLESS = {"git__t5100-0002mboxrd"}


def _mailboxes() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    files = [p for p in CORPUS.iterdir() if p.is_file() and p.suffix not in (".md", ".json")]
    files += sorted((CORPUS / "threads").glob("*.mbox"))
    return sorted(files)


def _expected_count(data: bytes) -> int:
    """Separators counted the plain way: lines starting with "From " (mboxrd escapes the
    body ones), or 1 for a single mail without any."""
    count = data.count(b"\nFrom ") + data.startswith(b"From ")
    return count or 1


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(tmp_path / "cache"))


def test_corpus_present_or_skipped():
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} not found")
    assert len(_mailboxes()) > 100


@pytest.mark.parametrize("path", _mailboxes(), ids=lambda p: p.name)
def test_corpus_mailbox_opens_with_right_count(path):
    if path.name in HEADERLESS:
        source = open_mailbox(path)
        assert len(source.entries) == 1
        assert source.entries[0].broken == "no mail headers"
        assert "From also unchanged" in source.message(0).body
        return
    source = open_mailbox(path)
    assert len(source.entries) == _expected_count(path.read_bytes())
    assert [e.number for e in source.entries] == list(range(len(source.entries)))
    # Messages that have headers get a real id, and decode to the same id they are listed with.
    for entry in source.entries[:50]:
        message = source.message(entry.number)
        assert message.msgid == entry.msgid
        if not entry.broken:
            assert message.subject == entry.subject


def test_thread_files_are_mboxrd_with_real_ids():
    files = sorted((CORPUS / "threads").glob("*.mbox")) if CORPUS.is_dir() else []
    if not files:
        pytest.skip("no corpus threads")
    for path in files:
        source = open_mailbox(path)
        assert source.format == "mboxrd"
        assert all(not e.msgid.endswith("@invalid") for e in source.entries), path.name
        assert all(e.date is not None for e in source.entries), path.name


def test_large_archive_indexes_and_caches():
    files = sorted((CORPUS / "large").glob("*.mbox")) if CORPUS.is_dir() else []
    if not files:
        pytest.skip("no large corpus archive")
    for path in files:
        data = path.read_bytes()
        source = open_mailbox(path)
        assert len(source.entries) == _expected_count(data)
        assert sum(1 for e in source.entries if e.broken) == 0
        again = open_mailbox(path)
        assert again.from_cache  # how fast: bench/bench_index.py
        assert again.entries == source.entries
