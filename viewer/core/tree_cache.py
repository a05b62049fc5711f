"""The threads and series of a mailbox, kept beside its index so a reopen builds neither.

Threading 50,000 mails, grouping them into series and linking revisions (the changelog
pass reads thousands of cover letters) costs seconds; rebuilding the result from this file
costs a few tens of milliseconds. It is derived from the index alone (plus the bodies the
changelog pass read), so it is keyed exactly like the index (:mod:`viewer.core.index_cache`:
file identity and the hashes of both ends), and also by a digest of the source of the code
that builds it: a Hunkwise whose threading or series rules changed reads no stale tree,
without anyone having to remember a version number.

Unlike the index it is not extended when the mbox grows: one new mail may join two threads
or link two revisions anywhere in the archive, so a grown mailbox builds its tree again
from the (extended) index, and saves it for next time.

Layout: a 4-byte length, a small marshalled head (what the file describes, the rules
digest, the summary `hunkwise index` prints), then the marshalled tree; a cached
`hunkwise index` reads only the head. Any failure to read or write is silent and means a
rebuild: the cache is an optimisation only.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import mmap
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from viewer.core import index_cache
from viewer.core.bulk import collector_paused
from viewer.core.index_entry import IndexEntry
from viewer.core.series import LinkReason, RevisionLink, Series
from viewer.core.threader import ThreadNode

log = logging.getLogger(__name__)

Buffer = bytes | mmap.mmap


@dataclass(slots=True)
class Tree:
    """What :meth:`viewer.core.archive.Archive._build` derives from the index."""

    threads: list[ThreadNode]
    series: list[Series]
    changelog_links: int | None
    """Revision links the changelog pass made; None before that pass ran (the counts of
    `hunkwise index` do not need it)."""
    summary: dict[str, int]
    nodes: list[ThreadNode] | None = None
    """Every node of every thread in display order, when the tree was read back (the
    archive's lookup table is built from it without walking each thread again)."""


@cache
def rules_digest() -> str:
    """A digest of the modules whose rules decide the tree: change one, and every tree
    saved by the old code is a miss."""
    import sys

    from viewer.core import archive, changelog, mbox, message, series, subject, threader

    # The threading and series rules, what the changelog pass reads bodies with (decoding,
    # unescaping), and this file's own layout.
    digest = hashlib.blake2b(digest_size=12)
    for module in (archive, changelog, mbox, message, series, subject, threader,
                   sys.modules[__name__]):
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:  # no source (a frozen bundle): the version is all we have
            from viewer import __version__

            digest.update(__version__.encode())
    return digest.hexdigest()


# -- encoding: plain tuples and lists, what marshal writes fast -------------------------------


def _encode_threads(roots: Sequence[ThreadNode]) -> list:
    """Every node in display order as (entry number or placeholder Message-ID, child count),
    flattened into one list: the tree is rebuilt from the counts alone."""
    flat: list = []
    append = flat.append
    for root in roots:
        for node in root.walk():
            append(node.entry.number if node.entry is not None else node.msgid)
            append(len(node.children))
    return flat


def _decode_threads(flat: list, entries: Sequence[IndexEntry]
                    ) -> tuple[list[ThreadNode], list[ThreadNode]]:
    """The roots, and every node in display order (what walking each root would give)."""
    roots: list[ThreadNode] = []
    every: list[ThreadNode] = []
    # (node, children still to come) of the path from the current root down.
    open_nodes: list[list] = []
    for i in range(0, len(flat), 2):
        ref, count = flat[i], flat[i + 1]
        if isinstance(ref, int):
            if not 0 <= ref < len(entries):
                raise ValueError(f"the tree names mail {ref}, which the index lacks")
            entry = entries[ref]
            node = ThreadNode(entry.msgid, entry)
        else:
            node = ThreadNode(ref, None)
        every.append(node)
        while open_nodes and open_nodes[-1][1] == 0:
            open_nodes.pop()
        if open_nodes:
            parent = open_nodes[-1]
            node.parent = parent[0]
            parent[0].children.append(node)
            parent[1] -= 1
        else:
            roots.append(node)
        if count:
            open_nodes.append([node, count])
    if any(left for _, left in open_nodes):
        raise ValueError("the thread tree ends early")
    return roots, every


def _encode_series(series: Sequence[Series]) -> list[tuple]:
    return [
        (s.key, s.subject, s.author_name, s.author_email, s.date, s.version, s.total, s.cover,
         tuple(s.patches.items()), tuple(s.missing), s.is_rfc, tuple(s.revisions), s.is_resend,
         tuple((key, link.reason.name, link.detail) for key, link in s.links.items()))
        for s in series
    ]


def _decode_series(rows: list[tuple]) -> list[Series]:
    found = []
    for (key, subject, name, email, date, version, total, cover, patches, missing, rfc,
         revisions, resend, links) in rows:
        found.append(Series(
            key, subject, name, email, date, version, total, cover, dict(patches),
            list(missing), rfc, list(revisions), resend,
            {other: RevisionLink(LinkReason[reason], detail) for other, reason, detail in links},
        ))
    return found


# -- the file ---------------------------------------------------------------------------------


def _read(path: Path, st: os.stat_result, data: Buffer, *,
          payload: bool = True) -> tuple[tuple, bytes] | None:
    """(head, payload) of a tree file that describes exactly ``data``, with today's rules;
    without ``payload`` only the head is read from the file (b"" stands for the rest)."""
    try:
        with index_cache.tree_file(path).open("rb") as f:
            size = int.from_bytes(f.read(4), "little")
            head = marshal.loads(f.read(size))
            rest = f.read() if payload else b""
        if index_cache.still_describes(head[:6], path, st, data) is not True:
            return None  # another file, or the mbox grew: threads may join anywhere
        if head[6] != rules_digest():
            return None
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, TypeError, IndexError) as error:
        log.debug("thread cache of %s unreadable, rebuilding: %s", path, error)
        return None
    return head, rest


