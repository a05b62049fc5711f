"""Find the messages in a mailbox file quickly and read only the headers the index needs.

Listing a 300 MB list archive must take about a second, so the index never parses a mail:
one pass over the bytes finds the ``From `` separators (``bytes.find`` runs in C), and inside
each header block one compiled regex picks out the six headers threading needs. Bodies are
decoded only when :meth:`MailSource.message` is asked for one. The index is cached on disk
(:mod:`viewer.core.index_cache`), so a reopen skips even that, and a grown mbox scans only
its new tail.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import marshal
import mmap
import os
import re
import signal
import sys
import zlib
from array import array
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from viewer.core import index_cache
from viewer.core.bulk import collector_paused
from viewer.core.errors import LoadCancelled, MailboxError, NotAMailbox
from viewer.core.formats import (
    GZIP_MAGIC,
    first_content,
    is_cr_only,
    is_mboxrd,
    looks_like_headers,
    plausible_fragment,
    refuse,
)
from viewer.core.index_entry import IndexEntry, as_tuple
from viewer.core.index_entry import entry_from_headers as _entry_from_headers
from viewer.core.message import Message, decode_message, synthetic_msgid

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]

FORMATS = ("mbox", "mboxrd", "gzip-mbox", "maildir", "eml")

_MBOXRD_UNESCAPE = re.compile(rb"^>(>*From )", re.M)
_MBOXO_UNESCAPE = re.compile(rb"^>(From )", re.M)
_PROGRESS_STEP = 4 << 20  # report (and look for a cancel) every 4 MiB scanned


class MailSource:
    """A mailbox opened read-only: its index, and the bytes of any one message on demand.

    ``spans`` are (start, end) byte offsets of each message in :attr:`data` (From_ line
    included) for mbox formats; for a Maildir they index :attr:`files` instead.
    """

    def __init__(
        self,
        path: Path,
        fmt: str,
        entries: list[IndexEntry] | None,
        *,
        data: bytes | mmap.mmap | None = None,
        spans: list[tuple[int, int]] | None = None,
        files: list[Path] | None = None,
        from_cache: bool = False,
        cr_only: bool = False,
    ) -> None:
        self.path = path
        self.format = fmt
        self._entries: list[IndexEntry] | None = entries
        self._cached: index_cache.CachedIndex | None = None
        """An index read from the cache whose entries are built on first use."""
        self.from_cache = from_cache
        """True when the index came from the on-disk cache (for the status bar and tests)."""
        self.cr_only = cr_only
        """Old Mac line ends (CR alone) on disk, read as LF: raw() hands out LF mail."""
        self.stat: os.stat_result | None = None
        """The file's identity when indexed, for facts kept with the index (mbox formats)."""
        self._data = data
        self._spans = spans or []
        self._files = files or []
        # gzip says nothing of the quoting inside; lore's t.mbox.gz is mboxrd, but look.
        self._mboxrd = fmt == "mboxrd" or (
            fmt == "gzip-mbox" and data is not None and is_mboxrd(data)
        )

    @classmethod
    def from_cache(cls, path: Path, fmt: str, cached: index_cache.CachedIndex,
                   data: bytes | mmap.mmap, *, cr_only: bool) -> MailSource:
        source = cls(path, fmt, None, data=data, from_cache=True, cr_only=cr_only)
        source._cached = cached
        return source

    @property
    def entries(self) -> list[IndexEntry]:
        if self._entries is None:
            self._read_cached()
        assert self._entries is not None
        return self._entries

    @entries.setter
    def entries(self, value: list[IndexEntry]) -> None:
        self._entries = value

    def _read_cached(self) -> None:
        cached = self._cached
        assert cached is not None
        with collector_paused():
            try:
                spans = cached.spans
                entries = [IndexEntry(*t) for t in cached.entries]
                if not len(entries) == len(spans) == cached.count:
                    raise ValueError("entries and spans disagree")
            except (EOFError, ValueError, TypeError):
                # A damaged cache file (its head was fine): the cache is only an
                # optimisation, so scan the mailbox as if there had been none.
                data = self._data if self._data is not None else _load_bytes(
                    self.path, self.format, cr_only=self.cr_only)
                start = first_content(data)
                crlf = data.find(b"\r\n", start, start + 65536) >= 0
                spans = find_boundaries(data, start)
                entries = _read_entries(data, spans, 0, crlf)
            self._entries, self._spans = entries, spans
        self._cached = None

    def __len__(self) -> int:
        if self._entries is None and self._cached is not None:
            return self._cached.count
        return len(self.entries)

    def raw(self, number: int) -> bytes:
        """The message bytes as sent: From_ line removed, mbox ``>From `` escaping undone."""
        if self._entries is None:
            self._read_cached()
        if not 0 <= number < len(self.entries):
            raise IndexError(f"no message number {number} in {self.path.name}")
        if self.format == "maildir":
            try:
                return self._files[number].read_bytes()
            except OSError as error:
                raise MailboxError(
                    f"cannot read {self._files[number]}: {error.strerror or error}"
                ) from None
        if self._data is None:
            self._data = _load_bytes(self.path, self.format, cr_only=self.cr_only)
        start, end = self._spans[number]
        raw = self._data[start:end]
        if self.format == "eml":
            return raw
        if raw.startswith(b"From "):
            newline = raw.find(b"\n")
            raw = b"" if newline < 0 else raw[newline + 1 :]
        # The blank line before the next separator belongs to the mbox, not the message.
        if raw.endswith(b"\n\n"):
            raw = raw[:-1]
        elif raw.endswith(b"\r\n\r\n"):
            raw = raw[:-2]
        if b">From " in raw:
            # mboxrd escapes every ^>*From line with one more '>'; plain mboxo escapes only
            # ^From, so undoing one level of ">From " is what the writer meant there.
            pattern = _MBOXRD_UNESCAPE if self._mboxrd else _MBOXO_UNESCAPE
            raw = pattern.sub(rb"\1", raw)
        return raw

    def message(self, number: int) -> Message:
        """The message decoded for reading (never raises for bad mail: see ``broken``)."""
        return decode_message(self.raw(number), number=number)

    def load_facts(self) -> dict:
        """Facts kept with the index for this mailbox (:func:`index_cache.load_facts`)."""
        if self.stat is None or self._data is None:
            return {}
        return index_cache.load_facts(self.path, self.stat, self._data)

    def save_facts(self, values: dict) -> None:
        if self.stat is None or self._data is None:
            return
        last = self.entries[-1].msgid if len(self) else None
        index_cache.save_facts(self.path, self.stat, self._data, values, last)

    def close(self) -> None:
        """Release the mapping early; later :meth:`raw` calls reopen the file."""
        if isinstance(self._data, mmap.mmap):
            self._data.close()
        self._data = None


