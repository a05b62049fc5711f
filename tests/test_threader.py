"""Reply trees: JWZ-style threading and the broken headers real mail has."""

from __future__ import annotations

import random

from viewer.core.mbox import IndexEntry
from viewer.core.threader import ThreadNode, build_threads

_BASE = 1_660_000_000.0


def mail(number, msgid, irt=None, refs=(), subject="Re: [PATCH] x", date=None):
    return IndexEntry(
        number=number,
        msgid=msgid,
        in_reply_to=irt,
        references=tuple(refs),
        subject=subject,
        author_name="A U Thor",
        author_email="author@example.org",
        date=_BASE + number * 60 if date is None else date,
    )


def shape(node: ThreadNode):
    """(msgid or "?" for a placeholder, [children shapes]) for easy comparison."""
    label = node.msgid if node.entry is not None else f"?{node.msgid}"
    return (label, [shape(child) for child in node.children])


def real_count(roots):
    return sum(1 for root in roots for node in root.walk() if node.entry is not None)


def test_series_with_replies():
    entries = [
        mail(0, "cover", subject="[PATCH v2 0/2] foo"),
        mail(1, "p1", "cover", ["cover"], "[PATCH v2 1/2] a"),
        mail(2, "p2", "cover", ["cover"], "[PATCH v2 2/2] b"),
        mail(3, "r1", "p2", ["cover", "p2"]),
        mail(4, "r2", "r1", ["cover", "p2", "r1"]),
        mail(5, "other", subject="unrelated"),
    ]
    roots = build_threads(entries)
    assert [shape(r) for r in roots] == [
        ("cover", [("p1", []), ("p2", [("r1", [("r2", [])])])]),
        ("other", []),
    ]
    r2 = roots[0].children[1].children[0].children[0]
    assert r2.parent.msgid == "r1" and r2.depth() == 3 and r2.root() is roots[0]


def test_missing_parent_becomes_a_placeholder_with_several_children():
    entries = [
        mail(0, "a", "gone", ["gone"]),
        mail(1, "b", "gone", ["gone"]),
    ]
    roots = build_threads(entries)
    assert [shape(r) for r in roots] == [("?gone", [("a", []), ("b", [])])]
    assert roots[0].entry is None


def test_single_child_placeholders_are_pruned():
    # "gone1" and "gone2" are missing; each would have one child only.
    entries = [
        mail(0, "root", subject="[PATCH] x"),
        mail(1, "deep", "gone2", ["root", "gone1", "gone2"]),
        mail(2, "lonely", "nowhere", ["nowhere"]),
    ]
    roots = build_threads(entries)
    assert [shape(r) for r in roots] == [("root", [("deep", [])]), ("lonely", [])]


def test_references_fill_in_parents_of_missing_messages():
    # r2 only knows the chain; r1 (in the mailbox) is missing its headers' parent (p).
    entries = [
        mail(0, "p", subject="[PATCH] x"),
        mail(1, "r2", "r1", ["p", "gone", "r1"]),
        mail(2, "r1", "gone", ["p", "gone"]),
        mail(3, "r3", "gone", ["p", "gone"]),
    ]
    roots = build_threads(entries)
    assert [shape(r) for r in roots] == [("p", [("?gone", [("r1", [("r2", [])]), ("r3", [])])])]


def test_own_in_reply_to_beats_misordered_references():
    # notmuch "parent-priority": References written oldest-last must not make the root a
    # child of its own reply.
    entries = [
        mail(0, "root", subject="root message"),
        mail(1, "child", "root", ["root"]),
        mail(2, "grand", "child", ["child", "root"]),
    ]
    roots = build_threads(entries)
    assert [shape(r) for r in roots] == [("root", [("child", [("grand", [])])])]


def test_reference_loop_keeps_every_message():
    entries = [
        mail(0, "m12", "m21", ["m21"]),
        mail(1, "m21", "m12", ["m12"]),
    ]
    roots = build_threads(entries)
    assert real_count(roots) == 2
    assert len(roots) == 1


def test_longer_loop_through_references():
    entries = [
        mail(0, "a", "c", ["b", "c"]),
        mail(1, "b", "a", ["c", "a"]),
        mail(2, "c", "b", ["a", "b"]),
    ]
    roots = build_threads(entries)
    assert real_count(roots) == 3
    # no node is its own ancestor
    for root in roots:
        for node in root.walk():
            seen = set()
            while node is not None:
                assert id(node) not in seen
                seen.add(id(node))
                node = node.parent


def test_self_reference_is_ignored():
    entries = [mail(0, "me", "me", ["me"]), mail(1, "reply", "me", ["me"])]
    roots = build_threads(entries)
    assert [shape(r) for r in roots] == [("me", [("reply", [])])]


