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

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import unquote

from viewer.core.bulk import collector_paused
from viewer.core.index_entry import IndexEntry
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
    links: dict[str, RevisionLink] = field(default_factory=dict)
    """Other revisions this one was linked to directly, by their key, and why."""

    @property
    def is_complete(self) -> bool:
        return not self.missing

    def message_ids(self) -> list[str]:
        """The cover (if any) then the patches in order."""
        ids = [self.cover] if self.cover else []
        ids.extend(self.patches[n] for n in sorted(self.patches))
        return ids


class LinkReason(StrEnum):
    """Why two postings were taken for revisions of one series (shown in the UI)."""

    COVER_SUBJECT = "same author, same cover letter subject"
    PATCH_SUBJECT = "same author, same patch subject"
    IN_THREAD = "posted in the earlier revision's thread"
    TAKEN_OVER = "new author, same cover and patch subjects (series taken over)"
    CHANGELOG_LINK = "the changelog links to it"
    CHANGELOG_FILES = "the changelog names an earlier version, same patch files"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class RevisionLink:
    """One direct link between two revisions, as found."""

    reason: LinkReason
    detail: str = ""
    """What matched, for the tooltip: "patch 2: pwm: sophgo: add pwm support …"."""

    def __str__(self) -> str:
        return f"{self.reason.value} ({self.detail})" if self.detail else self.reason.value


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
    """Fill Series.revisions and Series.links from headers: union-find over

    * the same author reusing the subject of the cover or of a patch at the same position;
    * a revision posted inside an earlier one's thread (b4's partial re-roll);
    * a new author reusing the cover subject and at least one patch subject with a higher
      version than any the earlier author posted (a series taken over: "[Thomas since v8]").
    """
    links = _Links(series)
    owner_of_key: dict[tuple, int] = {}
    anyone_keys: dict[tuple, list[int]] = {}
    series_of_msg: dict[str, int] = {}
    for index, item in enumerate(series):
        who = _identity(item)
        keys: list[tuple[int, str]] = []
        if item.cover:
            keys.append((0, _norm(item.subject)))
            series_of_msg[item.cover] = index
        for counter, msgid in item.patches.items():
            series_of_msg[msgid] = index
            entry = by_id.get(msgid)
            if entry is not None:
                keys.append((counter, _norm(info_of(entry).subject)))
        for counter, subject in keys:
            if not subject:
                continue  # an empty subject says nothing about identity
            # The latest earlier owner of the key, so v8 links to v7 rather than to v1.
            other = owner_of_key.get((who, counter, subject), index)
            owner_of_key[(who, counter, subject)] = index
            if other != index:
                reason = LinkReason.COVER_SUBJECT if counter == 0 else LinkReason.PATCH_SUBJECT
                detail = "" if counter == 0 else f"patch {counter}: {subject}"
                links.add(other, index, RevisionLink(reason, detail))
            anyone_keys.setdefault((counter, subject), []).append(index)

    for index, item in enumerate(series):
        first = item.cover or (item.patches[min(item.patches)] if item.patches else None)
        node = nodes.get(first) if first else None
        ancestor = node.parent if node is not None else None
        while ancestor is not None:
            other = series_of_msg.get(ancestor.msgid)
            if other is not None and other != index:
                same_author = _identity(series[other]) == _identity(item)
                if same_author and series[other].version != item.version:
                    detail = f"v{series[other].version}"
                    links.add(other, index, RevisionLink(LinkReason.IN_THREAD, detail))
                break
            ancestor = ancestor.parent

    _link_taken_over(series, anyone_keys, links)
    links.apply()


