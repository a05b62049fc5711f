"""A reply split into the replier's own text and quoted regions, by quote depth.

Reply mail is written by hand and by many clients, so everything here is a convention that is
only usually kept: quote markers come as ``>``, ``> >``, ``>>`` or ``>  >``; the line that says who
is quoted ("On Mon, … X wrote:") may be localised or wrapped over two lines; snips are marked with
``[...]``, ``[..]``, ``...``, ``<snip>`` or ``[ ... ]``, quoted or not; signatures start at ``-- ``.
None of these lines is the replier's comment, so they are set aside here and the anchoring only
sees own text, quotes and snips. What an attribution or a signature looks like is courtesy text
(viewer.core.courtesy); where it stands in the quote structure is decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from viewer.core.courtesy import (
    attribution_continues,
    is_attribution,
    is_list_footer,
    is_outlook_separator,
    outlook_header_at,
    signature_start,
    split_glued_attribution,
    split_glued_signature,
    starts_attribution,
)

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
def quote_depth(line: str) -> tuple[int, str]:
    """Depth and text of one line: ``"> > +foo"`` → ``(2, "+foo")``."""
    match = _QUOTE.match(line)
    if not match:
        return 0, line
    return match.group(1).count(">"), line[match.end() :]


def is_snip(text: str) -> bool:
    return bool(_SNIP.match(text))


def first_own_line(lines: list[str]) -> int | None:
    """Index of the first line a reply writes itself, below the quote it opens with.

    Where the message pane scrolls to. None when the mail does not open with a quote (nothing
    hides its words). Blank lines, "On …, X wrote:" (also wrapped over two lines) and
    "[...]"/"<snip>" marks are not the sender's words, so they do not count; a short greeting
    ("Hi Ilse,") above the quote does not either.
    """
    quoted = False
    greeting = 0
    for i, line in enumerate(lines):
        if quote_depth(line)[0]:
            quoted = True
            continue
        following = lines[i + 1] if i + 1 < len(lines) else None
        if not line.strip() or is_snip(line.strip()) or is_attribution(line):
            continue
        # "On Mon, …, Jane Doe" / "wrote:": an attribution its client wrapped in two
        if following is not None and (
            attribution_continues(line, following)
            or (len(following.strip()) < 40 and is_attribution(following))
        ):
            continue
        if quoted:
            return i
        # "Hi Ilse," above the quote is not what the reply has to say; a paragraph is
        greeting += 1
        if greeting > 2 or len(line.strip()) > 40:
            return None
    return None


def split_reply(body: str) -> SplitReply:
    """Split a reply body into own text, quotes and snips (see the module docstring)."""
    raw = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    marked: list[tuple[int, str]] = []
    origin: list[int] = []  # body line number of each marked line
    for number, line in enumerate(raw):
        glued = split_glued_attribution(line)
        if glued:
            marked.append((0, glued[0]))
            origin.append(number)
            line = glued[1]
        closing = split_glued_signature(line)
        if closing:
            marked.append((0, closing))
            origin.append(number)
            line = "-- "
        marked.append(quote_depth(line))
        origin.append(number)
    result = SplitReply(segments=[])
    marked = _quote_top_posted(marked)

    searched = 0
    while (found := signature_start(marked[searched:])) is not None:
        # Several: a signature above the quoted mail, then a list footer at the very end.
        cut = searched + found
        end = _signature_end(marked, cut)
        result.signature.extend(text for _, text in marked[cut:end])
        marked = marked[:cut] + marked[end:]
        origin = origin[:cut] + origin[end:]
        searched = cut + 1

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


def _signature_end(marked: list[tuple[int, str]], cut: int) -> int:
    """Where the signature starting at ``cut`` ends: the end of the mail, or — when the replier
    signed above the quoted mail and answered under it (Outlook puts the signature where the
    cursor starts) — the first quoted line after it, so the answers below are kept."""
    end = next((k for k in range(cut + 1, len(marked)) if marked[k][0] > 0), len(marked))
    after = any(d == 0 and t.strip() for d, t in marked[end:])
    return end if after else len(marked)


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
        if is_outlook_separator(text) or outlook_header_at(marked, i):
            # The separator (or a bare "From:" line) and the header block under it, up to
            # its blank line: From, Sent, To, a Cc list wrapped over several lines, Subject.
            k = i
            while k < count and k < i + 25 and (k == i or marked[k][1].strip()):
                found.add(k)
                k += 1
            if i and is_list_footer(marked[i - 1][1]):
                found.add(i - 1)
            continue
        if not deeper_follows and j < count:
            continue
        prev = i - 1
        if (
            prev >= 0 and marked[prev][0] == depth and attribution_continues(marked[prev][1], text)
        ):
            # "Jane <jane@example.org> wrote on Mon, 4 Mar 2024" / "10:00:00 +0100:"
            found.update((prev, i))
            continue
        if is_attribution(text):
            found.add(i)
            if (
                prev >= 0
                and marked[prev][0] == depth
                and marked[prev][1].strip()
                and starts_attribution(marked[prev][1])
                and not is_attribution(marked[prev][1])
            ):
                found.add(prev)
    return found


def _quote_top_posted(marked: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Outlook-style top posting: own words, then "-----Original Message-----" (or a pasted
    "From:/Sent:" header) and the whole original mail WITHOUT quote markers. Everything from
    the separator down is quoted text, one level deeper than written; only the words above
    it are the replier's. The separator line itself stays, to be set aside as attribution."""
    for i, (depth, text) in enumerate(marked):
        if depth:
            continue
        if is_outlook_separator(text) or outlook_header_at(marked, i):
            if not any(d == 0 and t.strip() for d, t in marked[:i]):
                return marked  # nothing written above it: not top posting
            if _quoted_after_header(marked, i):
                # "Fine by me." / "From: … Sent: …" / "> +foo" / "Why foo?": the header was kept
                # as the attribution of an inline reply; the ">" lines are the quote.
                return marked
            # A bare header goes down with the mail, where it is set aside as attribution.
            start = i + 1 if is_outlook_separator(text) else i
            return marked[:start] + [(d + 1, t) for d, t in marked[start:]]
    return marked


def _quoted_after_header(marked: list[tuple[int, str]], i: int) -> bool:
    """Whether the first line after the header block starting at i (past its blank line) is
    quoted with ">": the original mail below a top-posted answer is pasted without markers."""
    k = i + 1
    while k < len(marked) and marked[k][1].strip():
        k += 1
    while k < len(marked) and not marked[k][1].strip():
        k += 1
    return k < len(marked) and marked[k][0] > marked[i][0]


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
