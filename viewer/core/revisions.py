"""Across revisions: which patch of v(N) became which of v(N+1), and where each comment went.

The reviewer's question when v3 arrives is "did they fix what I asked for in v2?". We answer it
from the mail alone: the patches of two consecutive revisions are paired, every comment on v(N)
(and the reviewer's own drafts and sent comments) is followed into v(N+1) by
:mod:`viewer.core.line_tracking`, and the new revision's changelog notes that name the
reviewer or echo the comment are kept as evidence (:mod:`viewer.core.changelog`).
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from viewer.core.anchoring import Anchor, Annotation
from viewer.core.changelog import ChangelogItem, Evidence, changelog_items, evidence_for
from viewer.core.changelog import reviewer_names as _reviewer_names
from viewer.core.drafts import Draft, DraftStore
from viewer.core.errors import MessageNotFound, NotASeries
from viewer.core.line_tracking import STATUSES, LineTracker, Status, line_key
from viewer.core.patch import Patch
from viewer.core.range_diff import PatchText, RangeDiffEntry, commit_id_of, patch_text, range_diff
from viewer.core.series import Series

if TYPE_CHECKING:
    from viewer.core.archive import Archive
    from viewer.core.store import Store

PairHow = Literal["cover", "subject", "similar", "position", "added", "dropped"]

@dataclass(frozen=True, slots=True)
class PatchPair:
    """One patch of v(N) and what became of it in v(N+1)."""

    old_message_id: str | None
    new_message_id: str | None
    old_counter: int | None
    new_counter: int | None
    how: PairHow
    """Why they were paired: same subject, similar subject and files, the same position only;
    or "added"/"dropped" for a patch on one side only; "cover" for the cover letters."""

    @property
    def status(self) -> str:
        if self.old_message_id is None:
            return "added"
        if self.new_message_id is None:
            return "dropped"
        return "paired"


@dataclass(frozen=True, slots=True)
class RevisionStep:
    old: Series
    new: Series
    pairs: tuple[PatchPair, ...]

    def partner(self, old_message_id: str) -> PatchPair | None:
        return next((p for p in self.pairs if p.old_message_id == old_message_id), None)


@dataclass(frozen=True, slots=True)
class CarriedComment:
    """A comment of v(N) and where its line is in v(N+1)."""

    annotation: Annotation
    from_version: int
    to_version: int
    status: Status
    new_anchor: Anchor | None
    evidence: tuple[Evidence, ...] = ()
    why: str = ""
    """A short reason, for the tooltip and the JSON ("line and context unchanged", ...)."""
    addressed: bool = False
    """Ticked "addressed" by hand (kept with the triage state)."""

    @property
    def fingerprint(self) -> str:
        return comment_fingerprint(self.annotation.comment)


def comment_fingerprint(comment: str) -> str:
    """What names a comment across re-downloads and better comment splitting: its words, not
    its position in the reply (whitespace and case ignored)."""
    words = " ".join(comment.lower().split())
    return hashlib.sha1(words.encode("utf-8", "surrogateescape")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class CarriedDraft:
    """One of the reviewer's own comments on v(N), a draft or sent, and its line in v(N+1)."""

    draft: Draft
    from_version: int
    to_version: int
    status: Status
    new_anchor: Anchor | None
    why: str = ""


@dataclass(slots=True)
class RevisionReport:
    """Everything `hunkwise revisions` prints: the chain, the pairs, each comment's fate."""

    chain: list[Series]
    steps: list[RevisionStep]
    comments: list[CarriedComment] = field(default_factory=list)
    drafts: list[CarriedDraft] = field(default_factory=list)

    def summary(self) -> list[dict[str, int]]:
        out = []
        for step in self.steps:
            counts = {s: 0 for s in STATUSES}
            for item in self.comments:
                if (item.from_version, item.to_version) == (step.old.version, step.new.version):
                    counts[item.status] += 1
            out.append({"from_version": step.old.version, "to_version": step.new.version,
                        "comments": sum(counts.values()), **counts})
        return out


# -- the revisions of a series and their pairs ----------------------------------------------

def series_for(archive: Archive, msgid: str) -> Series | None:
    """The series a mail belongs to: its own, or that of the nearest posting above a reply."""
    node = archive.node(msgid)
    while node is not None:
        series = archive.series_of(node.msgid)
        if series is not None:
            return series
        node = node.parent
    return None


