"""The mailbox index kept on disk, so reopening a 300 MB archive takes a blink.

One cache file per mailbox path, in the user cache folder (``HUNKWISE_CACHE_DIR`` overrides it,
for tests and for people who keep caches elsewhere). A cache answers only for the very same
bytes: the file's identity (device, inode, size, mtime) and hashes of its first and last
64 KiB must match. A mailbox that only grew (mail appended, or a newer ``t.mbox.gz`` of the
same thread) keeps the cached prefix and only its tail is scanned.

The format is marshal of plain tuples behind a version number: loading 50,000 entries is a
few tens of milliseconds, and any change of layout just bumps :data:`VERSION`, which makes
old files misses rather than errors. The cache is an optimisation only: every failure to
read or write it is silent and falls back to a scan.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import mmap
import os
import tempfile
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:
    from viewer.core.mbox import IndexEntry

log = logging.getLogger(__name__)

VERSION = 2
"""Bump whenever IndexEntry, the scan or the file layout changes (2: head, then payload)."""
_SAMPLE = 65536
_KEEP = 64
"""Cache files kept; the least recently used beyond that are removed on save."""

Buffer = bytes | mmap.mmap


@dataclass(slots=True)
class CachedIndex:
    """What a cache file gives back: entry tuples in IndexEntry field order, and byte spans.

    Both are read from the file's bytes on first use: a reopen that needs only the counts
    kept with the index (`hunkwise index`) never unmarshals 50,000 entries.
    """

    complete: bool
    """False when the mailbox grew since: the entries cover only its first ``length`` bytes."""
    length: int
    count: int
    """How many entries there are."""
    _payload: bytes | None = None
    _read: tuple[list[tuple], list[tuple[int, int]]] | None = None

    def _load(self) -> tuple[list[tuple], list[tuple[int, int]]]:
        if self._read is None:
            assert self._payload is not None
            entries, spans = marshal.loads(self._payload)
            flat = array("q")
            flat.frombytes(spans)
            self._read = entries, list(zip(flat[0::2], flat[1::2], strict=True))
            self._payload = None
        return self._read

    @property
    def entries(self) -> list[tuple]:
        return self._load()[0]

    @property
    def spans(self) -> list[tuple[int, int]]:
        return self._load()[1]


def cache_dir() -> Path:
    override = os.environ.get("HUNKWISE_CACHE_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir("hunkwise")) / "index"


def cache_file(path: Path) -> Path:
    """Where the index of ``path`` lives: named by a hash of the absolute path."""
    absolute = str(Path(path).resolve())
    digest = hashlib.blake2b(absolute.encode("utf-8", "surrogateescape"), digest_size=16)
    return cache_dir() / f"{digest.hexdigest()}.idx"


def _digest(data: Buffer, start: int, end: int) -> bytes:
    return hashlib.blake2b(data[start:end], digest_size=16).digest()


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def still_describes(record: tuple, path: Path, st: os.stat_result, data: Buffer) -> bool | None:
    """True when a cache record's (version, path, identity, length, head, late) describe
    ``data`` exactly, False when they describe a prefix of it (the mbox grew), None when not."""
    version, stored_path, identity, length, head, late = record
    if version != VERSION or stored_path != str(Path(path).resolve()):
        return None
    size = len(data)
    if size < length:
        return None  # truncated or replaced
    if _digest(data, 0, min(_SAMPLE, length)) != head:
        return None
    if _digest(data, max(0, length - _SAMPLE), length) != late:
        return None
    if size == length and tuple(identity) != _identity(st):
        # Same length, same ends, but touched: something in the middle may have changed.
        return None
    return size == length


def record_head(path: Path, st: os.stat_result, data: Buffer) -> tuple:
    length = len(data)
    return (
        VERSION,
        str(Path(path).resolve()),
        _identity(st),
        length,
        _digest(data, 0, min(_SAMPLE, length)),
        _digest(data, max(0, length - _SAMPLE), length),
    )


def load(path: Path, st: os.stat_result, data: Buffer) -> CachedIndex | None:
    """The cached index of ``path`` if it still describes ``data`` (or a prefix of it).

    The file is a small marshalled head (what it describes, and how many entries), then the
    entries and spans, unmarshalled only when asked for (:class:`CachedIndex`).
    """
    try:
        blob = cache_file(path).read_bytes()
        head_size = int.from_bytes(blob[:4], "little")
        head = marshal.loads(blob[4 : 4 + head_size])
        complete = still_describes(head[:6], path, st, data)
        count = int(head[6])
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, TypeError, IndexError) as error:  # damaged, old
        log.debug("index cache of %s unreadable, rescanning: %s", path, error)
        return None
    if complete is None:
        return None
    return CachedIndex(complete, head[3], count, blob[4 + head_size :])


def save(
    path: Path,
    st: os.stat_result,
    data: Buffer,
    fmt: str,
    entries: list[IndexEntry],
    spans: list[tuple[int, int]],
) -> None:
    """Write the index atomically (a reader never sees half a file); errors are ignored."""
    flat = array("q")
    for start, end in spans:
        flat.append(start)
        flat.append(end)
    head = marshal.dumps((*record_head(path, st, data), len(entries)))
    payload = marshal.dumps((
        [
            (e.number, e.msgid, e.in_reply_to, e.references, e.subject, e.author_name,
             e.author_email, e.date, e.broken)
            for e in entries
        ],
        flat.tobytes(),
    ))
    write_atomically(cache_file(path), len(head).to_bytes(4, "little") + head + payload)


def write_atomically(target: Path, content: tuple | bytes) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".idx-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(content if isinstance(content, bytes) else marshal.dumps(content))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(target.parent)
    except (OSError, ValueError) as error:
        # Read-only home, full disk: the next open just scans again, a little slower.
        log.warning("could not save the index cache in %s: %s", target.parent, error)


# -- facts derived from the mail, kept with the index -----------------------------------------


PER_MAIL = frozenset({"trailers", "patch"})
"""Fact kinds computed from one mail's bytes alone: still true after the mbox grew."""


