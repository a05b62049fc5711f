"""Thread-list orders and placeholder subjects, judged from headers only (no Qt)."""

from __future__ import annotations

import pytest

from viewer.core.mbox import IndexEntry
from viewer.core.placeholder import MISSING, implied_subject
from viewer.core.subject import parse_subject
from viewer.core.thread_sort import ThreadCounts, sort_key, sort_threads
from viewer.core.threader import build_threads


def _entry(n: int, msgid: str, subject: str, author: str, date: float | None,
           parent: str | None = None) -> IndexEntry:
    return IndexEntry(n, msgid, parent, (parent,) if parent else (), subject, author,
                      f"{author.lower()}@example.org", date)


ENTRIES = [
    _entry(0, "z1", "zebra", "Zed", 100.0),
    _entry(1, "z2", "Re: zebra", "Amy", 200.0, "z1"),
    _entry(2, "p1", "[PATCH net-next v3 01/12] mm: one", "Max", 300.0, "cover"),
    _entry(3, "p2", "[PATCH net-next v3 02/12] mm: two", "Max", 300.0, "cover"),
    _entry(4, "a1", "[RFC] apple", "amy", None),
    _entry(5, "q2", "Re: [PATCH 3/5] gone: patch", "Bob", 50.0, "gone"),
    _entry(6, "q3", "Re: [PATCH 3/5] gone: patch", "Cyd", 60.0, "gone"),
]
"""Placeholders with two children or more stay in the tree (one alone is dissolved)."""


def _roots():
    return {r.msgid: r for r in build_threads(ENTRIES)}


def _info(msgid: str):
    return parse_subject(next(e.subject for e in ENTRIES if e.msgid == msgid))


def test_placeholder_subject_from_its_patches_and_replies():
    roots = _roots()
    assert implied_subject(roots["cover"], _info) == (
        "[PATCH net-next v3 00/12] …, cover letter not in this mailbox")
    assert implied_subject(roots["gone"], _info) == "[PATCH 3/5] gone: patch, not in this mailbox"
    # replies that do not say what they answer: only "not in this mailbox" is known
    plain = [_entry(0, "x", "no reply marker", "A", 1.0, "missing"),
             _entry(1, "y", "no reply marker", "B", 2.0, "missing")]
    root = build_threads(plain)[0]
    assert root.msgid == "missing"
    assert implied_subject(root, lambda _m: parse_subject("no reply marker")) == MISSING


@pytest.mark.parametrize(("key", "descending", "expected"), [
    ("subject", False, ["a1", "q2", "p1", "z1"]),  # "Re:" and [PATCH …] do not sort
    ("from", False, ["a1", "q2", "p1", "z1"]),      # case-blind: "amy" < "Bob" < "Max"
    ("date", True, ["p1", "z1", "q2", "a1"]),       # undated mail sorts as the oldest
    ("messages", True, ["z1", "p1", "q2", "a1"]),   # 2, 2, 2, 1: ties keep the given order
    ("comments", True, ["q2", "z1", "p1", "a1"]),
])
def test_sort_threads_by_each_key(key, descending, expected):
    roots = _roots()
    items = ["z1", "p1", "a1", "q2"]  # first real mail of each thread, in mailbox order
    root_of = {"z1": roots["z1"], "p1": roots["cover"], "a1": roots["a1"], "q2": roots["gone"]}
    counts = {"q2": ThreadCounts(comments=5), "z1": ThreadCounts(comments=1)}
    ordered = sort_threads(items, root_of.__getitem__, key, descending=descending,
                           info_of=_info, version_of=lambda _m: None,
                           counts=lambda m: counts.get(m, ThreadCounts()))
    assert ordered == expected


def test_unknown_key_is_refused():
    with pytest.raises(ValueError, match="unknown sort key"):
        sort_key(_roots()["z1"], "colour", _info, lambda _m: None)