def _link_taken_over(
    series: list[Series], anyone_keys: Mapping[tuple, list[int]], links: _Links
) -> None:
    """A new author carrying a series on: same cover subject, a shared patch subject, and a
    version above every one the family posted before (v1–v7 by one person, v8 by another).
    Two people posting the same generic subject at overlapping versions stay apart."""
    shared: dict[tuple[int, int], set[int]] = {}
    for (counter, _subject), owners in anyone_keys.items():
        if len(owners) < 2 or len(owners) > 20:
            continue  # "MAINTAINERS: update" is posted by everyone: it identifies nothing
        for a in owners:
            for b in owners:
                if a < b and _identity(series[a]) != _identity(series[b]):
                    shared.setdefault((a, b), set()).add(counter)
    # The newest earlier revision first, so the link (and its tooltip) says "v7 → v8".
    ordered = sorted(shared.items(), key=lambda kv: -min(series[i].version for i in kv[0]))
    for (a, b), counters in ordered:
        if 0 not in counters or len(counters) < 2 or links.together(a, b):
            continue
        old, new = (a, b) if series[a].version < series[b].version else (b, a)
        if series[old].version == series[new].version:
            continue
        before = [series[i].version for i in links.family(old)]
        after = [series[i].version for i in links.family(new)]
        if max(before) >= min(after):
            continue  # versions overlap: two people's own series, not one handed over
        patch = min(c for c in counters if c)
        detail = f"{series[new].author_name or series[new].author_email} from " \
                 f"v{series[new].version}; patch {patch} as in v{series[old].version}"
        links.add(old, new, RevisionLink(LinkReason.TAKEN_OVER, detail))


# "v7: https://lore.kernel.org/linux-pwm/20240501083242.773305-1-qiu@gmail.com/", b4's
# "Link to v2: https://lore.kernel.org/r/…", patchwork and msgid.link forms.
_ARCHIVE_LINK = re.compile(
    r"https?://(?:lore\.kernel\.org|lkml\.kernel\.org|msgid\.link|patch\.msgid\.link"
    r"|patchwork\.[a-z0-9.-]+)/(?:[^\s/<>]+/)*?([^\s/<>@]+@[^\s/<>()]+?)/?(?=[\s<>()]|$)",
    re.I | re.M,
)
# "Changes in v8", "Changes since v3:", "v6 -> v7", "v6 → v7", "v2->v3", "Changes from v1".
_CHANGELOG = re.compile(
    r"\bchanges?\s+(?:in|since|from|for)\s+v(\d+)|\bv(\d+)\s*(?:->|→|=>|to)\s*v(\d+)",
    re.I,
)
_DIFF_FILE = re.compile(rb"^diff --git a/(\S+) b/", re.M)


