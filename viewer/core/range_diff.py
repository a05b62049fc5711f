"""A range-diff of two revisions of a series, made from their mails alone (no git repository).

``git range-diff`` answers "what changed between v2 and v3?" by diffing each pair of commits as
text: every commit is first rewritten into a canonical form (a ``## Metadata ##`` section with
the author, ``## Commit message ##`` with the message indented by four spaces, then one
``## path ##`` section per file whose hunk headers read ``@@ path: function``), and the two forms
are diffed again. We rebuild exactly that form from the patch mails, so the output reads like
git's and a reviewer can compare it with what git prints, while each line also keeps where it
came from in both revisions (file and line numbers), which git's output drops.

The outer diff is Myers' algorithm (what git's xdiff runs by default), with changes slid down
as far as equal lines allow, as xdiff's compaction does; git's indent heuristic is not copied,
so on a run of identical lines the ``+``/``-`` may sit a line apart from git's, never on other
content.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from viewer.core.myers import matched_pairs
from viewer.core.patch import FileDiff, Patch

Origin = tuple[str | None, int | None, int | None]
"""(file, old_line, new_line) of the patch line a range-diff line stands for."""

_NO_ORIGIN: Origin = (None, None, None)
_CONTEXT = 3
# git range-diff's funcname rule: its section headers and the rewritten inner hunk headers.
_SECTION = re.compile(r"^ ## (.*) ##$|^.?@@ (.*)$")


@dataclass(frozen=True, slots=True)
class CanonicalLine:
    """One line of a commit in git range-diff's canonical form."""

    text: str
    origin: Origin = _NO_ORIGIN
    """Where it comes from in the patch: the file and line numbers of a diff line."""


@dataclass(frozen=True, slots=True)
class PatchText:
    """The canonical form of one patch mail, and what range-diff's pair header shows."""

    lines: tuple[CanonicalLine, ...]
    subject: str
    commit_id: str
    """The commit id git format-patch wrote in the ``From <sha1>`` line, else the first 7 hex
    digits of the canonical text's SHA-1 (so equal patches still show equal ids)."""

    @property
    def text(self) -> str:
        return "".join(line.text + "\n" for line in self.lines)


OuterKind = Literal[" ", "-", "+", "@"]


@dataclass(frozen=True, slots=True)
class OuterLine:
    """One line of the diff of diffs."""

    kind: OuterKind
    """Context, only in the old revision, only in the new one, or a hunk header."""
    text: str
    """The canonical line (for "@": the section the hunk is in, may be empty)."""
    old: Origin = _NO_ORIGIN
    """Where the line sits in the old revision's patch (context and "-" lines)."""
    new: Origin = _NO_ORIGIN
    """Where it sits in the new revision's patch (context and "+" lines)."""

    def render(self) -> str:
        """As git range-diff prints it, with its four-space indent."""
        if self.kind == "@":
            return f"    @@ {self.text}" if self.text else "    @@"
        return f"    {self.kind}{self.text}"


PairStatus = Literal["=", "!", "<", ">"]


@dataclass(frozen=True, slots=True)
class RangeDiffEntry:
    """One pair header of the range-diff and, for a changed pair, its diff of diffs."""

    status: PairStatus
    """"=" identical, "!" changed, "<" only in the old revision, ">" only in the new one."""
    old_number: int | None
    new_number: int | None
    old: PatchText | None
    new: PatchText | None
    old_message_id: str | None
    new_message_id: str | None
    lines: tuple[OuterLine, ...] = ()

    def header(self, width: int) -> str:
        dashes = "-" * 7

        def side(number: int | None, text: PatchText | None) -> str:
            if number is None or text is None:
                return f"{'-':>{width}}:  {dashes}"
            return f"{number:>{width}}:  {text.commit_id}"

        # git names the pair by the old commit's subject when there is one.
        shown = self.old or self.new
        subject = shown.subject if shown else ""
        return f"{side(self.old_number, self.old)} {self.status} " \
               f"{side(self.new_number, self.new)} {subject}"


# -- the canonical form ---------------------------------------------------------------------

# git format-patch names each patch mail "<commit sha1>.<time>.git.<sender>"; the mbox From_
# line carries the sha1 too, but the mail source drops that line.
_FORMAT_PATCH_ID = re.compile(r"^([0-9a-f]{40})\.\d+\.git\.")


def commit_id_of(message_id: str) -> str | None:
    """The abbreviated commit id git format-patch put in a patch's Message-ID, if it did."""
    found = _FORMAT_PATCH_ID.match(message_id)
    return found.group(1)[:7] if found else None


