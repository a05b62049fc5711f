"""Threads and series kept beside the index: a reopen rebuilds exactly what threading built,
and never a tree that no longer describes the mailbox or the code."""

from __future__ import annotations

import base64
import dataclasses
import quopri

import pytest

import viewer.core.archive as archive_module
from tests.corpus_paths import CORPUS
from tests.hostile_mail import mail, patch_mail, review_reply
from viewer.cli import main
from viewer.core import index_cache, tree_cache
from viewer.core.archive import Archive
from viewer.core.message import decode_message, simple_body


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(tmp_path / "cache"))


def _series(version: int, tag: str, count: int = 2) -> bytes:
    prefix = f"PATCH v{version}" if version > 1 else "PATCH"
    cover = f"{tag}-0@x"
    out = [mail(cover, f"[{prefix} 0/{count}] foo: rework the bar", "Changes.\n")]
    for n in range(1, count + 1):
        out.append(patch_mail(f"{tag}-{n}@x", f"[{prefix} {n}/{count}] foo: step {n}",
                              parent=cover, refs=(cover,)))
    return b"".join(out)


def _mailbox() -> bytes:
    """Two revisions of a series, replies, a reply to a mail the mbox lacks (a placeholder
    with two children), a duplicated Message-ID, and a lone patch."""
    return b"".join([
        _series(1, "a"),
        review_reply("r1@x", "a-1@x"),
        review_reply("r2@x", "r1@x", depth=2),
        _series(2, "b", count=3),
        mail("orphan1@x", "Re: lost", parent="gone@x", refs=("gone@x",)),
        mail("orphan2@x", "Re: lost", parent="gone@x", refs=("gone@x",)),
        mail("r1@x", "Re: a second copy", parent="a-1@x"),
        patch_mail("lone@x"),
    ])


def _shape(archive: Archive) -> tuple:
    """Everything the tree holds, as plain values: each node with its entry and depth in
    display order, every series field (links included), the counts."""
    nodes = [
        (node.msgid, node.entry.number if node.entry is not None else None, node.depth(),
         node.parent.msgid if node.parent is not None else None)
        for root in archive.threads for node in root.walk()
    ]
    series = [dataclasses.asdict(s) for s in archive.series]
    return nodes, series, archive.summary(), archive.changelog_links


