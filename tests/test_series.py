"""Series: covers and patches grouped, lone patches, revisions linked, gaps reported."""

from __future__ import annotations

from viewer.core.mbox import IndexEntry
from viewer.core.series import find_series
from viewer.core.threader import build_threads

_BASE = 1_660_000_000.0


def mail(number, msgid, subject, irt=None, refs=None, author="Jane Dev", date=None):
    refs = ([irt] if irt else []) if refs is None else refs
    return IndexEntry(
        number=number,
        msgid=msgid,
        in_reply_to=irt,
        references=tuple(refs),
        subject=subject,
        author_name=author,
        author_email=author.lower().replace(" ", ".") + "@example.org",
        date=_BASE + number * 60 if date is None else date,
    )


def series_of(entries):
    return find_series(entries, build_threads(entries))


def test_cover_and_patches_with_replies():
    entries = [
        mail(0, "c1", "[PATCH v2 0/3] pwm: add driver"),
        mail(1, "p1", "[PATCH v2 1/3] dt-bindings: pwm: add", "c1"),
        mail(2, "p2", "[PATCH v2 2/3] pwm: add driver", "c1"),
        mail(3, "r1", "Re: [PATCH v2 2/3] pwm: add driver", "p2", author="Rev Iewer"),
        mail(4, "p3", "[PATCH v2 3/3] MAINTAINERS: add", "c1"),
    ]
    [series] = series_of(entries)
    assert series.key == "c1" and series.cover == "c1"
    assert series.patches == {1: "p1", 2: "p2", 3: "p3"}
    assert series.version == 2 and series.total == 3 and not series.missing
    assert series.subject == "pwm: add driver"
    assert series.revisions == ["c1"]
    assert series.message_ids() == ["c1", "p1", "p2", "p3"]


def test_missing_patches_are_reported():
    entries = [
        mail(0, "c", "[PATCH 0/4] x"),
        mail(1, "p1", "[PATCH 1/4] a", "c"),
        mail(2, "p3", "[PATCH 3/4] c", "c"),
    ]
    [series] = series_of(entries)
    assert series.missing == [2, 4]
    assert not series.is_complete


def test_lone_patches_and_non_patches():
    entries = [
        mail(0, "lone", "[PATCH] mm: fix leak"),
        mail(1, "reply", "Re: [PATCH] mm: fix leak", "lone"),
        mail(2, "pull", "[GIT PULL] pwm for 6.1"),
        mail(3, "talk", "Question about locking"),
        mail(4, "one", "[PATCH 1/1] single numbered"),
    ]
    found = series_of(entries)
    assert [s.key for s in found] == ["lone", "one"]
    assert all(s.total == 1 and s.patches == {1: s.key} for s in found)


def test_v2_in_reply_to_v1_cover_gives_two_linked_series():
    entries = [
        mail(0, "v1c", "[PATCH 0/2] foo: rework"),
        mail(1, "v1p1", "[PATCH 1/2] foo: a", "v1c"),
        mail(2, "v1p2", "[PATCH 2/2] foo: b", "v1c"),
        mail(3, "v2c", "[PATCH v2 0/2] foo: rework again", "v1c"),
        mail(4, "v2p1", "[PATCH v2 1/2] foo: a", "v2c", ["v1c", "v2c"]),
        mail(5, "v2p2", "[PATCH v2 2/2] foo: b", "v2c", ["v1c", "v2c"]),
    ]
    v1, v2 = series_of(entries)
    assert (v1.version, v1.patches) == (1, {1: "v1p1", 2: "v1p2"})
    assert (v2.version, v2.patches) == (2, {1: "v2p1", 2: "v2p2"})
    assert v1.revisions == v2.revisions == ["v1c", "v2c"]


def test_revisions_linked_by_subject_across_threads_oldest_first():
    entries = [
        mail(0, "v3", "[PATCH v3] net: fix it", date=_BASE + 3000),
        mail(1, "v1", "[PATCH] net: fix it", date=_BASE),
        mail(2, "v2", "[PATCH v2] net: fix it", date=_BASE + 2000),
        mail(3, "other", "[PATCH] net: fix it", author="Some One Else"),
    ]
    found = {s.key: s for s in series_of(entries)}
    assert found["v1"].revisions == ["v1", "v2", "v3"]
    assert found["other"].revisions == ["other"]


def test_different_authors_in_one_thread_are_different_series():
    entries = [
        mail(0, "c", "[PATCH 0/2] x"),
        mail(1, "p1", "[PATCH 1/2] a", "c"),
        mail(2, "p2", "[PATCH 2/2] b", "c"),
        mail(3, "fix", "[PATCH 1/2] a reviewer's counter-proposal", "p1", author="Rev Iewer"),
    ]
    found = series_of(entries)
    assert len(found) == 2
    assert found[0].patches == {1: "p1", 2: "p2"}
    assert found[1].patches == {1: "fix"} and found[1].missing == [2]


def test_unthreaded_posting_is_joined():
    # git send-email --no-thread: every patch is its own thread.
    entries = [
        mail(0, "u1", "[PATCH 1/3] a"),
        mail(1, "u2", "[PATCH 2/3] b"),
        mail(2, "u3", "[PATCH 3/3] c"),
        mail(3, "later", "[PATCH 1/3] a", date=_BASE + 7 * 86400),
    ]
    found = series_of(entries)
    assert found[0].patches == {1: "u1", 2: "u2", 3: "u3"}
    assert found[1].patches == {1: "later"} and found[1].revisions == ["u1", "later"]


def test_deep_threading_and_archive_rewritten_addresses():
    # 2/N replies to 1/N (--chain-reply-to); the archive rewrote one copy's address.
    entries = [
        mail(0, "p1", "[RFC][PATCH 1/3] a"),
        mail(1, "p2", "[RFC][PATCH 2/3] b", "p1"),
        mail(2, "p3", "[RFC][PATCH 3/3] c", "p2", ["p1", "p2"]),
    ]
    entries[1] = IndexEntry(1, "p2", "p1", ("p1",), entries[1].subject, "Jane Dev",
                            "jane-x7f@public.gmane.org", _BASE + 60)
    [series] = series_of(entries)
    assert series.patches == {1: "p1", 2: "p2", 3: "p3"} and series.is_rfc


def test_duplicate_copies_and_resends():
    entries = [
        mail(0, "p", "[PATCH 1/2] a"),
        mail(1, "p", "[PATCH 1/2] a"),
        mail(2, "q", "[PATCH 2/2] b", "p"),
        mail(3, "r1", "[PATCH RESEND 1/2] a", date=_BASE + 86400),
        mail(4, "r2", "[PATCH RESEND 2/2] b", "r1", date=_BASE + 86460),
    ]
    first, resend = series_of(entries)
    assert first.patches == {1: "p", 2: "q"}
    assert resend.is_resend and resend.patches == {1: "r1", 2: "r2"}
    assert first.revisions == ["p", "r1"]


def test_partial_reroll_is_linked_through_the_thread():
    entries = [
        mail(0, "c", "[PATCH v2 0/2] Simple cover"),
        mail(1, "p1", "[PATCH v2 1/2] Simple test 1", "c"),
        mail(2, "p2", "[PATCH v2 2/2] Simple test 2", "c"),
        mail(3, "v3p2", "[PATCH v3 2/2] Simple test 2, reworded", "p2", ["c", "p2"]),
    ]
    v2, v3 = series_of(entries)
    assert v3.patches == {2: "v3p2"} and v3.missing == [1]
    assert v2.revisions == v3.revisions == ["c", "v3p2"]
