"""One mail, decoded: the values the rest of the engine reasons about.

Headers needed to list and thread a mailbox live in :class:`viewer.core.mbox.IndexEntry` and are
read without decoding bodies; a :class:`Message` is built only when a body is shown or analysed.
"""

from __future__ import annotations

import binascii
import email
import html
import logging
import os
import quopri
import re
from dataclasses import dataclass, field
from email.message import Message as EmailMessage

from viewer.core.headers import (
    all_msgids,
    first_msgid,
    header_end,
    header_value,
    parse_date,
    parse_header_block,
    parse_people,
    parse_person,
    text_of,
    unfold,
)

log = logging.getLogger(__name__)

# mail-parser logs a warning for every part it does not "manage" (text/x-patch is one); with
# no handler configured those would land on stderr through logging's last resort
# (viewer.log_setup also quietens it below ERROR when a handler is configured).
logging.getLogger("mailparser").addHandler(logging.NullHandler())
# mail-parser itself is imported on the first body decoded: it costs ~50 ms of start-up that
# listing a mailbox never needs.

_PATCH_TYPES = frozenset(
    {"text/x-patch", "text/x-diff", "text/diff", "text/patch", "application/x-patch",
     "application/x-diff"}
)
_PATCH_SUFFIXES = (".patch", ".diff")
_TAG = re.compile(r"<[^>]*>")


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

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (any case), decoded; None when absent."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


def synthetic_msgid(number: int) -> str:
    """The id given to a mail that has none, stable for its position in the mailbox."""
    return f"hunkwise-{number}@invalid"


def strip_from_line(raw: bytes) -> bytes:
    """Drop a leading mbox ``From `` separator line, which is not a header."""
    if raw.startswith(b"From "):
        newline = raw.find(b"\n")
        return b"" if newline < 0 else raw[newline + 1 :]
    return raw


INTERNAL_ERROR = "internal error"
"""How a ``broken`` reason caused by a bug in Hunkwise starts (bad input never says this)."""


def internal_problem(what: str, error: BaseException) -> str:
    """The ``broken`` reason for a bug met while reading one mail: the mail is still listed,
    the reason says it is our fault (the traceback is in the log, logged by the caller)."""
    return f"{INTERNAL_ERROR}: {what} ({type(error).__name__}: {error}); please report it"


# Anything that makes the body bytes differ from the text: transfer encodings, MIME parts,
# format=flowed, a charset other than UTF-8/ASCII (checked on the unfolded header block).
# Matched on the lower-cased block: with re.I the alternation is tried at every byte.
_ENCODED = re.compile(
    rb"content-transfer-encoding:[ \t]*(?:quoted-printable|base64)|content-type:[ \t]*multipart"
    rb"|format=\"?flowed|charset=\"?(?!utf-?8|us-ascii)",
)
_FOLDS = re.compile(rb"\r?\n[ \t]+")


# A single-part mail whose body only a transfer encoding or a charset keeps from being its
# bytes: its parameters, read from the lower-cased, unfolded header block.
_SINGLE_TYPE = re.compile(rb"^content-type:[ \t]*([^;\s]*)", re.M)
_SINGLE_CTE = re.compile(rb"^content-transfer-encoding:[ \t]*([^;\s]*)", re.M)
# On the Content-Type line only: "iocharset=iso8859-1" in a subject is no charset.
_SINGLE_CHARSET = re.compile(rb"^content-type:[^\n]*?charset=\"?([^\";\s]+)", re.M)
_AS_IS = frozenset((b"", b"7bit", b"8bit", b"binary"))
_UNDONE = frozenset((b"base64", b"quoted-printable"))


def plain_body(raw: bytes) -> str | None:
    """The body of a plain 7/8-bit UTF-8 mail straight from its bytes; None when it is not one.

    Most list mail is plain text, and its body is the bytes after the headers: reading those
    skips the MIME decoder (~2 ms a mail, a minute over a 50,000-mail archive). Encoded,
    multipart, flowed or otherwise-charset mail returns None: decode it with
    :func:`decode_message`. CRLF mail too, so callers see the same text either way.
    """
    split = _head_and_body(raw)
    return _plain(*split) if split is not None else None


