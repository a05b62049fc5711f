"""Kernel subject prefixes: "[PATCH net-next v4 03/12] foo: bar" → version, counters, flags.

CONTRACT (being implemented).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SubjectInfo:
    subject: str
    """The subject with reply markers and bracketed prefixes removed ("foo: bar")."""
    prefixes: tuple[str, ...]
    """Bracket words other than version/counter, lower-cased: ("patch", "net-next", "rfc")."""
    is_reply: bool
    """Started with Re:/Aw:/Sv: and the like."""
    is_patch: bool
    is_rfc: bool
    is_resend: bool
    version: int
    """1 when no vN is given."""
    counter: int | None
    """3 in "03/12"; None for a lone patch."""
    total: int | None
    """12 in "03/12"."""

    @property
    def is_cover(self) -> bool:
        return self.counter == 0 and (self.total or 0) > 0


def parse_subject(subject: str) -> SubjectInfo:
    raise NotImplementedError
