"""What the filter's ``is:``/``has:`` terms mean, and the counts from bodies behind them.

The query language (viewer.core.query) only parses terms; whether a message *is* a patch or
*has* comments is decided here, once, for the thread list and anything else that filters.
Terms that need only the header index (is:unread, is:patch, has:replies) are answered at once;
terms that need decoded bodies (has:comments, has:reviewed-by, ...) read a message's
:class:`Facts`, which cost ~1 ms a mail and are therefore computed lazily, or in the background
for a whole mailbox (:func:`compute_facts`), and cached by the caller.

To add a term: give it a line in ``query.IS_FLAGS``/``HAS_FLAGS``/``NEEDS_FLAGS`` (its help
text) and one function in :data:`TERMS` below; if it needs bodies, add it to
:data:`BODY_TERMS` too. Triage terms (is:new, is:flagged, needs:review, ...) are answered by
:meth:`viewer.core.triage.Triage.flag`, asked last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from viewer.core.archive import Archive
    from viewer.core.triage import Triage


@dataclass(frozen=True, slots=True)
class Facts:
    """What needs decoded bodies, for one message."""

    comments: int
    """Review comments (:meth:`Archive.comment_count`): on a patch or cover letter, those
    anchored on it; on any other mail, those it makes (wherever they were anchored)."""
    trailers: dict[str, int] = field(default_factory=dict)
    """Trailers given in replies, by letter: "A" Acked-by, "R" Reviewed-by, "T" Tested-by."""


class FlagSource(Protocol):
    """What answering a term needs: the mailbox, the read state, facts, triage."""

    archive: Archive | None
    triage: Triage | None

    def is_read(self, msgid: str) -> bool: ...

    def facts(self, msgid: str) -> Facts:
        """The message's facts, computed now when the caller has no cached copy."""
        ...


class HeadlessFlags:
    """A FlagSource without a thread list (the command line): facts computed when first
    asked and kept, the read state and triage as given."""

    def __init__(self, archive: Archive, triage: Triage | None, read: set[str]) -> None:
        self.archive: Archive | None = archive
        self.triage = triage
        self._read = read  # shared, not copied: marking read elsewhere shows here
        self._facts: dict[str, Facts] = {}

    def is_read(self, msgid: str) -> bool:
        return msgid in self._read

    def facts(self, msgid: str) -> Facts:
        known = self._facts.get(msgid)
        if known is None:
            assert self.archive is not None
            known = self._facts[msgid] = facts_of(self.archive, msgid)
        return known


# -- the terms ---------------------------------------------------------------------------------

def _is_cover(archive: Archive, msgid: str) -> bool:
    series = archive.series_of(msgid)
    return series is not None and series.cover == msgid


def _has_trailer(letter: str) -> Callable[[FlagSource, Archive, str], bool]:
    def answer(source: FlagSource, archive: Archive, msgid: str) -> bool:
        if source.facts(msgid).trailers.get(letter, 0) > 0:
            return True
        # Carried in the commit message from an earlier revision: a review all the same.
        triage = source.triage
        return triage is not None and archive.is_patch(msgid) and (
            triage.counts(msgid).carried.get(letter, 0) > 0
        )

    return answer


TERMS: dict[str, Callable[[FlagSource, Archive, str], bool]] = {
    "is:unread": lambda source, _archive, msgid: not source.is_read(msgid),
    "is:read": lambda source, _archive, msgid: source.is_read(msgid),
    "is:patch": lambda _source, archive, msgid: archive.is_patch(msgid),
    "is:cover": lambda _source, archive, msgid: _is_cover(archive, msgid),
    "is:reply": lambda _source, archive, msgid: archive.subject_info(msgid).is_reply,
    "is:rfc": lambda _source, archive, msgid: archive.subject_info(msgid).is_rfc,
    "has:replies": lambda _source, archive, msgid: bool(archive.node(msgid).children),
    "has:comments": lambda source, _archive, msgid: source.facts(msgid).comments > 0,
    "has:reviewed-by": _has_trailer("R"),
    "has:acked-by": _has_trailer("A"),
    "has:tested-by": _has_trailer("T"),
}
"""Every mailbox term, by the key ``query.Term.flag`` gives ("is:unread")."""

BODY_TERMS = frozenset({"has:comments", "has:reviewed-by", "has:acked-by", "has:tested-by"})
"""The terms that read :class:`Facts`: a query with none of them never decodes a body."""


def flag(source: FlagSource, msgid: str, key: str) -> bool:
    """Answer one is:/has:/needs: term about one message; an unknown term is False."""
    archive = source.archive
    assert archive is not None
    answer = TERMS.get(key)
    if answer is not None:
        return answer(source, archive, msgid)
    if source.triage is not None:
        triaged = source.triage.flag(msgid, key)
        if triaged is not None:
            return triaged
    return False


# -- the facts ---------------------------------------------------------------------------------

def facts_of(archive: Archive, msgid: str) -> Facts:
    """Comment and trailer counts of one message (decodes its thread: ~1 ms a mail)."""
    # Archive.comment_count is the one place comments are counted (from the review model).
    comments = archive.comment_count(msgid)
    if archive.is_patch(msgid) or _is_cover(archive, msgid):
        return Facts(comments, archive.trailer_counts(msgid))
    return Facts(comments, {})


def compute_facts(
    archive: Archive,
    msgids: list[str],
    progress: Callable[[int, int], None],
    cancelled: Callable[[], bool],
) -> dict[str, Facts]:
    """Facts of many messages, for a background job (the GUI's ``TaskRunner`` signature)."""
    out: dict[str, Facts] = {}
    for done, msgid in enumerate(msgids):
        if cancelled():
            break
        out[msgid] = facts_of(archive, msgid)
        progress(done + 1, len(msgids))
    return out