def revision_chain(archive: Archive, series: Series) -> list[Series]:
    """Every revision of the series in the mailbox, oldest first (a RESEND after its version)."""
    found = [archive.series_by_key(key) for key in series.revisions] or [series]
    chain = [s for s in found if s is not None]
    chain.sort(key=lambda s: (s.version, s.is_resend, s.date if s.date is not None else 0.0))
    return chain


def _norm_subject(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(".")


def _files(patch: Patch | None) -> set[str]:
    return {f.path for f in patch.files} if patch else set()


def _changes(patch: Patch | None) -> set[tuple[str, str]]:
    """The added and removed lines: what a patch does, whatever its subject says."""
    if patch is None:
        return set()
    return {line_key(line.kind, line.text) for f in patch.files for h in f.hunks
            for line in h.lines if line.kind != " "}


def _jaccard(a: set, b: set) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def pair_patches(archive: Archive, old: Series, new: Series) -> list[PatchPair]:
    """Pair the patches of two revisions: the same subject first; then two of these four must
    agree: similar subject, the same files, the same added/removed lines, the same position.

    Authors reword subjects between revisions ("add driver" → "add support") and split or
    squash patches; a pair needs two kinds of agreement before position alone decides, so a
    patch that was dropped while another was added at its place is reported as such.
    """
    def subject(msgid: str) -> str:
        return _norm_subject(archive.subject_info(msgid).subject)

    olds = dict(old.patches)
    news = dict(new.patches)
    pairs: list[PatchPair] = []
    if old.cover and new.cover:
        pairs.append(PatchPair(old.cover, new.cover, 0, 0, "cover"))
    taken_old: set[int] = set()
    taken_new: set[int] = set()

    by_subject: dict[str, list[int]] = {}
    for counter, msgid in sorted(news.items()):
        by_subject.setdefault(subject(msgid), []).append(counter)
    for counter, msgid in sorted(olds.items()):
        for candidate in by_subject.get(subject(msgid), []):
            if candidate not in taken_new:
                pairs.append(PatchPair(msgid, news[candidate], counter, candidate, "subject"))
                taken_old.add(counter)
                taken_new.add(candidate)
                break

    scored = []
    for oc, om in olds.items():
        if oc in taken_old:
            continue
        old_patch = archive.patch(om)
        old_files, old_changes = _files(old_patch), _changes(old_patch)
        for nc, nm in news.items():
            if nc in taken_new:
                continue
            new_patch = archive.patch(nm)
            files = _jaccard(old_files, _files(new_patch))
            content = _jaccard(old_changes, _changes(new_patch))
            words = difflib.SequenceMatcher(None, subject(om), subject(nm)).ratio()
            same_place = oc == nc
            agree = {"files": files >= 0.5, "subject": words >= 0.6, "place": same_place,
                     "content": content >= 0.3}
            if sum(agree.values()) >= 2:
                how: PairHow = "similar" if agree["subject"] or agree["content"] else "position"
                scored.append((files + words + content + 0.25 * same_place, oc, nc, how))
    for _score, oc, nc, how in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if oc in taken_old or nc in taken_new:
            continue
        pairs.append(PatchPair(olds[oc], news[nc], oc, nc, how))
        taken_old.add(oc)
        taken_new.add(nc)

    pairs += [PatchPair(m, None, c, None, "dropped") for c, m in olds.items() if c not in taken_old]
    pairs += [PatchPair(None, m, None, c, "added") for c, m in news.items() if c not in taken_new]
    pairs.sort(key=lambda p: (p.new_counter if p.new_counter is not None else 10**6,
                              p.old_counter if p.old_counter is not None else 10**6))
    return pairs


# -- the report -----------------------------------------------------------------------------

def revision_report(archive: Archive, msgid: str, *, drafts: DraftStore | None = None,
                    addressed: Collection[tuple[str, str]] = ()) -> RevisionReport:
    """The revisions of the series holding ``msgid`` and the fate of every comment on each;
    with ``drafts``, the reviewer's own drafts and sent comments follow the same path;
    ``addressed`` holds (reply Message-ID, fingerprint) of the comments ticked by hand."""
    series = series_for(archive, msgid)
    if series is None:
        return RevisionReport([], [])
    chain = revision_chain(archive, series)
    steps = [RevisionStep(a, b, tuple(pair_patches(archive, a, b)))
             for a, b in itertools.pairwise(chain)]
    report = RevisionReport(chain, steps)
    for step in steps:
        report.comments += carry_comments(archive, step, addressed)
        if drafts is not None:
            report.drafts += carry_drafts(archive, step, drafts)
    return report


def _changelog(archive: Archive, step: RevisionStep) -> dict[str | None, list[ChangelogItem]]:
    """The new revision's notes: per patch (below its ``---``) and the cover letter's (None)."""
    notes: dict[str | None, list[ChangelogItem]] = {}
    if step.new.cover:
        body = archive.message(step.new.cover).body.splitlines()
        notes[None] = changelog_items(step.new.cover, body)
    for msgid in step.new.patches.values():
        patch = archive.patch(msgid)
        if patch is not None and patch.notes:
            notes[msgid] = changelog_items(msgid, patch.notes, whole=True)
    return notes


def carry_comments(archive: Archive, step: RevisionStep,
                   addressed: Collection[tuple[str, str]] = ()) -> list[CarriedComment]:
    """Every comment on the old revision of ``step`` with its status in the new one."""
    notes = _changelog(archive, step)
    tracker = LineTracker(archive)
    out: list[CarriedComment] = []
    for pair in step.pairs:
        if pair.old_message_id is None:
            continue
        for annotation in archive.annotations(pair.old_message_id):
            status, anchor, why = tracker.follow(pair.old_message_id, pair.new_message_id,
                                                 annotation.anchor, cover=pair.how == "cover")
            reply = archive.message(annotation.reply_message_id)
            names = _reviewer_names(reply.author.name, reply.author.email)
            evidence = []
            if pair.new_message_id in notes:
                evidence += evidence_for(annotation.comment, names, notes[pair.new_message_id],
                                         local=True)
            evidence += evidence_for(annotation.comment, names, notes.get(None, []), local=False)
            ticked = (annotation.reply_message_id,
                      comment_fingerprint(annotation.comment)) in addressed
            out.append(CarriedComment(annotation, step.old.version, step.new.version, status,
                                      anchor, tuple(evidence), why, ticked))
    return out


def draft_anchor(draft: Draft) -> Anchor:
    """A draft's line as an anchor: it knows one side's line number, the line's text."""
    if draft.kind == "line":
        old_line = draft.line_no if draft.side == "old" else None
        new_line = draft.line_no if draft.side == "new" else None
        return Anchor("diff", draft.patch_msgid, draft.file, old_line, new_line, draft.line_text)
    if draft.kind == "commit_message":
        return Anchor("commit_message", draft.patch_msgid, text=draft.line_text)
    return Anchor("unanchored", draft.patch_msgid)


def carry_drafts(archive: Archive, step: RevisionStep, store: DraftStore) -> list[CarriedDraft]:
    """The reviewer's own comments (drafts and sent) on the old revision, followed like any
    reviewer's; trailers are not carried (a Reviewed-by is for the patch it was given on)."""
    tracker = LineTracker(archive)
    out: list[CarriedDraft] = []
    for pair in step.pairs:
        if pair.old_message_id is None:
            continue
        mine = store.drafts(pair.old_message_id) + store.drafts(pair.old_message_id, state="sent")
        for draft in mine:
            if draft.kind == "trailer":
                continue
            status, anchor, why = tracker.follow(pair.old_message_id, pair.new_message_id,
                                                 draft_anchor(draft), cover=pair.how == "cover")
            out.append(CarriedDraft(draft, step.old.version, step.new.version, status, anchor,
                                    why))
    return out


def anchor_json(anchor: Anchor | None) -> dict | None:
    """Shaped like ``anchor`` in `hunkwise review --json`."""
    if anchor is None:
        return None
    return {"kind": anchor.kind, "patch_message_id": anchor.patch_message_id,
            "file": anchor.file, "old_line": anchor.old_line, "new_line": anchor.new_line,
            "text": anchor.text}


# -- range-diff of two revisions ------------------------------------------------------------

def _patch_text(archive: Archive, msgid: str) -> PatchText | None:
    patch = archive.patch(msgid)
    if patch is None:
        return None
    author = archive.message(msgid).author
    # git am records the sender of a format-patch mail as the author unless the body names
    # another one; commits made by a Signed-off-by-only web tool carry no name.
    who = f"{author.name} <{author.email}>" if author.name else f"<{author.email}>"
    return patch_text(patch, subject=archive.subject_info(msgid).subject, author=who,
                      commit_id=commit_id_of(msgid))


def series_range_diff(archive: Archive, old_msgid: str, new_msgid: str) -> list[RangeDiffEntry]:
    """The range-diff between two patches, or between the series of two cover letters (or of
    any two mails): git range-diff's entries, pairs as :func:`pair_patches` finds them."""
    if archive.is_patch(old_msgid) and archive.is_patch(new_msgid):
        old_ids: list[str] = [old_msgid]
        new_ids: list[str] = [new_msgid]
        index_pairs: list[tuple[int | None, int | None]] = [(0, 0)]
    else:
        old_series, new_series = series_for(archive, old_msgid), series_for(archive, new_msgid)
        if old_series is None or new_series is None:
            missing = old_msgid if old_series is None else new_msgid
            raise NotASeries(f"<{missing}> is not part of a patch series")
        old_ids = [old_series.patches[n] for n in sorted(old_series.patches)]
        new_ids = [new_series.patches[n] for n in sorted(new_series.patches)]
        index_pairs = []
        for pair in pair_patches(archive, old_series, new_series):
            if pair.how == "cover":
                continue
            i = old_ids.index(pair.old_message_id) if pair.old_message_id else None
            j = new_ids.index(pair.new_message_id) if pair.new_message_id else None
            index_pairs.append((i, j))
    olds = [_patch_text(archive, m) for m in old_ids]
    news = [_patch_text(archive, m) for m in new_ids]
    return range_diff(olds, news, index_pairs, old_ids=old_ids, new_ids=new_ids)


# -- JSON -----------------------------------------------------------------------------------

def _evidence_json(item: Evidence) -> dict:
    return {"message_id": item.item.message_id, "heading": item.item.heading,
            "text": item.item.text, "names_reviewer": item.names_reviewer,
            "shared_words": list(item.shared_words)}


def report_json(report: RevisionReport) -> dict:
    """`hunkwise revisions --json`: the revisions in order, the patch pairs of each step, and
    every older comment's fate (``new_anchor`` shaped like ``anchor`` in `review --json`)."""
    return {
        "revisions": [
            {"key": s.key, "version": s.version, "subject": s.subject, "cover": s.cover,
             "author": f"{s.author_name} <{s.author_email}>",
             "patches": {str(n): m for n, m in sorted(s.patches.items())},
             "missing": list(s.missing), "resend": s.is_resend}
            for s in report.chain
        ],
        "steps": [
            {"from_version": step.old.version, "to_version": step.new.version,
             "from_key": step.old.key, "to_key": step.new.key,
             "pairs": [{"old_message_id": p.old_message_id, "new_message_id": p.new_message_id,
                        "old_counter": p.old_counter, "new_counter": p.new_counter,
                        "status": p.status, "how": p.how} for p in step.pairs]}
            for step in report.steps
        ],
        "comments": [
            {"annotation_id": c.annotation.id,
             "reply_message_id": c.annotation.reply_message_id,
             "from_version": c.from_version, "to_version": c.to_version,
             "status": c.status, "why": c.why, "addressed": c.addressed,
             "fingerprint": c.fingerprint,
             "old_anchor": anchor_json(c.annotation.anchor),
             "new_anchor": anchor_json(c.new_anchor),
             "evidence": [_evidence_json(e) for e in c.evidence]}
            for c in report.comments
        ],
        "drafts": [
            {"draft_id": d.draft.id, "state": d.draft.state, "patch_message_id":
             d.draft.patch_msgid, "from_version": d.from_version, "to_version": d.to_version,
             "status": d.status, "why": d.why, "new_anchor": anchor_json(d.new_anchor)}
            for d in report.drafts
        ],
        "summary": report.summary(),
    }


def range_diff_json(entries: Sequence[RangeDiffEntry]) -> dict:
    """`hunkwise range-diff --json`: each pair with its lines and both revisions' positions."""
    def origin(value) -> dict | None:
        file, old_line, new_line = value
        if file is None:
            return None
        return {"file": file, "old_line": old_line, "new_line": new_line}

    return {"pairs": [
        {"status": e.status, "old_number": e.old_number, "new_number": e.new_number,
         "old_message_id": e.old_message_id, "new_message_id": e.new_message_id,
         "subject": (e.old or e.new).subject if (e.old or e.new) else "",
         "lines": [{"kind": line.kind, "text": line.text, "old": origin(line.old),
                    "new": origin(line.new)} for line in e.lines]}
        for e in entries
    ]}


# -- one patch among its revisions (what the GUI's revision bar shows) ----------------------

@dataclass(frozen=True, slots=True)
class PatchRevisions:
    """A patch (or cover letter) and its counterparts in every revision of its series."""

    message_id: str
    version: int
    versions: tuple[tuple[int, str | None], ...]
    """(version, the counterpart's Message-ID or None where the patch is absent), oldest first."""
    previous: str | None
    """The counterpart in the revision just before, if any."""
    carried: tuple[CarriedComment, ...]
    """The previous revision's comments, with where their lines are on this patch."""

    def summary(self) -> str:
        """ "v2 had 14 comments: 9 changed, 3 unchanged, 2 gone" (empty without comments)."""
        if not self.carried:
            return ""
        counts = {s: 0 for s in STATUSES}
        for item in self.carried:
            counts[item.status] += 1
        before = self.carried[0].from_version
        parts = [f"{counts['changed']} changed", f"{counts['unchanged']} unchanged",
                 f"{counts['removed']} gone"]
        if counts["unknown"]:
            parts.append(f"{counts['unknown']} general or unplaced")
        noun = "comment" if len(self.carried) == 1 else "comments"
        return f"v{before} had {len(self.carried)} {noun}: " + ", ".join(parts)


def patch_revisions(archive: Archive, msgid: str,
                    addressed: Collection[tuple[str, str]] = ()) -> PatchRevisions | None:
    """Where ``msgid`` (a patch or cover letter) sits among its series' revisions; None for a
    mail that is not a posting of a series with more than one revision."""
    series = archive.series_of(msgid)
    if series is None or len(series.revisions) < 2:
        return None
    chain = revision_chain(archive, series)
    position = next(i for i, s in enumerate(chain) if s.key == series.key)
    steps = [RevisionStep(a, b, tuple(pair_patches(archive, a, b)))
             for a, b in itertools.pairwise(chain)]
    found: dict[int, str | None] = {position: msgid}
    for i in range(position, 0, -1):  # walk back, then forward, through the pairs
        here = found[i]
        pair = next((p for p in steps[i - 1].pairs if p.new_message_id == here), None)
        found[i - 1] = pair.old_message_id if pair and here else None
    for i in range(position, len(chain) - 1):
        here = found[i]
        pair = next((p for p in steps[i].pairs if p.old_message_id == here), None)
        found[i + 1] = pair.new_message_id if pair and here else None
    previous = found.get(position - 1) if position else None
    carried: tuple[CarriedComment, ...] = ()
    if position:
        step = steps[position - 1]
        only = RevisionStep(step.old, step.new,
                            tuple(p for p in step.pairs if p.new_message_id == msgid))
        carried = tuple(carry_comments(archive, only, addressed))
    return PatchRevisions(msgid, series.version,
                          tuple((s.version, found[i]) for i, s in enumerate(chain)),
                          previous, carried)


def set_addressed(archive: Archive, store: Store, tick: Sequence[str], untick: Sequence[str]
                  ) -> None:
    """Tick or untick comments (by annotation id, as `revisions --json` lists them) as
    addressed; kept per mailbox by reply Message-ID and the comment's fingerprint."""
    for ids, value in ((tick, True), (untick, False)):
        for annotation_id in ids:
            annotation = _annotation(archive, annotation_id)
            store.set_addressed(archive.path, annotation.reply_message_id,
                                comment_fingerprint(annotation.comment), addressed=value)


def _annotation(archive: Archive, annotation_id: str) -> Annotation:
    reply = annotation_id.rpartition("#")[0]
    archive.entry(reply)  # a clear error for an unknown reply
    found = next((a for a in archive.all_annotations(reply) if a.id == annotation_id), None)
    if found is None:
        raise MessageNotFound(f"no comment {annotation_id} in {archive.path.name}")
    return found
