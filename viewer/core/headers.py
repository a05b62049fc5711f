"""Header values as the thread list needs them: unfolded, RFC 2047-decoded, ids, dates, people.

Shared by the fast index (:mod:`viewer.core.mbox`) and the full decoder
(:mod:`viewer.core.message`) so that a mail lists and opens with the very same Message-ID,
subject and date. Every function here takes hostile input (fuzzed mail) and never raises.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
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
    if data[start : start + 1] in (b"\n", b"\r"):
        # No headers at all. A first line of bare CRs too, as the index reads it
        # (viewer.core.index_entry), or the mail would open under another id than it is
        # listed with (tests/fixtures/fuzz/leading-carriage-returns.mbox).
        return start
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


# The form nearly every mailer writes: "Tue, 4 Jun 2024 10:15:00 +0200 (CEST)".
_DATE = re.compile(
    r"\s*(?:[A-Za-z]{3},?\s*)?(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\s+(\d{4})\s+"
    r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([+-])(\d\d)(\d\d)|(?:UT|UTC|GMT|Z)\b|$)"
)
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_EARLIEST, _LATEST = -2208988800.0, 32503680000.0  # 1900 .. 3000


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_date(value: str) -> float | None:
    """Seconds since the epoch (UTC) of a Date header, or None for nonsense.

    The common RFC 5322 form is read by one regex and integer arithmetic, which is five
    times faster than email.utils and matters when indexing 50,000 mails; anything else
    goes through email.utils. Fuzzed dates (year 99999, garbage) return None.
    """
    m = _DATE.match(value)
    if m is not None:
        day, mon, year, hour, minute, sec, sign, zh, zm = m.groups()
        month = _MONTHS.get(mon.lower())
        d, h, mi, se = int(day), int(hour), int(minute), int(sec or 0)
        if month and 1 <= d <= 31 and h < 24 and mi < 60 and se <= 60:
            seconds = _days_from_civil(int(year), month, d) * 86400 + h * 3600 + mi * 60 + se
            if sign is not None:
                offset = int(zh) * 3600 + int(zm) * 60
                if offset <= 86400:  # beyond a day is a broken clock: keep the wall time
                    seconds += -offset if sign == "+" else offset
            seconds = float(seconds)
            return seconds if _EARLIEST <= seconds <= _LATEST else None
    return _parse_date_slow(value)


@lru_cache(maxsize=4096)
def _parse_date_slow(value: str) -> float | None:
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
    if not _EARLIEST <= seconds <= _LATEST:
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
    if "@" not in addr:
        # "Hawkins, Nick <nick@x>" unquoted (Outlook's "Last, First" sent raw): parseaddr
        # reads the comma as a list separator and keeps "Hawkins" as the address.
        angle = _NAME_ANGLE.match(value)
        if angle is not None:
            name, addr = angle.group(1), angle.group(2)
    if not addr and not name:
        # Unparseable: show what was there rather than nothing.
        return decode_words(value.strip()), ""
    name = decode_words(name).strip().strip('"').strip()
    return name, addr.strip().lower()


_NAME_ANGLE = re.compile(r"^\s*(.*?)\s*<([^<>@\s]+@[^<>\s]+)>\s*$", re.DOTALL)


def parse_people(value: str) -> list[tuple[str, str]]:
    """Every (name, address) of a To/Cc header value (raw, undecoded)."""
    return list(_people(value))


# Remembered: the replies of a thread mostly repeat one Cc list, and the stdlib's address
# parser is a third of decoding such a mail (email._parseaddr works a character at a time).
@lru_cache(maxsize=4096)
def _people(value: str) -> tuple[tuple[str, str], ...]:
    try:
        pairs = getaddresses([value])
    except Exception:
        return ()
    people: list[tuple[str, str]] = []
    pending = ""  # "Hawkins" of an unquoted "Hawkins, Nick <nick@x>": no address, a name part
    for name, addr in pairs:
        if not name and not addr:
            continue
        name = decode_words(name).strip().strip('"').strip()
        if not name and "@" not in addr:
            pending = f"{pending}, {addr}" if pending else addr
            continue
        if pending:
            name = f"{pending}, {name}" if name else pending
            pending = ""
        people.append((name, addr.strip().lower()))
    if pending:
        people.append((pending, ""))  # what was there, rather than nothing
    return tuple(people)


def iso_date(epoch: float | None) -> str | None:
    """An epoch as ISO 8601 UTC for the JSON reports; None when absent or out of range
    (a fuzzed Date header can parse to a year no datetime holds)."""
    if epoch is None:
        return None
    try:
        return datetime.fromtimestamp(epoch, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None