def _head_and_body(raw: bytes) -> tuple[bytes, bytes] | None:
    """The header block lower-cased and unfolded, and the body bytes; None for CRLF mail
    or a mail without a blank line after its headers."""
    raw = strip_from_line(raw)
    head, sep, rest = raw.partition(b"\n\n")
    if not sep or b"\r\n" in head[:2000]:
        return None
    return _FOLDS.sub(b" ", head).lower(), rest


def _plain(head: bytes, rest: bytes) -> str | None:
    if _ENCODED.search(head) or _text_encoding(head) not in _AS_IS:
        return None
    return rest.decode("utf-8", "replace")


def _text_encoding(head: bytes) -> bytes | None:
    """The transfer encoding of a plain-text mail, from its lower-cased header block (no
    Content-Type is text too); None for anything else. An HTML mail's bytes are markup, and
    an encoding we do not know (x-uuencode) is left to the full decoder."""
    kind = _SINGLE_TYPE.search(head)
    if kind is not None and kind.group(1) not in (b"text/plain", b""):
        return None
    found = _SINGLE_CTE.search(head)
    encoding = found.group(1) if found is not None else b""
    return encoding if encoding in _AS_IS or encoding in _UNDONE else None


def simple_body(raw: bytes) -> str | None:
    """:func:`plain_body`, and also the body of a single-part text mail in base64,
    quoted-printable or another charset, decoded without the MIME parser; None for anything
    else (multipart, format=flowed, HTML, an encoding that does not decode): decode that one
    with :func:`decode_message`.

    Counting trailers over a list archive reads every reply; the few in base64 or
    quoted-printable (Outlook, some webmails) cost the MIME parser ~2 ms each, most of a
    cold listing's time. They decode as :func:`decode_message` decodes a single text part.
    """
    split = _head_and_body(raw)
    if split is None:
        return None
    head, rest = split
    body = _plain(head, rest)
    if body is not None:
        return body
    if b"multipart" in head or b"flowed" in head:
        return None
    encoding = _text_encoding(head)
    if encoding is None:
        return None
    try:
        if encoding == b"base64":
            payload = binascii.a2b_base64(rest)
        elif encoding == b"quoted-printable":
            payload = quopri.decodestring(rest)
        else:
            payload = rest
    except (binascii.Error, ValueError):
        return None  # damaged: the full decoder says how, and keeps what it can
    charset = _SINGLE_CHARSET.search(head)
    name = charset.group(1).decode("ascii", "replace") if charset is not None else None
    return _decode_bytes(payload, name).replace("\r\n", "\n")


def decode_message(raw: bytes, *, number: int = 0) -> Message:
    """Decode one mail for reading; never raises, a bad mail comes back with ``broken`` set.

    Headers are read by the same code as the fast index, so a mail opens with exactly the
    Message-ID and subject it was listed with; mail-parser does the MIME work of the body.
    Bad input is a reason in ``broken`` (logged at INFO); an exception nobody foresaw is a bug:
    logged at ERROR with its traceback and named as an internal error in ``broken``, so one mail
    costs one mail and not the mailbox, yet the bug is not mistaken for a bad mail.
    """
    try:
        message = _decode(strip_from_line(raw), number)
    except Exception as error:
        log.error("mail %d: internal error while decoding", number, exc_info=True)
        return Message(
            msgid=synthetic_msgid(number),
            subject="",
            author=Person("", ""),
            date=None,
            in_reply_to=None,
            references=(),
            body=text_of(raw),
            broken=internal_problem("could not be decoded", error),
        )
    if message.broken:
        log.info("mail %d <%s> is broken: %s", number, message.msgid, message.broken)
    return message