# -- opening ----------------------------------------------------------------------------------


class MemorySource(MailSource):
    """Mails already decoded, held in memory: an archive of them for tests and tools that build
    mail by hand. ``raw`` gives back the body only (nothing was sent as bytes)."""

    def __init__(self, messages: Sequence[Message]) -> None:
        entries = [
            IndexEntry(n, m.msgid, m.in_reply_to, tuple(m.references), m.subject, m.author.name,
                       m.author.email, m.date)
            for n, m in enumerate(messages)
        ]
        super().__init__(Path("<memory>"), "memory", entries)
        self._messages = list(messages)

    def raw(self, number: int) -> bytes:
        return self._messages[number].body.encode("utf-8", "surrogateescape")

    def message(self, number: int) -> Message:
        return self._messages[number]


def open_mailbox(
    path: str | os.PathLike[str],
    *,
    use_cache: bool = True,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> MailSource:
    """Open a mailbox read-only and index it; the format is detected from the content.

    Raises :class:`MailboxError` (one line, worded for a user) for input that is not mail at
    all, and :class:`LoadCancelled` when ``cancelled()`` turns true during the scan.
    """
    path = Path(path).expanduser()
    try:
        st = path.stat()
    except FileNotFoundError:
        raise MailboxError(f"{path}: no such file or folder") from None
    except OSError as error:
        raise MailboxError(f"{path}: cannot open ({error.strerror or error})") from None
    if path.is_dir():
        return _open_maildir(path, progress, cancelled)
    if not os.access(path, os.R_OK):
        raise MailboxError(f"{path}: cannot open (permission denied)")
    if st.st_size == 0:
        raise MailboxError(f"{path}: the file is empty, there is no mail in it")

    head = _read_head(path)
    if head.startswith(GZIP_MAGIC):
        data = _gunzip(path)
        cr_only = is_cr_only(data[:65536])
        if cr_only:
            data = data.replace(b"\r", b"\n")
        fmt = "gzip-mbox"
        start = first_content(data)
        if not data[start:].startswith(b"From "):
            fmt = "eml"  # a single gzipped mail (_gunzip refused anything else): one message
        return _index_buffer(path, data, fmt, st, use_cache, progress, cancelled, cr_only)

    cr_only = is_cr_only(head)
    if cr_only:
        # Classic Mac OS wrote CR alone. Read as LF the file is an ordinary mbox: the same
        # length, so every offset (and the index cache) holds for the bytes on disk too.
        head = head.replace(b"\r", b"\n")
    start = first_content(head)
    if head[start:].startswith(b"From "):
        data = _load_bytes(path, "mbox", cr_only=cr_only)
        fmt = "mboxrd" if is_mboxrd(data) else "mbox"
        return _index_buffer(path, data, fmt, st, use_cache, progress, cancelled, cr_only)
    if looks_like_headers(head[start:]):
        data = _load_bytes(path, "eml", cr_only=cr_only)
        entries = [_entry_from_headers(0, data, start, len(data))]
        return MailSource(path, "eml", entries, data=data, spans=[(start, len(data))],
                          cr_only=cr_only)
    if plausible_fragment(path, head):
        # A file named as mail whose header block was lost (git's mailsplit fragments, a body
        # saved from a client): listed as one broken message, so what the user asked to open
        # is shown rather than refused. Anything else without headers is not taken for mail.
        data = _load_bytes(path, "eml", cr_only=cr_only)
        entry = replace(_entry_from_headers(0, data, start, len(data)), broken="no mail headers")
        return MailSource(path, "eml", [entry], data=data, spans=[(start, len(data))],
                          cr_only=cr_only)
    raise refuse(path, head)


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(65536)
    except OSError as error:
        raise MailboxError(f"{path}: cannot read ({error.strerror or error})") from None


def _map(path: Path) -> mmap.mmap:
    """Map the file read-only: the OS pages in only what the scan touches, nothing is copied."""
    try:
        with path.open("rb") as f:
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as error:
        raise MailboxError(f"{path}: cannot read ({error})") from None


def _gunzip(path: Path) -> bytes:
    """The whole decompressed file; what does not start like mail is refused after 64 KiB,
    so a "gzip bomb" (gigabytes of zeros in a small file) is never unpacked."""
    try:
        with gzip.open(path, "rb") as f:
            head = f.read(65536)
            probe = head.replace(b"\r", b"\n") if is_cr_only(head) else head
            start = first_content(probe)
            if not (probe[start:].startswith(b"From ") or looks_like_headers(probe[start:])):
                raise NotAMailbox(f"{path}: the compressed file does not contain a mailbox")
            return head + f.read()
    except MemoryError:
        raise MailboxError(f"{path}: too large to unpack in memory") from None
    except EOFError:
        raise MailboxError(
            f"{path}: the compressed file is truncated (incomplete download?)"
        ) from None
    except (OSError, zlib.error) as error:
        raise MailboxError(f"{path}: the compressed file is damaged ({error})") from None


def _load_bytes(path: Path, fmt: str, *, cr_only: bool = False) -> bytes | mmap.mmap:
    if fmt == "gzip-mbox":
        data = _gunzip(path)
    elif fmt == "eml" or cr_only:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise MailboxError(f"{path}: cannot read ({error.strerror or error})") from None
    else:
        return _map(path)
    return data.replace(b"\r", b"\n") if cr_only else data


# -- the scan ---------------------------------------------------------------------------------


def _index_buffer(*args) -> MailSource:
    with collector_paused():
        return _index_buffer_now(*args)


def _index_buffer_now(
    path: Path,
    data: bytes | mmap.mmap,
    fmt: str,
    st: os.stat_result,
    use_cache: bool,
    progress: ProgressFn | None,
    cancelled: CancelledFn | None,
    cr_only: bool = False,
) -> MailSource:
    total = len(data)
    if fmt == "eml":
        start = first_content(data)
        entries = [_entry_from_headers(0, data, start, total)]
        return MailSource(path, fmt, entries, data=data, spans=[(start, total)], cr_only=cr_only)

    cached = index_cache.load(path, st, data) if use_cache else None
    if cached is not None and cached.complete:
        source = MailSource.from_cache(path, fmt, cached, data, cr_only=cr_only)
        log.debug("%s: %d messages in the index cache", path, cached.count)
        source.stat = st
        return source

    if cached is not None:
        # The mbox grew after the cached prefix: keep that index and scan only the new tail.
        # The last cached message is rescanned because an append may have continued it.
        tuples = cached.entries[:-1]
        spans = cached.spans[:-1]
        scan_from = cached.spans[-1][0] if cached.spans else 0
        log.debug("%s: grew; cached index kept, scanning from byte %d", path, scan_from)
    else:
        tuples, spans, scan_from = [], [], first_content(data)

    entries = [IndexEntry(*t) for t in tuples]
    crlf = data.find(b"\r\n", scan_from, scan_from + 65536) >= 0
    scanned = None
    if total - scan_from >= _FORK_MIN and _fork_allowed():
        scanned = _scan_forked(data, scan_from, len(entries), crlf, progress, cancelled)
    if scanned is None:
        found, reading = _progress_parts(progress, scan_from, total, 1)
        new_spans = find_boundaries(data, scan_from, found, cancelled)
        new_entries = _read_entries(data, new_spans, len(entries), crlf, reading, cancelled)
    else:
        new_spans, new_entries = scanned
    entries.extend(new_entries)
    spans.extend(new_spans)
    if progress is not None:
        progress(total, total)
    if use_cache:
        index_cache.save(path, st, data, fmt, entries, spans)
    source = MailSource(path, fmt, entries, data=data, spans=spans, from_cache=False,
                        cr_only=cr_only)
    if use_cache:  # --no-cache writes nothing, facts included
        source.stat = st
    return source


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


def _fork_allowed() -> bool:
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
            first = int(_read_fd(count_r))
            entries = _read_entries(data, spans, first, crlf)
            flat = array("q", [offset for span in spans for offset in span])
            payload = marshal.dumps(([as_tuple(e) for e in entries], flat.tobytes()))
            view = memoryview(payload)
            while view:
                view = view[os.write(result_w, view) :]
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
        payload = _read_fd(result_r)
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


def _read_fd(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


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


# -- Maildir ----------------------------------------------------------------------------------


def _open_maildir(
    path: Path, progress: ProgressFn | None, cancelled: CancelledFn | None
) -> MailSource:
    subdirs = [path / "cur", path / "new"]
    if not any(d.is_dir() for d in subdirs):
        raise MailboxError(f"{path}: a folder, but not a Maildir (no cur/ or new/ inside)")
    files: list[Path] = []
    for d in subdirs:
        try:
            files.extend(p for p in d.iterdir() if not p.name.startswith(".") and p.is_file())
        except FileNotFoundError:
            continue
        except OSError as error:
            raise MailboxError(f"{d}: cannot list ({error.strerror or error})") from None
    # Maildir names start with the delivery time, so name order is arrival order.
    files.sort(key=lambda p: p.name)
    total = len(files)
    entries = []
    for number, file in enumerate(files):
        if number % 256 == 0:
            if cancelled is not None and cancelled():
                raise LoadCancelled("loading was cancelled")
            if progress is not None:
                progress(number, total)
        try:
            with file.open("rb") as f:
                head = f.read(65536)
        except OSError as error:
            entries.append(IndexEntry(number, synthetic_msgid(number), None, (), file.name, "",
                                      "", None, broken=f"unreadable ({error.strerror or error})"))
            continue
        entries.append(_entry_from_headers(number, head, 0, len(head)))
    if progress is not None:
        progress(total, total)
    return MailSource(path, "maildir", entries, files=files)
