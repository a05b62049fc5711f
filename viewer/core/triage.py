"""Triage: where each series stands, what the reader marked, and what the mail itself says.

Two kinds of facts meet here:

* kept facts (:mod:`viewer.core.store`): a series' state in the maintainer's words (new …
  archived), snoozed until a date, superseded by a newer revision; per message read and
  flagged; per patch a done ✓ / skip mark and a private note;
* computed facts, pure functions of the mail (so they can be cached with the index): a newer
  revision exists, a patch is unchanged from the previous revision, trailers carried in the
  commit message, I (``git config`` identity) already gave a Reviewed-by or Acked-by.

Transitions that happen by themselves (a newer revision appeared, a reply was sent from
Hunkwise) are pure functions returning the changes to record, so they are tested without a
database and the store applies each batch in one transaction.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from viewer.core import thread_facts
from viewer.core.identity import Identity
from viewer.core.query import Candidate, Query
from viewer.core.review_status import (
    PatchFacts,
    ReviewCounts,
    newer_revision,
    patch_facts,
    review_counts,
    reviewed_by_me,
    unchanged_from_previous,
)
from viewer.core.store import SERIES_STATES, PatchState, SeriesState, Store
from viewer.core.thread_facts import HeadlessFlags
from viewer.core.trailers import Trailer

if TYPE_CHECKING:
    from viewer.core.archive import Archive
    from viewer.core.series import Series
    from viewer.core.threader import ThreadNode

log = logging.getLogger(__name__)

DEFAULT_STATE = "new"
_CLOSED = ("accepted", "archived")
"""States no automatic transition takes a series out of: the maintainer decided."""


# -- automatic transitions ---------------------------------------------------------------------


class SentReply(Protocol):
    """What a record of a reply sent from Hunkwise tells (:class:`viewer.core.drafts.SentReply`)."""

    @property
    def patch_msgid(self) -> str: ...

    @property
    def in_reply_to(self) -> str: ...

    @property
    def sent(self) -> float | None:
        """When it was sent; None while only composed (which does not count)."""


def supersede_changes(archive: Archive, states: dict[str, SeriesState]) -> dict[str, SeriesState]:
    """A newer revision appeared: mark older revisions the maintainer dealt with superseded, and
    put the newest back to "new" (recorded, so the views show it even if a default changes).

    Only series with a recorded state change: one nobody triaged is superseded by the mail
    itself (``has:newer``), and writing a row for each would store what is derived.
    Accepted and archived series stay as they are: the maintainer decided.
    """
    changes: dict[str, SeriesState] = {}
    for series in archive.series:
        if len(series.revisions) < 2 or series.key != series.revisions[-1]:
            continue  # each family once, from its newest member
        touched = False
        for key in series.revisions[:-1]:
            older = archive.series_by_key(key)
            stored = states.get(key)
            if older is None or stored is None or older.version >= series.version:
                continue
            if stored.state in _CLOSED:
                touched = True
                continue
            if stored.superseded_by != series.key:
                changes[key] = replace(stored, superseded_by=series.key)
            touched = True
        if touched and series.key not in states:
            changes[series.key] = SeriesState(DEFAULT_STATE)
    return changes


def replied_changes(
    states: dict[str, SeriesState],
    sent: Iterable[SentReply],
    key_of: Callable[[str], str | None],
) -> dict[str, SeriesState]:
    """Replies sent from Hunkwise make their series "replied".

    Idempotent, so it can run on every open: a reply changes a state only if it was sent after
    the state was last set (a maintainer who moved the series on afterwards keeps that), and
    never an accepted or archived series.
    """
    changes: dict[str, SeriesState] = {}
    for reply in sent:
        if reply.sent is None:
            continue
        key = key_of(reply.patch_msgid) or key_of(reply.in_reply_to)
        if key is None:
            continue
        stored = changes.get(key) or states.get(key)
        if stored is not None and (stored.state in _CLOSED or stored.updated >= reply.sent):
            continue
        superseded = stored.superseded_by if stored is not None else None
        changes[key] = SeriesState("replied", None, superseded, reply.sent)
    return changes


def sent_from_hunkwise(archive: Archive, drafts=None) -> list[SentReply]:
    """Replies sent from Hunkwise about mail in this archive, from the drafts store.

    ``drafts`` is a :class:`viewer.core.drafts.DraftStore` (the default one when None). A
    drafts file that cannot be opened only means no automatic "replied": logged, not raised.
    """
    from viewer.core.drafts import DraftStore

    ids = [entry.msgid for entry in archive.entries]
    try:
        if drafts is None:
            with DraftStore() as default:
                return [r for m in sorted(default.replied(ids)) for r in default.sent_replies(m)]
        return [r for m in sorted(drafts.replied(ids)) for r in drafts.sent_replies(m)]
    except (OSError, sqlite3.Error) as error:
        log.warning("replies sent from Hunkwise unknown (%s): no automatic 'replied'", error)
        return []


# -- one mailbox's triage, for the views ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeriesView:
    """A series' state as the views show it."""

    state: str
    superseded_by: str | None = None
    snoozed_until: float | None = None
    snoozed: bool = False
    """Snoozed and the date is still ahead."""

    @property
    def label(self) -> str:
        if self.snoozed:
            return f"snoozed ({self.state})"
        return f"superseded ({self.state})" if self.superseded_by else self.state


