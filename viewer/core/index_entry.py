"""One mail's index entry, read from its header block alone: what listing and threading need.

Reading the six threading headers (Message-ID, In-Reply-To, References, Subject, From, Date) is
the cost of opening a big archive, so it works on the mailbox bytes in place; a mail whose
headers cannot be read is still listed, marked ``broken``.
"""

from __future__ import annotations

import logging
import mmap
import re
from dataclasses import dataclass

from viewer.core.headers import (
    all_msgids,
    decode_words,
    first_msgid,
    parse_date,
    parse_person,
    text_of,
)
from viewer.core.message import internal_problem, synthetic_msgid

log = logging.getLogger(__name__)

# The six headers threading needs, with their folded continuation lines. Anchored at line
# starts (re.M) so a "Subject:" quoted inside another header's value cannot match.
# Matched after a newline (the block is sliced with the newline before it) rather than with
# re.M's "^": a pattern opening with a literal lets the regex engine skip ahead in C, which
# makes this four times faster on real headers (DKIM, Received: 4 KiB a mail on lore); the
# lookahead rejects most lines on their first letter before trying six alternatives.
_WANTED = re.compile(
    rb"\n(?=[mirsfdMIRSFD])(?i:(message-id|in-reply-to|references|subject|from|date))"
    rb"[ \t]*:[ \t]*"
    rb"([^\n]*(?:\n[ \t][^\n]*)*)"
)
# Any header line at all: a block without the six is still mail (a mail with no Message-ID).
ANY_HEADER = re.compile(rb"^[!-9;-~]+[ \t]*:", re.M)
_FOLD = re.compile(rb"\r?\n[ \t]*")


# Not frozen (but hashable, and never assigned to): a frozen dataclass sets every field
# through object.__setattr__, which made building the 170,000 entries of a cached 1 GB
# archive take 0.44 s instead of 0.18 s, on every open.
@dataclass(slots=True, unsafe_hash=True)
class IndexEntry:
    """What the thread list needs of one message, read from its headers, body left alone."""

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


def as_tuple(entry: IndexEntry) -> tuple:
    return (entry.number, entry.msgid, entry.in_reply_to, entry.references, entry.subject,
            entry.author_name, entry.author_email, entry.date, entry.broken)


def entry_from_headers(
    number: int, data: bytes | mmap.mmap, start: int, end: int, crlf: bool = True
) -> IndexEntry:
    """Read the six threading headers of one message, touching only its header block.

    This runs 50,000 times for a big archive, so it avoids copies (the regex reads the
    mapping in place) and per-header function calls; ``crlf=False`` skips looking for
    CRLF blank lines in files that have none.
    """
    if data[start : start + 5] == b"From ":
        newline = data.find(b"\n", start, end)
        start = end if newline < 0 else newline + 1
    hend = data.find(b"\n\n", start, end)
    if crlf:
        cr = data.find(b"\n\r\n", start, end if hend < 0 else hend)
        if cr >= 0:
            hend = cr
    hend = end if hend < 0 else hend + 1
    if data[start : start + 1] in (b"\n", b"\r"):
        hend = start  # a blank first line: no headers at all
    # _WANTED wants the newline before each header: in an mbox the From_ line ends with it;
    # a bare mail file starts without one, and only then is the block copied.
    if start and data[start - 1 : start] == b"\n":
        pairs = _WANTED.findall(data, start - 1, hend)
    else:
        pairs = _WANTED.findall(b"\n" + data[start:hend])
    found: dict[bytes, bytes] = {}
    for key, value in pairs:
        key = key.lower()
        if key not in found:
            found[key] = value
    if not found and ANY_HEADER.match(data[start:hend]) is None:
        return IndexEntry(number, synthetic_msgid(number), None, (), "", "", "", None,
                          broken="no mail headers")
    try:
        return _entry(number, found)
    except Exception as error:
        # Every header reader here takes any bytes, so this is a bug the fuzzing did not find:
        # logged with its traceback, the mail listed as broken by it, and loading goes on.
        log.error("mail %d: internal error while reading its headers", number, exc_info=True)
        return IndexEntry(number, synthetic_msgid(number), None, (), "", "", "", None,
                          broken=internal_problem("unreadable headers", error))


def _text(raw: bytes) -> str:
    """A header value as one line of text (folds joined)."""
    if b"\n" in raw:
        raw = _FOLD.sub(b" ", raw)
    try:
        return raw.decode().strip()
    except UnicodeDecodeError:
        return text_of(raw).strip()


def _msgid(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    raw = raw.strip()
    # The common case, "<id@host>" alone and ASCII, without a regex. Anything else goes the
    # way the full decoder goes (text_of, whitespace dropped), or a mail would be listed under
    # another id than it opens with: a Latin-1 byte, a CR or an ASCII separator inside the
    # brackets, a second ">" (all fuzzed; tests/fixtures/fuzz/msgid-*.mbox).
    if (raw[:1] == b"<" and raw[-1:] == b">" and raw.count(b"<") == 1
            and raw.count(b">") == 1 and raw.isascii()):
        text = raw.decode("ascii")
        # str.split, not bytes.split: the decoder reads the id as text, where the control
        # characters \x1c-\x1f are whitespace too (tests/fixtures/fuzz/msgid-separator.mbox).
        if len(text.split()) == 1:
            return text[1:-1] or None
    return first_msgid(_text(raw))


def _entry(number: int, found: dict[bytes, bytes]) -> IndexEntry:
    get = found.get
    author = get(b"from")
    name, email = parse_person(_text(author)) if author is not None else ("", "")
    subject = get(b"subject")
    refs = get(b"references")
    date = get(b"date")
    return IndexEntry(
        number,
        _msgid(get(b"message-id")) or synthetic_msgid(number),
        _msgid(get(b"in-reply-to")),
        all_msgids(refs.decode("utf-8", "replace")) if refs is not None else (),
        decode_words(_text(subject)) if subject is not None else "",
        name,
        email,
        # Dates are ASCII (latin-1 never fails on junk) and \s in the date regex spans folds.
        parse_date(date.decode("latin-1")) if date is not None else None,
    )
