"""Following a patch line from one revision of a series to the next.

A comment on v(N) sits on a line; in v(N+1) that line may be the same, be kept among changed
neighbours, be rewritten in place, have moved, or be gone. The two revisions' lines of the
file (or of the commit message) are aligned as one sequence, with Myers' algorithm as git diff
aligns them, so of two equal lines (``+}``, ``return 0;``) the one in the same place is taken,
and the status says what happened:

* ``unchanged``: the line and its three neighbours on each side are all still there: the
  comment was probably not addressed (or needed no change);
* ``changed``: the line is kept but lines around it changed, or new lines took its place
  between the neighbours that stayed, or it moved;
* ``removed``: the line, its file or the whole patch is gone from the new revision;
* ``unknown``: a general comment, a line the old patch does not hold (a stale anchor).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from viewer.core.anchoring import Anchor
from viewer.core.myers import matched_pairs
from viewer.core.patch import Patch, parse_patch

if TYPE_CHECKING:
    from viewer.core.archive import Archive

Status = Literal["unchanged", "changed", "removed", "unknown"]
STATUSES: tuple[Status, ...] = ("unchanged", "changed", "removed", "unknown")

_CONTEXT = 3
_WS = re.compile(r"\s+")
# Lines that say nothing alone ("+}", "+", "-	return 0;" is fine): placed by neighbours only.
_WEAK_LEN = 3


@dataclass(frozen=True, slots=True)
class _Line:
    key: tuple[str, str]
    """(kind, text without whitespace): what "the same line" means across revisions."""
    block: int
    """Hunk number (or 0 for a message): neighbours across a hunk boundary are not context."""
    anchor: Anchor


def line_key(kind: str, text: str) -> tuple[str, str]:
    return (kind, _WS.sub("", text))


def _diff_lines(patch: Patch, patch_id: str, path: str) -> list[_Line]:
    out: list[_Line] = []
    block = 0
    for diff in patch.files:
        if path not in (diff.path, diff.old_path, diff.new_path):
            continue
        for hunk in diff.hunks:
            block += 1
            for line in hunk.lines:
                anchor = Anchor("diff", patch_id, diff.path, line.old_line, line.new_line,
                                line.kind + line.text)
                out.append(_Line(line_key(line.kind, line.text), block, anchor))
        break
    return out


def _message_lines(lines: Sequence[str], patch_id: str) -> list[_Line]:
    return [_Line(line_key("m", text), 0, Anchor("commit_message", patch_id, text=text))
            for text in lines]


def _commit_lines(patch: Patch) -> list[str]:
    return list(patch.commit_message) + list(patch.trailer_lines)


def _context_same(old: list[_Line], i: int, new: list[_Line], p: int) -> bool:
    """The three neighbours on each side are the same lines (a hunk edge matches an edge)."""
    for step in (-1, 1):
        for d in range(1, _CONTEXT + 1):
            oi, np_ = i + step * d, p + step * d
            o_in = 0 <= oi < len(old) and old[oi].block == old[i].block
            n_in = 0 <= np_ < len(new) and new[np_].block == new[p].block
            if o_in != n_in or (o_in and old[oi].key != new[np_].key):
                return False
            if not o_in:
                break
    return True


Located = tuple[Status, Anchor | None, str]
Aligned = tuple[list[_Line], list[_Line], list[tuple[int, int]]]
"""Two revisions' lines of one file (or message) and their alignment."""


def align(old: list[_Line], new: list[_Line]) -> Aligned:
    return old, new, matched_pairs([line.key for line in old], [line.key for line in new])


def locate(aligned: Aligned, anchor: Anchor) -> Located:
    """Where the old anchor's line went among ``new`` (the same file or message, next revision).

    The two revisions' lines are aligned as one sequence (Myers, as git diff does), so of two
    equal lines (``+}``, ``return 0;``) the one in the same place is taken. A line the
    alignment drops was rewritten when other lines fill its place between the neighbours that
    stayed, moved when the same text is found unmatched elsewhere, and removed otherwise.
    """
    old, new, pairs = aligned
    index = next((i for i, line in enumerate(old) if line.anchor == anchor), None)
    if index is None:
        # An anchor made elsewhere (a draft knows one side's number only): the same text, and
        # the line numbers it does give.
        index = next((i for i, line in enumerate(old)
                      if line.anchor.text == anchor.text
                      and anchor.old_line in (None, line.anchor.old_line)
                      and anchor.new_line in (None, line.anchor.new_line)), None)
        if index is None:
            return "unknown", None, "the commented line is not in the old patch"
    if not new:
        return "removed", None, "nothing of it is left in the new revision"
    to_new = dict(pairs)
    if index in to_new:
        p = to_new[index]
        if _context_same(old, index, new, p):
            return "unchanged", new[p].anchor, "the line and its neighbours are unchanged"
        return "changed", new[p].anchor, "the line is kept, lines around it changed"
    before = max((j for i, j in pairs if i < index), default=-1)
    after = min((j for i, j in pairs if i > index), default=len(new))
    gap = list(range(before + 1, after))
    if gap:
        p = _most_similar(old[index], [new[q] for q in gap])
        return "changed", new[gap[p]].anchor, "the line was rewritten in place"
    matched_new = {j for _i, j in pairs}
    moved = [p for p, line in enumerate(new) if line.key == old[index].key and p not in matched_new]
    if moved and len(old[index].key[1]) > _WEAK_LEN:
        return "changed", new[moved[0]].anchor, "the line moved"
    return "removed", None, "the line is gone"


