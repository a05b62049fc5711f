"""A patch mail taken apart: commit message, trailers, notes, diffstat, and a structured diff.

The diff is read by a small parser of our own rather than by ``unidiff``. unidiff was tried on the
corpus first: it copes with git's rename/binary/mode headers, but it raises on the whole mail as
soon as one hunk's line counts disagree with its header ("Hunk is longer than expected"), which
is exactly what whitespace-damaged and client-mangled review mail looks like (2 of 179 patch mails
in ../shared/corpus, e.g. the starfive v6 series), and a thread viewer must still show and anchor
such a patch. Our parser counts lines by the hunk header like ``git apply`` does, but takes a line
that lost its leading space (a damaged context line) as context, stops a hunk at the mail
signature (``-- ``), and never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from viewer.core.headers import decode_words, parse_date, parse_person
from viewer.core.message import Person
from viewer.core.subject import parse_subject
from viewer.core.trailers import Trailer

LineKind = Literal["+", "-", " "]


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: LineKind
    text: str
    """The line without its +/-/space prefix."""
    old_line: int | None
    """Line number in the old file; None for "+" lines."""
    new_line: int | None
    """Line number in the new file; None for "-" lines."""
    no_newline: bool = False
    """Followed by "\\ No newline at end of file"."""


@dataclass(slots=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str
    """Function context after the second @@, may be empty."""
    lines: list[DiffLine] = field(default_factory=list)

    @property
    def header(self) -> str:
        """The "@@ -a,b +c,d @@ section" line as git writes it."""
        tail = f" {self.section}" if self.section else ""
        return f"@@ -{self.old_start},{self.old_count} +{self.new_start},{self.new_count} @@{tail}"


@dataclass(slots=True)
class FileDiff:
    old_path: str | None
    """Path without "a/"; None for a new file."""
    new_path: str | None
    """Path without "b/"; None for a deleted file."""
    status: Literal["modified", "added", "deleted", "renamed", "copied"] = "modified"
    old_mode: str | None = None
    new_mode: str | None = None
    binary: bool = False
    similarity: int | None = None
    hunks: list[Hunk] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    """The header lines as sent ("diff --git …", "index …", "--- a/…", "+++ b/…"): reviewers
    quote them, and they are the strongest hint of where a quote sits."""

    @property
    def path(self) -> str:
        """The name to show: the new path, or the old one for a deletion."""
        return self.new_path or self.old_path or ""

    @property
    def added(self) -> int:
        return sum(1 for h in self.hunks for line in h.lines if line.kind == "+")

    @property
    def removed(self) -> int:
        return sum(1 for h in self.hunks for line in h.lines if line.kind == "-")


@dataclass(slots=True)
class Patch:
    commit_message: list[str]
    """Lines of the commit message body (after the subject), trailers excluded."""
    trailers: list[Trailer]
    """Trailers written in the patch itself (Signed-off-by, Reviewed-by carried over, …)."""
    notes: list[str]
    """Lines between "---" and the diffstat/diff: changelog between revisions, remarks."""
    diffstat: list[str]
    """The diffstat lines as sent."""
    files: list[FileDiff]
    """An empty list for a mail that is not a patch."""
    trailer_lines: list[str] = field(default_factory=list)
    """The trailer block exactly as written, one trailer (or continuation) per line."""
    author: Person | None = None
    """The in-body ``From:`` of a patch sent on someone else's behalf: its real author, as
    ``git am`` reads it; None when the mail's sender wrote it."""
    date: float | None = None
    """The in-body ``Date:`` (the author date ``git am`` keeps), else None."""
    subject: str | None = None
    """The in-body ``Subject:`` (the commit subject ``git am`` takes instead of the mail's)."""


# -- in-body headers ---------------------------------------------------------------------------

# git mailinfo honours these at the very top of the body, before a blank line: how a patch
# is forwarded for its author ("From: Real Author <a@b>") or re-dated/re-titled on resend.
_IN_BODY = re.compile(r"^(From|Date|Subject):[ \t]*(.*)$", re.IGNORECASE)


def _commit_subject(value: str) -> str | None:
    """An in-body Subject: as the commit subject: "[PATCH v2 1/3] x: y" → "x: y", as git am."""
    if not value.strip():
        return None
    return parse_subject(decode_words(value)).subject or None


