"""Reviewed-by & co.: parsed from commit messages and collected from follow-up replies.

Collection follows what ``b4 am`` does, so the counters a reviewer sees agree with what the
maintainer will apply (checked against b4's own expected outputs in the corpus tests):

* only a reply's own lines count: quoted ``>`` lines, indented lines (someone showing the
  trailer block they would like, b4's "already-present" sample) and everything after the
  signature marker are skipped;
* a person trailer (``*-by``, Cc) must carry an address and be given by that person: its
  address or its name must match the reply's sender, otherwise it is set aside as a mismatch
  (b4 drops it too; we keep it visible, marked, so the reader can judge);
* a reply anywhere under a patch counts for that patch; a reply under the cover letter
  counts for every patch of the series, after the patch's own follow-ups;
* a partial re-roll (a revision posted inside the previous one's thread, with patches
  missing and no cover of its own) takes the cover-letter trailers of that earlier cover.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from viewer.core.message import Message
from viewer.core.series import is_posting
from viewer.core.subject import parse_subject
from viewer.core.threader import ThreadNode


@dataclass(frozen=True, slots=True)
class Trailer:
    name: str
    """Canonical spelling: "Reviewed-by", "Acked-by", "Tested-by", "Signed-off-by", …"""
    value: str
    """As written after the colon, e.g. "Jane Doe <jane@example.org>"."""
    source_msgid: str | None = None
    """The follow-up reply it came from; None when it was in the patch itself."""
    mismatched: bool = False
    """Given in a reply from someone else than the person it names (b4 ignores these)."""

    @property
    def letter(self) -> str | None:
        """A/R/T for the thread list's counters, None for other trailers."""
        return _LETTERS.get(self.name)

    @property
    def is_person(self) -> bool:
        """Names a person (Reviewed-by, Cc, …) rather than a commit or a URL (Fixes, Link)."""
        return self.name.endswith("-by") or self.name == "Cc"

    @property
    def email(self) -> str | None:
        """The address in the value, lower-cased; None when there is none."""
        match = _ADDRESS.search(self.value)
        return match.group(1).lower() if match else None

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


_CANONICAL = {
    name.lower(): name
    for name in (
        "Signed-off-by",
        "Reviewed-by",
        "Acked-by",
        "Tested-by",
        "Reported-by",
        "Suggested-by",
        "Co-developed-by",
        "Reported-and-tested-by",
        "Requested-by",
        "Debugged-by",
        "Bisected-by",
        "Originally-by",
        "Helped-by",
        "Nacked-by",
        "Fixes",
        "Link",
        "Closes",
        "Cc",
        "BugLink",
        "Change-Id",
        "Message-ID",
    )
}
# Non-person trailers accepted in a follow-up: things a reviewer adds to the commit message.
_FOLLOWUP_OTHER = {"Fixes", "Link", "Closes", "BugLink"}

_LETTERS = {"Acked-by": "A", "Reviewed-by": "R", "Tested-by": "T"}
_LINE = re.compile(r"([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)[ \t]*:[ \t]*(\S.*?)\s*$")
_ADDRESS = re.compile(r"([^\s<>@\"(),;:\[\]]+@[^\s<>@\"(),;:\[\]]+)")
# Outlook and some webmails append the link they made of an address: "<a@b.org<mailto:a@b.org>>".
_MAILTO_JUNK = re.compile(r"<mailto:[^<>]*>", re.I)


def canonical_name(name: str) -> str:
    """ "reviewed-BY" → "Reviewed-by"; an unknown "Foo-Bar-by" → "Foo-bar-by"."""
    known = _CANONICAL.get(name.lower())
    if known:
        return known
    if name.lower().endswith("-by"):
        return name[:1].upper() + name[1:].lower()
    return name


def _clean_value(value: str) -> str:
    value = _MAILTO_JUNK.sub("", value)
    return " ".join(value.split())


def parse_trailers(lines: Iterable[str]) -> list[Trailer]:
    """Trailers of a commit message's trailer block, in order, spellings made canonical.

    Continuation lines (indented) extend the previous value, as git interpret-trailers
    reads them; "[ maintainer: edited ]" notes and other free text are skipped.
    """
    found: list[Trailer] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if line[:1] in (" ", "\t"):
            if found:
                last = found[-1]
                found[-1] = Trailer(last.name, f"{last.value} {line.strip()}", last.source_msgid)
            continue
        match = _LINE.match(line)
        if match is None or match.group(2).startswith("//"):
            continue  # a URL on a line of its own, not a trailer
        found.append(Trailer(canonical_name(match.group(1)), _clean_value(match.group(2))))
    return found