def _most_similar(line: _Line, candidates: list[_Line]) -> int:
    """The index of the candidate most like the line (the first on a tie, or when none is)."""
    best, best_ratio = 0, -1.0
    for p, other in enumerate(candidates):
        ratio = difflib.SequenceMatcher(None, line.key[1], other.key[1], autojunk=False).ratio()
        if other.key[0] == line.key[0]:
            ratio += 1.0  # a "+" line rewritten is a "+" line, before anything else
        if ratio > best_ratio:
            best, best_ratio = p, ratio
    return best


class LineTracker:
    """Follows lines of one revision's patches into the next, remembering the alignments: the
    comments on one patch mostly ask about the same few files."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._memo: dict[tuple, Aligned] = {}

    def follow(self, old_id: str, new_id: str | None, anchor: Anchor, *, cover: bool = False
               ) -> Located:
        """Where ``anchor`` (on the old patch or cover letter) is in the new one."""
        if anchor.kind == "unanchored":
            return "unknown", None, "a general comment, on no line"
        if new_id is None:
            return "removed", None, "the patch is not in the new revision"
        return _follow(self.archive, self._memo, old_id, new_id, anchor, cover=cover)


def _follow(archive: Archive, memo: dict[tuple, Aligned], old_id: str, new_id: str,
            anchor: Anchor, *, cover: bool) -> Located:

    def aligned(what: str, make_old, make_new) -> Aligned:
        key = (what, old_id, new_id)
        if key not in memo:
            memo[key] = align(make_old(), make_new())
        return memo[key]

    if cover:
        return locate(aligned(
            "cover",
            lambda: _message_lines(archive.message(old_id).body.splitlines(), old_id),
            lambda: _message_lines(archive.message(new_id).body.splitlines(), new_id),
        ), anchor)
    old_patch = archive.patch(old_id) or parse_patch("")
    new_patch = archive.patch(new_id) or parse_patch("")
    if anchor.kind == "commit_message":
        return locate(aligned(
            "message",
            lambda: _message_lines(_commit_lines(old_patch), old_id),
            lambda: _message_lines(_commit_lines(new_patch), new_id),
        ), anchor)
    if anchor.file is None:
        return "unknown", None, "a comment on no file"
    path = anchor.file
    new_path = counterpart_file(old_patch, new_patch, path)
    if new_path is None:
        return "removed", None, f"{path} is not in the new revision"
    if anchor.old_line is None and anchor.new_line is None:
        return _header_fate(old_patch, new_patch, anchor, new_id, new_path)
    return locate(aligned(
        f"diff:{path}",
        lambda: _diff_lines(old_patch, old_id, path),
        lambda: _diff_lines(new_patch, new_id, new_path),
    ), anchor)


def counterpart_file(old: Patch, new: Patch, path: str) -> str | None:
    """The file of the new revision that the old one's ``path`` became: the same path, or a
    file only the new revision has that shares many of its lines: a binding renamed from
    ``vendor,family.yaml`` to ``vendor,soc.yaml``, a driver moved into ``rgb/`` (to git, two
    revisions adding two different new files). The same name or folder needs fewer shared
    lines than a file elsewhere under another name.
    """
    names = {f.path for f in new.files} | {f.old_path for f in new.files if f.old_path}
    if path in names:
        return path
    old_diff = next((f for f in old.files if path in (f.path, f.old_path)), None)
    if old_diff is None:
        return None
    folder, _slash, base = path.rpartition("/")
    known = {f.path for f in old.files}
    mine = {line_key(line.kind, line.text) for h in old_diff.hunks for line in h.lines}
    best, best_share = None, 0.0
    for diff in new.files:
        if diff.path in known:
            continue  # a file the old revision has too is its own counterpart
        theirs = {line_key(line.kind, line.text) for h in diff.hunks for line in h.lines}
        share = len(mine & theirs) / len(mine | theirs) if mine | theirs else 0.0
        their_folder, _slash, their_base = diff.path.rpartition("/")
        needed = 0.1 if their_base == base else 0.3 if their_folder == folder else 0.5
        if share >= needed and share > best_share:
            best, best_share = diff.path, share
    return best


def _header_fate(old: Patch, new: Patch, anchor: Anchor, new_id: str, new_path: str
                 ) -> Located:
    """A comment on a ``diff --git`` or ``@@`` line speaks of the whole file or hunk."""
    old_keys = [line.key for line in _diff_lines(old, "", anchor.file or "")]
    new_keys = [line.key for line in _diff_lines(new, "", new_path)]
    diff = next(f for f in new.files if new_path in (f.path, f.old_path))
    target = Anchor("diff", new_id, diff.path, None, None,
                    anchor.text if anchor.text in diff.header else (diff.header or [""])[0])
    if old_keys == new_keys:
        return "unchanged", target, "the file's changes are the same"
    return "changed", target, "the file's changes differ"
