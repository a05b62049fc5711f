"""Threads and series on real mail: notmuch's threading edge cases, LKML, review threads."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from viewer.core.mbox import IndexEntry, open_mailbox
from viewer.core.series import find_series
from viewer.core.subject import parse_subject
from viewer.core.threader import ThreadNode, build_threads

CORPUS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus").resolve()

pytestmark = pytest.mark.corpus


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(tmp_path / "cache"))


def _entries(*paths: Path) -> list[IndexEntry]:
    """The index of several one-mail files as one mailbox (numbers made unique)."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        pytest.skip(f"corpus absent: {missing[0].name}")
    entries: list[IndexEntry] = []
    for path in paths:
        for entry in open_mailbox(path, use_cache=False).entries:
            entries.append(dataclasses.replace(entry, number=len(entries)))
    return entries


def _shape(node: ThreadNode):
    return (node.msgid if node.entry else f"?{node.msgid}", [_shape(c) for c in node.children])


def test_notmuch_ghost_root():
    names = ["real-root", "child", "fake-root", "grand-child", "grand-child2",
             "great-grand-child"]
    entries = _entries(*(CORPUS / f"notmuch__threading-ghost-root-{n}" for n in names))
    roots = build_threads(entries)
    # "fake-root" answers a mail nobody has; its References put that mail under "child".
    assert [_shape(r) for r in roots] == [
        (
            "000-real-root@example.org",
            [
                (
                    "001-child@example.org",
                    [
                        ("001-fake-message-root@example.org", []),
                        ("001-grand-child@example.org",
                         [("001-great-grand-child@example.org", [])]),
                        ("001-grand-child2@example.org", []),
                    ],
                )
            ],
        )
    ]


def test_notmuch_request_tracker_ghost_root_is_one_thread():
    paths = sorted(CORPUS.glob("notmuch__threading-ghost-root-15*"))
    if len(paths) != 3:
        pytest.skip("corpus absent")
    roots = build_threads(_entries(*paths))
    assert len(roots) == 1
    assert roots[0].entry is None  # the ticket id nobody sent, holding both branches
    assert sum(1 for n in roots[0].walk() if n.entry) == 3


def test_notmuch_parent_priority():
    names = ["cur-root", "cur-child", "cur-grand-child"]
    entries = _entries(*(CORPUS / f"notmuch__threading-parent-priority-{n}" for n in names))
    roots = build_threads(entries)
    assert [_shape(r) for r in roots] == [
        ("B00-root@example.org",
         [("B01-child@example.org", [("B01-grand-child@example.org", [])])])
    ]


def test_notmuch_in_reply_to_loop():
    entries = _entries(CORPUS / "notmuch__broken-loop-loop-12",
                       CORPUS / "notmuch__broken-loop-loop-21")
    roots = build_threads(entries)
    assert len(roots) == 1
    assert sorted(n.msgid for n in roots[0].walk()) == [
        "mid-loop-12@example.org",
        "mid-loop-21@example.org",
    ]


def test_every_review_thread_is_one_thread_with_its_series():
    paths = sorted((CORPUS / "threads").glob("*.mbox"))
    if not paths:
        pytest.skip("corpus absent")
    for path in paths:
        entries = open_mailbox(path, use_cache=False).entries
        roots = build_threads(entries)
        assert len(roots) == 1, path.name
        assert sum(1 for n in roots[0].walk() if n.entry) == len(entries), path.name
        series = find_series(entries, roots)
        assert series, path.name
        # the version in the file name is the version of the series posted there
        version = int(path.name.split("_v")[1].split("_")[0])
        assert version in {s.version for s in series}, path.name


def test_multi_version_series_are_linked_as_revisions():
    paths = sorted((CORPUS / "threads").glob("*pwm-intel-add-pwm-driver-for-a-new-soc.mbox"))
    if len(paths) < 2:
        pytest.skip("corpus absent")
    entries = _entries(*paths)
    series = find_series(entries, build_threads(entries))
    intel = [s for s in series if s.subject == "pwm: intel: Add PWM driver for a new SoC"]
    versions = sorted(s.version for s in intel)
    assert len(versions) >= len(paths)
    revisions = intel[0].revisions
    assert all(s.revisions == revisions for s in intel)
    by_key = {s.key: s for s in series}
    assert [by_key[k].version for k in revisions] == sorted(by_key[k].version for k in revisions)


def test_lkml_series_survive_archive_damage():
    """The cifs RFC series answers "yes" (the In-Reply-To prompt of git send-email) and comes
    from two rewritten addresses; the 44-patch series has a gmane-rewritten cover id."""
    path = CORPUS / "notmuch__lkml-corpus.mbox"
    entries = _entries(path)
    series = find_series(entries, build_threads(entries))
    cifs = [s for s in series if s.subject.startswith("cifs: local caching")]
    assert len(cifs) == 1 and cifs[0].is_rfc and cifs[0].total == 10
    assert not cifs[0].missing
    semicolons = [s for s in series if s.total == 44]
    assert len(semicolons) == 1 and not semicolons[0].missing


def test_large_archive_threads_every_mail():
    path = CORPUS / "large" / "linux-watchdog-archive__2019-04_to_2022-07.mbox"
    entries = _entries(path)
    roots = build_threads(entries)  # how fast: bench/bench_index.py (the thread list)
    infos = {e.msgid: parse_subject(e.subject) for e in entries}
    series = find_series(entries, roots, infos)
    assert sum(1 for r in roots for n in r.walk() if n.entry) == len(entries)
    patches = {m for s in series for m in s.patches.values()}
    assert all(not infos[m].is_reply for m in patches)
