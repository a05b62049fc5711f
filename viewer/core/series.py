"""Patch series: a cover letter and its numbered patches, revisions v1…vN linked, gaps reported.

CONTRACT (being implemented).
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
