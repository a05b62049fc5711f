"""Reviewed-by & co.: parsed from commit messages and collected from follow-up replies.

CONTRACT (being implemented).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Trailer:
    name: str
    """Canonical spelling: "Reviewed-by", "Acked-by", "Tested-by", "Signed-off-by", …"""
    value: str
    """As written after the colon, e.g. "Jane Doe <jane@example.org>"."""
    source_msgid: str | None = None
    """The follow-up reply it came from; None when it was in the patch itself."""

    @property
    def letter(self) -> str | None:
        """A/R/T for the thread list's counters, None for other trailers."""
        return {"Acked-by": "A", "Reviewed-by": "R", "Tested-by": "T"}.get(self.name)
