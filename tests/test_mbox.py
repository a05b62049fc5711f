"""open_mailbox: formats detected from content, escaping, CRLF, bad input, progress, cancel."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest

from viewer.core.errors import LoadCancelled, MailboxError
from viewer.core.mbox import find_boundaries, open_mailbox

MAIL = Path(__file__).parent / "fixtures" / "mail"
SERIES = MAIL / "series.mbox"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(tmp_path / "cache"))


def test_mboxrd_series_index():
    source = open_mailbox(SERIES)
    assert source.format == "mboxrd"
    assert len(source.entries) == 4
    cover, patch, reply, last = source.entries
    assert [e.number for e in source.entries] == [0, 1, 2, 3]
    assert cover.msgid == "20240604081500.1-cover@example.org"
    assert cover.subject == "[PATCH v2 0/2] watchdog: foo: add pretimeout support"
    assert cover.in_reply_to is None
    assert patch.in_reply_to == cover.msgid
    assert reply.subject == "Re: [PATCH v2 1/2] watchdog: foo: refactor ping — looks fine"
    assert reply.author_name == "Jörg Müller"
    assert reply.author_email == "joerg.mueller@example.com"
    assert reply.references == (cover.msgid, patch.msgid)
    assert reply.date == 1717574400.0
    assert last.msgid == "hunkwise-3@invalid"
    assert last.date is None
    assert all(e.broken is None for e in source.entries)


def test_raw_drops_from_line_and_undoes_mboxrd_escaping():
    source = open_mailbox(SERIES)
    raw = source.raw(0)
    assert raw.startswith(b"From: Ada Lovelace")
    assert b"\nFrom the datasheet," in raw
    assert b"\n>From a quoted line, escaped twice." in raw
    assert raw.endswith(b"support.\n") or raw.endswith(b"deletions(-)\n")
    assert not raw.endswith(b"\n\n")


def test_message_decodes_the_indexed_mail():
    source = open_mailbox(SERIES)
    for entry in source.entries:
        msg = source.message(entry.number)
        assert (msg.msgid, msg.subject, msg.date) == (entry.msgid, entry.subject, entry.date)
    assert "+\treturn foo_kick(wdt);" in source.message(1).body


def test_plain_mboxo_unescapes_one_level(tmp_path):
    path = tmp_path / "plain.mbox"
    path.write_bytes(
        b"From a@b Mon Jan  1 00:00:00 2024\nSubject: one\nMessage-ID: <1@x>\n\n"
        b">From here on\n> >From stays\n\n"
        b"From a@b Mon Jan  1 00:00:00 2024\nSubject: two\nMessage-ID: <2@x>\n\nbody\n"
    )
    source = open_mailbox(path)
    assert source.format == "mbox"
    assert [e.subject for e in source.entries] == ["one", "two"]
    assert source.raw(0).endswith(b"\n\nFrom here on\n> >From stays\n")


def test_crlf_mbox(tmp_path):
    path = tmp_path / "crlf.mbox"
    path.write_bytes(SERIES.read_bytes().replace(b"\n", b"\r\n"))
    lf, crlf = open_mailbox(SERIES, use_cache=False), open_mailbox(path, use_cache=False)
    assert [(e.msgid, e.subject, e.references, e.date) for e in crlf.entries] == [
        (e.msgid, e.subject, e.references, e.date) for e in lf.entries
    ]
    assert crlf.message(2).author.name == "Jörg Müller"


def test_gzip_mbox(tmp_path):
    path = tmp_path / "t.mbox.gz"
    path.write_bytes(gzip.compress(SERIES.read_bytes()))
    source = open_mailbox(path)
    assert source.format == "gzip-mbox"
    assert len(source.entries) == 4
    assert b"\n>From a quoted line" in source.raw(0)  # lore's t.mbox.gz is mboxrd


def test_truncated_gzip_is_a_clear_error(tmp_path):
    path = tmp_path / "t.mbox.gz"
    path.write_bytes(gzip.compress(SERIES.read_bytes() * 20)[:300])
    with pytest.raises(MailboxError, match="truncated"):
        open_mailbox(path)


def test_single_eml_detected_by_content_not_name(tmp_path):
    path = tmp_path / "message.txt"
    shutil.copy(MAIL / "attached-patch.eml", path)
    source = open_mailbox(path)
    assert source.format == "eml"
    assert [e.msgid for e in source.entries] == ["attached-patch@example.fr"]
    assert "diff --git" in source.message(0).body


def test_mbox_named_eml_is_still_an_mbox(tmp_path):
    path = tmp_path / "thread.eml"
    shutil.copy(SERIES, path)
    assert open_mailbox(path).format == "mboxrd"


def test_maildir(tmp_path):
    maildir = tmp_path / "Mail"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "cur" / "1700000001.M1P1.host:2,S").write_bytes(
        b"Subject: first\nMessage-ID: <m1@x>\n\nbody\n"
    )
    (maildir / "new" / "1700000002.M2P2.host").write_bytes(
        b"Subject: second\nMessage-ID: <m2@x>\nIn-Reply-To: <m1@x>\n\nbody\n"
    )
    source = open_mailbox(maildir)
    assert source.format == "maildir"
    assert [e.msgid for e in source.entries] == ["m1@x", "m2@x"]
    assert source.entries[1].in_reply_to == "m1@x"
    assert source.message(1).subject == "second"


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p, "no such file"),
        (lambda p: (p.mkdir(), p)[1], "not a Maildir"),
        (lambda p: (p.write_bytes(b""), p)[1], "empty"),
        (lambda p: (p.write_bytes(bytes(range(256)) * 64), p)[1], "binary"),
        (lambda p: (p.write_bytes(b"Dear diary,\nnothing here is mail.\n"), p)[1], "not a mailbox"),
        (lambda p: (p.write_bytes(gzip.compress(b"\x00\x01binary" * 100)), p)[1], "not contain"),
    ],
)
def test_bad_input_is_a_one_line_mailbox_error(tmp_path, make, words):
    path = make(tmp_path / "input")
    with pytest.raises(MailboxError) as info:
        open_mailbox(path)
    assert words in str(info.value)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.mbox"
    shutil.copy(SERIES, path)
    path.chmod(0)
    with pytest.raises(MailboxError, match="permission denied"):
        open_mailbox(path)


def test_source_is_never_written(tmp_path):
    path = tmp_path / "ro.mbox"
    shutil.copy(SERIES, path)
    path.chmod(0o444)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    source = open_mailbox(path)
    source.message(0)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_one_broken_message_does_not_stop_the_rest(tmp_path):
    path = tmp_path / "mixed.mbox"
    good = b"From x Mon Jan  1 00:00:00 2024\nSubject: ok %d\nMessage-ID: <%d@x>\n\nbody\n\n"
    path.write_bytes(
        good % (1, 1)
        + b"From x Mon Jan  1 00:00:00 2024\n\x00\xff\xfe garbage without headers\n\n"
        + good % (3, 3)
    )
    source = open_mailbox(path)
    assert len(source.entries) == 3
    assert source.entries[1].broken
    assert source.entries[1].msgid == "hunkwise-1@invalid"
    assert [e.subject for e in source.entries if not e.broken] == ["ok 1", "ok 3"]
    assert source.message(1).broken


def test_find_boundaries_only_splits_at_line_start():
    data = b"From a\nSubject: x\n\nsay From here\n>From escaped\nFrom b\nSubject: y\n\n"
    spans = find_boundaries(data)
    assert [data[s:e].split(b"\n")[0] for s, e in spans] == [b"From a", b"From b"]
    assert spans[-1][1] == len(data)


def test_progress_and_cancel(tmp_path, monkeypatch):
    import viewer.core.scan as scan

    monkeypatch.setattr(scan, "_PROGRESS_STEP", 1024)
    path = tmp_path / "big.mbox"
    path.write_bytes(SERIES.read_bytes() * 50)
    seen: list[tuple[int, int]] = []
    source = open_mailbox(path, use_cache=False, progress=lambda d, t: seen.append((d, t)))
    assert len(source.entries) == 200
    assert len(seen) > 10
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(LoadCancelled):
        open_mailbox(path, use_cache=False, cancelled=cancelled)


def test_headerless_text_named_as_mail_is_one_broken_message(tmp_path):
    body = b"Thanks, applied.\n\n> +\tmask = BIT(3);\n"
    named = tmp_path / "fragment.mbox"
    named.write_bytes(body)
    source = open_mailbox(named, use_cache=False)
    assert [e.broken for e in source.entries] == ["no mail headers"]
    assert source.message(0).body.startswith("Thanks, applied.")
    other = tmp_path / "notes.txt"
    other.write_bytes(body)
    with pytest.raises(MailboxError, match="not a mailbox"):
        open_mailbox(other, use_cache=False)


def _many(tmp_path: Path, copies: int = 60) -> Path:
    """A mailbox of distinct messages (ids and a missing Message-ID every copy) to cut in two."""
    blob = SERIES.read_bytes()
    path = tmp_path / "many.mbox"
    path.write_bytes(b"".join(blob.replace(b"@example.org>", b".%d@example.org>" % i)
                              for i in range(copies)))
    return path


@pytest.fixture
def forking(monkeypatch):
    """Cut even a small file in two processes, as a big one is."""
    import viewer.core.scan as scan

    monkeypatch.setattr(scan, "_FORK_MIN", 0)
    monkeypatch.setattr(scan, "fork_allowed", lambda: True)
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    return scan


def test_two_process_scan_equals_one_process_scan(tmp_path, monkeypatch, forking):
    path = _many(tmp_path)
    forked = open_mailbox(path, use_cache=False)
    monkeypatch.setattr(forking, "_FORK_MIN", 1 << 62)
    single = open_mailbox(path, use_cache=False)
    assert len(forked.entries) == 240
    assert forked.entries == single.entries
    assert forked._spans == single._spans
    # Numbers and synthetic ids of the second half count from the first half's messages.
    assert forked.entries[-1].msgid == "hunkwise-239@invalid"
    assert forked.raw(200) == single.raw(200)


def test_a_failing_child_leaves_its_half_to_the_parent(tmp_path, monkeypatch, forking):
    path = _many(tmp_path)

    def broken(*_args):
        raise RuntimeError("no marshalling in the child")

    # The child dies before sending anything: the parent notices and scans that half too.
    monkeypatch.setattr(forking, "marshal", type("M", (), {"dumps": broken,
                                                           "loads": broken}))
    forked = open_mailbox(path, use_cache=False)
    monkeypatch.setattr(forking, "_FORK_MIN", 1 << 62)
    assert forked.entries == open_mailbox(path, use_cache=False).entries


def test_two_process_scan_progress_and_cancel(tmp_path, forking, monkeypatch):
    monkeypatch.setattr(forking, "_PROGRESS_STEP", 1024)
    path = _many(tmp_path, 2000)
    size = path.stat().st_size
    seen: list[int] = []
    source = open_mailbox(path, use_cache=False, progress=lambda d, t: seen.append(d))
    assert len(source.entries) == 8000
    assert seen == sorted(seen) and seen[-1] == size
    assert any(size // 2 < d < size for d in seen)  # the bar moves while the headers are read

    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(LoadCancelled):
        open_mailbox(path, use_cache=False, cancelled=cancelled)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the cancelled load reaped its child


def test_grown_mbox_tail_scanned_in_two_processes(tmp_path, monkeypatch, forking):
    path = _many(tmp_path, 10)
    first = open_mailbox(path)
    (tmp_path / "more").mkdir()
    tail = _many(tmp_path / "more", 30)
    with path.open("ab") as f:
        f.write(tail.read_bytes().replace(b"@example.org>", b"@tail.example.org>"))
    grown = open_mailbox(path)
    assert not grown.from_cache and len(grown.entries) == 160
    monkeypatch.setattr(forking, "_FORK_MIN", 1 << 62)
    assert grown.entries[: len(first.entries) - 1] == first.entries[:-1]
    assert grown.entries == open_mailbox(path, use_cache=False).entries


def test_collector_paused_restores_what_was_there(tmp_path):
    import gc

    from viewer.core.bulk import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not switch it back on early
    assert gc.isenabled()
    with pytest.raises(MailboxError):
        open_mailbox(tmp_path / "missing.mbox")
    open_mailbox(SERIES, use_cache=False)
    assert gc.isenabled()  # a bulk load leaves the collector as it found it
