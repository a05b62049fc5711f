"""A reviewer's comment and where it sits on a patch: what anchoring produces.

Annotation.to_json() is the JSON contract of `hunkwise review --json`: add keys, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from viewer.core.headers import iso_date
from viewer.core.message import Person

AnchorKind = Literal["diff", "commit_message", "unanchored"]
Method = Literal["exact", "whitespace", "nearest", "fallback", "none"]


@dataclass(frozen=True, slots=True)
class Anchor:
    kind: AnchorKind
    patch_message_id: str
    file: str | None = None
    """Path without a/ or b/."""
    old_line: int | None = None
    new_line: int | None = None
    text: str = ""
    """The patch line the comment is attached to, with its +/-/space prefix for diff lines."""
    row: int | None = field(default=None, compare=False)
    """Index of that line in ``matching.patch_rows`` of the patch, when anchoring placed it
    there (the review model places the comment by it); None for anchors made by hand."""


@dataclass(slots=True)
class Annotation:
    id: str
    reply_message_id: str
    author: Person
    date: float | None
    comment: str
    anchor: Anchor
    in_reply_to: str | None = None
    """Id of the annotation this one answers (a discussion at the same anchor)."""
    confidence: float = 0.0
    """0..1; the UI marks anchors below 0.8 as doubtful."""
    method: Method = "none"
    """Why it sits where it sits."""
    quote_depth: int = 1
    trailers: list[str] = field(default_factory=list)
    """Tags ("Reviewed-by: Jane <jane@example.org>") written in this comment's text and taken
    out of it: the view shows them as tags on the comment, the text keeps the remark."""
    children: list[Annotation] = field(default_factory=list, repr=False)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "reply_message_id": self.reply_message_id,
            "author": str(self.author),
            "date": iso_date(self.date),
            "comment": self.comment,
            "in_reply_to": self.in_reply_to,
            "confidence": round(self.confidence, 3),
            "method": self.method,
            "quote_depth": self.quote_depth,
            "trailers": list(self.trailers),
            "anchor": {
                "kind": self.anchor.kind,
                "patch_message_id": self.anchor.patch_message_id,
                "file": self.anchor.file,
                "old_line": self.anchor.old_line,
                "new_line": self.anchor.new_line,
                "text": self.anchor.text,
            },
        }



@dataclass(frozen=True, slots=True)
class AnalysisError:
    """A reply anchoring could not analyse (a bug in Hunkwise, not in the mail): the reply is
    then listed whole as a general comment, and this says which reply and why."""

    reply_message_id: str
    patch_message_id: str
    """The patch or cover letter the reply answers ("" when none is known)."""
    error: str
    """The exception, as "TypeName: message"."""

    def describe(self) -> str:
        return f"<{self.reply_message_id}>: {self.error}"

    def to_json(self) -> dict:
        return {
            "reply_message_id": self.reply_message_id,
            "patch_message_id": self.patch_message_id,
            "error": self.error,
        }