def _message_line(line: str) -> str:
    # git log --pretty=medium indents by four and expands tabs; range-diff strips the right.
    return ("    " + line.expandtabs(8)).rstrip() if line.strip() else ""


def _file_title(diff: FileDiff) -> str:
    if diff.status == "added":
        title = f"{diff.new_path} (new)"
    elif diff.status == "deleted":
        title = f"{diff.old_path} (deleted)"
    elif diff.status == "renamed" or (
        diff.old_path and diff.new_path and diff.old_path != diff.new_path
    ):
        title = f"{diff.old_path} => {diff.new_path}"
    else:
        title = diff.path
    if diff.old_mode and diff.new_mode and diff.old_mode != diff.new_mode:
        title += f" (mode change {diff.old_mode} => {diff.new_mode})"
    return title


def patch_text(
    patch: Patch, *, subject: str, author: str, commit_id: str | None = None
) -> PatchText:
    """A patch mail in git range-diff's canonical form.

    ``subject`` is the commit subject (the mail subject without its ``[PATCH …]`` prefix),
    ``author`` "Name <email>" as git am would record it.
    """
    lines = [CanonicalLine(" ## Metadata ##"), CanonicalLine(f"Author: {author}"),
             CanonicalLine(""), CanonicalLine(" ## Commit message ##")]
    message = [subject, "", *list(patch.commit_message)]
    if patch.trailer_lines:
        if patch.commit_message:
            message.append("")
        message += patch.trailer_lines
    lines += [CanonicalLine(_message_line(line)) for line in message]
    for diff in patch.files:
        lines.append(CanonicalLine(""))
        lines.append(CanonicalLine(f" ## {_file_title(diff)} ##"))
        name = diff.old_path if diff.status == "deleted" else diff.new_path
        if diff.binary and not diff.hunks:
            lines.append(CanonicalLine(f" Binary files differ ({diff.path})"))
        for hunk in diff.hunks:
            lines.append(CanonicalLine(f"@@ {name}: {hunk.section}" if hunk.section else "@@"))
            for line in hunk.lines:
                origin = (diff.path, line.old_line, line.new_line)
                lines.append(CanonicalLine(line.kind + line.text, origin))
                if line.no_newline:
                    lines.append(CanonicalLine(" \\ No newline at end of file", origin))
    text = "".join(line.text + "\n" for line in lines)
    ident = commit_id or hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()[:7]
    return PatchText(tuple(lines), subject, ident)


# -- the outer diff -------------------------------------------------------------------------

def _ops(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, int, int]]:
    """The edit script as (kind, i, j): " " both, "-" a[i] only, "+" b[j] only, in order."""
    ops: list[tuple[str, int, int]] = []
    i = j = 0
    for pi, pj in [*matched_pairs(a, b), (len(a), len(b))]:
        while i < pi:
            ops.append(("-", i, j))
            i += 1
        while j < pj:
            ops.append(("+", i, j))
            j += 1
        if pi < len(a) and pj < len(b):
            ops.append((" ", pi, pj))
            i, j = pi + 1, pj + 1
    return _slide_down(ops, a, b)


def _slide_down(ops: list[tuple[str, int, int]], a, b) -> list[tuple[str, int, int]]:
    """Move each run of "-" (or "+") lines down past equal lines, as xdiff compacts groups:
    of two equally short scripts git prints the one whose change comes last."""
    changed = True
    while changed:
        changed = False
        k = 0
        while k < len(ops):
            kind = ops[k][0]
            if kind == " ":
                k += 1
                continue
            end = k
            while end < len(ops) and ops[end][0] == kind:
                end += 1
            seq = a if kind == "-" else b
            index = 1 if kind == "-" else 2
            if end < len(ops) and ops[end][0] == " " and \
                    seq[ops[k][index]] == seq[ops[end][index]]:
                # rotate: the first changed line becomes context after the run
                _, ci, cj = ops[end]
                first = ops[k]
                if kind == "-":
                    new_context = (" ", first[1], cj)
                    shifted = [("-", op[1] + 1, cj + 1) for op in ops[k:end]]
                else:
                    new_context = (" ", ci, first[2])
                    shifted = [("+", ci + 1, op[2] + 1) for op in ops[k:end]]
                ops[k:end + 1] = [new_context, *shifted]
                changed = True
                k += 1
            else:
                k = end
    return ops