def facts_file(path: Path) -> Path:
    return cache_file(path).with_suffix(".facts")


def tree_file(path: Path) -> Path:
    """Where :mod:`viewer.core.tree_cache` keeps the threads and series."""
    return cache_file(path).with_suffix(".tree")


def load_facts(path: Path, st: os.stat_result, data: Buffer) -> dict:
    """Facts computed from this mailbox's mail before (trailers given in a reply, a patch's
    fingerprint, ...), keyed ``(kind, Message-ID)``; {} when there are none that still hold.

    Keyed and invalidated with the index: the same identity and hashes. When the mbox only
    grew, the facts of one mail's own bytes (:data:`PER_MAIL` kinds) hold but those of the
    mail that was last (an append may continue it); facts about the whole archive (counts,
    the trailers a patch received) are dropped, as a new mail may change them.
    """
    try:
        record = marshal.loads(facts_file(path).read_bytes())
        last, chunks = record[6:]
        complete = still_describes(record[:6], path, st, data)
        if complete is None or not isinstance(chunks, list):
            return {}
        values: dict = {}
        for chunk in chunks:  # one at a time: see _FACTS_CHUNK
            values.update(marshal.loads(chunk))
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not complete:
        values = {k: v for k, v in values.items()
                  if k[0] in PER_MAIL and len(k) == 2 and k[1] != last}
    return values


_FACTS_CHUNK = 4096
"""Facts per marshalled chunk. The GUI loads and saves facts on a worker thread, and one
marshal call holds the interpreter lock throughout: 6 MB of facts in one piece froze the
window for a quarter of a second; in chunks, the GUI thread runs between them."""


def save_facts(path: Path, st: os.stat_result, data: Buffer, values: dict,
               last: str | None) -> None:
    """Write the facts atomically beside the index; ``last`` is the mbox's last Message-ID."""
    items = list(values.items())
    chunks = [marshal.dumps(dict(items[i : i + _FACTS_CHUNK]))
              for i in range(0, len(items), _FACTS_CHUNK)]
    write_atomically(facts_file(path), (*record_head(path, st, data), last, chunks))


def _prune(folder: Path) -> None:
    # Another Hunkwise (the GUI and a command, two fuzz workers) may prune the same folder
    # at the same moment: a file gone between the listing and its stat is simply gone.
    for pattern in ("*.idx", "*.facts", "*.tree"):
        dated = []
        for file in folder.glob(pattern):
            try:
                dated.append((file.stat().st_mtime, file))
            except FileNotFoundError:
                continue
        dated.sort(key=lambda pair: pair[0], reverse=True)
        for _, old in dated[_KEEP:]:
            old.unlink(missing_ok=True)


def forget(path: Path) -> None:
    """Drop the cached index of ``path`` (a "reload from scratch" command, and tests)."""
    cache_file(path).unlink(missing_ok=True)
    facts_file(path).unlink(missing_ok=True)
    tree_file(path).unlink(missing_ok=True)