def _in_body_headers(lines: list[str]) -> tuple[dict[str, str], int]:
    """The in-body headers at the top of ``lines`` and how many lines they (and the blank line
    after them) take; ({}, 0) when the body does not open with such a block.

    Only a block followed by a blank line counts, and a From: only with an address in it: a
    commit message that merely starts "Subject: …" or "From: the datasheet" stays prose.
    """
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    found: dict[str, str] = {}
    last = ""
    while i < len(lines):
        line = lines[i]
        match = _IN_BODY.match(line)
        if match is not None and match.group(1).lower() not in found:
            last = match.group(1).lower()
            found[last] = match.group(2).strip()
        elif found and line[:1] in (" ", "\t") and line.strip():
            found[last] += " " + line.strip()  # a folded header, as git send-email may write
        else:
            break
        i += 1
    if not found or (i < len(lines) and lines[i].strip()):
        return {}, 0
    if "from" in found and "@" not in parse_person(found["from"])[1]:
        return {}, 0
    return found, min(i + 1, len(lines))


# -- the text part ---------------------------------------------------------------------------

_TRAILER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:\s*\S")
# Trailer-looking lines that make a paragraph a trailer block; "Note: foo" alone does not.
_KNOWN_TRAILER = re.compile(
    r"^(?:[A-Za-z-]+-by|Fixes|Link|Closes|Cc|Bug|BugLink|Change-Id|Message-I[Dd]|Patchwork-Id)"
    r":\s*\S",
    re.IGNORECASE,
)
_CANONICAL = {
    "signed-off-by": "Signed-off-by",
    "reviewed-by": "Reviewed-by",
    "acked-by": "Acked-by",
    "tested-by": "Tested-by",
    "reported-by": "Reported-by",
    "suggested-by": "Suggested-by",
    "co-developed-by": "Co-developed-by",
    "cc": "Cc",
    "fixes": "Fixes",
    "link": "Link",
    "closes": "Closes",
}
# Old git (and some senders) indent the diffstat by two spaces instead of one.
_DIFFSTAT_FILE = re.compile(r"^ {0,2}\S.*\s\|\s+(?:\d+(?: [+-]*)?|Bin\b.*)\s*$")
_DIFFSTAT_SUMMARY = re.compile(r"^ {0,2}\d+ files? changed\b")
_DIFFSTAT_EXTRA = re.compile(
    r"^ {1,2}(?:create|delete) mode \d+ |^ {1,2}(?:rename|copy|mode change) "
)


def _split_trailers(message: list[str]) -> tuple[list[str], list[str]]:
    """The last paragraph is the trailer block when every line looks like one (or is a
    "[ maintainer: note ]" line or an indented continuation) and one is a known trailer."""
    end = len(message)
    while end and not message[end - 1].strip():
        end -= 1
    start = end
    while start and message[start - 1].strip():
        start -= 1
    block = message[start:end]
    if not block:
        return message[:end], []
    looks = all(
        _TRAILER_LINE.match(line) or line.startswith((" ", "\t", "[")) for line in block
    )
    if looks and any(_KNOWN_TRAILER.match(line) for line in block):
        body = message[:start]
        while body and not body[-1].strip():
            body.pop()
        return body, block
    return message[:end], []


def _trailers_of(lines: list[str]) -> list[Trailer]:
    try:  # the shared trailer parser knows spellings and addresses better than we do
        from viewer.core.trailers import parse_trailers  # type: ignore[attr-defined]

        return list(parse_trailers(lines))
    except (ImportError, NotImplementedError):
        pass
    found = []
    for line in lines:
        name, sep, value = line.partition(":")
        if sep and _TRAILER_LINE.match(line):
            found.append(Trailer(_CANONICAL.get(name.lower(), name), value.strip()))
    return found


