"""Triage: marks computed from the mail, states kept in the store, automatic transitions."""

from __future__ import annotations

import pytest

from tests.triage_mail import ME, write_mailbox
from viewer.core.archive import Archive
from viewer.core.drafts import SentReply
from viewer.core.identity import Identity, git_identity
from viewer.core.query import parse_query
from viewer.core.review_status import (
    newer_revision,
    previous_patch,
    review_counts,
    reviewed_by_me,
    unchanged_from_previous,
)
from viewer.core.store import SeriesState, Store
from viewer.core.triage import Triage, replied_changes, supersede_changes

MY = Identity(ME[0], ME[1])


@pytest.fixture
def archive(tmp_path):
    return Archive.open(write_mailbox(tmp_path), use_cache=False)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "state.sqlite3") as s:
        yield s


def test_revisions_and_previous_patch(archive):
    v1, v2 = archive.series_by_key("c1@x"), archive.series_by_key("c2@x")
    assert v1.revisions == ["c1@x", "c2@x"]
    assert newer_revision(archive, v1) == "c2@x"
    assert newer_revision(archive, v2) is None
    assert previous_patch(archive, "p1v2@x") == "p1v1@x"
    assert previous_patch(archive, "p2v2@x") == "p2v1@x"
    assert previous_patch(archive, "p1v1@x") is None


def test_unchanged_ignores_line_numbers_not_content(archive):
    assert unchanged_from_previous(archive, "p1v2@x")  # rebased: other @@ and index lines
    assert not unchanged_from_previous(archive, "p2v2@x")  # frob_go(2) became frob_go(3)
    assert not unchanged_from_previous(archive, "p1v1@x")  # nothing before it


def test_carried_trailers_are_counted_apart_and_not_twice(archive):
    v1 = review_counts(archive, "p1v1@x")
    assert v1.given == {"A": 1, "R": 1, "T": 0} and v1.carried == {"A": 0, "R": 0, "T": 0}
    v2 = review_counts(archive, "p1v2@x")
    # Nobody replied to v2 1/2 itself; the carried R and A are in its commit message.
    assert v2.given == {"A": 0, "R": 0, "T": 0}
    assert v2.carried == {"A": 1, "R": 1, "T": 0}
    p2 = review_counts(archive, "p2v2@x")
    assert p2.given == {"A": 0, "R": 0, "T": 1} and p2.carried["A"] == 1
    lone = review_counts(archive, "lone@x")
    assert not lone.reviewed


