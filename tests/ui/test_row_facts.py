"""The list's counts read on a worker thread: delivered in batches, newest request first, a
mail that cannot be read logged and left out without blanking the others."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from viewer.core import thread_facts
from viewer.core.archive import Archive
from viewer.ui import row_facts
from viewer.ui.row_facts import RowFacts
from viewer.ui.thread_model import COL_COMMENTS, ThreadModel

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ui" / "two-revisions.mbox"

pytestmark = pytest.mark.gui


class _Source:
    def __init__(self, archive) -> None:
        self.archive = archive
        self.triage = None


@pytest.fixture(scope="module")
def archive():
    return Archive.open(FIXTURE, use_cache=False)


def test_counts_are_read_off_the_gui_thread(qtbot, archive, monkeypatch):
    threads = []
    real = row_facts.facts_of
    monkeypatch.setattr(row_facts, "facts_of",
                        lambda a, m: threads.append(threading.get_ident()) or real(a, m))
    model = ThreadModel()
    model.set_archive(archive)
    cell = model.index_of("v1-1@example.org", COL_COMMENTS)
    assert cell.data() == "…"
    with qtbot.waitSignal(model.dataChanged, timeout=5000):
        pass
    qtbot.waitUntil(lambda: model.pending_facts() == 0, timeout=5000)
    assert cell.data() == "2"  # Rui's comment and Alice's answer under it
    assert threads and threading.get_ident() not in threads
    model.set_archive(None)


def test_newest_requests_are_read_first_and_old_ones_dropped(qtbot, archive, monkeypatch):
    reader = RowFacts(_Source(archive))
    batches = []
    reader.ready.connect(batches.append)
    ids = [e.msgid for e in archive.entries]
    monkeypatch.setattr(row_facts, "QUEUE_LIMIT", len(ids))
    # more requests than are kept: the oldest go (rows scrolled past long ago); these
    # are no mail of the mailbox, so reading one would log an error and fail the test
    for number in range(5):
        reader.want(f"gone-{number}@example.org")
    for msgid in ids:
        reader.want(msgid)
    assert reader.pending() == len(ids)
    qtbot.waitUntil(lambda: reader.pending() == 0, timeout=10000)
    delivered = [m for batch in batches for m in batch]
    assert set(ids) <= set(delivered)
    assert delivered[0] == ids[-1]  # the row asked for last is read first


@pytest.mark.expect_log("ERROR", "viewer.ui.row_facts")
def test_a_mail_that_cannot_be_read_is_logged_and_not_asked_again(qtbot, archive, monkeypatch):
    real = thread_facts.facts_of

    def facts_of(a, msgid):
        if msgid == "r1@example.com":
            raise ValueError("engine bug")
        return real(a, msgid)

    monkeypatch.setattr(row_facts, "facts_of", facts_of)
    reader = RowFacts(_Source(archive))
    got = {}
    reader.ready.connect(got.update)
    reader.want("v1-1@example.org")
    reader.want("r1@example.com")
    qtbot.waitUntil(lambda: reader.pending() == 0, timeout=5000)
    assert "v1-1@example.org" in got and "r1@example.com" not in got
    reader.want("r1@example.com")  # painted again: not read again
    assert reader.pending() == 0


def test_a_new_mailbox_drops_what_was_asked(qtbot, archive, monkeypatch):
    release = threading.Event()
    real = thread_facts.facts_of
    monkeypatch.setattr(row_facts, "facts_of", lambda a, m: release.wait(5) and real(a, m))
    reader = RowFacts(_Source(archive))
    got = []
    reader.ready.connect(got.append)
    for entry in archive.entries:
        reader.want(entry.msgid)
    qtbot.waitUntil(lambda: reader.job.running, timeout=5000)  # a batch is being read
    reader.reset()
    assert reader.pending() == 0
    release.set()
    reader.job.wait(5000)
    qtbot.wait(50)  # its result, had it not been dropped, would be delivered by now
    assert got == []
