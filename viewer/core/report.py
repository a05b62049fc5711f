"""Plain-data views of an archive: the JSON contract of the `hunkwise` command.

Other tools parse this output, so key names are a contract: add keys freely, never rename one.
Everything here is built from engine values; nothing in it decides anything of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from viewer.core.archive import Archive
from viewer.core.headers import iso_date
from viewer.core.mbox import IndexEntry
from viewer.core.series import Series
from viewer.core.threader import ThreadNode

if TYPE_CHECKING:  # the listing without triage (`hunkwise index`, lore search) needs neither
    from viewer.core.patch import FileDiff, Patch
    from viewer.core.query import Query
    from viewer.core.triage import Triage


def author_of(entry: IndexEntry) -> str:
    if entry.author_name and entry.author_email:
        return f"{entry.author_name} <{entry.author_email}>"
    return entry.author_name or entry.author_email


def index_summary(archive: Archive) -> dict[str, Any]:
    """Counts for `hunkwise index`: what was found and how long it took."""
    counts = archive.summary()
    return {
        "path": str(archive.path),
        "format": archive.format,
        **counts,
        "seconds": round(archive.seconds, 4),
    }


def series_json(archive: Archive, series: Series, *, trailers: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": series.key,
        "subject": series.subject,
        "author": f"{series.author_name} <{series.author_email}>".strip(),
        "date": iso_date(series.date),
        "version": series.version,
        "total": series.total,
        "cover": series.cover,
        "patches": {str(n): series.patches[n] for n in sorted(series.patches)},
        "missing": list(series.missing),
        "rfc": series.is_rfc,
        "revisions": list(series.revisions),
        "revision_links": {
            key: {"reason": link.reason.name.lower(), "why": str(link)}
            for key, link in series.links.items()
        },
    }
    if trailers:
        totals = {"A": 0, "R": 0, "T": 0}
        for msgid in series.patches.values():
            for letter, n in archive.trailer_counts(msgid).items():
                totals[letter] += n
        data["trailers"] = totals
    return data


def message_json(archive: Archive, node: ThreadNode, depth: int) -> dict[str, Any]:
    entry = node.entry
    parent = node.parent.msgid if node.parent is not None else None
    if entry is None:
        return {"message_id": node.msgid, "placeholder": True, "depth": depth, "parent": parent}
    info = archive.subject_info(node.msgid)
    data: dict[str, Any] = {
        "message_id": entry.msgid,
        "subject": entry.subject,
        "author": author_of(entry),
        "date": iso_date(entry.date),
        "depth": depth,
        "parent": parent,
        "reply": info.is_reply,
        "version": info.version,
        "counter": info.counter,
        "total": info.total,
    }
    if entry.broken:
        data["broken"] = entry.broken
    patch = archive.is_patch(entry.msgid)
    if patch or (info.is_cover and not info.is_reply):
        data["kind"] = "patch" if patch else "cover"
    if patch:
        data["trailers"] = archive.trailer_counts(entry.msgid)
    return data


def _walk_depth(root: ThreadNode):
    """Every node with its depth, in display order; a stack, not recursion: a 5,000-mail
    reply chain is 5,000 levels deep."""
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        stack.extend((child, depth + 1) for child in reversed(node.children))


class ThreadListing:
    """`hunkwise threads` one thread at a time: every thread with its messages, then the
    series. A whole list archive as one structure is a dict per message held at once (1 GB
    for 170,000 mails); the command line writes each thread as it is made instead.

    With ``triage`` each thread, message and series also carries its triage state and marks;
    with ``query`` only threads with a matching mail are listed (and the series they hold).
    """

    def __init__(self, archive: Archive, triage: Triage | None = None,
                 query: Query | None = None) -> None:
        self.archive, self.triage, self.query = archive, triage, query
        self._listed: set[str] = set()
        self._done = False

    @property
    def path(self) -> str:
        return str(self.archive.path)

    def threads(self) -> Iterator[dict[str, Any]]:
        archive, triage, query = self.archive, self.triage, self.query
        for root in archive.threads:
            if query is not None and triage is not None and not triage.thread_matches(root,
                                                                                       query):
                continue
            messages = []
            for node, depth in _walk_depth(root):
                data = message_json(archive, node, depth)
                if triage is not None and node.entry is not None:
                    data.update(triage.message_fields(node.msgid))
                messages.append(data)
                self._listed.add(node.msgid)
            first = next((m for m in messages if not m.get("placeholder")), messages[0])
            thread = {
                "message_id": root.msgid,
                "subject": first.get("subject", ""),
                "author": first.get("author", ""),
                "date": first.get("date"),
                "count": sum(1 for m in messages if not m.get("placeholder")),
                "messages": messages,
            }
            if triage is not None:
                thread.update(triage.thread_fields(root))
            yield thread
        self._done = True

    def series(self) -> list[dict[str, Any]]:
        """The series (of the listed threads, with a query); after :meth:`threads`."""
        assert self._done or self.query is None, "series() follows threads() with a query"
        found = []
        for item in self.archive.series:
            if self.query is not None and not any(m in self._listed
                                                  for m in item.message_ids()):
                continue
            data = series_json(self.archive, item)
            if self.triage is not None:
                data.update(self.triage.series_fields(item))
            found.append(data)
        return found


def threads_json(
    archive: Archive, triage: Triage | None = None, query: Query | None = None
) -> dict[str, Any]:
    """The thread list of `hunkwise threads` as one structure (see :class:`ThreadListing`)."""
    listing = ThreadListing(archive, triage, query)
    threads = list(listing.threads())
    return {"path": listing.path, "threads": threads, "series": listing.series()}


def file_json(diff: FileDiff) -> dict[str, Any]:
    return {
        "path": diff.path,
        "old_path": diff.old_path,
        "new_path": diff.new_path,
        "status": diff.status,
        "binary": diff.binary,
        "old_mode": diff.old_mode,
        "new_mode": diff.new_mode,
        "added": diff.added,
        "removed": diff.removed,
        "hunks": [
            {
                "old_start": h.old_start,
                "old_count": h.old_count,
                "new_start": h.new_start,
                "new_count": h.new_count,
                "section": h.section,
                "lines": [
                    {"kind": line.kind, "text": line.text, "old_line": line.old_line,
                     "new_line": line.new_line}
                    for line in h.lines
                ],
            }
            for h in diff.hunks
        ],
    }


def patch_json(archive: Archive, msgid: str, *, with_diff: bool = True) -> dict[str, Any]:
    """One patch or cover letter with its comments: an element of `hunkwise review --json`."""
    entry = archive.entry(msgid)
    patch: Patch | None = archive.patch(msgid)
    series = archive.series_of(msgid)
    info = archive.subject_info(msgid)
    data: dict[str, Any] = {
        "message_id": msgid,
        "subject": entry.subject,
        "author": author_of(entry),
        "date": iso_date(entry.date),
        "kind": "patch" if patch else "cover",
        "series": series.key if series else None,
        "version": info.version,
        "counter": info.counter,
        "total": info.total,
    }
    if patch is not None:
        if patch.author is not None:  # sent on its author's behalf: git am's author
            data["sender"] = data["author"]
            data["author"] = str(patch.author)
        if patch.date is not None:
            data["author_date"] = iso_date(patch.date)
        if patch.subject is not None:
            data["commit_subject"] = patch.subject
        data["commit_message"] = patch.commit_message
        data["trailers"] = [
            {"name": t.name, "value": t.value, "from_message_id": t.source_msgid}
            for t in archive.trailers(msgid)
        ]
        data["notes"] = patch.notes
        data["diffstat"] = patch.diffstat
        if with_diff:
            data["files"] = [file_json(f) for f in patch.files]
    data["annotations"] = [a.to_json() for a in archive.review(msgid).annotations]
    return data


# An unquoted diff in a mail's bytes (or a body encoding that could hide one).
_DIFF_HINT = re.compile(rb"^(?:diff --git |--- a/|\+\+\+ b/)|base64", re.MULTILINE)


def review_targets(archive: Archive, msgid: str | None) -> list[str]:
    """The mails `hunkwise review` shows: all patches and covers, or those of one thread/patch.

    Series give the order. Anchoring decides for itself which mails of a thread are patches
    (a diff sent as "[RFC] foo" or "[GIT PULL]" is no series member), so any mail it put
    comments on is shown too, or those comments would be lost from the review.
    """
    if msgid is not None:
        if archive.is_patch(msgid):
            return [msgid]
        roots = [archive.root_of(msgid)]
    else:
        roots = archive.threads
    wanted = {node.msgid for root in roots for node in root.walk()}
    ids: list[str] = []
    for series in archive.series:
        members = ([series.cover] if series.cover else []) + [
            series.patches[n] for n in sorted(series.patches)
        ]
        ids.extend(m for m in members if m in wanted)
    listed = set(ids)
    for root in roots:
        nodes = [n for n in root.walk() if n.entry is not None]
        if not any(n.msgid in listed for n in nodes) and not any(
            _DIFF_HINT.search(archive.raw(n.msgid)) for n in nodes
        ):
            continue  # a discussion without patches: nothing to anchor on
        for annotation in archive.all_annotations(nodes[0].msgid):
            target = annotation.anchor.patch_message_id
            # A reply to a mail the mbox lacks is "unanchored" on that absent parent: there is
            # nothing to show it on (tests/fixtures/fuzz/reply-to-missing-parent.mbox).
            if target not in listed and target in wanted and target in archive:
                listed.add(target)
                ids.append(target)
    return ids


def review_json(archive: Archive, msgid: str | None) -> dict[str, Any]:
    """`hunkwise review --json`: the patches, each with its comments, and under ``errors`` the
    replies that could not be analysed (a bug to report; each is still a general comment)."""
    targets = review_targets(archive, msgid)
    patches = [patch_json(archive, m) for m in targets]
    errors: dict[str, dict[str, Any]] = {}
    for target in targets:
        for error in archive.analysis(target).errors:
            errors.setdefault(error.reply_message_id, error.to_json())
    return {
        "path": str(archive.path),
        "patches": patches,
        "annotation_count": sum(len(p["annotations"]) for p in patches),
        "errors": list(errors.values()),
    }