def _decode(raw: bytes, number: int) -> Message:
    problems: list[str] = []
    end = header_end(raw)
    fields = parse_header_block(raw[:end])
    if not fields:
        problems.append("no mail headers")
        end = 0  # then the whole of it is body: nothing the sender wrote is hidden
    headers = tuple((name, header_value(value)) for name, value in fields)
    first: dict[str, str] = {}
    for name, value in fields:
        first.setdefault(name.lower(), unfold(text_of(value)))

    msgid = first_msgid(first.get("message-id", "")) or synthetic_msgid(number)
    references = all_msgids(first.get("references", ""))
    in_reply_to = first_msgid(first.get("in-reply-to", ""))
    name, email = parse_person(first.get("from", ""))
    to = tuple(Person(n, e) for n, e in parse_people(first.get("to", "")))
    cc = tuple(Person(n, e) for n, e in parse_people(first.get("cc", "")))

    from mailparser.exceptions import MailParserError

    try:
        body = _body(_mime_only(raw, fields, end), problems)
    except (MailParserError, RecursionError) as error:  # MIME nested beyond reason: bad input
        problems.append(f"body could not be decoded ({type(error).__name__}: {error})")
        body = text_of(raw[end:]).lstrip("\r\n")
    except Exception as error:  # a decoder bug costs this mail its body, not the mailbox
        log.error("mail %d <%s>: internal error while decoding the body", number, msgid,
                  exc_info=True)
        problems.append(internal_problem("body could not be decoded", error))
        body = text_of(raw[end:]).lstrip("\r\n")

    return Message(
        msgid=msgid,
        subject=header_value(fields_get(fields, "subject")),
        author=Person(name, email),
        date=parse_date(first.get("date", "")),
        in_reply_to=in_reply_to,
        references=references,
        body=body,
        to=to,
        cc=cc,
        broken="; ".join(problems) or None,
        headers=headers,
    )


# Headers that decide how a body decodes. mail-parser analyses every header it is given
# (Received chains, address lists) at ~5 ms a mail on real list traffic, none of which the body
# needs: those headers were already read above, so it is handed only these.
_MIME_HEADERS = frozenset(("content-type", "content-transfer-encoding", "mime-version"))


def _mime_only(raw: bytes, fields: list[tuple[str, bytes]], end: int) -> bytes:
    # NUL bytes out of the values: no charset or boundary holds one, and mail-parser hands a
    # charset with one to bytes.decode, whose ValueError it does not catch
    # (tests/fixtures/fuzz/charset-nul.mbox).
    head = b"".join(
        name.encode("ascii") + b": " + value.rstrip(b"\r\n").replace(b"\0", b"") + b"\n"
        for name, value in fields
        if name.lower() in _MIME_HEADERS
    )
    return head + b"\n" + raw[end:].lstrip(b"\r\n")


