"""The scan of an mbox: message boundaries, then each message's index entry, in one process
or, for a big file, two (a forked child reads the second half from the shared mapping).

Pure mechanics over a byte buffer (an mmap, usually): what an entry holds is
:mod:`viewer.core.index_entry`'s, where the file comes from and how it is cached is
:mod:`viewer.core.mbox`'s.
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import mmap
import os
import signal
import sys
from array import array
from collections.abc import Callable

from viewer.core.errors import LoadCancelled
from viewer.core.index_entry import IndexEntry, as_tuple
from viewer.core.index_entry import entry_from_headers as _entry_from_headers

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]

_PROGRESS_STEP = 4 << 20  # report (and look for a cancel) every 4 MiB scanned


def find_boundaries(
    data: bytes | mmap.mmap,
    start: int = 0,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
    stop: int | None = None,
) -> list[tuple[int, int]]:
    """(start, end) of every message from ``start`` on; a message starts at each ``From `` line.

    Only ``From `` at a line start separates: mboxrd (and careful mboxo writers) escape such
    body lines as ``>From ``, so any left unescaped are taken as separators, exactly as
    every other mbox reader (and ``grep -c '^From '``) does. ``stop`` (a message start)
    ends the scan early, the last span ending there: how the file is cut in two halves.
    """
    total = len(data) if stop is None else stop
    spans: list[tuple[int, int]] = []
    find = data.find
    pos = start
    next_report = start + _PROGRESS_STEP
    released = start
    while pos < total:
        # Bounded by ``total``: the separator at ``stop - 1`` ends past it and is not found.
        nxt = find(b"\nFrom ", pos, total)
        end = total if nxt < 0 else nxt + 1
        spans.append((pos, end))
        pos = end
        if pos >= next_report:
            next_report = pos + _PROGRESS_STEP
            released = _release(data, released, pos)
            if cancelled is not None and cancelled():
                raise LoadCancelled("loading was cancelled")
            if progress is not None:
                progress(pos, total)
    return spans


_PAGE = mmap.PAGESIZE


def _release(data: bytes | mmap.mmap, start: int, end: int) -> int:
    """Give back the mapped pages of ``[start, end)`` already read; returns where to go on.

    A scan reads the whole mapping, and every page read counts in the process's RSS until
    the kernel needs it: 1 GB of RSS for a 1 GB archive. The pages stay in the page cache
    (MADV_DONTNEED on a read-only file mapping frees nothing but our claim on them), so
    reading a header again later costs a minor fault, not the disk.
    """
    if not isinstance(data, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED"):
        return start
    first = start - start % _PAGE
    last = end - end % _PAGE
    if last - first < _PROGRESS_STEP:
        return start
    try:
        data.madvise(mmap.MADV_DONTNEED, first, last - first)
    except (OSError, ValueError):
        return start
    return last


def _read_entries(
    data: bytes | mmap.mmap,
    spans: list[tuple[int, int]],
    number: int,
    crlf: bool,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> list[IndexEntry]:
    """The entries of ``spans``, numbered from ``number``; progress and cancel now and then."""
    read = _entry_from_headers  # looked up per call: tests spy on it
    entries: list[IndexEntry] = []
    append = entries.append
    total = len(data)
    released = spans[0][0] if spans else 0
    for index, (start, end) in enumerate(spans):
        if index & 1023 == 1023:
            released = _release(data, released, start)
            if cancelled is not None and cancelled():
                raise LoadCancelled("loading was cancelled")
            if progress is not None:
                progress(start, total)
        append(read(number + index, data, start, end, crlf))
    return entries


def _progress_parts(
    progress: ProgressFn | None, base: int, total: int, processes: int
) -> tuple[ProgressFn | None, ProgressFn | None]:
    """Progress for the boundary pass and for the header pass, as one bar over the file.

    The boundary pass is about a quarter of the time, the headers the rest. With two
    processes this one covers half the bytes, so its offsets count double; the bar only
    ever moves forward.
    """
    if progress is None:
        return None, None
    span = total - base
    quarter = base + span // 4

    def found(done: int, _total: int) -> None:
        progress(min(quarter, base + (done - base) * processes // 4), total)

    def reading(done: int, _total: int) -> None:
        progress(min(total, quarter + (done - base) * processes * 3 // 4), total)

    return found, reading


# -- two processes for big files ----------------------------------------------------------------

_FORK_MIN = 32 << 20
"""Below this a second process costs more (fork, pipe, marshal) than it saves."""


def fork_allowed() -> bool:
    """Fork only on Linux with a second CPU to run on, unless HUNKWISE_INDEX_PROCESSES=1.

    Not on macOS, where a forked child of a process running system frameworks (Qt) may
    crash; Linux is safe because the child runs nothing but this module's pure-Python scan
    and leaves through ``os._exit`` (no atexit handlers, no Qt destructors, no flushes).
    """
    if os.environ.get("HUNKWISE_INDEX_PROCESSES", "").strip() == "1":
        return False
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) >= 2


def _scan_forked(
    data: bytes | mmap.mmap,
    scan_from: int,
    number: int,
    crlf: bool,
    progress: ProgressFn | None,
    cancelled: CancelledFn | None,
) -> tuple[list[tuple[int, int]], list[IndexEntry]] | None:
    """Scan the second half of the file in a forked child while this process reads the first.

    The mapping is shared by the fork, so nothing is copied in; only compact results come
    back: marshalled entry tuples and a flat array of spans (~0.1 s for 25,000 entries,
    against ~0.9 s of scanning saved). The child learns the number of its first message
    from the parent (after the parent's boundary pass over the first half, while the child
    does its own), so entries come back numbered exactly as a one-process scan numbers
    them. None when forking is not possible: the caller then scans in one process. A child
    that fails for any reason makes the parent scan that half itself.
    """
    total = len(data)
    cut = data.find(b"\nFrom ", scan_from + (total - scan_from) // 2)
    if cut < 0:
        return None
    split = cut + 1
    try:
        count_r, count_w = os.pipe()
        result_r, result_w = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        for fd in (count_r, count_w, result_r, result_w):
            os.close(fd)
        return None
    if pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
        status = 1
        try:
            os.close(count_w)
            os.close(result_r)
            spans = find_boundaries(data, split)
            first = int(read_all(count_r))
            entries = _read_entries(data, spans, first, crlf)
            flat = array("q", [offset for span in spans for offset in span])
            payload = marshal.dumps(([as_tuple(e) for e in entries], flat.tobytes()))
            write_all(result_w, payload)
            status = 0
        finally:
            os._exit(status)

    os.close(count_r)
    os.close(result_w)
    try:
        try:
            found, reading = _progress_parts(progress, scan_from, total, 2)
            first_spans = find_boundaries(data, scan_from, found, cancelled, split)
            with contextlib.suppress(OSError):  # a child already gone: its half is redone below
                os.write(count_w, str(number + len(first_spans)).encode())
        finally:
            os.close(count_w)
        entries = _read_entries(data, first_spans, number, crlf, reading, cancelled)
        payload = read_all(result_r)
    except BaseException:
        _end_child(pid, kill=True)
        raise
    finally:
        os.close(result_r)
    ok = _end_child(pid, kill=False)
    second: tuple[list[tuple[int, int]], list[IndexEntry]] | None = None
    if ok:
        try:
            tuples, flat_bytes = marshal.loads(payload)
            flat = array("q")
            flat.frombytes(flat_bytes)
            spans = list(zip(flat[0::2], flat[1::2], strict=True))
            if len(spans) == len(tuples):
                second = spans, [IndexEntry(*t) for t in tuples]
        except (EOFError, ValueError, TypeError):
            second = None
    if second is None:  # the child died or said nonsense: do its half here
        log.info("the second scanning process failed; scanning its half here")
        spans = find_boundaries(data, split, None, cancelled)
        second = spans, _read_entries(data, spans, number + len(first_spans), crlf, None,
                                      cancelled)
    return first_spans + second[0], entries + second[1]


def read_all(fd: int) -> bytes:
    """Everything a forked child writes to a pipe, until it closes its end."""
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def write_all(fd: int, payload: bytes) -> None:
    """All of ``payload`` into a pipe (a write may take only part of it)."""
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]


def _end_child(pid: int, *, kill: bool) -> bool:
    """Reap the child (killing it first when the load was cancelled); True if it succeeded."""
    if kill:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return False
    return os.waitstatus_to_exitcode(status) == 0