def _split_notes(lines: list[str]) -> tuple[list[str], list[str]]:
    """Below "---": the changelog notes, then the diffstat (its file lines, the summary, and
    git's create/delete/rename mode lines)."""
    stat_start = None
    for i, line in enumerate(lines):
        if _DIFFSTAT_FILE.match(line) or _DIFFSTAT_SUMMARY.match(line):
            stat_start = i
            break
    if stat_start is None:
        return _trim(lines), []
    stat_end = stat_start
    while stat_end < len(lines) and (
        _DIFFSTAT_FILE.match(lines[stat_end])
        or _DIFFSTAT_SUMMARY.match(lines[stat_end])
        or _DIFFSTAT_EXTRA.match(lines[stat_end])
    ):
        stat_end += 1
    notes = lines[:stat_start] + lines[stat_end:]
    return _trim(notes), lines[stat_start:stat_end]


def _trim(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


# -- the diff part ---------------------------------------------------------------------------

_HUNK = re.compile(r"^@@+ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@+ ?(.*)$")
_GIT_DIFF = re.compile(r"^diff --git (?:\"?a/)?(.+?)\"? (?:\"?b/)?(.+?)\"?$")


_DIFF_FIRST = frozenset("dI-")


def _diff_start(lines: list[str], i: int) -> bool:
    line = lines[i]
    if line[:1] not in _DIFF_FIRST:  # asked of every line of a mail: most fail here
        return False
    if line.startswith("diff --git ") or line.startswith("diff -"):
        return True
    if line.startswith("Index: ") and i + 1 < len(lines) and lines[i + 1].startswith("===="):
        return True
    return (
        line.startswith("--- ")
        and i + 2 < len(lines)
        and lines[i + 1].startswith("+++ ")
        and lines[i + 2].startswith("@@")
    )


def _strip_path(raw: str) -> str | None:
    # "--- a/foo.c\t2020-01-01 10:00" (plain diff -u) carries a timestamp after a tab.
    path = raw.split("\t", 1)[0].strip().strip('"')
    if path == "/dev/null":
        return None
    if path.startswith(("a/", "b/")):
        return path[2:]
    return path


class _DiffParser:
    """One pass over the diff lines; tolerant of mail damage, never raises."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.files: list[FileDiff] = []

    def run(self, start: int) -> list[FileDiff]:
        i = start
        lines = self.lines
        current: FileDiff | None = None
        while i < len(lines):
            line = lines[i]
            if line.startswith("diff --git ") or (line.startswith("diff -") and current is None):
                current = self._new_git_file(line)
                i += 1
            elif line.startswith("Index: ") and i + 1 < len(lines) and lines[i + 1].startswith("="):
                current = FileDiff(old_path=line[7:].strip(), new_path=line[7:].strip())
                current.header.append(line)
                self.files.append(current)
                i += 1
            elif line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
                old, new = _strip_path(line[4:]), _strip_path(lines[i + 1][4:])
                if current is None or current.hunks:
                    # A plain "--- / +++" diff without a "diff --git" line, or the next file
                    # of one.
                    current = FileDiff(old_path=old, new_path=new)
                    self.files.append(current)
                else:
                    current.old_path, current.new_path = old, new
                if old is None:
                    current.status = "added"
                elif new is None:
                    current.status = "deleted"
                current.header += [line, lines[i + 1]]
                i += 2
            elif line.startswith("@@") and current is not None and _HUNK.match(line):
                i = self._hunk(current, i)
            elif current is not None and not current.hunks:
                self._extended_header(current, line)
                i += 1
            else:
                # Mail junk between or after files: "-- ", "2.34.1", base-commit, prose.
                i += 1
        return self.files

    def _new_git_file(self, line: str) -> FileDiff:
        match = _GIT_DIFF.match(line)
        if match:
            current = FileDiff(old_path=match.group(1), new_path=match.group(2))
        else:
            current = FileDiff(old_path=None, new_path=None)
        current.header.append(line)
        self.files.append(current)
        return current

    @staticmethod
    def _extended_header(current: FileDiff, line: str) -> None:
        word = line.split(" ", 1)
        rest = word[1].strip() if len(word) > 1 else ""
        head = line.startswith
        if head("new file mode "):
            current.status, current.new_mode = "added", line.rsplit(" ", 1)[-1]
        elif head("deleted file mode "):
            current.status, current.old_mode = "deleted", line.rsplit(" ", 1)[-1]
        elif head("old mode "):
            current.old_mode = rest.split(" ", 1)[-1]
        elif head("new mode "):
            current.new_mode = rest.split(" ", 1)[-1]
        elif head("similarity index "):
            digits = re.sub(r"\D", "", line)
            current.similarity = int(digits) if digits else None
        elif head("rename from "):
            current.status, current.old_path = "renamed", line[len("rename from ") :]
        elif head("rename to "):
            current.status, current.new_path = "renamed", line[len("rename to ") :]
        elif head("copy from "):
            current.status, current.old_path = "copied", line[len("copy from ") :]
        elif head("copy to "):
            current.status, current.new_path = "copied", line[len("copy to ") :]
        elif head("Binary files ") or head("GIT binary patch"):
            current.binary = True
        elif not head("index "):
            return
        current.header.append(line)
        if current.status == "added":
            current.old_path = None
        elif current.status == "deleted":
            current.new_path = None

    def _hunk(self, current: FileDiff, i: int) -> int:
        match = _HUNK.match(self.lines[i])
        assert match is not None
        old_start, new_start = int(match.group(1)), int(match.group(3))
        old_count = int(match.group(2)) if match.group(2) is not None else 1
        new_count = int(match.group(4)) if match.group(4) is not None else 1
        hunk = Hunk(old_start, old_count, new_start, new_count, match.group(5).strip())
        current.hunks.append(hunk)
        old_left, new_left = old_count, new_count
        old_no, new_no = old_start, new_start
        i += 1
        lines = self.lines
        while i < len(lines) and (old_left > 0 or new_left > 0):
            line = lines[i]
            if line.startswith("\\"):
                self._mark_no_newline(hunk)
                i += 1
                continue
            if line.startswith(("diff --git ", "@@ -")) or line == "-- ":
                break  # a hunk shorter than its header says: damaged, keep what we have
            kind = line[:1]
            if kind == "+":
                hunk.lines.append(DiffLine("+", line[1:], None, new_no))
                new_no += 1
                new_left -= 1
            elif kind == "-":
                hunk.lines.append(DiffLine("-", line[1:], old_no, None))
                old_no += 1
                old_left -= 1
            else:
                # " foo", or an empty line / "foo" that lost its leading space in the mail.
                text = line[1:] if kind == " " else line
                hunk.lines.append(DiffLine(" ", text, old_no, new_no))
                old_no += 1
                new_no += 1
                old_left -= 1
                new_left -= 1
            i += 1
        if i < len(lines) and lines[i].startswith("\\"):
            self._mark_no_newline(hunk)
            i += 1
        return i

    @staticmethod
    def _mark_no_newline(hunk: Hunk) -> None:
        if hunk.lines:
            last = hunk.lines[-1]
            hunk.lines[-1] = DiffLine(last.kind, last.text, last.old_line, last.new_line, True)


def parse_patch(body: str) -> Patch:
    """Take a patch mail's body apart; a body without a diff gives ``Patch(files=[])``."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = next((i for i in range(len(lines)) if _diff_start(lines, i)), len(lines))
    in_body, skip = _in_body_headers(lines[:start])
    preamble = lines[skip:start]
    separator = next((i for i, line in enumerate(preamble) if line.rstrip() == "---"), None)
    if separator is None:
        # No "---": a cover letter, or a hand-made patch; a diffstat may still sit above the diff.
        message, stat = _split_notes(preamble)
        notes: list[str] = []
        if stat:
            stat_at = preamble.index(stat[0])
            message, notes = preamble[:stat_at], _trim(preamble[stat_at + len(stat) :])
    else:
        message = preamble[:separator]
        notes, stat = _split_notes(preamble[separator + 1 :])
    message = _trim(message)
    message, trailer_lines = _split_trailers(message)
    files = _DiffParser(lines).run(start) if start < len(lines) else []
    return Patch(
        commit_message=message,
        trailers=_trailers_of(trailer_lines),
        notes=notes,
        diffstat=stat,
        files=files,
        trailer_lines=trailer_lines,
        author=Person(*parse_person(in_body["from"])) if "from" in in_body else None,
        date=parse_date(in_body["date"]) if "date" in in_body else None,
        subject=_commit_subject(in_body.get("subject", "")),
    )
