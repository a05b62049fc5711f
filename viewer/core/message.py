"""One mail, decoded: the values the rest of the engine reasons about.

Headers needed to list and thread a mailbox live in :class:`viewer.core.mbox.IndexEntry` and are
read without decoding bodies; a :class:`Message` is built only when a body is shown or analysed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    """Display name, RFC 2047-decoded; empty when the header had only an address."""
    email: str
    """Address, lower-cased for comparison."""

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True, slots=True)
class Message:
    msgid: str
    """Message-ID without angle brackets (a synthetic ``hunkwise-…`` id when the mail had none)."""
    subject: str
    author: Person
    date: float | None
    """Seconds since the epoch, UTC; None when the Date header is missing or nonsense."""
    in_reply_to: str | None
    references: tuple[str, ...]
    body: str
    """The plain-text body as a reader sees it: charsets, QP/base64 and format=flowed undone,
    and text/x-patch (or text/x-diff) attachments appended, since patches are often sent so."""
    to: tuple[Person, ...] = ()
    cc: tuple[Person, ...] = ()
    broken: str | None = None
    """Why the mail could not be decoded fully, for showing it as broken instead of crashing."""
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    """Every header as sent (decoded), for the message pane."""
