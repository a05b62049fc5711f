"""An opened mailbox: the index, its threads and series, and lazily decoded mail on top.

This is the one object the command line and the GUI hold. Listing and threading need only the
header index, so opening stays fast on a 50,000-message archive; bodies are decoded, patches
parsed and comments anchored only for what is looked at, and kept in small caches because a
reader goes back and forth between the same few mails.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from viewer.core.bulk import collector_paused
from viewer.core.errors import MessageNotFound
from viewer.core.mbox import IndexEntry, MailSource, MemorySource, open_mailbox
from viewer.core.message import Message, simple_body
from viewer.core.series import Series, find_series, link_by_changelog
from viewer.core.subject import SubjectInfo, parse_subject
from viewer.core.threader import ThreadNode, build_threads
from viewer.core.trailers import (
    Trailer,
    collect_followup_trailers,
    count_letters,
    merge_trailers,
    trailers_given,
    trailers_in_reply,
)
from viewer.core.tree_cache import Tree

if TYPE_CHECKING:
    from viewer.core.anchoring import ThreadAnalysis
    from viewer.core.annotation import Annotation
    from viewer.core.patch import Patch
    from viewer.core.review_model import ReviewModel

log = logging.getLogger(__name__)

# A follow-up can only give a trailer if "-by:" (or a Fixes:/Link:-style tag, which we do not
# count) appears in its bytes, unless the body is base64 and hides it; checking the raw bytes
# first spares decoding most replies when A/R/T is counted over a whole archive. Searched in
# the lower-cased bytes: a case-insensitive regex alternation is ten times slower.
_TRAILER_HINTS = (b"-by:", b"base64")

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]


class _Lru(OrderedDict):
    """A tiny bounded cache: decoded mails are ~10 KiB each, a reader revisits a handful."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def remember(self, key, value):
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return value


class _Subjects:
    """Each mail's parsed subject, parsed when first asked (a reopened archive does not
    parse 50,000 subjects to list one thread). For a duplicated Message-ID the first copy
    answers, as it does for :meth:`Archive.entry`."""

    __slots__ = ("_by_id", "_known")

    def __init__(self, by_id: dict[str, IndexEntry]) -> None:
        self._by_id = by_id
        self._known: dict[str, SubjectInfo] = {}

    def get(self, msgid: str) -> SubjectInfo | None:
        info = self._known.get(msgid)
        if info is None:
            entry = self._by_id.get(msgid)
            if entry is None:
                return None
            info = self._known[msgid] = parse_subject(entry.subject)
        return info

    def __contains__(self, msgid: str) -> bool:
        return msgid in self._by_id