def load_summary(path: Path, st: os.stat_result, data: Buffer) -> dict[str, int] | None:
    """The counts `hunkwise index` prints, from the head alone (the tree stays unread)."""
    found = _read(path, st, data, payload=False)
    if found is None or not isinstance(found[0][7], dict):
        return None
    return dict(found[0][7])


def load(path: Path, st: os.stat_result, data: Buffer,
         entries: Sequence[IndexEntry]) -> Tree | None:
    """The saved tree, rebuilt over ``entries`` (the index of the same bytes), or None."""
    found = _read(path, st, data)
    if found is None:
        return None
    head, payload = found
    try:
        if head[7]["messages"] != len(entries):  # an index other than the one it was made on
            raise ValueError("the tree counts another number of mails than the index")
        flat, series_rows, changelog_links = marshal.loads(payload)
        with collector_paused():  # 50,000 nodes, none of them garbage (viewer.core.bulk)
            threads, nodes = _decode_threads(flat, entries)
            series = _decode_series(series_rows)
    except (EOFError, ValueError, TypeError, IndexError, KeyError) as error:
        log.debug("thread cache of %s damaged, rebuilding: %s", path, error)
        return None
    links = None if changelog_links is None else int(changelog_links)
    return Tree(threads, series, links, dict(head[7]), nodes)


def save(path: Path, st: os.stat_result, data: Buffer, tree: Tree) -> None:
    """Write the tree atomically beside the index (errors are logged, never raised)."""
    head = marshal.dumps((*index_cache.record_head(path, st, data), rules_digest(),
                          dict(tree.summary)))
    payload = marshal.dumps((_encode_threads(tree.threads), _encode_series(tree.series),
                             tree.changelog_links))
    blob = len(head).to_bytes(4, "little") + head + payload
    index_cache.write_atomically(index_cache.tree_file(path), blob)
