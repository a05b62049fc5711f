"""A reply split into the replier's own text and quoted regions, by quote depth.

Reply mail is written by hand and by many clients, so everything here is a convention that is
only usually kept: quote markers come as ``>``, ``> >``, ``>>`` or ``>  >``; the line that says who
is quoted ("On Mon, … X wrote:") may be localised or wrapped over two lines; snips are marked with
``[...]``, ``[..]``, ``...``, ``<snip>`` or ``[ ... ]``, quoted or not; signatures start at ``-- ``.
None of these lines is the replier's comment, so they are set aside here and the anchoring only
sees own text, quotes and snips.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

SegmentKind = Literal["own", "quote", "snip"]


@dataclass(frozen=True, slots=True)
class ReplyLine:
    depth: int
    """Number of quote markers: 0 for the replier's own text."""
    text: str
    """The line without its quote markers (and without the one space after them)."""
    lineno: int
    """0-based line number in the body, for pointing back at the mail."""


@dataclass(slots=True)
class Segment:
    kind: SegmentKind
    depth: int
    """0 for own text; for a snip, the depth it was written at."""
    lines: list[ReplyLine] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def is_blank(self) -> bool:
        return not any(line.text.strip() for line in self.lines)


@dataclass(slots=True)
class SplitReply:
    segments: list[Segment]
    """Own text, quotes and snips in mail order; trailing quotes with nothing under them and
    the signature are already gone."""
    attributions: list[ReplyLine] = field(default_factory=list)
    """"On …, X wrote:" lines set aside (at any depth)."""
    signature: list[str] = field(default_factory=list)
    """The replier's signature and list footers, set aside."""


# ">" markers, possibly spaced ("> >", ">  >"), possibly indented by a space or two.
_QUOTE = re.compile(r"^[ \t]{0,2}(>(?:[ \t]{0,2}>)*) ?")

