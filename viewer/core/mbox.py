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
import mmap
import os
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from viewer.core import index_cache, scan, tree_cache
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
from viewer.core.index_entry import IndexEntry
from viewer.core.index_entry import entry_from_headers as _entry_from_headers
from viewer.core.message import Message, decode_message, synthetic_msgid
from viewer.core.scan import find_boundaries

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]

FORMATS = ("mbox", "mboxrd", "gzip-mbox", "maildir", "eml")

# mboxrd: one ">" less on every ">*From " line. After a newline rather than re.M's "^": a
# pattern opening with a literal is searched for in C, ^ is tried at every byte (1.5 s over
# the bodies of a 50,000-mail archive). raw() gives each mail a leading newline so its first
# line is matched too; mboxo's single level is a plain bytes.replace.
_MBOXRD_UNESCAPE = re.compile(rb"\n>(>*From )")


def _unescaped(match: re.Match[bytes]) -> bytes:
    # A function, not the template rb"\n\1": re expands a template in Python on every call.
    return b"\n" + match.group(1)


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
                entries = scan._read_entries(data, spans, 0, crlf)
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
        if isinstance(self._data, mmap.mmap):
            _forget_pages(self._data, start, end)
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
            if self._mboxrd:
                raw = _MBOXRD_UNESCAPE.sub(_unescaped, b"\n" + raw)[1:]
            else:
                raw = (b"\n" + raw).replace(b"\n>From ", b"\nFrom ")[1:]
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

    def load_summary(self) -> dict[str, int] | None:
        """The counts kept with the threads (:func:`tree_cache.load_summary`)."""
        if self.stat is None or self._data is None:
            return None
        return tree_cache.load_summary(self.path, self.stat, self._data)

    def load_tree(self) -> tree_cache.Tree | None:
        """Threads and series kept with the index, rebuilt over its entries."""
        if self.stat is None or self._data is None:
            return None
        return tree_cache.load(self.path, self.stat, self._data, self.entries)

    def save_tree(self, tree: tree_cache.Tree) -> None:
        if self.stat is None or self._data is None:
            return
        tree_cache.save(self.path, self.stat, self._data, tree)

    def close(self) -> None:
        """Release the mapping early; later :meth:`raw` calls reopen the file."""
        if isinstance(self._data, mmap.mmap):
            self._data.close()
        self._data = None


# -- opening ----------------------------------------------------------------------------------


_FAULT_AROUND = 1 << 16


def _forget_pages(data: mmap.mmap, start: int, end: int) -> None:
    """Give back the mapped pages one mail was copied from.

    Reading mails through the mapping keeps every page touched in the process's RSS: the
    changelog pass over a 1 GB archive reads thousands of cover letters and patches, 540 MB
    of RSS for bytes already copied out. The pages stay in the page cache, so reading the
    mail again costs a minor fault. A refusal (an old kernel) only leaves them counted.
    The kernel maps the pages around a fault too (fault-around, 64 KiB by default), so the
    range given back is widened to 64 KiB boundaries.
    """
    if not hasattr(mmap, "MADV_DONTNEED"):  # not on every platform Python runs on
        return
    first = start - start % _FAULT_AROUND
    last = min(len(data), end - end % _FAULT_AROUND + _FAULT_AROUND)
    with contextlib.suppress(OSError, ValueError):
        data.madvise(mmap.MADV_DONTNEED, first, last - first)



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
    if total - scan_from >= scan._FORK_MIN and scan.fork_allowed():
        scanned = scan._scan_forked(data, scan_from, len(entries), crlf, progress, cancelled)
    if scanned is None:
        found, reading = scan._progress_parts(progress, scan_from, total, 1)
        new_spans = find_boundaries(data, scan_from, found, cancelled)
        new_entries = scan._read_entries(data, new_spans, len(entries), crlf, reading,
                                         cancelled)
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