def _unclosed(value: str) -> bool:
    """A value that opened a parenthesis or a quote and did not close it."""
    return value.count("(") > value.count(")") or value.count('"') % 2 == 1


def followup_trailers(body: str, *, source_msgid: str | None = None) -> list[Trailer]:
    """Trailers a reply gives in its own text (not quoted, not indented, above the signature).

    Only known trailer names and any "Something-by" count, and person trailers need an
    address: "Tested-by: nobody yet" in a sentence is not a tag.
    """
    found: list[Trailer] = []
    lines = body.splitlines()
    for number, raw in enumerate(lines):
        if raw.rstrip() in ("--", "-- "):
            break  # signature: "-- " by the rules, "--" by habit (b4 samples do both)
        if not raw or raw[0] in "> \t|" or ":" not in raw:  # the test in C spares the regex
            continue
        match = _LINE.match(raw)
        if match is None:
            continue
        value = match.group(2)
        if _unclosed(value) and number + 1 < len(lines) and lines[number + 1].strip():
            # A Fixes: line wrapped by the reviewer's mail client mid-title: the next line
            # closes the quote or parenthesis and belongs to the tag.
            following = lines[number + 1]
            if not _LINE.match(following) and following[:1] not in (">", "|"):
                value = f"{value} {following.strip()}"
        name = canonical_name(match.group(1))
        if not (name.endswith("-by") or name == "Cc" or name in _FOLLOWUP_OTHER):
            continue
        trailer = Trailer(name, _clean_value(value), source_msgid)
        if trailer.is_person and trailer.email is None:
            continue
        found.append(trailer)
    return found


def person_trailer_line(line: str) -> Trailer | None:
    """The person trailer ("Reviewed-by: Jane <jane@example.org>") a line of a reply's own
    text gives, by the rules followup_trailers collects with; None for any other line. Used to
    take the tag out of the comment it was written in, so it shows as a tag, not a remark."""
    if not line or line[0] in "> \t|":
        return None
    match = _LINE.match(line)
    if match is None:
        return None
    name = canonical_name(match.group(1))
    if not name.endswith("-by"):
        return None
    trailer = Trailer(name, _clean_value(match.group(2)))
    return trailer if trailer.email is not None else None


def given_by_sender(trailer: Trailer, message: Message) -> bool:
    """Whether a person trailer names the reply's sender (always true for Link, Fixes, …).

    By address first, then by name: people often reply from another address than the one
    they want in the tag. A "Last, First" sender matches when every part is in the name.
    """
    return given_by(trailer, message.author.name, message.author.email)


def given_by(trailer: Trailer, sender_name: str, sender_email: str) -> bool:
    """:func:`given_by_sender` for a sender known by name and address (from the index)."""
    if not trailer.is_person:
        return True
    sender = sender_email.lower()
    if trailer.email and trailer.email == sender:
        return True
    name = trailer.value.split("<", 1)[0].strip().strip('"').lower()
    sender_name = sender_name.strip().strip('"').lower()
    if not name or not sender_name:
        return False
    if name == sender_name:
        return True
    if "," in sender_name:
        return all(part.strip() and part.strip() in name for part in sender_name.split(","))
    return False


def merge_trailers(own: Sequence[Trailer], followups: Iterable[Trailer]) -> list[Trailer]:
    """The patch's own trailers, then each follow-up one not already there (b4's order).

    Equal means same name and same value ignoring case, as b4 compares them; mismatched
    follow-ups are left out, as b4 leaves them out of what it applies.
    """
    merged = list(own)
    seen = {(t.name.lower(), t.value.lower()) for t in own}
    for trailer in followups:
        key = (trailer.name.lower(), trailer.value.lower())
        if trailer.mismatched or key in seen:
            continue
        seen.add(key)
        merged.append(trailer)
    return merged


def count_letters(trailers: Iterable[Trailer]) -> dict[str, int]:
    """{"A": acks, "R": reviews, "T": tests} for the thread list; mismatched ones not counted."""
    counts = {"A": 0, "R": 0, "T": 0}
    for trailer in trailers:
        letter = trailer.letter
        if letter and not trailer.mismatched:
            counts[letter] += 1
    return counts


class ThreadSource(Protocol):
    """What collection needs of an opened mailbox (the Archive provides it)."""

    def node(self, msgid: str) -> ThreadNode: ...

    def message(self, msgid: str) -> Message: ...