def test_reviewed_by_me_uses_git_identity(archive, tmp_path, monkeypatch):
    config = tmp_path / "gitconfig"
    config.write_text(f"[user]\n\tname = {ME[0]}\n\temail = {ME[1].upper()}\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    me = git_identity(str(tmp_path))
    assert me == Identity(ME[0], ME[1])
    assert reviewed_by_me(archive, "p1v1@x", me)  # given in a reply
    assert reviewed_by_me(archive, "p1v2@x", me)  # carried in the commit message
    assert not reviewed_by_me(archive, "p2v2@x", me)
    someone_else = Identity("Rev Iewer", "nobody@example.org")
    assert not reviewed_by_me(archive, "p1v1@x", someone_else)


def test_no_git_identity_means_no_mark(archive, tmp_path, monkeypatch):
    empty = tmp_path / "empty-gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    me = git_identity(str(tmp_path))
    assert not me.known
    assert not reviewed_by_me(archive, "p1v1@x", me)


def test_supersede_marks_triaged_old_revision_and_brings_new_back(archive):
    states = {"c1@x": SeriesState("waiting")}
    changes = supersede_changes(archive, states)
    assert changes["c1@x"].superseded_by == "c2@x"
    assert changes["c1@x"].state == "waiting"
    assert changes["c2@x"].state == "new"
    # Idempotent: once recorded, nothing more to do.
    assert supersede_changes(archive, {**states, **changes}) == {}
    # Untriaged families are left to has:newer; accepted ones stay accepted.
    assert supersede_changes(archive, {}) == {}
    assert "c1@x" not in supersede_changes(archive, {"c1@x": SeriesState("accepted")})


def _Sent(in_reply_to, sent):  # a drafts-store record
    return SentReply(f"reply-to-{in_reply_to}", in_reply_to, in_reply_to, "Re: x", 1.0, sent)


def test_reply_sent_makes_replied_unless_moved_on_since():
    key_of = {"p1v2@x": "c2@x", "lone@x": "lone@x"}.get
    states = {"c2@x": SeriesState("reviewing", updated=100.0)}
    changes = replied_changes(states, [_Sent("p1v2@x", 200.0)], key_of)
    assert changes["c2@x"].state == "replied"
    # The maintainer set the state after sending: theirs wins.
    assert replied_changes(states, [_Sent("p1v2@x", 50.0)], key_of) == {}
    closed = {"c2@x": SeriesState("accepted", updated=1.0)}
    assert replied_changes(closed, [_Sent("p1v2@x", 200.0)], key_of) == {}
    assert replied_changes({}, [_Sent("lone@x", 5.0)], key_of)["lone@x"].state == "replied"
    assert replied_changes({}, [_Sent("unknown@x", 5.0)], key_of) == {}
    assert replied_changes({}, [_Sent("lone@x", None)], key_of) == {}  # composed, not sent


def test_triage_states_persist_and_answer_query_terms(archive, store):
    clock = [1000.0]
    triage = Triage(archive, store, MY, clock=lambda: clock[0])
    assert triage.key_of("r1@x") == "c1@x" and triage.key_of("p2v2@x") == "c2@x"
    triage.set_state(["c1@x"], "waiting")
    triage.set_state(["lone@x"], "reviewing", snoozed_until=2000.0)
    triage.set_flagged(["r3@x"])
    triage.apply_transitions()

    again = Triage(archive, store, MY, clock=lambda: clock[0])
    assert again.view("c1@x").superseded_by == "c2@x"
    assert again.view("c2@x").state == "new"

    def matching(text):
        query = parse_query(text)
        assert not query.errors, query.errors
        from viewer.core.query import Candidate

        hits = set()
        for entry in archive.entries:
            cand = Candidate(entry.subject, entry.author_email,
                             lambda key, m=entry.msgid: bool(again.flag(m, key)))
            if query.matches(cand):
                hits.add(entry.msgid)
        return hits

    assert matching("is:waiting") == set()  # superseded: no longer waiting on anyone
    assert {"c2@x", "p1v2@x", "p2v2@x", "r3@x"} <= matching("is:new")
    assert "lone@x" not in matching("is:new") and matching("is:snoozed") == {"lone@x"}
    assert matching("is:flagged") == {"r3@x"}
    assert matching("is:mine") == {"r1@x"}
    assert matching("has:newer") == {"c1@x", "p1v1@x", "p2v1@x", "r1@x", "r2@x"}
    assert matching("is:unchanged") == {"p1v2@x"}
    assert matching("needs:review") == {"lone@x"}
    assert matching("is:unchanged -needs:review frob") == {"p1v2@x"}
    assert "p1v1@x" in matching("is:done")  # my Reviewed-by counts as done
    clock[0] = 3000.0  # the snooze is over
    assert "lone@x" in matching("is:reviewing") and matching("is:snoozed") == set()


def test_patch_marks_and_notes(archive, store):
    triage = Triage(archive, store, MY)
    triage.set_mark(["p2v2@x"], "skip")
    triage.set_note("p2v2@x", "wait for the DT review")
    fields = Triage(archive, store, MY).message_fields("p2v2@x")
    assert fields["mark"] == "skip" and fields["note"] == "wait for the DT review"
    assert fields["trailers_carried"] == {"A": 1, "R": 0, "T": 0}


def test_thread_fields(archive, store):
    triage = Triage(archive, store, MY)
    triage.set_read(["c1@x", "p1v1@x"])
    v1_root = archive.root_of("c1@x")
    fields = triage.thread_fields(v1_root)
    assert fields["state"] == "new" and fields["newer_revision"] == "c2@x"
    assert fields["unread"] and fields["unread_count"] == 3
    assert fields["reviewed_by_me"] == ["p1v1@x"]
    v2 = triage.thread_fields(archive.root_of("c2@x"))
    assert v2["unchanged_from_previous"] == ["p1v2@x"] and v2["newer_revision"] is None


def test_works_without_a_store(archive):
    triage = Triage(archive, None, MY)
    triage.set_state(["c2@x"], "accepted")
    triage.set_flagged(["c2@x"])
    assert triage.flag("p1v2@x", "is:accepted") and triage.flag("c2@x", "is:flagged")
    with pytest.raises(ValueError):
        triage.set_state(["c2@x"], "pondering")


def test_reply_recorded_by_the_drafts_store_makes_the_series_replied(archive, store, tmp_path):
    from viewer.core.drafts import DraftStore
    from viewer.core.triage import sent_from_hunkwise

    with DraftStore(tmp_path / "drafts.sqlite3") as drafts:
        drafts.record_composed(
            "mine-1@x", patch_msgid="p2v2@x", in_reply_to="p2v2@x",
            subject="Re: [PATCH v2 2/2] gpio: frob: go faster", raw=b"From: me\n\nbody\n",
        )
        assert sent_from_hunkwise(archive, drafts) == []  # composed only: not replied yet
        drafts.record_sent("mine-1@x")
        sent = sent_from_hunkwise(archive, drafts)
    assert [r.in_reply_to for r in sent] == ["p2v2@x"]
    triage = Triage(archive, store, MY)
    changes = triage.apply_transitions(sent)
    assert changes["c2@x"].state == "replied"
    assert Triage(archive, store, MY).view("c2@x").state == "replied"
    assert triage.flag("p2v2@x", "is:replied")
