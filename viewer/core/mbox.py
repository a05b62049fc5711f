"""Find the messages in a mailbox file quickly and read only the headers the index needs.

CONTRACT (being implemented): see the docstrings below.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What the thread list needs of one message, read from its headers without decoding the body."""

    number: int
    """Position in the mailbox, 0-based; the key for :meth:`MailSource.raw`."""
    msgid: str
    """Message-ID without angle brackets; a synthetic ``hunkwise-<number>@invalid`` when missing."""
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    """RFC 2047-decoded, unfolded."""
    author_name: str
    author_email: str
    date: float | None
    """Seconds since the epoch, UTC."""
    broken: str | None = None
    """Why the headers could not be read, when they could not; the message still gets listed."""
