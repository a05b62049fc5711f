"""Patch series: a cover letter and its numbered patches, revisions v1…vN linked, gaps reported.

Judged from headers only (subject, author, threading), so a 50,000-message archive is grouped
at open time without decoding a single body.

* Members of one posting share their thread root, version, total, RESEND flag and author:
  git send-email threads every patch under the cover letter (or under patch 1 with
  --no-thread --chain-reply-to, or deeper), so the root is what they have in common. A v2
  posted in reply to v1's cover shares v1's root but not its version, so it is its own series.
* Patches that landed in another thread (sent unthreaded, or the archive rewrote the
  cover's Message-ID) are joined afterwards when author, version and total agree, counters
  do not collide and they were sent within a few hours.
* Revisions are linked when the same author reuses the subject of the cover or of a patch at
  the same position, or when a revision is posted inside an earlier one's thread (b4's
  "partial re-roll": "[PATCH v3 2/2]" in reply to "[PATCH v2 2/2]").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from viewer.core.bulk import collector_paused
from viewer.core.mbox import IndexEntry
from viewer.core.subject import SubjectInfo, parse_subject
from viewer.core.threader import ThreadNode

# Patches of one posting whose threading broke are sent within minutes; a few hours allows
# for a slow SMTP relay or a posting finished after lunch, while keeping apart two postings
# of the same version (a RESEND the next week has its own flag anyway).
_ORPHAN_WINDOW = 6 * 3600.0


@dataclass(slots=True)
class Series:
    key: str
    """Stable id: the cover's (or first patch's) Message-ID."""
    subject: str
    """Cleaned subject of the cover letter, or of patch 1 when there is none."""
    author_name: str
    author_email: str
    date: float | None
    version: int
    total: int
    """Expected number of patches (the N in n/N); 1 for a lone patch."""
    cover: str | None
    """Message-ID of the cover letter (0/N), if there is one."""
    patches: dict[int, str] = field(default_factory=dict)
    """counter → Message-ID of the patch mail (1-based; a lone patch is 1)."""
    missing: list[int] = field(default_factory=list)
    """Counters 1..total with no patch in the mailbox."""
    is_rfc: bool = False
    revisions: list[str] = field(default_factory=list)
    """Keys of every revision of this series (this one included), oldest version first."""
    is_resend: bool = False
    """Posted as [RESEND]: the same version sent again."""

    @property
    def is_complete(self) -> bool:
        return not self.missing

    def message_ids(self) -> list[str]:
        """The cover (if any) then the patches in order."""
        ids = [self.cover] if self.cover else []
        ids.extend(self.patches[n] for n in sorted(self.patches))
        return ids


@dataclass(slots=True)
class _Group:
    root: str
    version: int
    total: int
    resend: bool
    who: str
    cover: IndexEntry | None = None
    patches: dict[int, IndexEntry] = field(default_factory=dict)
    rfc: bool = False

    def members(self) -> list[IndexEntry]:
        found = [self.cover] if self.cover else []
        return found + [self.patches[n] for n in sorted(self.patches)]

    def first_date(self) -> float:
        dates = [e.date for e in self.members() if e.date is not None]
        return min(dates) if dates else float("inf")



def find_series(
    entries: Sequence[IndexEntry],
    threads: Sequence[ThreadNode],
    infos: Mapping[str, SubjectInfo] | None = None,
) -> list[Series]:
    """Every series of the mailbox (lone patches are series of one), in posting order.

    ``infos`` lets a caller that already parsed the subjects (by Message-ID) share them.
    """
    with collector_paused():  # see viewer.core.bulk
        return _find_series(entries, threads, infos)


def _find_series(
    entries: Sequence[IndexEntry],
    threads: Sequence[ThreadNode],
    infos: Mapping[str, SubjectInfo] | None,
) -> list[Series]:
    nodes: dict[str, ThreadNode] = {}
    for root in threads:
        for node in root.walk():
            if node.entry is not None:
                nodes.setdefault(node.msgid, node)

    def info_of(entry: IndexEntry) -> SubjectInfo:
        if infos is not None and entry.msgid in infos:
            return infos[entry.msgid]
        return parse_subject(entry.subject)

    groups: dict[tuple, _Group] = {}
    lone: list[tuple[IndexEntry, SubjectInfo]] = []
    seen: set[str] = set()
    for entry in sorted(entries, key=_entry_order):
        if entry.msgid in seen:
            continue  # a duplicate copy of a mail already placed
        seen.add(entry.msgid)
        info = info_of(entry)
        node = nodes.get(entry.msgid)
        if info.is_reply or not info.is_patch or info.is_pull_request:
            continue
        if node is not None and not is_posting(node, info):
            continue  # a reply that lost its "Re:"
        if info.counter is None or (
            info.total == 1 and info.counter == 1 and not _under_cover(node, info_of)
        ):
            lone.append((entry, info))
            continue
        root = node.root().msgid if node is not None else entry.msgid
        who = author_identity(entry)
        assert info.total is not None
        key = (root, info.version, info.total, info.is_resend, who)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(root, info.version, info.total, info.is_resend, who)
        group.rfc = group.rfc or info.is_rfc
        if info.counter == 0:
            if group.cover is None:
                group.cover = entry
        elif info.counter not in group.patches:
            # The same counter twice in one thread and version: keep the first sent.
            group.patches[info.counter] = entry

    merged = _join_orphans(list(groups.values()))

    series: list[Series] = []
    for group in merged:
        series.append(_series_of_group(group, info_of))
    for entry, info in lone:
        series.append(
            Series(
                key=entry.msgid,
                subject=info.subject,
                author_name=entry.author_name,
                author_email=entry.author_email,
                date=entry.date,
                version=info.version,
                total=1,
                cover=None,
                patches={1: entry.msgid},
                is_rfc=info.is_rfc,
                is_resend=info.is_resend,
            )
        )
    series.sort(key=lambda s: (s.date if s.date is not None else float("inf"), s.key))
    _link_revisions(series, nodes, info_of, {e.msgid: e for e in entries})
    return series


def _under_cover(node: ThreadNode | None, info_of) -> bool:
    """A "1/1" patch sent with a cover letter ("0/1", as b4 always sends one) is a series of
    one with its cover, not a lone patch."""
    parent = node.parent if node is not None else None
    return parent is not None and parent.entry is not None and info_of(parent.entry).is_cover


def is_posting(node: ThreadNode | None, info: SubjectInfo | None = None) -> bool:
    """A patch or cover letter mail rather than a reply, judged from headers.

    A reply whose client dropped the "Re:" (b4's "nore" sample) repeats its parent's subject
    exactly; a real posting in a thread (v2 under v1's cover, a RESEND) changes the prefix.
    """
    if node is None or node.entry is None:
        return False
    info = info or parse_subject(node.entry.subject)
    if info.is_reply or not info.is_patch or info.is_pull_request:
        return False
    parent = node.parent
    return not (
        parent is not None
        and parent.entry is not None
        and " ".join(parent.entry.subject.split()) == " ".join(node.entry.subject.split())
    )


def author_identity(entry: IndexEntry) -> str:
    """Who sent a mail, for grouping: the name when there is one, else the address.

    The name, because list archives rewrite addresses ("sjayaraman@suse.de" and
    "sjayaraman-l3a5bk7wagm@public.gmane.org" are one person posting one series) far more
    often than one thread has two different authors of the same name.
    """
    name = " ".join(entry.author_name.lower().split())
    return name or entry.author_email.lower()


def _entry_order(entry: IndexEntry) -> tuple[float, int]:
    return (entry.date if entry.date is not None else float("inf"), entry.number)


def _join_orphans(groups: list[_Group]) -> list[_Group]:
    """Join cover-less groups into the posting they belong to.

    Patches end up under another thread root when sent without In-Reply-To (each its own
    thread), or when an archive rewrote the cover's Message-ID (gmane turned
    "cover.123.git.joe@perches.com" into "cover.123.git.joe-6d6D…@public.gmane.org" in some
    copies). They join a group with the same author, version and total sent within a few
    hours whose counters they do not collide with.
    """
    kept: list[_Group] = []
    candidates: dict[tuple, list[_Group]] = {}
    ordered = sorted(groups, key=lambda g: (g.cover is None, g.first_date()))
    for group in ordered:
        key = (group.version, group.total, group.resend, group.who)
        target = None
        if group.cover is None:
            start = group.first_date()
            for candidate in candidates.get(key, []):
                close = abs(start - candidate.first_date()) <= _ORPHAN_WINDOW
                if close and not (candidate.patches.keys() & group.patches.keys()):
                    target = candidate
                    break
        if target is None:
            candidates.setdefault(key, []).append(group)
            kept.append(group)
        else:
            target.patches.update(group.patches)
            target.rfc = target.rfc or group.rfc
    return kept


def _series_of_group(group: _Group, info_of) -> Series:
    first = group.cover or group.patches[min(group.patches)]
    subject_source = group.cover or group.patches.get(1) or first
    return Series(
        key=first.msgid,
        subject=info_of(subject_source).subject,
        author_name=first.author_name,
        author_email=first.author_email,
        date=first.date if group.cover else _min_date(group.members()),
        version=group.version,
        total=group.total,
        cover=group.cover.msgid if group.cover else None,
        patches={n: e.msgid for n, e in sorted(group.patches.items())},
        missing=[n for n in range(1, group.total + 1) if n not in group.patches],
        is_rfc=group.rfc,
        is_resend=group.resend,
    )


def _min_date(entries: list[IndexEntry]) -> float | None:
    dates = [e.date for e in entries if e.date is not None]
    return min(dates) if dates else None


def _identity(item: Series) -> str:
    name = " ".join(item.author_name.lower().split())
    return name or item.author_email.lower()


def _norm(subject: str) -> str:
    return " ".join(subject.lower().split()).rstrip(".")


def _link_revisions(
    series: list[Series],
    nodes: Mapping[str, ThreadNode],
    info_of,
    by_id: Mapping[str, IndexEntry],
) -> None:
    """Fill Series.revisions: union-find over shared (author, position, subject) keys and
    over "posted inside an earlier revision's thread"."""
    parent = list(range(len(series)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    owner_of_key: dict[tuple, int] = {}
    series_of_msg: dict[str, int] = {}
    for index, item in enumerate(series):
        email = _identity(item)
        keys = []
        if item.cover:
            keys.append((email, 0, _norm(item.subject)))
            series_of_msg[item.cover] = index
        for counter, msgid in item.patches.items():
            series_of_msg[msgid] = index
            entry = by_id.get(msgid)
            if entry is not None:
                keys.append((email, counter, _norm(info_of(entry).subject)))
        for key in keys:
            if not key[2]:
                continue  # an empty subject says nothing about identity
            other = owner_of_key.setdefault(key, index)
            if other != index:
                union(other, index)

    for index, item in enumerate(series):
        first = item.cover or (item.patches[min(item.patches)] if item.patches else None)
        node = nodes.get(first) if first else None
        ancestor = node.parent if node is not None else None
        while ancestor is not None:
            other = series_of_msg.get(ancestor.msgid)
            if other is not None and other != index:
                same_author = _identity(series[other]) == _identity(item)
                if same_author and series[other].version != item.version:
                    union(other, index)
                break
            ancestor = ancestor.parent

    families: dict[int, list[Series]] = {}
    for index, item in enumerate(series):
        families.setdefault(find(index), []).append(item)
    for family in families.values():
        family.sort(key=lambda s: (s.version, s.date if s.date is not None else float("inf")))
        keys = [s.key for s in family]
        for item in family:
            item.revisions = list(keys)
