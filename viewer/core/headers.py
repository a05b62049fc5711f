"""Header values as the thread list needs them: unfolded, RFC 2047-decoded, ids, dates, people.

Shared by the fast index (:mod:`viewer.core.mbox`) and the full decoder
(:mod:`viewer.core.message`) so that a mail lists and opens with the very same Message-ID,
subject and date. Every function here takes hostile input (fuzzed mail) and never raises.
"""

from __future__ import annotations

import re
from email.header import decode_header
from email.utils import getaddresses, mktime_tz, parseaddr, parsedate_tz
from functools import lru_cache

_FOLD = re.compile(r"\r?\n[ \t]*")
_MSGID = re.compile(r"<([^<>]*)>")
_HEADER_LINE = re.compile(rb"^([!-9;-~]+)[ \t]*:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.M)
_WS = re.compile(r"\s+")


def text_of(value: bytes) -> str:
    """Bytes of a header as text.

    Headers should be ASCII, but raw UTF-8 is common (git send-email with 8-bit names) and
    Latin-1 turns up in old archives; latin-1 never fails, so nothing is ever lost.
    """
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        pass
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def unfold(value: str) -> str:
    """Join folded lines; the fold and the whitespace after it become one space."""
    if "\n" in value:
        value = _FOLD.sub(" ", value)
    return value.strip()


def decode_words(value: str) -> str:
    """Undo RFC 2047 encoded-words (``=?utf-8?q?...?=``); only pays when ``=?`` is present."""
    if "=?" not in value:
        return value
    return _decode_words_slow(value)


@lru_cache(maxsize=4096)
def _decode_words_slow(value: str) -> str:
    try:
        parts = decode_header(value)
    except Exception:  # broken base64 in an encoded word, bad charset names, ...
        return value
    out = []
    for data, charset in parts:
        if isinstance(data, str):
            out.append(data)
            continue
        if charset is None or charset == "unknown-8bit":
            # decode_header hands back the unencoded runs as raw-unicode-escape bytes
            try:
                out.append(data.decode("raw-unicode-escape"))
            except UnicodeDecodeError:
                out.append(data.decode("latin-1"))
            continue
        try:
            out.append(data.decode(charset, "replace"))
        except Exception:  # unknown charset (or a codec choking on NUL): UTF-8 is the best guess
            out.append(data.decode("utf-8", "replace"))
    text = "".join(out)
    # Lone surrogates (from exotic codecs) break every UTF-8 sink downstream.
    return text.encode("utf-8", "replace").decode("utf-8")


def header_value(raw: bytes) -> str:
    """A raw header value (bytes after the colon, folds included) as display text."""
    return decode_words(unfold(text_of(raw)))


def parse_header_block(block: bytes) -> list[tuple[str, bytes]]:
    """Every ``Name: value`` of a header block in order, values still raw (folded bytes).

    Lines that are neither a header nor a continuation (junk some mailers emit) are skipped.
    """
    return [(m.group(1).decode("ascii"), m.group(2)) for m in _HEADER_LINE.finditer(block)]


def header_end(data: bytes | memoryview, start: int = 0, end: int | None = None) -> int:
    """Offset of the blank line ending the header block at ``start`` (``end`` when none).

    Tolerates CRLF: ``\\n\\r\\n`` ends a block as well as ``\\n\\n``.
    """
    if end is None:
        end = len(data)
    if data[start : start + 1] == b"\n" or data[start : start + 2] == b"\r\n":
        return start  # no headers at all
    lf = data.find(b"\n\n", start, end)
    # Look for the CRLF form only before the LF one: in an LF file it never occurs, and an
    # unbounded search would read the whole body.
    crlf = data.find(b"\n\r\n", start, end if lf < 0 else lf)
    if crlf >= 0:
        return crlf + 1
    return end if lf < 0 else lf + 1


def first_msgid(value: str) -> str | None:
    """The id in a Message-ID or In-Reply-To header, without brackets.

    Takes the first ``<...>``; a bare id (no brackets, seen from broken mailers) is taken as is.
    """
    m = _MSGID.search(value)
    if m:
        ident = _WS.sub("", m.group(1))
        return ident or None
    bare = value.strip().split()
    return bare[0] if bare and "@" in bare[0] else None


def all_msgids(value: str) -> tuple[str, ...]:
    """Every ``<...>`` id of a References header, in order, duplicates dropped."""
    seen: dict[str, None] = {}
    for ident in _MSGID.findall(value):
        if " " in ident or "\t" in ident:  # a fold inside an id (Outlook does it)
            ident = "".join(ident.split())
        if ident:
            seen.setdefault(ident, None)
    return tuple(seen)


@lru_cache(maxsize=65536)
def parse_date(value: str) -> float | None:
    """Seconds since the epoch (UTC) of a Date header, or None for nonsense.

    Cached: list archives repeat the same few thousand date strings (and the cache makes
    the index cheap). Fuzzed dates (year 99999, offsets of days, garbage) return None.
    """
    if not value or len(value) > 200:
        return None
    try:
        parts = parsedate_tz(value)
        if parts is None:
            return None
        if parts[9] is not None and abs(parts[9]) > 86400:
            # An offset beyond a day is a broken clock or fuzzing; the wall time is still the
            # best information there is, so read it as UTC.
            parts = (*parts[:9], 0)
        seconds = float(mktime_tz(parts))
    except (ValueError, OverflowError, OSError, TypeError, IndexError):
        return None
    # Dates far outside the e-mail era are fuzzing or a broken clock, not information.
    if not -2208988800.0 <= seconds <= 32503680000.0:  # 1900 .. 3000
        return None
    return seconds


@lru_cache(maxsize=16384)
def parse_person(value: str) -> tuple[str, str]:
    """(display name, lower-cased address) of a From-style header value (raw, undecoded).

    The name is decoded after splitting so an encoded comma or ``<`` in a name cannot break
    the split.
    """
    try:
        name, addr = parseaddr(value)
    except Exception:
        name, addr = "", ""
    if not addr and not name:
        # Unparseable: show what was there rather than nothing.
        return decode_words(value.strip()), ""
    name = decode_words(name).strip().strip('"').strip()
    return name, addr.strip().lower()


def parse_people(value: str) -> list[tuple[str, str]]:
    """Every (name, address) of a To/Cc header value (raw, undecoded)."""
    try:
        pairs = getaddresses([value])
    except Exception:
        return []
    people = []
    for name, addr in pairs:
        if not name and not addr:
            continue
        people.append((decode_words(name).strip().strip('"').strip(), addr.strip().lower()))
    return people