def _replies_under(node: ThreadNode) -> list[ThreadNode]:
    """Every real reply below node, not descending into other patches or covers."""
    found: list[ThreadNode] = []
    stack = list(reversed(node.children))
    while stack:
        child = stack.pop()
        if is_posting(child):
            continue
        if child.entry is not None:
            found.append(child)
        stack.extend(reversed(child.children))
    found.sort(key=lambda n: (n.entry.date if n.entry.date is not None else 0.0, n.entry.number))
    return found


def trailers_in_reply(message: Message) -> list[Trailer]:
    """The trailers one follow-up gives, those not written by its sender marked mismatched."""
    return trailers_given(message.body, message.msgid, message.author.name,
                          message.author.email)


def trailers_given(body: str, msgid: str, sender_name: str, sender_email: str) -> list[Trailer]:
    """:func:`trailers_in_reply` from a body and a sender, however they were read."""
    given: list[Trailer] = []
    for trailer in followup_trailers(body, source_msgid=msgid):
        if not given_by(trailer, sender_name, sender_email):
            trailer = Trailer(trailer.name, trailer.value, trailer.source_msgid, True)
        given.append(trailer)
    return given


def _from_replies(source: ThreadSource, replies: list[ThreadNode]) -> list[Trailer]:
    # A source may answer from a cache (the Archive does, skipping mails that cannot hold a
    # trailer without decoding them): counting A/R/T over a whole archive visits every reply.
    cached: Callable[[str], list[Trailer]] | None = getattr(source, "trailers_in_reply", None)
    collected: list[Trailer] = []
    for reply in replies:
        if cached is not None:
            collected.extend(cached(reply.msgid))
        else:
            collected.extend(trailers_in_reply(source.message(reply.msgid)))
    return collected


def cover_for(source: ThreadSource, patch_msgid: str) -> str | None:
    """The cover letter whose follow-up trailers apply to this patch, if any.

    The series' own cover; for a partial re-roll without one (patches missing, posted in an
    earlier revision's thread), the nearest cover letter above it by the same author.
    """
    series_of: Callable | None = getattr(source, "series_of", None)
    series = series_of(patch_msgid) if series_of is not None else None
    if series is not None and series.cover:
        return series.cover
    if series is not None and not series.missing:
        return None
    node = source.node(patch_msgid)
    if node.entry is None:
        return None
    author = node.entry.author_email.lower()
    ancestor = node.parent
    while ancestor is not None:
        entry = ancestor.entry
        if entry is not None:
            info = parse_subject(entry.subject)
            if info.is_cover and not info.is_reply:
                same = entry.author_email.lower() == author or (
                    entry.author_name.lower() == node.entry.author_name.lower()
                )
                return ancestor.msgid if same else None
        ancestor = ancestor.parent
    return None


def collect_followup_trailers(
    source: ThreadSource, patch_msgid: str, *, include_mismatched: bool = False,
    cover_memo: dict[str, list[Trailer]] | None = None,
) -> list[Trailer]:
    """Trailers given in replies to a patch (any depth), then those given to its cover letter.

    Duplicates are removed (the first giving wins), so the list reads as the reviews this
    patch received. Mismatched ones (b4 ignores them) only with ``include_mismatched``,
    marked ``mismatched=True``.
    """
    node = source.node(patch_msgid)
    collected = _from_replies(source, _replies_under(node))
    cover = cover_for(source, patch_msgid)
    if cover is not None and cover != patch_msgid:
        # The same for every patch of the series: a caller listing them all passes a memo,
        # or a 30-patch series walks its cover's whole thread 30 times.
        given = cover_memo.get(cover) if cover_memo is not None else None
        if given is None:
            given = _from_replies(source, _replies_under(source.node(cover)))
            if cover_memo is not None:
                cover_memo[cover] = given
        collected += given
    unique: list[Trailer] = []
    seen: set[tuple[str, str]] = set()
    for trailer in collected:
        key = (trailer.name.lower(), trailer.value.lower())
        if key not in seen and (include_mismatched or not trailer.mismatched):
            seen.add(key)
            unique.append(trailer)
    return unique


def series_trailer_counts(source: ThreadSource, patch_msgids: Iterable[str]) -> dict[str, int]:
    """A/R/T over a whole series: each patch's follow-ups summed (cover ones count per patch,
    as they apply to each)."""
    total = {"A": 0, "R": 0, "T": 0}
    for msgid in patch_msgids:
        for letter, count in count_letters(collect_followup_trailers(source, msgid)).items():
            total[letter] += count
    return total
