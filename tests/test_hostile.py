"""Hostile mailboxes (tests/hostile_mail.py): each opens with every mail counted, or is refused
with one line saying why. The slow cases run as commands in ``bench/hostile.py``."""

from __future__ import annotations

import json

import pytest

from tests.hostile_mail import CASES, HostileCase, case, reply_chain
from viewer.cli import main
from viewer.core.archive import Archive
from viewer.core.errors import MailboxError, NotAMailbox
from viewer.core.report import review_json, threads_json

FAST = [c for c in CASES if c.fast]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(tmp_path / "cache"))


def _write(tmp_path, hostile: HostileCase):
    path = tmp_path / hostile.filename
    path.write_bytes(hostile.make())
    return path


@pytest.mark.parametrize("hostile", FAST, ids=lambda c: c.name)
def test_hostile_input_opens_counted_or_is_refused(tmp_path, hostile):
    path = _write(tmp_path, hostile)
    if hostile.messages is None:
        with pytest.raises(MailboxError) as info:
            Archive.open(path)
        assert hostile.refused in str(info.value)
        assert "\n" not in str(info.value)
        return
    archive = Archive.open(path)
    assert len(archive.entries) == hostile.messages
    listed = threads_json(archive)
    assert sum(t["count"] for t in listed["threads"]) == hostile.messages
    json.dumps(listed)
    review = review_json(archive, None)
    json.dumps(review)
    assert not review.get("errors")
    # From the cache, the same listing.
    again = Archive.open(path)
    assert again.source.from_cache or again.format == "eml"
    assert threads_json(again) == listed


@pytest.mark.parametrize("name", ["one-byte-file", "json-named-mbox", "png-named-mbox",
                                  "passwd-named-mbox", "whitespace-only"])
def test_not_mail_is_a_typed_error_and_a_failing_command(tmp_path, capsys, name):
    path = _write(tmp_path, case(name))
    with pytest.raises(NotAMailbox):
        Archive.open(path)
    assert main(["index", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"hunkwise: {path}: not a mailbox (")
    assert err.count("\n") == 1


def test_not_a_mailbox_says_what_the_file_looks_like(tmp_path):
    for name, words in [("json-named-mbox", "JSON"), ("png-named-mbox", "PNG image"),
                        ("one-byte-file", "only 1 byte"), ("elf-named-mbox", "program")]:
        with pytest.raises(NotAMailbox, match=words):
            Archive.open(_write(tmp_path, case(name)))


def test_cr_only_mbox_splits_into_its_messages(tmp_path):
    path = _write(tmp_path, case("cr-only-line-ends"))
    archive = Archive.open(path)
    assert [e.msgid for e in archive.entries] == [f"mac{i}@x" for i in range(24)]
    assert archive.message("mac1@x").body.startswith("On Mon, 1 Jan 2024")
    assert "\r" not in archive.message("mac1@x").body
    assert archive.patch("mac0@x") is not None
    archive.source.close()  # raw() reopens the file and must read it as LF again
    assert archive.raw("mac3@x").startswith(b"From: Ann Author")
    assert Archive.open(path).source.from_cache


def test_reply_chain_threads_as_one_deep_thread(tmp_path):
    path = tmp_path / "chain.mbox"
    path.write_bytes(reply_chain(1200))
    archive = Archive.open(path)
    assert len(archive.threads) == 1
    assert archive.node("c1199@x").depth() == 1199
    depths = [m["depth"] for m in threads_json(archive)["threads"][0]["messages"]]
    assert depths == list(range(1200))