def link_by_changelog(
    series: list[Series],
    body_of: Callable[[str], str],
    raw_of: Callable[[str], bytes],
    series_of: Callable[[str], Series | None],
    subject_of: Callable[[str], str],
) -> int:
    """Link revisions the headers could not: a vN (N > 1) with no earlier revision whose cover
    letter (or first patch) changelog links to an earlier posting in the mailbox, or names an
    earlier version ("Changes since v3") while an earlier series by the same author, or with a
    patch subject in common, touched the same files (a series renamed between revisions).

    Reads one body per such series and the diff headers of plausible candidates only, so it
    stays cheap on a list archive. Returns how many links it made.
    """
    by_key = {item.key: item for item in series}
    index_of = {item.key: i for i, item in enumerate(series)}
    links = _Links(series)
    for i, item in enumerate(series):  # the families already found from headers
        for key in item.revisions:
            links.join(i, index_of[key])
    files: dict[str, frozenset[str]] = {}

    def files_of(item: Series) -> frozenset[str]:
        known = files.get(item.key)
        if known is None:
            names = {
                name.decode("utf-8", "replace")
                for msgid in item.patches.values()
                for name in _DIFF_FILE.findall(raw_of(msgid))
            }
            known = files[item.key] = frozenset(names)
        return known

    def subjects_of(item: Series) -> set[str]:
        return {_norm(subject_of(m)) for m in item.patches.values()} - {""}

    made = 0
    for i, item in enumerate(series):
        if item.version < 2 or any(
            by_key[k].version < item.version for k in item.revisions if k in by_key
        ):
            continue
        first = item.cover or (item.patches[min(item.patches)] if item.patches else None)
        if first is None:
            continue
        body = body_of(first)
        target: tuple[int, RevisionLink] | None = None
        for match in _ARCHIVE_LINK.finditer(body):
            other = series_of(unquote(match.group(1)))
            if other is not None and other.version < item.version and other.key in index_of:
                detail = f"v{other.version}: {match.group(0)}"
                target = (index_of[other.key], RevisionLink(LinkReason.CHANGELOG_LINK, detail))
                break
        note = _CHANGELOG.search(body) if target is None else None
        mine = files_of(item) if note is not None else frozenset()
        if note is not None and mine:
            subjects = subjects_of(item)
            best = None
            for j, other in enumerate(series):
                if other.version >= item.version or links.together(i, j):
                    continue
                if other.date is not None and item.date is not None and other.date > item.date:
                    continue
                if _identity(other) != _identity(item) and not subjects & subjects_of(other):
                    continue
                if len(mine & files_of(other)) * 2 < len(mine):
                    continue
                if best is None or (other.version, other.date or 0) > (
                    series[best].version, series[best].date or 0
                ):
                    best = j
            if best is not None:
                shared = sorted(mine & files_of(series[best]))
                more = f" and {len(shared) - 1} more" if len(shared) > 1 else ""
                detail = f'"{note.group(0)}"; v{series[best].version} touched {shared[0]}{more}'
                target = (best, RevisionLink(LinkReason.CHANGELOG_FILES, detail))
        if target is not None and not links.together(i, target[0]):
            links.add(target[0], i, target[1])
            made += 1
    if made:
        links.apply()
    return made


def describe_links(series_by_key: Callable[[str], Series | None], keys: Sequence[str]) -> list[str]:
    """One line per link in a revision family, newest first: "v8 ← v7: <reason> (<detail>)"."""
    lines: list[str] = []
    seen: set[frozenset[str]] = set()
    family = [s for s in (series_by_key(k) for k in keys) if s is not None]
    for item in reversed(family):
        for other_key, link in item.links.items():
            pair = frozenset((item.key, other_key))
            other = series_by_key(other_key)
            if pair in seen or other is None:
                continue
            seen.add(pair)
            new, old = (item, other) if item.version >= other.version else (other, item)
            lines.append(f"v{new.version} ← v{old.version}: {link}")
    return lines


class _Links:
    """Union-find over series indices that remembers why each union was made."""

    def __init__(self, series: list[Series]) -> None:
        self.series = series
        self.parent = list(range(len(series)))
        self.edges: list[tuple[int, int, RevisionLink]] = []
        # Each root's members, merged on join: listing a family scanned every series of
        # the archive (20,000 on a list) for each of hundreds of candidates.
        self.members: dict[int, list[int]] = {i: [i] for i in range(len(series))}

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def together(self, a: int, b: int) -> bool:
        return self.find(a) == self.find(b)

    def family(self, i: int) -> list[int]:
        return sorted(self.members[self.find(i)])

    def join(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        low, high = min(ra, rb), max(ra, rb)
        self.parent[high] = low
        self.members[low].extend(self.members.pop(high))
        return True

    def add(self, a: int, b: int, link: RevisionLink) -> None:
        if self.join(a, b):
            self.edges.append((a, b, link))

    def apply(self) -> None:
        families: dict[int, list[Series]] = {}
        for index, item in enumerate(self.series):
            families.setdefault(self.find(index), []).append(item)
        for family in families.values():
            family.sort(key=lambda s: (s.version, s.date if s.date is not None else float("inf")))
            keys = [s.key for s in family]
            for item in family:
                item.revisions = list(keys)
        for a, b, link in self.edges:
            self.series[a].links[self.series[b].key] = link
            self.series[b].links[self.series[a].key] = link