def _raised_in(error: BaseException, package: str) -> bool:
    """The exception was raised inside ``package``'s code (its traceback ends there)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and f"{os.sep}{package}{os.sep}" in tb.tb_frame.f_code.co_filename


def fields_get(fields: list[tuple[str, bytes]], name: str) -> bytes:
    for key, value in fields:
        if key.lower() == name:
            return value
    return b""


def _body(raw: bytes, problems: list[str]) -> str:
    import mailparser

    try:
        root = mailparser.parse_from_bytes(raw).message
    except (AttributeError, TypeError, ValueError, IndexError, KeyError) as error:
        if not _raised_in(error, "mailparser"):
            raise  # ours: an internal error, reported as one by the caller
        # mail-parser's own analysis (epilogue, defects) trips over some damaged MIME
        # (tests/fixtures/fuzz/mime-epilogue.mbox); the parts are read from the standard
        # library's tree, which is what mail-parser builds on.
        problems.append(f"mail-parser failed ({type(error).__name__}: {error}); "
                        "read with the standard library")
        root = email.message_from_bytes(raw)
    if root is None:
        problems.append("not a mail")
        return ""
    plain: list[str] = []
    patches: list[str] = []
    htmls: list[str] = []
    for part in root.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        filename = _filename(part)
        disposition = (part.get_content_disposition() or "").lower()
        if ctype in _PATCH_TYPES or filename.lower().endswith(_PATCH_SUFFIXES):
            patches.append(_part_text(part))
        elif disposition == "attachment" or (filename and ctype != "text/plain"):
            continue  # tarballs, signatures, images: not for a patch reader
        elif ctype == "text/plain":
            plain.append(_part_text(part))
        elif ctype == "text/html":
            htmls.append(_html_text(_part_text(part)))
    # Attachments follow the mail text, the way git am would see the patch inline.
    out: list[str] = []
    for piece in (plain or htmls) + patches:
        if not piece:
            continue
        if out and not out[-1].endswith("\n"):
            out.append("\n")
        out.append(piece)
    return "".join(out)


def _filename(part: EmailMessage) -> str:
    try:
        name = part.get_filename() or ""
    except (LookupError, UnicodeError, ValueError):  # RFC 2231 name in a charset nobody has
        return ""
    return header_value(name.encode("utf-8", "replace")) if isinstance(name, str) else ""


def _part_text(part: EmailMessage) -> str:
    """A leaf part as text: transfer encoding, charset and format=flowed undone."""
    try:
        payload = part.get_payload(decode=True)
    except (LookupError, UnicodeError, ValueError):  # a transfer encoding that does not decode
        payload = None
    if payload is None:
        body = part.get_payload()
        payload = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else b""
    charset = _charset(part)
    text = _decode_bytes(payload, charset)
    text = text.replace("\r\n", "\n")
    if (part.get_param("format") or "").lower() == "flowed":
        delsp = (part.get_param("delsp") or "").lower() == "yes"
        text = unflow(text, delsp=delsp)
    return text


def _charset(part: EmailMessage) -> str | None:
    try:
        charset = part.get_content_charset()
    except (LookupError, UnicodeError, ValueError):  # a charset parameter that is not text
        return None
    return charset


def _decode_bytes(payload: bytes, charset: str | None) -> str:
    """Bytes in a declared charset; a wrong or unknown declaration falls back to UTF-8/Latin-1.

    Undeclared 8-bit bodies are nearly always UTF-8 on kernel lists, so that is tried first.
    """
    for candidate in (charset, "utf-8"):
        if not candidate or candidate in ("unknown-8bit", "x-unknown"):
            continue
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeError, ValueError):
            continue
    return payload.decode("latin-1")


def unflow(text: str, *, delsp: bool = False) -> str:
    """Undo RFC 3676 format=flowed: a line ending in a space continues on the next one.

    Quoted lines only join lines of the same quote depth, and the signature separator
    ``-- `` is never joined (both per RFC 3676 section 4). The quote prefix of the first
    line of a paragraph is kept as sent, so quoted patch lines keep their exact columns.
    """
    out: list[str] = []
    pending: list[str] = []  # prefix, then content pieces of the paragraph being joined
    pending_depth = -1
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        prefix, content = line[:depth], line[depth:]
        if content.startswith(" "):  # space-stuffing (or the space after the quote marks)
            prefix, content = prefix + " ", content[1:]
        if pending and depth != pending_depth:
            out.append("".join(pending))
            pending = []
        soft = content.endswith(" ") and content != "-- "
        if soft and delsp:
            content = content[:-1]
        if not pending:
            pending, pending_depth = [prefix if depth else ""], depth
        pending.append(content)
        if not soft:
            out.append("".join(pending))
            pending = []
    if pending:
        out.append("".join(pending))
    return "\n".join(out)


def _html_text(markup: str) -> str:
    """A crude text view of an HTML-only mail; never used when a plain part exists."""
    markup = re.sub(r"(?is)<(script|style).*?</\1>", "", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", markup)
    return html.unescape(_TAG.sub("", markup))
