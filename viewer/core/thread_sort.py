"""Orders of the thread list: by subject, author, date, size, version, trailers or comments.

Whole threads are sorted, never their replies: a reply only makes sense under the mail it
answers, so a thread's tree order is kept whatever the column. The sort is stable over the
mailbox's own order (newest thread first), which therefore breaks every tie.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from viewer.core.subject import SubjectInfo
from viewer.core.threader import ThreadNode

SORT_KEYS = ("subject", "from", "date", "version", "messages", "trailers", "comments")
"""One per thread-list column, in column order."""
NEEDS_BODIES = frozenset({"trailers", "comments"})
"""Keys that need decoded mail (counted by the list's facts); the others read headers only."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ThreadCounts:
    """What the body-reading keys sort on, for one thread's first mail."""

    comments: int = 0
    trailers: int = 0
    """Acked-by + Reviewed-by + Tested-by given in replies."""


def first_real(root: ThreadNode) -> ThreadNode | None:
    """The thread's first mail that is in the mailbox (a placeholder root has none itself)."""
    return next((n for n in root.walk() if n.entry is not None), None)


def sort_key(
    root: ThreadNode,
    key: str,
    info_of: Callable[[str], SubjectInfo],
    version_of: Callable[[str], int | None],
    counts: Callable[[str], ThreadCounts] | None = None,
):
    """The value one thread sorts by under ``key`` (see SORT_KEYS).

    Subjects sort without "Re:" and bracket prefixes ("[PATCH v3 2/7]" would otherwise put
    every series before every plain mail) and without case. Undated mail sorts as oldest.
    """
    if key not in SORT_KEYS:
        raise ValueError(f"unknown sort key {key!r} (known: {', '.join(SORT_KEYS)})")
    first = first_real(root)
    if first is None or first.entry is None:
        return _EMPTY[key]
    entry = first.entry
    if key == "subject":
        return info_of(first.msgid).subject.casefold()
    if key == "from":
        return (entry.author_name or entry.author_email).casefold()
    if key == "date":
        return entry.date if entry.date is not None else -math.inf
    if key == "version":
        return version_of(first.msgid) or 0
    if key == "messages":
        return sum(1 for n in root.walk() if n.entry is not None)
    known = counts(first.msgid) if counts is not None else ThreadCounts()
    return known.comments if key == "comments" else known.trailers


_EMPTY = {"subject": "", "from": "", "date": -math.inf, "version": 0, "messages": 0,
          "trailers": 0, "comments": 0}


def sort_threads(
    items: Sequence[T],
    root_of: Callable[[T], ThreadNode],
    key: str,
    *,
    descending: bool,
    info_of: Callable[[str], SubjectInfo],
    version_of: Callable[[str], int | None],
    counts: Callable[[str], ThreadCounts] | None = None,
) -> list[T]:
    """``items`` (thread-list rows, in the mailbox's order) sorted by one column.

    Ties keep the given order in both directions, so flipping the direction of a column
    with many equal values (Msgs: 1) does not reshuffle them.
    """
    keyed = [(sort_key(root_of(item), key, info_of, version_of, counts), i)
             for i, item in enumerate(items)]
    if descending:
        keyed.sort(key=lambda pair: (_Reversed(pair[0]), pair[1]))
    else:
        keyed.sort()
    return [items[i] for _value, i in keyed]


class _Reversed:
    """Wraps a value so it sorts the other way while ties fall back to the position."""

    __slots__ = ("value",)

    def __init__(self, value) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return other.value < self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)