# Attribution lines. Kept strict (a whole line, ending in the verb and a colon) so prose that
# merely mentions someone's words is never dropped.
_ATTRIBUTION = re.compile(
    r"""(
        \b(wrote|writes|said|a\ écrit|a\ ecrit|schrieb|escribió|escribio|ha\ scritto|schreef|
           napisał\(a\)|napisał|napisal|kirjoitti|skrev|scrisse|írta|escreveu|написал\(а\)|
           написал|napsal\(a\)|napsal|yazdı)\s*:?
        |寫道|写道|のメール|님이\ 작성
    )\s*[:：]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_ATTRIBUTION_START = re.compile(
    r"^(On|Le|Am|El|Il|Op|Em|W\ dniu|Dne|Den|Pe|Quoting|Citando|Zitat\ von|\*)\b", re.VERBOSE
)
# German and friends put the verb before the name: "Am 01.02.2021 um 10:00 schrieb Jane Doe:".
_ATTRIBUTION_MID = re.compile(
    r"^(Am|El|Il|Op|Em|Le|Den|Dne)\b.*\b(schrieb|escribió|ha scritto|schreef|escreveu|"
    r"a écrit|skrev|napsal)\b.*:\s*$"
)
_QUOTING = re.compile(r"^(Quoting|Citando|Zitat von|Excerpts from)\b.*:\s*$")
# mutt's "* Jane Doe <jane@example.org> [2021-01-01 10:00:00 +0100]:"
_MUTT = re.compile(r"^\* .+ \[[0-9][^\]]*\]:\s*$")
_OUTLOOK = re.compile(r"^-{3,}\s*Original Message\s*-{3,}\s*$", re.IGNORECASE)

_SNIP = re.compile(
    r"""^\s*(
        \[\s*(\.{2,}|…|(\.{2,}\s*)?(snip(ped)?|cut|trimmed)(\s*\.{2,})?)\s*\]  # [..snip..]
        |<\s*(\.{2,}|(\.{2,}\s*)?(snip(ped)?|cut)(\s*\.{2,})?)\s*>
        |\(\s*(\.{2,}|…)\s*\)
        |\.{3,}|…
        |-*\s*(8<|>8)\s*-*.*
        |\(?snip(ped)?\)?
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_GLUED = re.compile(r"^(\S.*\bwrote:)\s*(>.*)$")
# "Best regards, -- " / "Jane Doe": a closing with the signature separator glued to it.
_GLUED_SIGNATURE = re.compile(r"^(\S.{0,40},)\s+--\s*$")
_FOOTER = re.compile(r"^_{20,}\s*$")


def quote_depth(line: str) -> tuple[int, str]:
    """Depth and text of one line: ``"> > +foo"`` → ``(2, "+foo")``."""
    match = _QUOTE.match(line)
    if not match:
        return 0, line
    return match.group(1).count(">"), line[match.end() :]


def is_snip(text: str) -> bool:
    return bool(_SNIP.match(text))


def is_attribution(text: str, following: str | None = None) -> bool:
    """An "X wrote:" line; ``following`` is the next line, for the two-line wrapped form."""
    stripped = text.strip()
    if not stripped or len(stripped) > 300:
        return False
    if _QUOTING.match(stripped) or _MUTT.match(stripped) or _OUTLOOK.match(stripped):
        return True
    if _ATTRIBUTION_MID.match(stripped):
        return True
    return bool(_ATTRIBUTION.search(stripped)) and (
        bool(_ATTRIBUTION_START.match(stripped)) or len(stripped) < 120
    )


def _signature_start(lines: list[tuple[int, str]]) -> int | None:
    """Index of the replier's "-- " line (or a list footer), when what follows is short enough
    to be a signature rather than a separator the replier drew mid-mail."""
    for i, (depth, text) in enumerate(lines):
        if depth:
            continue
        if text.rstrip() == "--" or _FOOTER.match(text):
            rest = [t for d, t in lines[i + 1 :] if d == 0 and t.strip()]
            if len(rest) <= 15:
                return i
    return None


def split_reply(body: str) -> SplitReply:
    """Split a reply body into own text, quotes and snips (see the module docstring)."""
    raw = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    marked: list[tuple[int, str]] = []
    origin: list[int] = []  # body line number of each marked line
    for number, line in enumerate(raw):
        glued = _GLUED.match(line)
        if glued:
            # "On …, X wrote:>>> +foo": a client lost the line break after the attribution.
            marked.append((0, glued.group(1)))
            origin.append(number)
            line = glued.group(2)
        sig = _GLUED_SIGNATURE.match(line)
        if sig:
            marked.append((0, sig.group(1)))
            origin.append(number)
            line = "-- "
        marked.append(quote_depth(line))
        origin.append(number)
    result = SplitReply(segments=[])
    marked = _quote_top_posted(marked)

    cut = _signature_start(marked)
    if cut is not None:
        result.signature = [text for _, text in marked[cut:]]
        marked = marked[:cut]

    dropped = _attribution_lines(marked)
    in_prose = _dots_in_own_text(marked, dropped)
    segments: list[Segment] = []
    for index, (depth, text) in enumerate(marked):
        line = ReplyLine(depth, text, origin[index])
        if index in dropped:
            result.attributions.append(line)
            continue
        if is_snip(text) and index not in in_prose:
            kind: SegmentKind = "snip"
        elif depth == 0:
            kind = "own"
        else:
            kind = "quote"
        last = segments[-1] if segments else None
        if last is not None and last.kind == kind and (kind == "own" or last.depth == depth):
            last.lines.append(line)
        elif (
            kind == "own"
            and not text.strip()
            and last is not None
            and last.kind == "quote"
        ):
            # An empty unquoted line inside a quote (clients that drop ">" on blank lines)
            # belongs to whatever comes next; keep it as own text, which is harmless when blank.
            segments.append(Segment("own", 0, [line]))
        else:
            segments.append(Segment(kind, depth, [line]))

    # Quotes after the last own words answer nothing: the rest of the patch left in by habit.
    last_own = max(
        (i for i, seg in enumerate(segments) if seg.kind == "own" and not seg.is_blank),
        default=-1,
    )
    result.segments = segments[: last_own + 1]
    return result


def _attribution_lines(marked: list[tuple[int, str]]) -> set[int]:
    """Line numbers of attribution lines: an "X wrote:" line followed (past blank lines) by a
    deeper quote, plus the first half of the two-line form ("On Mon, … Jane Doe" /
    "<jane@example.org> wrote:") that clients produce by wrapping."""
    found: set[int] = set()
    count = len(marked)
    for i, (depth, text) in enumerate(marked):
        if not text.strip():
            continue
        j = i + 1
        # "Jane writes:" / "..." / "> > +foo": a snip may stand between the two.
        while j < count and (not marked[j][1].strip() or is_snip(marked[j][1])):
            j += 1
        deeper_follows = j < count and marked[j][0] > depth
        if _OUTLOOK.match(text.strip()) or _outlook_header_at(marked, i):
            # The separator (or a bare "From:" line) and the header block under it, up to
            # its blank line: From, Sent, To, a Cc list wrapped over several lines, Subject.
            k = i
            while k < count and k < i + 25 and (k == i or marked[k][1].strip()):
                found.add(k)
                k += 1
            if i and _FOOTER.match(marked[i - 1][1]):
                found.add(i - 1)
            continue
        if not deeper_follows and j < count:
            continue
        if is_attribution(text):
            found.add(i)
            prev = i - 1
            if (
                prev >= 0
                and marked[prev][0] == depth
                and marked[prev][1].strip()
                and _ATTRIBUTION_START.match(marked[prev][1].strip())
                and not is_attribution(marked[prev][1])
            ):
                found.add(prev)
    return found


_HEADER_FROM = re.compile(r"^From:\s*\S")
# "Sent:" is Outlook's word; "From:/Date:" would also be a patch pasted into a comment.
_HEADER_NEXT = re.compile(r"^Sent:\s*\S")


def _outlook_header_at(marked: list[tuple[int, str]], i: int) -> bool:
    """Whether line i starts a mail header block pasted by Outlook ("From: …" / "Sent: …")
    without the "-----Original Message-----" line above it."""
    return (
        bool(_HEADER_FROM.match(marked[i][1].strip()))
        and i + 1 < len(marked)
        and marked[i + 1][0] == marked[i][0]
        and bool(_HEADER_NEXT.match(marked[i + 1][1].strip()))
    )


def _quote_top_posted(marked: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Outlook-style top posting: own words, then "-----Original Message-----" (or a pasted
    "From:/Sent:" header) and the whole original mail WITHOUT quote markers. Everything from
    the separator down is quoted text, one level deeper than written; only the words above
    it are the replier's. The separator line itself stays, to be set aside as attribution."""
    for i, (depth, text) in enumerate(marked):
        if depth:
            continue
        if _OUTLOOK.match(text.strip()) or _outlook_header_at(marked, i):
            if not any(d == 0 and t.strip() for d, t in marked[:i]):
                return marked  # nothing written above it: not top posting
            # A bare header goes down with the mail, where it is set aside as attribution.
            start = i + 1 if _OUTLOOK.match(text.strip()) else i
            return marked[:start] + [(d + 1, t) for d, t in marked[start:]]
    return marked


def _dots_in_own_text(marked: list[tuple[int, str]], dropped: set[int]) -> set[int]:
    """Unquoted "..." lines inside the replier's own words: an ellipsis in a code sketch
    (``{`` / ``\t...`` / ``}``), not a snip. Splitting the comment there would orphan its
    second half. The ellipsis is indented or written right against a line of own text; a bare
    "..." between blank lines is the snip Gmail reviewers leave where they cut the rest of the
    patch ("Remark." / "..." / "Looks fine otherwise.") and stays one."""
    found: set[int] = set()
    count = len(marked)

    def neighbour(i: int, step: int) -> tuple[int, str] | None:
        i += step
        while 0 <= i < count and (i in dropped or not marked[i][1].strip()):
            i += step
        return marked[i] if 0 <= i < count else None

    for i, (depth, text) in enumerate(marked):
        if depth or i in dropped or not is_snip(text):
            continue
        before, after = neighbour(i, -1), neighbour(i, 1)
        tight = text[:1].isspace() or any(
            0 <= k < count and marked[k][0] == 0 and marked[k][1].strip() for k in (i - 1, i + 1)
        )
        if tight and (
            before is not None
            and after is not None
            and before[0] == 0
            and after[0] == 0
            and not is_snip(before[1])
            and not is_snip(after[1])
        ):
            found.add(i)
    return found
