"""Background work that returns plain data to the GUI thread, latest request wins.

A job runs ``fn(progress, cancelled)`` on a private thread pool and its result comes back
through a queued signal. Every start bumps a token; results, errors and progress carrying an
older token are dropped, so opening a second mailbox while the first is still loading can never
show the first one late (git-cola's ``qtutils.Task`` and Anki's operations do the same).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from viewer.core.errors import HunkwiseError
from viewer.ui.runtime import background_job, share_gil_finely

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]
JobFn = Callable[[ProgressFn, CancelledFn], Any]

_PROGRESS_INTERVAL = 0.05  # seconds; a 60 MB scan reports thousands of times, a bar needs 20/s


class _Relay(QObject):
    """Lives in the GUI thread; worker threads emit on it, so delivery is queued."""

    progress = Signal(int, object, object)
    done = Signal(int, object)
    error = Signal(int, object)


class _Cancelled:
    """A job's ``cancelled()``, which is also where it makes room for the GUI thread.

    Jobs are Python, and Python runs one thread at a time: a job computing the view counts
    of a 50,000-mail archive took the interpreter lock from the GUI thread at every turn
    (each of Qt's calls into the list's model waits for it), and selecting a row took a
    second instead of a tenth. Jobs ask ``cancelled()`` between small steps, so every
    few milliseconds of work they sleep a little, which hands the lock over for real.
    """

    __slots__ = ("_clock", "_next", "_sleep", "_stop")

    def __init__(self, stop: threading.Event, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._stop = stop
        self._clock, self._sleep = clock, sleep
        self._next = clock() + _WORK_SLICE

    def __call__(self) -> bool:
        if self._clock() >= self._next:
            self._sleep(_GUI_SLICE)
            self._next = self._clock() + _WORK_SLICE
        return self._stop.is_set()


_WORK_SLICE = 0.004
_GUI_SLICE = 0.002
"""Measured on a cached 50,000-mail open (bench/bench_gui_open.py): selecting the first row
while the view counts ran took 215-1,189 ms without the pauses and 130-190 ms with them;
the jobs finished 0.1-0.5 s later (3.4 s instead of 2.8-3.4 s)."""


class _Job(QRunnable):
    def __init__(self, token: int, fn: JobFn, relay: _Relay, stop: threading.Event,
                 yield_to_gui: bool) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.token = token
        self.fn = fn
        self.yield_to_gui = yield_to_gui
        self.relay = relay
        self.stop = stop
        self._last = 0.0

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last >= _PROGRESS_INTERVAL or done >= total:
            self._last = now
            self.relay.progress.emit(self.token, done, total)

    def run(self) -> None:
        try:
            with background_job():  # see viewer.ui.runtime
                cancelled = _Cancelled(self.stop) if self.yield_to_gui else self.stop.is_set
                result = self.fn(self._progress, cancelled)
        except BaseException as error:  # delivered to the GUI thread, never lost in a worker
            if isinstance(error, HunkwiseError):  # bad input, worded for the user who sees it
                log.info("background job %d: %s", self.token, error)
            else:  # a bug: the traceback is only here, the GUI shows one line
                log.error("background job %d failed", self.token, exc_info=error)
            self.relay.error.emit(self.token, error)
        else:
            self.relay.done.emit(self.token, result)


class TaskRunner(QObject):
    """Runs one kind of job at a time; starting another cancels and forgets the previous one."""

    progressed = Signal(object, object)
    """done, total (bytes for a mailbox)."""
    succeeded = Signal(object)
    failed = Signal(object)
    """The exception the job raised (never a cancelled job's)."""
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, yield_to_gui: bool = True) -> None:
        """``yield_to_gui=False`` for a job the user waits for with nothing else to do
        (opening a mailbox, behind its progress bar): it runs without the pauses of
        :class:`_Cancelled`, a third faster."""
        super().__init__(parent)
        self._yield_to_gui = yield_to_gui
        share_gil_finely()  # or the GUI thread waits 5 ms for every call back into Python
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.progress.connect(self._on_progress)
        self._relay.done.connect(self._on_done)
        self._relay.error.connect(self._on_error)
        self._token = 0
        self._stop: threading.Event | None = None
        self._running = False
        self._closed = False

    @property
    def running(self) -> bool:
        return self._running

    def start(self, fn: JobFn) -> int:
        """Run ``fn`` in the background; returns the token its results will carry."""
        self.cancel(quiet=True)
        if self._closed:  # its window closed: a timer firing late starts nothing
            log.debug("a job was asked of a runner shut down; not run")
            return self._token
        self._token += 1
        self._stop = threading.Event()
        self._set_running(True)
        # maxThreadCount is 1, so a cancelled job still finishing delays this one slightly
        # rather than two scans competing for the disk.
        self._pool.start(_Job(self._token, fn, self._relay, self._stop, self._yield_to_gui))
        return self._token

    def cancel(self, *, quiet: bool = False) -> bool:
        """Ask the running job to stop and drop whatever it returns; True if one was running."""
        was_running = self._running
        if self._stop is not None:
            self._stop.set()
        self._token += 1  # anything still in flight is stale from now on
        if not quiet:
            self._set_running(False)
        return was_running

    def shut_down(self) -> None:
        """Cancel the job and run no more (the window closes; ``wait`` for the job to end):
        a job its window started after it closed was still running when the app exited,
        and Python's exit killed its thread mid-job."""
        self.cancel()
        self._closed = True

    def wait(self, msecs: int = 5000) -> bool:
        """Block until no job runs (for shutdown and tests); True when the pool is idle."""
        return self._pool.waitForDone(msecs)

    def _set_running(self, running: bool) -> None:
        if running != self._running:
            self._running = running
            self.running_changed.emit(running)

    def _on_progress(self, token: int, done: object, total: object) -> None:
        if token == self._token:
            self.progressed.emit(done, total)

    def _on_done(self, token: int, result: object) -> None:
        if token == self._token:
            self._set_running(False)
            self.succeeded.emit(result)

    def _on_error(self, token: int, error: object) -> None:
        if token == self._token:
            self._set_running(False)
            self.failed.emit(error)
