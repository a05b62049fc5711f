"""The counts and marks of the rows on screen, read from their mail on a worker thread.

The A/R/T, Cmts and Marks columns need bodies: a thread start's comment count analyses its
whole thread (one mail ~1 ms, a 150-reply thread well over 100 ms), a patch's marks read its
diff and the previous revision's. Done on the GUI thread, even in small slices, one big thread
froze the list for longer than a slice. So the rows ask here as they are painted, and a worker
thread reads a few at a time, newest request first; each batch comes back as plain data
(Message-ID → :class:`~viewer.core.thread_facts.Facts`) and the model repaints those cells.

Only the last screenful or so of requests is kept: rows scrolled past long ago are not worth
reading now (they ask again when they come back into view).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from viewer.core.archive import Archive
from viewer.core.thread_facts import Facts, facts_of
from viewer.core.triage import Triage
from viewer.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

QUEUE_LIMIT = 150
"""Requests kept: a tall window's rows, twice over."""
BATCH_SECONDS = 0.05
"""A batch returns after this long, so the first cells fill in while the rest is read."""
START_AFTER_MS = 40
"""Quiet time after the last request before a batch starts (rows scrolled past quickly
are not read, and a repaint is never slowed by a worker it just started)."""


class RowFacts(QObject):
    """Reads :class:`Facts` (and warms the triage's body facts) for requested messages."""

    ready = Signal(object)
    """dict Message-ID → Facts, read by the worker (always on the GUI thread)."""

    def __init__(self, source: _Source, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        """Where the mailbox and its triage are read from when a batch starts (the model)."""
        self._queue: OrderedDict[str, None] = OrderedDict()
        self._in_flight: list[str] = []
        self._failed: set[str] = set()
        """Messages whose reading raised (logged once): never asked again for this mailbox."""
        self.job = TaskRunner(self)
        self.job.succeeded.connect(self._on_batch)
        self.job.failed.connect(self._on_failed)
        # Started a moment after the last request, not from data(): a paint asks for every
        # visible row first, and the GUI thread finishes what follows a view switch (the
        # mail it selects, the cells it repaints) before a worker shares the GIL with it.
        self._kick = QTimer(self)
        self._kick.setSingleShot(True)
        self._kick.setInterval(START_AFTER_MS)
        self._kick.timeout.connect(self._start)

    def reset(self) -> None:
        """A new mailbox (or none): whatever was asked or is being read is dropped."""
        self.job.cancel()  # not quiet: that would leave it "running" with nothing to report
        self._kick.stop()
        self._queue.clear()
        self._in_flight = []
        self._failed.clear()

    def want(self, msgid: str) -> None:
        """Read ``msgid``'s facts soon (the newest request is read first)."""
        if msgid in self._failed or msgid in self._in_flight:
            return
        self._queue[msgid] = None
        self._queue.move_to_end(msgid)
        while len(self._queue) > QUEUE_LIMIT:
            self._queue.popitem(last=False)
        if not self.job.running:
            self._kick.start()  # (re)started: the quiet time counts from the last request

    def pending(self) -> int:
        """Messages asked for and not delivered yet (tests wait for 0)."""
        return len(self._queue) + len(self._in_flight)

    def _start(self) -> None:
        archive, triage = self.source.archive, self.source.triage
        if self.job.running or not self._queue or archive is None:
            return
        batch = list(reversed(self._queue))  # newest first
        self._queue.clear()
        self._in_flight = batch

        def read(_progress, cancelled):
            return read_batch(archive, triage, batch, cancelled)

        self.job.start(read)

    def _on_batch(self, result: tuple[dict[str, Facts], set[str]]) -> None:
        facts, failed = result
        self._failed |= failed
        # What the deadline left unread is read next, before the requests older than it
        # and after those made while it was being read (the rows on screen now).
        left = [m for m in self._in_flight if m not in facts and m not in failed]
        self._in_flight = []
        if left:
            newer = [m for m in self._queue if m not in left]
            self._queue = OrderedDict.fromkeys([*reversed(left), *newer])
        if facts:
            self.ready.emit(facts)
        if self._queue:
            self._kick.start()

    def _on_failed(self, _error: BaseException) -> None:
        # Only a bug outside the per-mail reading gets here (the worker logged it): the
        # batch is not asked for again, the rest still is.
        self._failed.update(self._in_flight)
        self._in_flight = []
        if self._queue:
            self._kick.start()


class _Source(Protocol):
    archive: Archive | None
    triage: Triage | None


def read_batch(
    archive: Archive, triage: Triage | None, msgids: list[str], cancelled=lambda: False,
) -> tuple[dict[str, Facts], set[str]]:
    """Facts of ``msgids`` in order until ``BATCH_SECONDS`` are up, and the ones that failed.

    A mail the engine cannot read (a bug, not bad input: bad input gives empty counts) is
    logged with its traceback and left out, so one such thread does not blank the counts of
    every row read with it.
    """
    deadline = time.perf_counter() + BATCH_SECONDS
    facts: dict[str, Facts] = {}
    failed: set[str] = set()
    for msgid in msgids:
        if cancelled() or time.perf_counter() > deadline:
            break
        try:
            if triage is not None:
                triage.warm([msgid])
            facts[msgid] = facts_of(archive, msgid)
        except Exception:
            log.error("reading the counts of <%s> failed", msgid, exc_info=True)
            failed.add(msgid)
    return facts, failed