class Triage:
    """The triage of one opened mailbox: kept state from the store plus facts from the mail.

    Keeps the store's rows in memory (a few dicts), so filtering asks no SQL; every change is
    written through at once, one transaction per user action. ``store`` may be None (an
    unwritable data folder): everything works for the session, nothing is remembered.
    """

    def __init__(
        self,
        archive: Archive,
        store: Store | None,
        identity: Identity,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.archive = archive
        self.store = store
        self.identity = identity
        self.clock = clock
        self.mailbox = archive.path
        self._key_of_root: dict[str, str] = {}
        self._unchanged: dict[str, bool] = {}
        self._counts: dict[str, ReviewCounts] = {}
        self._flag_source: HeadlessFlags | None = None
        self._mine: dict[str, bool] = {}
        self._patch_facts: dict[str, PatchFacts] = {}
        self.sent_ids: set[str] = set()
        """Message-IDs answered by replies sent from Hunkwise (``is:mine``)."""
        self.reload()

    def reload(self) -> None:
        store, box = self.store, self.mailbox
        self.read: set[str] = store.read_ids(box) if store else set()
        self.flagged: set[str] = store.flagged_ids(box) if store else set()
        self.series_states: dict[str, SeriesState] = store.series_states(box) if store else {}
        self.patch_states: dict[str, PatchState] = store.patch_states(box) if store else {}

    # -- which series a message belongs to

    def key_of(self, msgid: str) -> str:
        """The key triage state is kept under: the series of the mail, or of its thread, or the
        thread root for a discussion without patches."""
        series = self.archive.series_of(msgid)
        if series is not None:
            return series.key
        root = self.archive.root_of(msgid)
        key = self._key_of_root.get(root.msgid)
        if key is None:
            key = root.msgid
            for node in root.walk():
                found = self.archive.series_of(node.msgid) if node.entry is not None else None
                if found is not None:
                    key = found.key
                    break
            self._key_of_root[root.msgid] = key
        return key

    def view(self, key: str) -> SeriesView:
        stored = self.series_states.get(key)
        if stored is None:
            return SeriesView(DEFAULT_STATE)
        snoozed = stored.snoozed_until is not None and stored.snoozed_until > self.clock()
        return SeriesView(stored.state, stored.superseded_by, stored.snoozed_until, snoozed)

    # -- changes (each written through)

    def set_state(
        self, keys: Iterable[str], state: str, *, snoozed_until: float | None = None
    ) -> None:
        """Set series states (a snooze date, or None to wake them); one transaction."""
        if state not in SERIES_STATES:
            raise ValueError(f"unknown state {state!r} (known: {', '.join(SERIES_STATES)})")
        now = self.clock()
        changes = {
            key: SeriesState(
                state,
                snoozed_until,
                self.series_states[key].superseded_by if key in self.series_states else None,
                now,
            )
            for key in dict.fromkeys(keys)
        }
        self._record(changes)

    def _record(self, changes: dict[str, SeriesState]) -> None:
        if not changes:
            return
        if self.store is not None:
            self.store.set_series_states(self.mailbox, changes)
        self.series_states.update(changes)

    def set_flagged(self, msgids: Iterable[str], *, flagged: bool = True) -> None:
        ids = list(dict.fromkeys(msgids))
        if self.store is not None:
            self.store.set_flagged(self.mailbox, ids, flagged=flagged)
        (self.flagged.update if flagged else self.flagged.difference_update)(ids)

    def note_read(self, msgids: Iterable[str], *, read: bool = True) -> None:
        """Read state the caller already saved (the thread list writes its own)."""
        (self.read.update if read else self.read.difference_update)(msgids)

    # Facts that need a patch mail's body (and its replies): the thread list computes them
    # in the background before filtering a big mailbox by them.
    BODY_FLAGS = frozenset({
        "needs:review", "is:unchanged", "is:done", "has:reviewed-by", "has:acked-by",
        "has:tested-by",
    })

    def cold(self, msgids: Iterable[str]) -> list[str]:
        """Patches among ``msgids`` whose body facts are not known yet."""
        return [m for m in msgids if m not in self._mine and self.archive.is_patch(m)]

    def warm(self, msgids: Iterable[str], cancelled: Callable[[], bool] = lambda: False) -> int:
        """Compute the body facts of these patches now (a worker thread may call this)."""
        done = 0
        for msgid in msgids:
            if cancelled():
                break
            if self.archive.is_patch(msgid):
                self.counts(msgid)
                self.unchanged(msgid)
                self.reviewed_by_me(msgid)
                done += 1
        return done

    def is_warm(self, msgid: str) -> bool:
        return msgid in self._mine

    def set_read(self, msgids: Iterable[str], *, read: bool = True) -> None:
        ids = list(dict.fromkeys(msgids))
        if self.store is not None:
            self.store.mark_read(self.mailbox, ids, read=read)
        (self.read.update if read else self.read.difference_update)(ids)

    def set_mark(self, msgids: Iterable[str], mark) -> None:
        ids = list(dict.fromkeys(msgids))
        if self.store is not None:
            self.store.set_mark(self.mailbox, ids, mark)
        for msgid in ids:
            old = self.patch_states.get(msgid, PatchState())
            self.patch_states[msgid] = PatchState(mark, old.note, self.clock())

    def set_note(self, msgid: str, note: str) -> None:
        if self.store is not None:
            self.store.set_note(self.mailbox, msgid, note)
        old = self.patch_states.get(msgid, PatchState())
        self.patch_states[msgid] = PatchState(old.mark, note, self.clock())

    def apply_transitions(self, sent: Iterable[SentReply] = ()) -> dict[str, SeriesState]:
        """Run the automatic transitions; returns what changed (already recorded)."""
        sent = list(sent)
        self.sent_ids.update(reply.in_reply_to for reply in sent if reply.sent is not None)
        changes = supersede_changes(self.archive, self.series_states)
        merged = dict(self.series_states, **changes)
        replied = replied_changes(merged, sent, self._key_if_known)
        changes.update(replied)
        self._record(changes)
        if changes:
            log.info("triage transitions: %d series changed", len(changes))
        return changes

    def _key_if_known(self, msgid: str) -> str | None:
        return self.key_of(msgid) if msgid in self.archive else None

    # -- computed facts (memoised; each is a pure function of the mail)

    def patch_facts(self, msgid: str) -> PatchFacts:
        known = self._patch_facts.get(msgid)
        if known is None:
            # Kept with the index too: a reopened archive does not read every patch again.
            kept = self.archive.facts.get(("patch", msgid))
            if kept is not None:
                fingerprint, trailers = kept
                known = PatchFacts(fingerprint, tuple(Trailer(*t) for t in trailers))
            else:
                known = patch_facts(self.archive, msgid)
                self.archive.remember_fact(("patch", msgid), (known.fingerprint, tuple(
                    (t.name, t.value, t.source_msgid, t.mismatched) for t in known.trailers)))
            self._patch_facts[msgid] = known
        return known

    def counts(self, msgid: str) -> ReviewCounts:
        known = self._counts.get(msgid)
        if known is None:
            known = review_counts(self.archive, msgid, self.patch_facts(msgid))
            self._counts[msgid] = known
        return known

    def unchanged(self, msgid: str) -> bool:
        known = self._unchanged.get(msgid)
        if known is None:
            known = unchanged_from_previous(self.archive, msgid, self.patch_facts)
            self._unchanged[msgid] = known
        return known

    def reviewed_by_me(self, msgid: str) -> bool:
        known = self._mine.get(msgid)
        if known is None:
            known = reviewed_by_me(self.archive, msgid, self.identity, self.patch_facts(msgid))
            self._mine[msgid] = known
        return known

    def newer(self, key: str) -> str | None:
        series = self.archive.series_by_key(key)
        return newer_revision(self.archive, series) if series is not None else None

    def is_mine(self, msgid: str) -> bool:
        """A reply I wrote (my git identity sent it), or one sent from Hunkwise."""
        if msgid in self.sent_ids:
            return True
        entry = self.archive.entry(msgid)
        return (
            self.identity.known
            and self.archive.subject_info(msgid).is_reply
            and self.identity.is_me(entry.author_name, entry.author_email)
        )

    def needs_review(self, msgid: str) -> bool:
        """A patch (or a cover letter: all of its patches) with no Reviewed-by/Acked-by yet."""
        series = self.archive.series_of(msgid)
        if series is None:
            return False
        if series.cover == msgid:
            return not any(self.counts(p).reviewed for p in series.patches.values())
        if msgid in series.patches.values():
            return not self.counts(msgid).reviewed
        return False

    # -- the query language's triage terms

    def flag(self, msgid: str, key: str) -> bool | None:
        """Answer a triage is:/has:/needs: term about one message; None for other terms."""
        kind, _, word = key.partition(":")
        if kind == "is" and word in SERIES_STATES:
            view = self.view(self.key_of(msgid))
            return view.state == word and not view.snoozed and not view.superseded_by
        if key == "is:todo":
            view = self.view(self.key_of(msgid))
            return view.state in ("new", "reviewing") and not view.snoozed and not (
                view.superseded_by or self.newer(self.key_of(msgid))
            )
        if key == "is:snoozed":
            return self.view(self.key_of(msgid)).snoozed
        if key == "is:superseded":
            view = self.view(self.key_of(msgid))
            return bool(view.superseded_by) or self.newer(self.key_of(msgid)) is not None
        if key == "is:flagged":
            return msgid in self.flagged
        if key == "is:mine":
            return self.is_mine(msgid)
        if key == "is:unchanged":
            return self.archive.is_patch(msgid) and self.unchanged(msgid)
        if key == "is:done":
            state = self.patch_states.get(msgid)
            done = state is not None and state.mark == "done"
            return done or (self.archive.is_patch(msgid) and self.reviewed_by_me(msgid))
        if key == "has:newer":
            return self.newer(self.key_of(msgid)) is not None
        if key == "needs:review":
            return self.needs_review(msgid)
        return None

    def any_flag(self, msgid: str, key: str) -> bool:
        """Every is:/has:/needs: term of the query language, for the command line.

        The same answers as the thread list: viewer.core.thread_facts decides what each term
        means for both; here its facts are computed when first asked (no background).
        """
        if self._flag_source is None:
            self._flag_source = HeadlessFlags(self.archive, self, self.read)
        return thread_facts.flag(self._flag_source, msgid, key)

    def thread_matches(self, root: ThreadNode, query: Query) -> bool:
        """A thread is listed when any of its mails matches (the thread list's rule)."""
        if query.is_empty:
            return True
        for node in root.walk():
            entry = node.entry
            if entry is None:
                continue
            candidate = Candidate(
                entry.subject,
                f"{entry.author_name} <{entry.author_email}>",
                lambda key, msgid=node.msgid: self.any_flag(msgid, key),
            )
            if query.matches(candidate):
                return True
        return False

    # -- plain data for `hunkwise threads --json`

    def thread_fields(self, root: ThreadNode) -> dict:
        """The triage keys of one thread entry (the JSON contract: add keys, never rename)."""
        nodes = [n for n in root.walk() if n.entry is not None]
        first = nodes[0].msgid if nodes else root.msgid
        key = self.key_of(first)
        view = self.view(key)
        patches = [n.msgid for n in nodes if self.archive.is_patch(n.msgid)]
        return {
            "state": view.state,
            "snoozed_until": view.snoozed_until if view.snoozed else None,
            "superseded_by": view.superseded_by,
            "flagged": any(n.msgid in self.flagged for n in nodes),
            "unread": any(n.msgid not in self.read for n in nodes),
            "unread_count": sum(1 for n in nodes if n.msgid not in self.read),
            "newer_revision": self.newer(key),
            "unchanged_from_previous": [m for m in patches if self.unchanged(m)],
            "reviewed_by_me": [m for m in patches if self.reviewed_by_me(m)],
        }

    def series_fields(self, series: Series) -> dict:
        """Triage keys of one series entry: its state, and the A/R/T carried in its patches."""
        view = self.view(series.key)
        carried = {"A": 0, "R": 0, "T": 0}
        for msgid in series.patches.values():
            for letter, n in self.counts(msgid).carried.items():
                carried[letter] += n
        return {
            "state": view.state,
            "snoozed_until": view.snoozed_until if view.snoozed else None,
            "superseded_by": view.superseded_by,
            "newer_revision": self.newer(series.key),
            "trailers_carried": carried,
            "needs_review": not any(self.counts(m).reviewed for m in series.patches.values()),
        }

    def message_fields(self, msgid: str) -> dict:
        """Triage keys of one message entry: flags, and for a patch its marks and counts."""
        data: dict = {"flagged": msgid in self.flagged, "unread": msgid not in self.read}
        if self.archive.is_patch(msgid):
            counts = self.counts(msgid)
            mark = self.patch_states.get(msgid, PatchState())
            data.update(
                unchanged_from_previous=self.unchanged(msgid),
                reviewed_by_me=self.reviewed_by_me(msgid),
                trailers_carried=dict(counts.carried),
                mark=mark.mark,
                note=mark.note,
            )
        return data
