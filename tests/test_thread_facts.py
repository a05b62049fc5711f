"""What is:/has: filter terms mean (viewer.core.thread_facts), without Qt.

The thread list and any other filter share these answers; the list only lends its read state,
its cache of facts and the triage (tests/ui/test_thread_model.py checks the list end to end).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.triage_mail import ME, write_mailbox
from viewer.core.archive import Archive
from viewer.core.identity import Identity
from viewer.core.query import HAS_FLAGS, IS_FLAGS, Candidate, parse_query
from viewer.core.store import Store
from viewer.core.thread_facts import (
    BODY_TERMS,
    TERMS,
    Facts,
    compute_facts,
    facts_of,
    flag,
)
from viewer.core.triage import Triage

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo.mbox"
PATCH_2_3 = "20260112081403.2231-3-ilse.marten@lumora.example"
V1_COVER = "20260112081403.2231-1-ilse.marten@lumora.example"
A_REPLY = "c4f1a9e2-5b7d-4e0a-9d3c-2f6b8e1a7c55@vesth.example"


@dataclass
class Source:
    """The smallest FlagSource: a read set and a facts cache, as the thread list keeps them."""

    archive: Archive
    read: set[str] = field(default_factory=set)
    triage: Triage | None = None
    asked: list[str] = field(default_factory=list)

    def is_read(self, msgid: str) -> bool:
        return msgid in self.read

    def facts(self, msgid: str) -> Facts:
        self.asked.append(msgid)
        return facts_of(self.archive, msgid)


@pytest.fixture(scope="module")
def demo() -> Archive:
    return Archive.open(DEMO, use_cache=False)


@pytest.fixture
def triaged(tmp_path):
    archive = Archive.open(write_mailbox(tmp_path), use_cache=False)
    with Store(tmp_path / "state.sqlite3") as store:
        yield Source(archive, triage=Triage(archive, store, Identity(ME[0], ME[1])))


def test_header_terms_need_no_body(demo):
    source = Source(demo, read={PATCH_2_3})
    assert flag(source, PATCH_2_3, "is:patch") and not flag(source, PATCH_2_3, "is:cover")
    assert flag(source, V1_COVER, "is:cover") and not flag(source, V1_COVER, "is:patch")
    assert flag(source, A_REPLY, "is:reply") and not flag(source, PATCH_2_3, "is:reply")
    assert flag(source, PATCH_2_3, "is:read") and not flag(source, PATCH_2_3, "is:unread")
    assert flag(source, V1_COVER, "is:unread")
    assert flag(source, PATCH_2_3, "has:replies") and flag(source, A_REPLY, "has:replies")
    assert not flag(source, "aYq7Rt2nBc5LwE0x@vesth-x1.example", "has:replies")  # a last word
    assert not flag(source, PATCH_2_3, "is:rfc")
    assert source.asked == []  # not one body decoded for any of these


def test_comments_count_on_the_patch_and_on_the_reply_that_makes_them(demo):
    source = Source(demo)
    assert facts_of(demo, PATCH_2_3).comments == 11  # every reviewer's, answers included
    assert facts_of(demo, A_REPLY).comments == 7  # the ones this reply makes
    assert flag(source, PATCH_2_3, "has:comments")
    patch_3_3 = "20260112081403.2231-4-ilse.marten@lumora.example"
    assert not flag(source, patch_3_3, "has:comments")
    assert source.asked == [PATCH_2_3, patch_3_3]


def test_trailers_given_in_replies_or_carried_from_an_earlier_revision(triaged):
    # v1 1/2 was reviewed in a reply; v2 1/2 carries that Reviewed-by in its commit message.
    assert flag(triaged, "p1v1@x", "has:reviewed-by")
    assert facts_of(triaged.archive, "p1v2@x").trailers.get("R", 0) == 0
    assert flag(triaged, "p1v2@x", "has:reviewed-by")  # carried: a review all the same
    assert flag(triaged, "p2v2@x", "has:tested-by")
    assert not flag(triaged, "lone@x", "has:acked-by")
    without_triage = Source(triaged.archive)
    assert not flag(without_triage, "p1v2@x", "has:reviewed-by")


def test_triage_terms_are_asked_of_the_triage_last(triaged):
    assert flag(triaged, "p2v1@x", "is:superseded")  # a v2 exists
    assert not flag(triaged, "p2v2@x", "is:superseded")
    assert not flag(Source(triaged.archive), "p2v1@x", "is:superseded")  # no triage, no answer
    assert not flag(triaged, "p2v1@x", "is:no-such-term")


def test_every_documented_mailbox_term_has_an_answer():
    for key in TERMS:
        kind, _, word = key.partition(":")
        assert word in {"is": IS_FLAGS, "has": HAS_FLAGS}[kind], key
    assert key_set("has:comments has:reviewed-by") <= BODY_TERMS
    assert not key_set("is:unread is:patch has:replies") & BODY_TERMS


def key_set(text: str) -> frozenset[str]:
    return parse_query(text).flags


def test_a_query_reads_the_answers(demo):
    source = Source(demo)
    query = parse_query("is:patch has:comments")
    entry = demo.entry(PATCH_2_3)
    candidate = Candidate(entry.subject, entry.author_email,
                          lambda key: flag(source, PATCH_2_3, key))
    assert query.matches(candidate)


def test_compute_facts_reports_progress_and_stops_when_cancelled(demo):
    ids = [e.msgid for e in demo.entries[:5]]
    seen: list[tuple[int, int]] = []
    facts = compute_facts(demo, ids, lambda done, total: seen.append((done, total)),
                          lambda: False)
    assert list(facts) == ids and seen[-1] == (5, 5)
    assert facts[ids[2]] == facts_of(demo, ids[2])
    assert compute_facts(demo, ids, lambda *_: None, lambda: True) == {}


def test_the_command_line_answers_every_term_as_the_thread_list(triaged):
    """`hunkwise threads --filter` (Triage.any_flag) and the list used two copies of these
    rules; both now ask thread_facts, so their answers agree on every mail and term."""
    archive = triaged.archive
    triage = triaged.triage
    triage.read.add("p1v1@x")
    triaged.read = triage.read
    for entry in archive.entries:
        for key in [*TERMS, "is:superseded", "needs:review"]:
            assert triage.any_flag(entry.msgid, key) == flag(triaged, entry.msgid, key), (
                entry.msgid, key)