def diff_of_diffs(old: PatchText, new: PatchText) -> tuple[OuterLine, ...]:
    """The hunks of the diff between two canonical patch texts, three lines of context, hunk
    headers naming the section they are in (git range-diff's rule)."""
    a = [line.text for line in old.lines]
    b = [line.text for line in new.lines]
    ops = _ops(a, b)
    changes = [n for n, op in enumerate(ops) if op[0] != " "]
    if not changes:
        return ()
    # Group changes closer than 2 * context lines into one hunk, as xdiff does.
    groups: list[list[int]] = [[changes[0], changes[0]]]
    for n in changes[1:]:
        if n - groups[-1][1] - 1 <= 2 * _CONTEXT:
            groups[-1][1] = n
        else:
            groups.append([n, n])
    out: list[OuterLine] = []
    for first, last in groups:
        start = max(0, first - _CONTEXT)
        end = min(len(ops), last + _CONTEXT + 1)
        out.append(OuterLine("@", _section_before(a, ops[start][1])))
        for kind, i, j in ops[start:end]:
            if kind == " ":
                out.append(OuterLine(" ", a[i], old.lines[i].origin, new.lines[j].origin))
            elif kind == "-":
                out.append(OuterLine("-", a[i], old=old.lines[i].origin))
            else:
                out.append(OuterLine("+", b[j], new=new.lines[j].origin))
    return tuple(out)


def _section_before(lines: Sequence[str], index: int) -> str:
    """The nearest section header above the hunk's first old line, as xdiff looks back."""
    for k in range(index - 1, -1, -1):
        found = _SECTION.match(lines[k])
        if found:
            return found.group(1) if found.group(1) is not None else found.group(2)
    return ""


# -- the whole range-diff -------------------------------------------------------------------

def range_diff(
    old: Sequence[PatchText | None],
    new: Sequence[PatchText | None],
    pairs: Sequence[tuple[int | None, int | None]],
    *,
    old_ids: Sequence[str | None] = (),
    new_ids: Sequence[str | None] = (),
) -> list[RangeDiffEntry]:
    """Entries in git range-diff's order: the new revision's patches in order, each old patch
    that has no partner shown once all old patches before it were shown.

    ``pairs`` are (old index, new index) with None on the side a patch is missing from.
    """
    new_to_old = {j: i for i, j in pairs if i is not None and j is not None}
    old_matched = {i for i, j in pairs if i is not None and j is not None}
    shown: set[int] = set()
    entries: list[RangeDiffEntry] = []

    def entry(i: int | None, j: int | None) -> RangeDiffEntry:
        a = old[i] if i is not None else None
        b = new[j] if j is not None else None
        if a is None or b is None:
            status: PairStatus = "<" if b is None else ">"
            lines: tuple[OuterLine, ...] = ()
        else:
            lines = diff_of_diffs(a, b)
            status = "!" if a.text != b.text else "="
        return RangeDiffEntry(
            status, None if i is None else i + 1, None if j is None else j + 1, a, b,
            old_ids[i] if i is not None and i < len(old_ids) else None,
            new_ids[j] if j is not None and j < len(new_ids) else None, lines,
        )

    i = j = 0
    while i < len(old) or j < len(new):
        while i < len(old) and i in shown:
            i += 1
        if i < len(old) and i not in old_matched:
            entries.append(entry(i, None))
            shown.add(i)
            i += 1
            continue
        while j < len(new) and j not in new_to_old:
            entries.append(entry(None, j))
            j += 1
        if j < len(new):
            partner = new_to_old[j]
            entries.append(entry(partner, j))
            shown.add(partner)
            j += 1
    return entries


def render(entries: Sequence[RangeDiffEntry], *, numbers: bool = False) -> list[str]:
    """The range-diff as git prints it (without colour); ``numbers`` adds a gutter with the
    line numbers of each line in the old and the new revision's file."""
    count = max((e.old_number or 0) for e in entries) if entries else 0
    count = max(count, max((e.new_number or 0) for e in entries) if entries else 0)
    width = len(str(count + 1))
    out: list[str] = []
    for item in entries:
        out.append(item.header(width))
        for line in item.lines:
            text = line.render()
            if numbers:
                text = f"{_number(line.old)} {_number(line.new)} {text}"
            out.append(text)
    return out


def _number(origin: Origin) -> str:
    _file, old_line, new_line = origin
    line = new_line if new_line is not None else old_line
    return f"{line:>5}" if line is not None else "     "