def _no_building(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the tree was built again")

    monkeypatch.setattr(archive_module, "build_threads", refuse)
    monkeypatch.setattr(archive_module, "find_series", refuse)


def test_a_reopen_gives_back_the_tree_threading_built(tmp_path, monkeypatch):
    path = tmp_path / "t.mbox"
    path.write_bytes(_mailbox())
    cold = _shape(Archive.open(path))
    assert index_cache.tree_file(path).exists()
    assert len(cold[1]) == 3 and cold[1][1]["revisions"]  # v1 and v2 linked
    assert any(entry is None for _, entry, _, _ in cold[0])  # the placeholder survived
    _no_building(monkeypatch)
    again = Archive.open(path)
    assert _shape(again) == cold
    # The lookups built from the tree answer as after a cold build.
    assert again.root_of("r2@x").msgid == "a-0@x"
    assert again.series_of("b-3@x").key == "b-0@x"
    assert again.subject_info("b-2@x").counter == 2


def test_a_cached_index_reads_its_counts_from_the_head_alone(tmp_path, monkeypatch, capsys):
    path = tmp_path / "t.mbox"
    path.write_bytes(_mailbox())
    assert main(["index", str(path), "--json"]) == 0
    cold = capsys.readouterr().out
    monkeypatch.setattr(tree_cache, "load", lambda *a: pytest.fail("the tree was read"))
    _no_building(monkeypatch)
    assert main(["index", str(path), "--json"]) == 0
    cached = capsys.readouterr().out
    strip = [line for line in cold.splitlines() if "seconds" not in line]
    assert [line for line in cached.splitlines() if "seconds" not in line] == strip


def test_a_grown_mailbox_builds_its_tree_again(tmp_path):
    path = tmp_path / "t.mbox"
    path.write_bytes(_mailbox())
    Archive.open(path)
    with path.open("ab") as f:  # the missing parent arrives: two threads become one
        f.write(mail("gone@x", "lost", parent="a-2@x", refs=("a-0@x", "a-2@x")))
    grown = Archive.open(path)
    assert grown.root_of("orphan1@x").msgid == "a-0@x"
    assert _shape(Archive.open(path)) == _shape(Archive.open(path, use_cache=False))


def test_a_tree_from_other_rules_or_damaged_is_not_used(tmp_path, monkeypatch):
    path = tmp_path / "t.mbox"
    path.write_bytes(_mailbox())
    opened = Archive.open(path)
    cold = _shape(opened)
    data = path.read_bytes()
    assert tree_cache.load(path, path.stat(), data, opened.entries) is not None
    today = tree_cache.rules_digest
    monkeypatch.setattr(tree_cache, "rules_digest", lambda: "other code")
    assert tree_cache.load(path, path.stat(), data, opened.entries) is None
    monkeypatch.setattr(tree_cache, "rules_digest", today)
    blob = index_cache.tree_file(path).read_bytes()
    index_cache.tree_file(path).write_bytes(blob[:-25])  # head intact, tree cut short
    assert _shape(Archive.open(path)) == cold
    index_cache.forget(path)
    assert not index_cache.tree_file(path).exists()


def test_no_cache_writes_no_tree(tmp_path):
    path = tmp_path / "t.mbox"
    path.write_bytes(_mailbox())
    Archive.open(path, use_cache=False)
    assert not index_cache.tree_file(path).exists()


@pytest.mark.skipif(CORPUS is None, reason="needs ../shared/corpus (see tests/corpus_paths.py)")
def test_corpus_mailboxes_reopen_to_the_same_tree(tmp_path):
    files = sorted((CORPUS / "threads").glob("*.mbox")) + sorted(CORPUS.glob("b4__*.mbox"))
    assert files
    for path in files:
        cold = _shape(Archive.open(path, use_cache=False))
        Archive.open(path)  # writes the index and the tree
        assert _shape(Archive.open(path)) == cold, path.name


# -- single-part mail read without the MIME parser ----------------------------------------------


def _encoded(cte: str, charset: str, body: str) -> bytes:
    data = body.encode(charset)
    payload = base64.encodebytes(data) if cte == "base64" else quopri.encodestring(data)
    return (f"From: Rob <rob@x>\nSubject: Re: x\nMessage-ID: <e@x>\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=\"{charset}\"\n"
            f"Content-Transfer-Encoding: {cte}\n\n").encode() + payload


@pytest.mark.parametrize("cte", ["base64", "quoted-printable"])
@pytest.mark.parametrize("charset", ["utf-8", "iso-8859-1"])
def test_simple_body_decodes_as_the_mime_parser_does(cte, charset):
    body = "Looks right to me, ça marche.\n\nReviewed-by: Rob Réviewer <rob@x>\n"
    raw = _encoded(cte, charset, body)
    assert simple_body(raw) == decode_message(raw).body == body


def test_simple_body_leaves_multipart_html_and_broken_mail_to_the_parser():
    multipart = (b"Subject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nhi\n--b--\n")
    html = b"Subject: x\nContent-Type: text/html\n\n<p>hi</p>\n"
    flowed = b"Subject: x\nContent-Type: text/plain; format=flowed\n\nhi \nthere\n"
    broken = b"Subject: x\nContent-Transfer-Encoding: base64\n\n=====A\n"
    unknown = b"Subject: x\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n"
    for raw in (multipart, html, flowed, broken, unknown):
        assert simple_body(raw) is None, raw


def test_counting_skips_the_changelog_pass_which_runs_once_series_are_looked_at(tmp_path):
    path = tmp_path / "t.mbox"
    path.write_bytes(_mailbox())
    assert main(["index", str(path)]) == 0

    def kept():
        return tree_cache.load(path, path.stat(), path.read_bytes(),
                               Archive.open(path, eager_threads=False).entries)

    assert kept().changelog_links is None  # counted, no body read for the links
    linked = Archive.open(path, eager_threads=False)
    assert linked.series and linked.changelog_links == 0
    assert kept().changelog_links == 0  # the pass is kept with the tree from now on
    assert _shape(Archive.open(path)) == _shape(Archive.open(path, use_cache=False))


def test_simple_body_reads_the_charset_of_the_content_type_line_only():
    """A subject naming a mount option is no charset: the body is UTF-8 as declared."""
    body = "Reviewed-by: Rob Réviewer <rob@x>\n"
    raw = ("From: Rob <rob@x>\nSubject: Re: [PATCH] fat: default iocharset=iso8859-1\n"
           "Content-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: 8bit\n\n" + body).encode("utf-8")
    assert simple_body(raw) == decode_message(raw).body == body


def test_thread_counts_are_each_threads_mails_and_unread_ones(tmp_path):
    path = tmp_path / "t.mbox"
    path.write_bytes(_mailbox())
    read = {"a-0@x", "r1@x", "orphan1@x", "nowhere@x"}
    for archive in (Archive.open(path), Archive.open(path)):  # built, then read back
        expected = {}
        for root in archive.threads:
            mails = [n.msgid for n in root.walk() if n.entry is not None]
            expected[root.msgid] = (len(mails), sum(1 for m in mails if m not in read))
        assert archive.thread_counts(read) == expected
        assert expected["a-0@x"][0] == 6  # cover, 2 patches, 2 replies, the second r1@x copy