def test_duplicate_message_ids_keep_both_copies():
    entries = [
        mail(0, "p", subject="[PATCH] x"),
        mail(1, "dup", "p", ["p"]),
        mail(2, "dup", "p", ["p"]),  # the same mail saved twice (cross-post)
        mail(3, "dup2", subject="first copy"),
        mail(4, "dup2", subject="second copy, no parent"),
    ]
    roots = build_threads(entries)
    assert real_count(roots) == 5
    assert [shape(r) for r in roots] == [
        ("p", [("dup", []), ("dup", [])]),
        ("dup2", [("dup2", [])]),
    ]
    numbers = sorted(n.entry.number for r in roots for n in r.walk())
    assert numbers == [0, 1, 2, 3, 4]


def test_missing_and_empty_ids():
    entries = [
        mail(0, "hunkwise-0@invalid", None, [], "no message-id at all"),
        mail(1, "b", "", ["", "b"]),
        mail(2, "c", None, ["", "hunkwise-0@invalid"]),
    ]
    roots = build_threads(entries)
    assert real_count(roots) == 3
    assert [shape(r) for r in roots] == [("hunkwise-0@invalid", [("c", [])]), ("b", [])]


def test_orphan_reply_hangs_under_same_subject_root_only_without_headers():
    entries = [
        mail(0, "q", subject="[PATCH] mm: fix"),
        mail(1, "web", subject="Re: [PATCH] mm: fix"),  # no threading headers at all
        mail(2, "far", "elsewhere", ["elsewhere"], "Re: [PATCH] mm: fix"),
        mail(3, "early", subject="Re: other", date=_BASE - 100),
        mail(4, "other", subject="other"),  # sent after its "reply": not merged
    ]
    roots = build_threads(entries)
    shapes = [shape(r) for r in roots]
    assert ("q", [("web", [])]) in shapes
    assert ("far", []) in shapes
    assert ("early", []) in shapes and ("other", []) in shapes


def test_sorting_by_date_with_undated_mail_last():
    entries = [
        mail(0, "late", subject="late", date=_BASE + 1000),
        mail(1, "early", subject="early", date=_BASE),
        mail(2, "undated", subject="undated"),
        mail(3, "r-b", "early", ["early"], date=_BASE + 50),
        mail(4, "r-a", "early", ["early"], date=_BASE + 20),
    ]
    entries[2] = IndexEntry(2, "undated", None, (), "undated", "", "", None)
    roots = build_threads(entries)
    assert [r.msgid for r in roots] == ["early", "late", "undated"]
    assert [c.msgid for c in roots[0].children] == ["r-a", "r-b"]


def test_root_placeholder_sorts_by_its_first_real_message():
    entries = [
        mail(0, "x", subject="x", date=_BASE + 500),
        mail(1, "a", "gone", ["gone"], date=_BASE + 900),
        mail(2, "b", "gone", ["gone"], date=_BASE + 100),
    ]
    roots = build_threads(entries)
    assert [r.msgid for r in roots] == ["gone", "x"]
    assert [c.msgid for c in roots[0].children] == ["b", "a"]


def test_deep_chain_does_not_recurse():
    entries = [mail(0, "m0", subject="start")]
    for i in range(1, 5000):
        entries.append(mail(i, f"m{i}", f"m{i - 1}", [f"m{i - 1}"]))
    roots = build_threads(entries)
    assert len(roots) == 1
    assert sum(1 for _ in roots[0].walk()) == 5000


def _archive(count: int, seed: int = 7) -> list[IndexEntry]:
    """A list-archive-like mailbox: threads of replies with full References chains."""
    rng = random.Random(seed)
    entries: list[IndexEntry] = []
    for i in range(count):
        if entries and rng.random() < 0.8:
            parent = entries[max(0, i - rng.randint(1, 300))]
            refs = (*parent.references, parent.msgid)[-20:]
            entries.append(mail(i, f"m{i}@x", parent.msgid, refs))
        elif rng.random() < 0.05:
            entries.append(mail(i, f"m{i}@x", f"gone{i}@x", [f"gone{i}@x"]))
        else:
            entries.append(mail(i, f"m{i}@x", subject=f"[PATCH] topic {i}"))
    return entries


def test_fifty_thousand_messages_all_placed_once():
    # How fast is bench/bench_index.py's business (a ratio against a baseline, not a timed
    # test that a loaded CI machine fails at random).
    entries = _archive(50_000)
    roots = build_threads(entries)
    assert real_count(roots) == 50_000
