"""Facts derived from mail (trailers given in replies, patch fingerprints) kept with the index:
read back instead of reading the mails again, dropped with the index, kept when the mbox grew."""

from __future__ import annotations

import json
import os

import pytest

import viewer.core.archive as archive_module
from tests.corpus_paths import CORPUS
from tests.hostile_mail import SEP, mail, patch_mail, review_reply
from viewer.cli import main
from viewer.core import index_cache
from viewer.core.archive import Archive
from viewer.core.message import decode_message, plain_body, simple_body
from viewer.core.trailers import trailers_given, trailers_in_reply


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(tmp_path / "cache"))


def _thread() -> bytes:
    return (patch_mail("p@x") + review_reply("r1@x", "p@x")
            + mail("r2@x", "Re: [PATCH] foo: use new()",
                   "Acked-by: Cat Maintainer <cat@example.org>\n", parent="p@x",
                   refs=("p@x",), sender="Cat Maintainer <cat@example.org>"))


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Message-IDs whose bytes the archive reads to find the trailers a reply gives."""
    seen: list[str] = []
    original = Archive._read_reply_trailers

    def spy(self, msgid):
        seen.append(msgid)
        return original(self, msgid)

    monkeypatch.setattr(Archive, "_read_reply_trailers", spy)
    return seen


def test_listing_again_reads_no_reply(tmp_path, capsys, reads):
    path = tmp_path / "t.mbox"
    path.write_bytes(_thread())
    assert main(["threads", str(path), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert sorted(reads) == ["r1@x", "r2@x"]
    assert index_cache.facts_file(path).exists()
    reads.clear()
    assert main(["threads", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert reads == []
    patch = next(m for t in first["threads"] for m in t["messages"] if m.get("kind") == "patch")
    assert patch["trailers"] == {"A": 1, "R": 1, "T": 0}


def test_facts_follow_the_index(tmp_path, reads):
    path = tmp_path / "t.mbox"
    path.write_bytes(_thread())
    archive = Archive.open(path)
    archive.trailer_counts("p@x")
    archive.save_facts()
    # Grown: the facts of the earlier mails hold, the last one is read again.
    with path.open("ab") as f:
        f.write(mail("r3@x", "Re: [PATCH] foo: use new()", "Reviewed-by: Dee <dee@x>\n",
                     parent="p@x", refs=("p@x",), sender="Dee <dee@x>"))
    reads.clear()
    grown = Archive.open(path)
    assert grown.trailer_counts("p@x") == {"A": 1, "R": 2, "T": 0}
    assert sorted(reads) == ["r2@x", "r3@x"]
    grown.save_facts()
    assert index_cache.load_facts(path, path.stat(), path.read_bytes())
    # Rewritten in the middle (same length, other mtime): nothing holds.
    data = path.read_bytes().replace(b"Why not", b"Why NOT")
    os.utime(path, ns=(1, 1))
    path.write_bytes(data)
    assert index_cache.load_facts(path, path.stat(), data) == {}
    # Without the cache, nothing is written.
    index_cache.forget(path)
    Archive.open(path, use_cache=False).save_facts()
    assert not index_cache.facts_file(path).exists()


def test_plain_body_only_for_mail_whose_bytes_are_its_text():
    assert plain_body(SEP + b"Subject: x\n\nbody\n") == "body\n"
    for header in (b"Content-Transfer-Encoding: base64", b"Content-Transfer-Encoding: Quoted-"
                   b"Printable", b"Content-Type: multipart/mixed; boundary=x",
                   b"Content-Type: text/plain; charset=iso-8859-1",
                   b"Content-Type: text/plain;\n format=flowed"):
        assert plain_body(b"Subject: x\n" + header + b"\n\nbody\n") is None
    assert plain_body(b"Subject: x\r\n\r\nbody\r\n") is None
    assert plain_body(b"no blank line") is None


def _replies(data: bytes):
    archive_path_mails = [m for m in data.split(b"\nFrom ") if b"-by:" in m]
    return [m if m.startswith(b"From ") else b"From " + m for m in archive_path_mails]


def test_cheap_trailer_scan_equals_decoding_on_every_reply(tmp_path):
    """Wherever the bytes are read directly, the trailers are those the full decoder finds."""
    files = [tmp_path / "own.mbox"]
    files[0].write_bytes(_thread())
    if CORPUS is not None:
        files += sorted((CORPUS / "threads").glob("*.mbox"))[:30]
        files += sorted(CORPUS.glob("b4__*.mbox"))
    compared = 0
    for path in files:
        archive = Archive.open(path)
        for entry in archive.entries:
            raw = archive.raw(entry.msgid)
            body = simple_body(raw)
            if body is None or b"-by:" not in raw:
                continue
            cheap = trailers_given(body, entry.msgid, entry.author_name, entry.author_email)
            assert cheap == trailers_in_reply(decode_message(raw)), (path.name, entry.msgid)
            compared += 1
    assert compared >= 2


def test_hint_skips_mail_without_trailers(monkeypatch, tmp_path):
    path = tmp_path / "t.mbox"
    path.write_bytes(patch_mail("p@x") + mail("q@x", "Re: x", "no tags here\n", parent="p@x"))
    decoded: list[bytes] = []
    monkeypatch.setattr(archive_module, "trailers_in_reply",
                        lambda m: decoded.append(m.msgid) or [])
    assert Archive.open(path).trailer_counts("p@x") == {"A": 0, "R": 0, "T": 0}
    assert decoded == []


def test_cached_index_is_read_only_when_asked_and_a_damaged_one_is_rescanned(tmp_path):
    path = tmp_path / "t.mbox"
    path.write_bytes(_thread())
    cold = Archive.open(path).entries
    assert main(["index", str(path)]) == 0  # keeps the counts with the index
    again = Archive.open(path, eager_threads=False)
    assert again.summary()["messages"] == 3
    assert again.source._entries is None  # counts came without building one entry
    assert again.entries == cold
    blob = index_cache.cache_file(path).read_bytes()
    index_cache.cache_file(path).write_bytes(blob[:-40])  # the head intact, the payload cut
    damaged = Archive.open(path)
    assert damaged.source.from_cache
    assert damaged.entries == cold
    assert damaged.raw("r2@x").startswith(b"From: Cat")


def test_pruning_tolerates_files_another_process_removed(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir()
    for n in range(70):
        (folder / f"{n:02}.idx").write_bytes(b"x")
    real_glob = type(folder).glob

    def glob_then_vanish(self, pattern):
        found = list(real_glob(self, pattern))
        if pattern == "*.idx":
            found[0].unlink()  # removed by the other process after it was listed
        return iter(found)

    monkeypatch.setattr(type(folder), "glob", glob_then_vanish)
    index_cache._prune(folder)
    assert len(list(real_glob(folder, "*.idx"))) == 64
