"""A patch mail taken apart: commit message, trailers, notes, diffstat, and a structured diff.

CONTRACT (being implemented).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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
