"""What kind of file this is: an mbox, a single mail, a fragment of one, or not mail at all.

Judged from the first bytes only (never the name alone: lore's ``t.mbox.gz`` and a ``.eml``
holding a whole mbox both exist), so a 1 GB archive is recognised without reading it. The
answer decides between opening the file and refusing it with :class:`NotAMailbox`, whose
message says what the file seems to be instead, in words a user understands.
"""

from __future__ import annotations

import mmap
import re
from pathlib import Path

from viewer.core.errors import NotAMailbox

GZIP_MAGIC = b"\x1f\x8b"

# A header line as mail has them: a name that starts with a letter. RFC 5322 allows any
# printable byte but the colon, which would take '{"From": 1}' (JSON) for a header.
_HEADER_START = re.compile(rb"[A-Za-z][A-Za-z0-9_.-]*[ \t]*:")
# Headers every real mail (or saved copy of one) carries at least one of. A file of
# "name:value" lines without any (/etc/passwd, a config file) is not mail.
_MAIL_HEADER = re.compile(
    rb"(?im)^(?:from|to|cc|subject|date|message-id|in-reply-to|references|received|"
    rb"return-path|mime-version|content-type|content-transfer-encoding|delivered-to|"
    rb"reply-to|sender|list-id|dkim-signature|x-mailer|user-agent)[ \t]*:"
)
# Marks of mail or patch text in a body whose headers were lost: quoted lines, diff lines,
# trailers, mbox separators (escaped or not), a signature, an attribution line.
_FRAGMENT_MARK = re.compile(
    rb"(?m)^(?:[ \t]*>|diff --git |--- |\+\+\+ |@@ -|[A-Za-z][A-Za-z-]*-by: |From |-- ?\r?$)"
    rb"|\bwrote:[ \t]*\r?$"
)
MAIL_NAME = re.compile(r"(?i)(\.(mbox|mboxrd|mboxo|eml|mail|msg|patch|diff)$|mbox)")
"""File names that say "this is mail": a headerless text file so named is shown, not refused."""

_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x7fELF", "a program (ELF binary)"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\xff\xfe", "UTF-16 text"),
    (b"\xfe\xff", "UTF-16 text"),
)


def first_content(data: bytes | mmap.mmap) -> int:
    """Skip blank lines some tools leave before the first separator."""
    i = 0
    n = min(len(data), 4096)
    while i < n and data[i : i + 1] in (b"\n", b"\r", b" ", b"\t"):
        i += 1
    return i if i < n else 0


def is_cr_only(head: bytes) -> bool:
    """Old Mac line ends: carriage returns and not a single line feed in the first bytes."""
    return b"\r" in head and b"\n" not in head


def looks_like_headers(head: bytes) -> bool:
    """An RFC 822 header block: ``Name: value`` first, a header mail has within, no NULs."""
    if b"\0" in head[:4096]:
        return False
    if _HEADER_START.match(head) is None:
        return False
    block_end = head.find(b"\n\n")
    block = head if block_end < 0 else head[: block_end + 1]
    return _MAIL_HEADER.search(block) is not None


def is_mboxrd(data: bytes | mmap.mmap) -> bool:
    # lore and public-inbox write "From mboxrd@z ..." separators; ">>From " can only come from
    # mboxrd quoting (mboxo never adds a second '>').
    return data[:12] == b"From mboxrd@" or data.find(b"\n>>From ") >= 0


def is_text(head: bytes) -> bool:
    """Readable text: no control bytes but tab, CR, LF and form feed; any 8-bit charset."""
    sample = head[:8192]
    return not any(b < 32 and b not in (9, 10, 12, 13) for b in sample)


def plausible_fragment(path: Path, head: bytes) -> bool:
    """A headerless file that is still mail: named so, text, with a mark of mail or a patch.

    git's mailsplit fragments and a body saved from a client lost their headers but quote,
    sign off or carry a diff; a one-byte file, JSON or a config file named ``x.mbox`` do not.
    """
    return (
        MAIL_NAME.search(path.name) is not None
        and is_text(head)
        and _FRAGMENT_MARK.search(head) is not None
    )


def refuse(path: Path, head: bytes) -> NotAMailbox:
    """The error for a file that is not mail, saying what it looks like where that is known."""
    return NotAMailbox(f"{path}: not a mailbox ({_what_it_is(head)})")


def _what_it_is(head: bytes) -> str:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"it looks like {what}"
    stripped = head.lstrip()
    if not stripped:
        return "only blank lines, no mail in it"
    if b"\0" in head[:4096] or not is_text(head):
        return "binary data"
    if len(head) < 64 and b"\n" not in stripped.rstrip():
        return f"only {len(head)} byte{'s' if len(head) != 1 else ''} of text, no mail headers"
    if stripped[:1] in (b"{", b"[") and stripped.rstrip()[-1:] in (b"}", b"]"):
        return "it looks like JSON"
    if stripped[:1] == b"<":
        return "it looks like HTML or XML"
    return "expected an mbox, mbox.gz, Maildir folder or a single mail"
