"""The offline library: every thread and search fetched from a public-inbox server, as an mbox.

Hunkwise keeps only what the user opened; whole-list history stays on the server built for
it. Each source is one mbox (exactly the server's mboxrd bytes, so it opens like any other
mailbox) beside a small JSON file saying where it came from, under
``<user data dir>/lore/<server>/<inbox>/``.

Three promises:

- **Never a half-written library file.** Everything is downloaded and checked first, then
  written to a temporary file in the same folder, fsynced and renamed over the old one; a
  kill at any moment leaves the old file or the new one, never a mix (a stray ``.tmp`` at
  worst, removed by the next save).
- **Refresh adds only new mail.** A second fetch appends the messages whose Message-ID the
  copy does not hold yet, in the server's order. The old bytes stay a byte-for-byte prefix,
  so the engine's index cache (:mod:`viewer.core.index_cache`) rescans only the new tail.
- **Offline first.** A source already in the library opens without the network; ``refresh``
  asks the server again, and when that fails the library copy is used with a one-line note.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from viewer.core.errors import LoadCancelled, LoreError
from viewer.core.headers import first_msgid
from viewer.core.lore import (
    CancelledFn,
    LoreClient,
    ProgressFn,
    SearchRef,
    Source,
    ThreadRef,
    check_mail,
)
from viewer.core.mbox import find_boundaries
from viewer.core.output_file import atomic_write, write_output
from viewer.core.store import data_dir

log = logging.getLogger(__name__)

META_VERSION = 1
_MESSAGE_ID = re.compile(rb"\n(?i:message-id)[ \t]*:[ \t]*([^\n]*(?:\n[ \t][^\n]*)*)")
_UNSAFE = re.compile(r"[^A-Za-z0-9._+@=-]")


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """One source kept in the library."""

    path: Path
    """The mbox; opens with :meth:`viewer.core.archive.Archive.open` like any mailbox."""
    source: Source
    fetched: float | None
    """When the server last answered for it (seconds since the epoch)."""
    messages: int


@dataclass(frozen=True, slots=True)
class Obtained:
    """What :func:`obtain` did: where the mailbox is now and whether the network took part."""

    path: Path
    source: Source
    added: int
    """Messages new to the library copy (every message on a first fetch; 0 when offline)."""
    total: int
    fetched: bool
    """The server answered this time."""
    note: str | None = None
    """One line for the user when the library copy was used instead of the network."""


def message_keys(data: bytes) -> list[tuple[str, int, int]]:
    """(Message-ID, start, end) of every message of an mbox, From_ line included.

    A message without an id is keyed by a hash of its bytes, so the same headless mail
    fetched twice is still recognised.
    """
    keys = []
    for start, end in find_boundaries(data):
        head_end = data.find(b"\n\n", start, end)
        found = _MESSAGE_ID.search(data, start, end if head_end < 0 else head_end + 1)
        msgid = None
        if found is not None:
            value = re.sub(rb"\r?\n[ \t]+", b" ", found.group(1))
            msgid = first_msgid(value.decode("utf-8", "replace"))
        if not msgid:
            msgid = "sha:" + hashlib.blake2b(data[start:end], digest_size=16).hexdigest()
        keys.append((msgid, start, end))
    return keys


def _slug(text: str) -> str:
    slug = _UNSAFE.sub("_", text).strip("._") or "_"
    if len(slug) > 120:  # file names stop at 255 bytes; Message-IDs can be longer
        digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        slug = f"{slug[:100]}-{digest}"
    return slug


class Library:
    """The library folder; every method is safe to call from a worker thread."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else data_dir() / "lore"

    def _folder(self, inbox: str) -> Path:
        parts = urlsplit(inbox)
        return self.root / _slug(parts.netloc) / _slug(parts.path.strip("/") or "_")

    def path_for(self, source: Source) -> Path:
        """Where a source's mbox lives (whether or not it is there yet)."""
        folder = self._folder(source.inbox)
        if isinstance(source, ThreadRef):
            # quote() keeps ids readable and distinct ('/' → %2F); long ones get a hash.
            return folder / f"{_slug(quote(source.msgid, safe='@+=-._'))}.mbox"
        digest = hashlib.blake2b(
            f"{source.query}\0{int(source.threads)}".encode(), digest_size=10
        ).hexdigest()
        return folder / "search" / f"{digest}.mbox"

    @staticmethod
    def _meta_path(path: Path) -> Path:
        return path.with_suffix(".json")

    def lookup(self, source: Source) -> LibraryEntry | None:
        """The library's copy of ``source``, or None.

        A thread is found by any Message-ID in it: a link to a reply of a thread fetched
        through its cover letter opens (and refreshes) that same copy, not a second one.
        """
        path = self.path_for(source)
        entry = self.entry_at(path)
        if entry is None and path.is_file():
            # The JSON beside it is written first, so this means it was removed by hand.
            entry = LibraryEntry(path, source, None, len(message_keys(path.read_bytes())))
        if entry is None and isinstance(source, ThreadRef) and path.parent.is_dir():
            for meta_path in sorted(path.parent.glob("*.json")):
                try:
                    meta = json.loads(meta_path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                if isinstance(meta, dict) and source.msgid in meta.get("ids", ()):
                    entry = self.entry_at(meta_path.with_suffix(".mbox"))
                    if entry is not None:
                        break
        return entry

    def entry_at(self, path: str | os.PathLike[str]) -> LibraryEntry | None:
        """The library entry whose mbox is ``path`` (a mailbox the GUI opened), or None."""
        path = Path(path)
        try:
            meta = json.loads(self._meta_path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not path.is_file() or not isinstance(meta, dict):
            return None
        if meta.get("version") != META_VERSION:
            return None
        if "msgid" in meta:
            source: Source = ThreadRef(meta["inbox"], meta["msgid"])
        else:
            source = SearchRef(meta["inbox"], meta["query"], bool(meta.get("threads")))
        return LibraryEntry(path, source, meta.get("fetched"), int(meta.get("messages", 0)))

    def is_library_file(self, path: str | os.PathLike[str]) -> bool:
        try:
            Path(path).resolve().relative_to(self.root.resolve())
        except ValueError:
            return False
        return True

    def entries(self) -> list[LibraryEntry]:
        """Everything in the library, most recently fetched first."""
        found = []
        for meta in self.root.glob("**/*.json"):
            entry = self.entry_at(meta.with_suffix(".mbox"))
            if entry is not None:
                found.append(entry)
        return sorted(found, key=lambda e: e.fetched or 0, reverse=True)

    def store(self, source: Source, mbox: bytes) -> tuple[Path, int, int]:
        """Add what the server sent: (path, messages added, messages now held).

        The first fetch keeps the server's bytes as they are; later ones append only the
        messages with a Message-ID not held yet. Nothing is rewritten when nothing is new,
        so the index cache of an unchanged copy stays a full hit.
        """
        path = self.path_for(source)
        old = path.read_bytes() if path.is_file() else b""
        held = {key for key, _start, _end in message_keys(old)}
        new_chunks: list[bytes] = []
        for key, start, end in message_keys(mbox):
            if key in held:
                continue
            held.add(key)
            chunk = mbox[start:end]
            new_chunks.append(chunk if chunk.endswith(b"\n") else chunk + b"\n")
        added = len(new_chunks)
        if new_chunks:
            if old and not old.endswith(b"\n\n"):
                # The blank line before a From_ line belongs to the mbox: keep one there.
                new_chunks.insert(0, b"\n" if old.endswith(b"\n") else b"\n\n")
            atomic_write(path, [old, *new_chunks])
            self._clean_temporaries(path.parent)
        # The mail first, then what is said about it: a kill in between leaves a note that
        # lists fewer ids than the mbox holds (the next store reads the ids from the mbox
        # itself), never one naming mail the file does not have.
        self._write_meta(path, source, held)
        return path, added, len(held)

    def _write_meta(self, path: Path, source: Source, held: set[str]) -> None:
        meta: dict[str, object] = {"version": META_VERSION, "inbox": source.inbox}
        if isinstance(source, ThreadRef):
            meta["msgid"] = source.msgid
        else:
            meta["query"] = source.query
            meta["threads"] = source.threads
        meta["fetched"] = time.time()
        meta["messages"] = len(held)
        if isinstance(source, ThreadRef):  # for finding the thread by any of its ids
            meta["ids"] = sorted(k for k in held if not k.startswith("sha:"))
        text = json.dumps(meta, ensure_ascii=False, indent=1) + "\n"
        atomic_write(self._meta_path(path), [text.encode("utf-8")])

    @staticmethod
    def _clean_temporaries(folder: Path) -> None:
        """Temporary files a killed save left behind (older than a minute: not a live one)."""
        cutoff = time.time() - 60
        for stray in folder.glob(".*.tmp"):
            try:
                if stray.stat().st_mtime < cutoff:
                    stray.unlink()
            except OSError:
                pass


def _when(entry: LibraryEntry) -> str:
    if not entry.fetched:
        return "fetched earlier"
    return time.strftime("fetched %Y-%m-%d %H:%M UTC", time.gmtime(entry.fetched))


def obtain(
    source: Source,
    *,
    library: Library | None = None,
    refresh: bool = False,
    offline: bool = False,
    client: LoreClient | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> Obtained:
    """Make ``source`` a mailbox in the library and say where it is.

    Without ``refresh`` a copy already in the library is used as is (no network). With it,
    the server is asked again and new messages are added; if the server cannot be reached
    or answers with an error, the library copy is used and :attr:`Obtained.note` says why.
    ``offline`` never touches the network.
    """
    library = library or Library()
    entry = library.lookup(source)
    if entry is not None and (offline or not refresh):
        return Obtained(entry.path, source, 0, entry.messages, fetched=False,
                        note=f"{source.describe()}: from the library, {_when(entry)}")
    if offline:
        raise LoreError(f"{source.describe()} is not in the library yet (fetch it online once)")
    own = client is None
    client = client or LoreClient()
    try:
        if isinstance(source, ThreadRef):
            data = client.thread(source, progress=progress, cancelled=cancelled)
        else:
            data = client.search(source, progress=progress, cancelled=cancelled)
    except LoadCancelled:
        raise
    except LoreError as error:
        if entry is None:
            raise
        log.info("refresh of %s failed: %s", source.describe(), error)
        return Obtained(entry.path, source, 0, entry.messages, fetched=False,
                        note=f"could not refresh ({error}); using the library copy, "
                             f"{_when(entry)}")
    finally:
        if own:
            client.close()
    if cancelled is not None and cancelled():
        raise LoadCancelled("fetching was cancelled")
    # Fetched through another id of a thread already kept: add to that copy.
    path, added, total = library.store(entry.source if entry else source, data)
    return Obtained(path, source, added, total, fetched=True)


def export(path: Path, out: Path) -> None:
    """Save a library mbox elsewhere (``--out``), atomically too; it must still be mail."""
    data = path.read_bytes()
    check_mail(data, str(path))
    write_output(out, [data], sources=[path])