class Archive:
    """A mailbox opened read-only, with everything the views ask of it."""

    def __init__(self, source: MailSource, seconds: float) -> None:
        self.source = source
        self.path = Path(source.path)
        self.format: str = source.format
        self.seconds = seconds
        self._messages = _Lru(512)
        self._patches = _Lru(256)
        self._analyses: _Lru = _Lru(64)
        self._models: _Lru = _Lru(32)
        self._reply_trailers: dict[str, list[Trailer]] = {}
        self._facts: dict | None = None
        self._facts_added = False
        self._followups: dict[str, list[Trailer]] = {}
        self._cover_trailers: dict[str, list[Trailer]] = {}
        self._trailer_counts: dict[str, dict[str, int]] = {}
        # The GUI counts comments on a worker thread while the reader browses: the caches and
        # the mail source are shared, so decoding goes through one re-entrant lock.
        self._lock = threading.RLock()
        self._built = False
        self.changelog_links: int | None = None
        self._in_order: list[ThreadNode] = []
        """Revision links made from changelogs; None until series are first looked at."""

    @property
    def entries(self) -> list[IndexEntry]:
        """Every message's index entry, in mailbox order (built from the cache on first use)."""
        return self.source.entries

    # -- what is derived from the index, built on first use -----------------------------------
    # `hunkwise index` from the cache needs only counts (kept with the index, see summary());
    # threads, subjects and series are built when something looks at them, once, together.

    def _build(self, *, save: bool = True) -> None:
        """``save=False``: the caller saves the tree itself (_link, right after linking it),
        so a cold open that links at once encodes and writes it once, not twice."""
        with self._lock, collector_paused():  # see viewer.core.bulk
            if self._built:
                return
            tree = self.source.load_tree()
            if tree is None:
                tree = self._build_tree()
                if save:
                    self.source.save_tree(tree)
            # Duplicated Message-IDs happen (cross-posts saved twice): the first copy answers
            # lookups, the threader still keeps every copy in the tree.
            by_id: dict[str, IndexEntry] = {}
            for entry in self.entries:
                by_id.setdefault(entry.msgid, entry)
            order = tree.nodes  # every node in display order: lookups, thread_counts
            if order is None:
                order = [node for root in tree.threads for node in root.walk()]
            nodes: dict[str, ThreadNode] = {}
            for node in order:
                nodes.setdefault(node.msgid, node)
            series_of: dict[str, Series] = {}
            for item in tree.series:
                for msgid in item.patches.values():
                    series_of.setdefault(msgid, item)
                if item.cover:
                    series_of.setdefault(item.cover, item)
            self._by_id_, self._threads, self._nodes_ = by_id, tree.threads, nodes
            self._in_order = order
            self._infos_ = _Subjects(by_id)
            self._series, self._series_of_ = tree.series, series_of
            self._series_by_key_ = {s.key: s for s in tree.series}
            self.changelog_links = tree.changelog_links
            self._summary = tree.summary
            self._built = True

    def thread_counts(self, read: set[str] | frozenset[str] = frozenset()
                      ) -> dict[str, tuple[int, int]]:
        """Each thread's mails and unread mails (``read``: the Message-IDs read), by its
        root's Message-ID; placeholders are no mail, a duplicated mail counts twice.

        One flat pass over every node in display order: the thread list's Msgs column for
        170,000 mails, where walking each thread took the GUI thread 0.7 s.
        """
        if not self._built:
            self._build()
        counts: dict[str, tuple[int, int]] = {}
        root, mails, unread = None, 0, 0
        for node in self._in_order:
            if node.parent is None:
                if root is not None:
                    counts[root] = (mails, unread)
                root, mails, unread = node.msgid, 0, 0
            if node.entry is not None:
                mails += 1
                unread += node.msgid not in read
        if root is not None:
            counts[root] = (mails, unread)
        return counts

    def _link(self) -> None:
        """Link the revisions the headers could not (a renamed series, a changelog's lore
        link): one body read per vN that has no earlier revision, so only once something
        looks at series; counting them (`hunkwise index`) does not. Kept with the tree."""
        if self.changelog_links is not None:
            return
        with self._lock, collector_paused():
            if not self._built:
                self._build(save=False)  # saved below, linked
            if self.changelog_links is not None:
                return
            self.changelog_links = link_by_changelog(
                self._series, lambda m: self._changelog_text(self.raw(m),
                                                            self.entry(m).number),
                self.raw, self._series_of_.get,
                lambda m: self._infos_.get(m).subject if m in self._infos_ else "",
            )
            self.source.save_tree(Tree(self._threads, self._series, self.changelog_links,
                                       self._summary))

    def _build_tree(self) -> Tree:
        """Thread and group into series: what tree_cache keeps (revision links by changelog
        come later, see _link)."""
        entries = self.entries
        threads = build_threads(entries)
        infos = {e.msgid: parse_subject(e.subject) for e in entries}
        series = find_series(entries, threads, infos)
        summary = {
            "messages": len(entries),
            "threads": len(threads),
            "series": len(series),
            "patches": sum(len(s.patches) for s in series),
            "broken": sum(1 for e in entries if e.broken),
        }
        return Tree(threads, series, None, summary)

    @property
    def threads(self) -> list[ThreadNode]:
        if not self._built:
            self._build()
        return self._threads

    @property
    def series(self) -> list[Series]:
        self._link()
        return self._series

    @property
    def _by_id(self) -> dict[str, IndexEntry]:
        if not self._built:
            self._build()
        return self._by_id_

    @property
    def _nodes(self) -> dict[str, ThreadNode]:
        if not self._built:
            self._build()
        return self._nodes_

    @property
    def _infos(self) -> _Subjects:
        if not self._built:
            self._build()
        return self._infos_

    @property
    def _series_of(self) -> dict[str, Series]:
        if not self._built:
            self._build()
        return self._series_of_

    @property
    def _series_by_key(self) -> dict[str, Series]:
        if not self._built:
            self._build()
        return self._series_by_key_

    def summary(self) -> dict[str, int]:
        """Messages, threads, series, patches and broken mails; kept with the threads
        (tree_cache's head), so a cached `hunkwise index` builds no thread at all."""
        if not self._built:
            kept = self.source.load_summary()
            if kept is not None:
                return kept
        if not self._built:
            self._build()
        return dict(self._summary)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        use_cache: bool = True,
        progress: ProgressFn | None = None,
        cancelled: CancelledFn | None = None,
        eager_threads: bool = True,
    ) -> Archive:
        """Index (or reload from cache) and thread a mailbox; raises MailboxError on bad input.

        ``eager_threads=False`` leaves threads and series to be built on first use (the
        command line, which may need only counts); the GUI builds them here, off its thread.
        """
        started = time.perf_counter()
        source = open_mailbox(path, use_cache=use_cache, progress=progress, cancelled=cancelled)
        archive = cls(source, 0.0)
        if not eager_threads:
            archive.seconds = time.perf_counter() - started
            log.info("%s: %d messages (%s%s) in %.3f s; threads built on first use",
                     archive.path, len(source), archive.format,
                     ", from the index cache" if source.from_cache else "", archive.seconds)
            return archive
        archive._link()  # threads, series and their links, all here off the GUI thread
        # The facts kept from last time too, here off the GUI thread: the list's marks and
        # the view counts ask for them next, and loading 50,000 mails' worth takes a moment.
        archive.facts  # noqa: B018
        archive.seconds = time.perf_counter() - started
        log.info("%s: %d messages, %d threads, %d series (%s%s) in %.3f s", archive.path,
                 len(archive.entries), len(archive.threads), len(archive.series), archive.format,
                 ", from the index cache" if source.from_cache else "", archive.seconds)
        return archive

    @classmethod
    def of_messages(cls, messages: Sequence[Message]) -> Archive:
        """An archive of mails already decoded (tests and tools that build mail in memory)."""
        return cls(MemorySource(messages), 0.0)

    def _changelog_text(self, raw: bytes, number: int) -> str:
        """A cover letter's text for its changelog: the raw bytes when they are plain text
        (no decoder needed for a lore link), the decoded body otherwise."""
        if re.search(rb"^content-transfer-encoding:[ \t]*(?:base64|quoted-printable)", raw,
                     re.I | re.M):
            return self.source.message(number).body
        return raw.decode("utf-8", "replace")

    # -- lookups ------------------------------------------------------------------------------

    def entry(self, msgid: str) -> IndexEntry:
        try:
            return self._by_id[msgid]
        except KeyError:
            raise self._not_found(msgid) from None

    def _not_found(self, msgid: str) -> MessageNotFound:
        return MessageNotFound(f"no message with Message-ID <{msgid}> in {self.path.name}")

    def __contains__(self, msgid: str) -> bool:
        return msgid in self._by_id

    def has_node(self, msgid: str) -> bool:
        """In the thread tree: a mail of the archive, or the placeholder of one it lacks."""
        return msgid in self._nodes

    def node(self, msgid: str) -> ThreadNode:
        try:
            return self._nodes[msgid]
        except KeyError:
            raise self._not_found(msgid) from None

    def root_of(self, msgid: str) -> ThreadNode:
        node = self.node(msgid)
        while node.parent is not None:
            node = node.parent
        return node

    def subject_info(self, msgid: str) -> SubjectInfo:
        info = self._infos.get(msgid)
        if info is None:  # a placeholder's id: parse the subject of the mail that is there
            info = parse_subject(self.entry(msgid).subject)
        return info

    def parent_id(self, msgid: str) -> str | None:
        """The mail this one answers in the thread tree (maybe a placeholder's id)."""
        parent = self.node(msgid).parent
        return parent.msgid if parent is not None else None

    def ancestors(self, msgid: str) -> list[str]:
        """Message-IDs above this mail, nearest first: its parents in the thread tree
        (placeholders included), then References the tree does not pass through, newest first
        (a reply whose parent is missing still names the patch it answers)."""
        chain: list[str] = []
        seen = {msgid}  # a set: with the list alone, a 5,000-deep chain was 12.5 M compares
        node = self.node(msgid).parent
        while node is not None and node.msgid not in seen:
            chain.append(node.msgid)
            seen.add(node.msgid)
            node = node.parent
        entry = self._by_id.get(msgid)
        for ref in reversed(entry.references if entry is not None else ()):
            if ref not in seen:
                chain.append(ref)
                seen.add(ref)
        return chain

    def is_review_target(self, msgid: str) -> bool:
        """A mail reviewers' replies are anchored on: a patch (any mail that is no reply and
        carries a diff, "[RFC]" and "[GIT PULL]" ones too) or a cover letter ("0/N")."""
        if msgid not in self._by_id:
            return False
        info = self.subject_info(msgid)
        return not info.is_reply and (info.is_cover or bool(self.parsed(msgid).files))

    def review_target(self, msgid: str) -> str:
        """The patch or cover letter a mail reviews: itself, or the nearest one it answers;
        the mail itself when it answers none."""
        if self.is_review_target(msgid):
            return msgid
        return next((m for m in self.ancestors(msgid) if self.is_review_target(m)), msgid)

    def series_of(self, msgid: str) -> Series | None:
        self._link()
        return self._series_of.get(msgid)

    def series_by_key(self, key: str) -> Series | None:
        self._link()
        return self._series_by_key.get(key)

    def is_patch(self, msgid: str) -> bool:
        """A patch mail of a series (not a reply, not a cover letter), judged from headers only."""
        series = self._series_of.get(msgid)
        return series is not None and msgid in series.patches.values()

    # -- decoded content ----------------------------------------------------------------------

    def raw(self, msgid: str) -> bytes:
        return self.source.raw(self.entry(msgid).number)

    def message(self, msgid: str) -> Message:
        with self._lock:
            cached = self._messages.get(msgid)
            if cached is None:
                number = self.entry(msgid).number
                cached = self._messages.remember(msgid, self.source.message(number))
            return cached

    def parsed(self, msgid: str) -> Patch:
        """The body of any mail parsed as a patch (a cover letter's is all commit message)."""
        from viewer.core.patch import parse_patch  # see analysis(): not for listing

        with self._lock:
            cached = self._patches.get(msgid)
            if cached is None:
                cached = self._patches.remember(msgid, parse_patch(self.message(msgid).body))
            return cached

    def patch(self, msgid: str) -> Patch | None:
        """The parsed patch of a patch mail; None for anything that carries no diff."""
        patch = self.parsed(msgid)
        return patch if patch.files else None

    def followup_trailers(self, msgid: str) -> list[Trailer]:
        """Trailers given in replies to this patch or to its cover letter (cached)."""
        given = self._followups.get(msgid)
        if given is None:
            with self._lock:
                # Kept with the index as a whole-archive fact: a new reply anywhere may add
                # to it, so it is dropped when the mbox grows (index_cache.load_facts).
                known = self.facts.get(("followups", msgid))
                if known is not None:
                    given = [Trailer(*t) for t in known]
                else:
                    given = collect_followup_trailers(self, msgid,
                                                      cover_memo=self._cover_trailers)
                    self.remember_fact(("followups", msgid), tuple(
                        (t.name, t.value, t.source_msgid, t.mismatched) for t in given))
                self._followups[msgid] = given
        return given

    def trailers(self, msgid: str) -> list[Trailer]:
        """The patch's own trailers followed by those given in follow-ups (cover's included)."""
        patch = self.patch(msgid)
        return merge_trailers(patch.trailers if patch else [], self.followup_trailers(msgid))

    def trailers_in_reply(self, msgid: str) -> list[Trailer]:
        """What one follow-up gives (cached, and kept with the index; see _TRAILER_HINTS).

        A single-part text reply is read from its bytes (:func:`simple_body`) with the sender
        the index has; only multipart, flowed or HTML mail goes through the MIME decoder.
        """
        given = self._reply_trailers.get(msgid)
        if given is None:
            known = self.facts.get(("trailers", msgid))
            if known is not None:
                given = [Trailer(*t) for t in known]
            else:
                given = self._read_reply_trailers(msgid)
                self.remember_fact(("trailers", msgid),
                                   tuple((t.name, t.value, t.source_msgid, t.mismatched)
                                         for t in given))
            self._reply_trailers[msgid] = given
        return given

    def _read_reply_trailers(self, msgid: str) -> list[Trailer]:
        raw = self.raw(msgid)
        lowered = raw.lower()
        if not any(hint in lowered for hint in _TRAILER_HINTS):
            return []
        body = simple_body(raw)
        if body is None:
            return trailers_in_reply(self.message(msgid))
        entry = self.entry(msgid)
        return trailers_given(body, msgid, entry.author_name, entry.author_email)

    # -- facts kept with the index ------------------------------------------------------------

    @property
    def facts(self) -> dict:
        """Facts derived from mail, ``(kind, Message-ID) -> plain values``, loaded on first use
        from beside the index (so a reopened archive does not read those mails again)."""
        if self._facts is None:
            self._facts = self.source.load_facts()
        return self._facts

    def remember_fact(self, key: tuple, value) -> None:
        """Keep a fact (tuples, strings, numbers, None: what marshal writes) for next time."""
        facts = self.facts
        with self._lock:  # with save_facts: a fact added while it writes is saved next time
            facts[key] = value
            self._facts_added = True

    def save_facts(self) -> None:
        """Write the facts learnt since opening beside the index (nothing when none were)."""
        with self._lock:
            if self._facts_added and self._facts is not None:
                self._facts_added = False
                self.source.save_facts(self._facts)

    def trailer_counts(self, msgid: str) -> dict[str, int]:
        """A/R/T given in replies: what a maintainer triaging looks for, not the author's own."""
        # Only follow-ups count, so the patch mail itself need not be decoded for the list.
        # Memoised: a listing asks for each patch and again for its series. A copy is
        # handed out, since callers add up into what they get.
        known = self._trailer_counts.get(msgid)
        if known is None:
            known = self._trailer_counts[msgid] = count_letters(self.followup_trailers(msgid))
        return dict(known)

    def analysis(self, msgid: str) -> ThreadAnalysis:
        """The comments of the thread holding msgid, and the replies that could not be
        analysed (cached per thread)."""
        # Imported here: anchoring is most of the engine's import time, and listing and
        # counting (`hunkwise index`, `threads`) never anchor a comment.
        from viewer.core.anchoring import anchor_mails

        root = self.root_of(msgid)
        with self._lock:
            cached = self._analyses.get(root.msgid)
            if cached is None:
                mails = [node.msgid for node in root.walk() if node.entry is not None]
                cached = self._analyses.remember(root.msgid, anchor_mails(self, mails))
            return cached

    def all_annotations(self, msgid: str) -> list[Annotation]:
        """Every comment of the thread holding msgid, whatever patch it sits on."""
        return self.analysis(msgid).annotations

    def annotations(self, msgid: str) -> list[Annotation]:
        """Comments anchored on this patch or cover letter."""
        return [a for a in self.all_annotations(msgid) if a.anchor.patch_message_id == msgid]

    def comment_count(self, msgid: str) -> int:
        """The thread list's comment count: a patch's or cover letter's comments (answers
        included), or for any other mail the comments it makes, wherever they sit."""
        if self.is_review_target(msgid):
            return self.review(msgid).counts.comments
        return len({a.id for a in self.all_annotations(msgid) if a.reply_message_id == msgid})

    def review(self, msgid: str) -> ReviewModel:
        """One patch or cover letter (or any mail) as the review model every view reads."""
        from viewer.core.review_model import review_model_of  # see analysis()

        with self._lock:
            cached = self._models.get(msgid)
            if cached is None:
                cached = self._models.remember(msgid, review_model_of(self, msgid))
            return cached

    def patch_ids(self) -> list[str]:
        """Message-IDs of every patch mail, series by series, in patch order."""
        return [s.patches[n] for s in self.series for n in sorted(s.patches)]
