"""Quoted regions of replies → the patch lines they quote; comments and discussions at anchors.

Annotation.to_json() is the JSON contract of `hunkwise review`.

Quotes are matched to the patch by CONTENT, never by counting: reviewers trim context and cut
quotes mid-hunk, drop the ``diff --git``/``@@`` lines, and clients turn tabs into spaces, rewrap
long lines and drop trailing blanks. Every quoted line is compared with the patch's lines with all
whitespace removed; the quoted lines of a reply are then aligned to the patch as one increasing
sequence (most lines matched first, then most lines matched next to each other), which is what
picks the right one of several identical lines (``+}``, ``maxItems: 1``, an include present in two
files). Lines too short to say anything alone (``+}``, an empty ``+``) are placed only next to a
line that was matched, or, failing that, marked as a guess ("nearest").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from viewer.core.headers import iso_date
from viewer.core.message import Message
from viewer.core.patch import Patch, parse_patch
from viewer.core.quotes import ReplyLine, Segment, split_reply

AnchorKind = Literal["diff", "commit_message", "unanchored"]
Method = Literal["exact", "whitespace", "nearest", "fallback", "none"]


@dataclass(frozen=True, slots=True)
class Anchor:
    kind: AnchorKind
    patch_message_id: str
    file: str | None = None
    """Path without a/ or b/."""
    old_line: int | None = None
    new_line: int | None = None
    text: str = ""
    """The patch line the comment is attached to, with its +/-/space prefix for diff lines."""


@dataclass(slots=True)
class Annotation:
    id: str
    reply_message_id: str
    author: str
    date: float | None
    comment: str
    anchor: Anchor
    in_reply_to: str | None = None
    """Id of the annotation this one answers (a discussion at the same anchor)."""
    confidence: float = 0.0
    """0..1; the UI marks anchors below 0.8 as doubtful."""
    method: Method = "none"
    """Why it sits where it sits."""
    quote_depth: int = 1
    children: list[Annotation] = field(default_factory=list, repr=False)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "reply_message_id": self.reply_message_id,
            "author": self.author,
            "date": iso_date(self.date),
            "comment": self.comment,
            "in_reply_to": self.in_reply_to,
            "confidence": round(self.confidence, 3),
            "method": self.method,
            "quote_depth": self.quote_depth,
            "anchor": {
                "kind": self.anchor.kind,
                "patch_message_id": self.anchor.patch_message_id,
                "file": self.anchor.file,
                "old_line": self.anchor.old_line,
                "new_line": self.anchor.new_line,
                "text": self.anchor.text,
            },
        }


# -- the patch as a flat list of rows --------------------------------------------------------

RowKind = Literal["commit", "trailer", "notes", "diffstat", "file", "hunk", "line"]


@dataclass(frozen=True, slots=True)
class PatchRow:
    """One line of a patch mail as a reader sees it, in mail order."""

    kind: RowKind
    text: str
    """As sent: diff lines with their +/-/space prefix, header lines whole."""
    file: str | None = None
    old_line: int | None = None
    new_line: int | None = None
    file_index: int | None = None
    """Index of the FileDiff in Patch.files (diff rows only)."""

    @property
    def key(self) -> tuple[str | None, int | None, int | None]:
        """(file, old_line, new_line): what an Anchor of kind "diff" names."""
        return (self.file, self.old_line, self.new_line)


def patch_rows(patch: Patch, *, with_message: bool = True) -> list[PatchRow]:
    """The patch flattened: commit message, trailers, notes and diffstat (unless
    ``with_message`` is false), then per file its header lines, hunk headers and diff lines.
    The GUI keeps this list parallel to its document and places cards with :func:`find_row`."""
    rows: list[PatchRow] = []
    if with_message:
        rows += [PatchRow("commit", line) for line in patch.commit_message]
        rows += [PatchRow("trailer", line) for line in patch.trailer_lines]
        rows += [PatchRow("notes", line) for line in patch.notes]
        rows += [PatchRow("diffstat", line) for line in patch.diffstat]
    for index, diff in enumerate(patch.files):
        path = diff.path
        rows += [PatchRow("file", line, path, file_index=index) for line in diff.header]
        for hunk in diff.hunks:
            rows.append(PatchRow("hunk", hunk.header, path, file_index=index))
            for line in hunk.lines:
                text = line.kind + line.text
                rows.append(PatchRow("line", text, path, line.old_line, line.new_line, index))
    return rows


def find_row(rows: Sequence[PatchRow], anchor: Anchor) -> int | None:
    """Index of the row an annotation sits on; None for unanchored ones (and stale anchors)."""
    if anchor.kind == "unanchored":
        return None
    for i, row in enumerate(rows):
        if anchor.kind == "commit_message":
            if row.kind in ("commit", "trailer") and row.text == anchor.text:
                return i
        elif row.file == anchor.file and row.kind in ("line", "file", "hunk"):
            if anchor.old_line is None and anchor.new_line is None:
                if row.kind != "line" and row.text == anchor.text:
                    return i
            elif row.kind == "line" and (row.old_line, row.new_line) == (
                anchor.old_line,
                anchor.new_line,
            ):
                return i
    return None


# -- matching quoted lines to rows -------------------------------------------------------------

_WS = re.compile(r"\s+")
_HUNK_NUMBERS = re.compile(r"^@@+\s*(-\d+(?:,\d+)?\s*\+\d+(?:,\d+)?)\s*@@")
_WEAK_LEN = 3  # "+}", "+", "};", "-": say nothing alone
_COMMON = 8  # a key found more often than this is placed by its neighbours only
_MATCH, _ADJACENT, _ACROSS = 1000, 2, 1


def _key(text: str) -> str:
    hunk = _HUNK_NUMBERS.match(text)
    if hunk:
        return "@@" + _WS.sub("", hunk.group(1))
    return _WS.sub("", text)


@dataclass(slots=True)
class _Doc:
    """A patch prepared for matching: rows, their keys and an index of keys."""

    patch: Patch
    rows: list[PatchRow]
    keys: list[str]
    where: dict[str, list[int]]
    prev_strong: list[int]
    """For each row, the nearest earlier row with a strong key (-1 when none): two quoted lines
    are "adjacent" when nothing but blank lines separates their rows."""
    message_text: str
    message_ends: list[int]
    """Offsets in message_text where each commit/trailer row's key ends, for rewrapped prose."""


def _prepare(patch: Patch) -> _Doc:
    rows = patch_rows(patch)
    keys = [_key(row.text) for row in rows]
    where: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        where.setdefault(key, []).append(i)
    prev_strong, last = [], -1
    for key in keys:
        prev_strong.append(last)
        if len(key) > _WEAK_LEN:
            last = len(prev_strong) - 1
    text, ends = "", []
    for row, key in zip(rows, keys, strict=True):
        if row.kind in ("commit", "trailer"):
            text += key
        ends.append(len(text))
    return _Doc(patch, rows, keys, where, prev_strong, text, ends)


@dataclass(slots=True)
class _Match:
    row: int
    method: Method
    confidence: float


class _Fenwick:
    """Prefix maximum over row positions of (value, row, state)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.tree: list[tuple[int, int, int] | None] = [None] * (size + 1)

    def update(self, pos: int, item: tuple[int, int, int]) -> None:
        i = pos + 1
        while i <= self.size:
            current = self.tree[i]
            if current is None or item > current:
                self.tree[i] = item
            i += i & -i

    def query(self, pos: int) -> tuple[int, int, int] | None:
        """Best item at a position <= pos."""
        best = None
        i = pos + 1
        while i > 0:
            current = self.tree[i]
            if current is not None and (best is None or current > best):
                best = current
            i -= i & -i
        return best


def _exactness(quoted: str, row_text: str) -> Method:
    return "exact" if quoted.rstrip() == row_text.rstrip() else "whitespace"


def _match_quotes(
    doc: _Doc,
    quoted: list[ReplyLine],
    breaks: set[int],
    snips: frozenset[int] | set[int] = frozenset(),
) -> list[_Match | None]:
    """Align the reply's quoted lines with the patch rows (see the module docstring).

    ``breaks`` holds indexes i where a snip or own text separates quoted line i-1 from i: lines
    are only extended into neighbouring rows within one unbroken piece of quote. ``snips`` are
    the breaks with a snip among them: there the next quote need not go on where one stopped."""
    count = len(quoted)
    keys = [_key(line.text) for line in quoted]
    matches: list[_Match | None] = [None] * count
    continuation: dict[int, int] = {}

    # Candidates: strong keys found as they are, or a line rewrapped by the client over two or
    # three quoted lines (the head line gets the row, its tails follow it).
    candidates: list[list[int]] = []
    for i, key in enumerate(keys):
        found = doc.where.get(key, []) if len(key) > _WEAK_LEN else []
        if len(found) > _COMMON:
            # "return ret;" forty times over: says nothing alone (and would make the programme
            # quadratic); its matched neighbours place it, in _extend.
            found = []
        elif not found and len(key) > _WEAK_LEN:
            joined = key
            for j in range(i + 1, min(i + 3, count)):
                if j in breaks or quoted[j].depth != quoted[i].depth:
                    break
                joined += keys[j]
                found = doc.where.get(joined, [])
                if found:
                    for k in range(i + 1, j + 1):
                        continuation[k] = i
                    break
        candidates.append(found)

    # Dynamic programme over (quoted line, row): most matches, then most adjacent pairs.
    fenwick = _Fenwick(len(doc.rows))
    states: list[tuple[int, int, int]] = []  # (row, value, previous state or -1)
    state_of: list[list[int]] = [[] for _ in range(count)]
    last_at_row: dict[int, int] = {}
    for i in range(count):
        if i in continuation:
            continue
        fresh = []
        for row in candidates[i]:
            best = fenwick.query(row - 1) if row > 0 else None
            value, prev = (best[0] + _MATCH, best[2]) if best else (_MATCH, -1)
            neighbour = last_at_row.get(doc.prev_strong[row])
            if neighbour is not None and i not in snips:
                # Across a remark the next quote often goes on where the last one stopped:
                # a weaker hint than lines quoted together, but it picks the right copy.
                bonus = _ACROSS if i in breaks else _ADJACENT
                n_value = states[neighbour][1] + _MATCH + bonus
                if n_value >= value:
                    value, prev = n_value, neighbour
            states.append((row, value, prev))
            fresh.append(len(states) - 1)
        for s in fresh:
            row, value, _ = states[s]
            fenwick.update(row, (value, -row, s))
            if s not in (last_at_row.get(row),) and (
                row not in last_at_row or states[last_at_row[row]][1] <= value
            ):
                last_at_row[row] = s
            state_of[i].append(s)
    if states:
        best_state = max(range(len(states)), key=lambda s: (states[s][1], -states[s][0]))
        chosen: dict[int, int] = {}
        s = best_state
        while s != -1:
            chosen[s] = states[s][0]
            s = states[s][2]
        for i in range(count):
            for s in state_of[i]:
                if s in chosen:
                    method = _exactness(quoted[i].text, doc.rows[chosen[s]].text)
                    matches[i] = _Match(chosen[s], method, 0.0)  # see _calibrate
    # A line with a single long match that fell out of the sequence: quoted out of order.
    # Its text is unique, but its neighbours disagree with it: not more than borderline.
    loose = set()
    for i in range(count):
        if matches[i] is None and len(candidates[i]) == 1 and len(keys[i]) >= 16:
            row = candidates[i][0]
            matches[i] = _Match(row, _exactness(quoted[i].text, doc.rows[row].text), _LOOSE)
            loose.add(i)

    for tail, head in continuation.items():
        if matches[head] is not None:
            matches[tail] = _Match(matches[head].row, "whitespace", 0.0)  # see below
    _extend(doc, quoted, keys, breaks, matches)
    _calibrate(doc, quoted, keys, breaks, snips, matches, set(continuation) | loose)
    for tail, head in continuation.items():
        if matches[head] is not None:
            # A line the client rewrapped: as sure as its head, never more than a
            # whitespace match of a unique line.
            confidence = min(matches[head].confidence, _CONFIDENCE["unique", "whitespace"])
            matches[tail] = _Match(matches[head].row, "whitespace", confidence)
    _place_weak(doc, quoted, keys, breaks, snips, matches)
    _match_rewrapped_prose(doc, keys, matches)
    return matches


# Confidence by evidence (the UI calls anything below 0.8 doubtful):
#   unique      the quoted run of lines occurs once in the patch (quoted alone: a long line);
#   short       a short line (``+\treturn 0;``) found once, but quoted alone;
#   continued   a run found several times, the copy picked because the quote goes on where
#               the previous one stopped (or the next one goes on from it) across a remark;
#   ordered     a run found several times, the copy picked by order alone (first after the
#               previous quote), a guess.
# A match with whitespace differences (Gmail turning tabs into spaces) is a little less sure.
_CONFIDENCE = {
    ("unique", "exact"): 0.97, ("unique", "whitespace"): 0.93,
    ("short", "exact"): 0.9, ("short", "whitespace"): 0.88,
    ("continued", "exact"): 0.75, ("continued", "whitespace"): 0.72,
    ("ordered", "exact"): 0.65, ("ordered", "whitespace"): 0.62,
}
_LOOSE = 0.8  # a unique long line quoted out of order
_SHORT_ALONE = 12  # keys shorter than this, quoted alone, are "short"


def _calibrate(doc, quoted, keys, breaks, snips, matches, skip) -> None:
    """Set the confidence of content matches from the evidence behind them (see _CONFIDENCE).

    Lines quoted together (one unbroken piece of quote, same depth, on rows with nothing
    strong between them) form a run, judged as a whole: one unique line in it, or the whole
    run occurring once, places every line of it; a run that occurs several times (a
    ``Date:``/``KernelVersion:`` block repeated down an ABI file) was placed by order, so its
    lines become "nearest" guesses. ``skip`` holds lines judged elsewhere (rewrapped tails,
    lines quoted out of order)."""
    count = len(quoted)
    runs: list[list[int]] = []
    for i in range(count):
        match = matches[i]
        if i in skip or match is None or match.method not in ("exact", "whitespace"):
            if match is not None or keys[i] or i in breaks:
                runs.append([])  # only an unplaced blank line is transparent
            continue
        run = runs[-1] if runs else []
        if run and i not in breaks and quoted[run[-1]].depth == quoted[i].depth:
            prev_row = matches[run[-1]].row
            if prev_row < match.row and doc.prev_strong[match.row] <= prev_row:
                run.append(i)
                continue
        runs.append([i])
    for run in runs:
        if not run:
            continue
        evidence = _evidence(doc, keys, matches, run)
        if evidence == "ordered" and _continued(doc, breaks, snips, matches, run):
            evidence = "continued"
        for i in run:
            method = matches[i].method
            confidence = _CONFIDENCE[evidence, method]
            if evidence in ("continued", "ordered"):
                method = "nearest"
            matches[i] = _Match(matches[i].row, method, confidence)


def _evidence(doc, keys, matches, run) -> str:
    strong = [i for i in run if len(keys[i]) > _WEAK_LEN]
    if not strong:
        return "ordered"  # "+}" and blank lines alone say nothing
    if any(len(doc.where.get(keys[i], ())) == 1 for i in strong):
        if len(strong) == 1 and len(keys[strong[0]]) < _SHORT_ALONE:
            return "short"
        return "unique"
    # Every line occurs elsewhere too; does the run, as quoted, occur only once?
    first = run[0]
    base = matches[first].row
    offsets = [(matches[i].row - base, keys[i]) for i in run]
    copies = 0
    for start in doc.where.get(keys[first], ()):
        if all(
            0 <= start + off < len(doc.keys) and doc.keys[start + off] == key
            for off, key in offsets
        ):
            copies += 1
            if copies > 1:
                return "ordered"
    return "unique"


def _continued(doc, breaks, snips, matches, run) -> bool:
    """Whether the quote before the run stopped right above it, or the one after it goes on
    right below it, with only a remark (no snip) in between."""
    first, last = run[0], run[-1]
    before = next((j for j in range(first - 1, -1, -1) if matches[j] is not None), None)
    if (
        before is not None
        and not snips.intersection(range(before + 1, first + 1))
        and doc.prev_strong[matches[first].row] == matches[before].row
    ):
        return True
    after = next((j for j in range(last + 1, len(matches)) if matches[j] is not None), None)
    return (
        after is not None
        and not snips.intersection(range(last + 1, after + 1))
        and doc.prev_strong[matches[after].row] == matches[last].row
    )


def _extend(doc, quoted, keys, breaks, matches) -> None:
    """Fill short lines (and blank ones) from their matched neighbours, both ways."""
    count = len(quoted)
    for i in range(1, count):
        if matches[i] is not None or i in breaks:
            continue
        j = i - 1
        while j >= 0 and matches[j] is None and j not in breaks:
            j -= 1
        if j < 0 or matches[j] is None or quoted[j].depth != quoted[i].depth:
            continue
        base = matches[j].row
        for row in (base + (i - j), base + 1):
            if row < len(doc.rows) and doc.keys[row] == keys[i] and doc.rows[row].kind == "line":
                matches[i] = _Match(row, _exactness(quoted[i].text, doc.rows[row].text), 0.9)
                break
    for i in range(count - 2, -1, -1):
        if matches[i] is not None or (i + 1) in breaks or matches[i + 1] is None:
            continue
        row = matches[i + 1].row - 1
        same_depth = quoted[i + 1].depth == quoted[i].depth
        fits = row >= 0 and doc.keys[row] == keys[i] and doc.rows[row].kind == "line"
        if same_depth and keys[i] and fits:
            matches[i] = _Match(row, _exactness(quoted[i].text, doc.rows[row].text), 0.9)


def _place_weak(doc, quoted, keys, breaks, snips, matches) -> None:
    """Lines the alignment could not place: short ones quoted alone ("+}" after a snip) and
    ones too common to say anything ("/// # Safety" nine times). Each run of them quoted
    together goes where the whole run occurs between the previous and the next matched line:
    on the copy the next quote goes on from (or the last one stopped at) when no snip says
    something was left out, else on the first copy after the previous match, marked a guess."""
    count = len(quoted)
    i = 0
    while i < count:
        if matches[i] is not None or not keys[i] or keys[i] not in doc.where:
            i += 1
            continue
        end = i
        while (
            end + 1 < count
            and matches[end + 1] is None
            and end + 1 not in breaks
            and quoted[end + 1].depth == quoted[i].depth
        ):
            end += 1
        run = [k for k in range(i, end + 1) if keys[k]]
        before = next((j for j in range(i - 1, -1, -1) if matches[j]), None)
        after = next((j for j in range(end + 1, count) if matches[j]), None)
        prev = matches[before].row if before is not None else -1
        nxt = matches[after].row if after is not None else len(doc.rows)
        copies = _copies(doc, [keys[k] for k in run], prev, nxt)
        if not copies:
            _place_one_by_one(doc, keys, matches, run)
            i = end + 1
            continue
        chosen, confidence = None, 0.6
        if before is not None and not snips.intersection(range(before + 1, i + 1)):
            chosen = next((c for c in copies if doc.prev_strong[c[0]] == prev), None)
        continued = after is not None and not snips.intersection(range(end + 1, after + 1))
        if chosen is None and continued:
            chosen = next((c for c in copies if doc.prev_strong[nxt] == c[-1]), None)
        if chosen is not None:
            confidence = 0.7
        elif prev >= 0:
            chosen = copies[0]
        if chosen is not None:
            for k, row in zip(run, chosen, strict=True):
                matches[k] = _Match(row, "nearest", confidence)
        i = end + 1


def _copies(doc: _Doc, keys: list[str], prev: int, nxt: int) -> list[list[int]]:
    """Where these keys occur as consecutive rows (blank context rows skipped) strictly
    between rows ``prev`` and ``nxt``."""
    found = []
    rows = doc.where.get(keys[0], [])
    for start in rows[bisect.bisect_right(rows, prev) :]:
        if start >= nxt:
            break
        placed, row = [start], start
        for key in keys[1:]:
            row += 1
            while row < nxt and not doc.keys[row]:
                row += 1
            if row >= nxt or doc.keys[row] != key:
                break
            placed.append(row)
        else:
            found.append(placed)
    return found


def _place_one_by_one(doc, keys, matches, run) -> None:
    """A run not found whole: each line on the first such row after the previous match."""
    count = len(keys)
    for i in run:
        if not keys[i] or keys[i] not in doc.where:
            continue
        prev = next((matches[j].row for j in range(i - 1, -1, -1) if matches[j]), -1)
        nxt = next((matches[j].row for j in range(i + 1, count) if matches[j]), len(doc.rows))
        rows = doc.where[keys[i]]
        k = bisect.bisect_right(rows, prev)
        if k < len(rows) and rows[k] < nxt and prev >= 0:
            matches[i] = _Match(rows[k], "nearest", 0.6)


def _match_rewrapped_prose(doc, keys, matches) -> None:
    """Commit-message text rewrapped by the replier's client: find the quoted words (spaces
    ignored) in the message, at or after the previous match, and take the row they end on."""
    if not doc.message_text:
        return
    last_end = 0
    for i, key in enumerate(keys):
        match = matches[i]
        if match is not None:
            if doc.rows[match.row].kind in ("commit", "trailer"):
                last_end = doc.message_ends[match.row - 1] if match.row else 0
            continue
        if len(key) < 12:
            continue
        at = doc.message_text.find(key, last_end)
        if at < 0:
            continue
        end = at + len(key)
        row = bisect.bisect_left(doc.message_ends, end)
        if row < len(doc.rows) and doc.rows[row].kind in ("commit", "trailer"):
            matches[i] = _Match(row, "whitespace", 0.85)
            last_end = at + 1


# -- comments ------------------------------------------------------------------------------

_GREETING = re.compile(
    r"^(hi|hello|hey|dear|hallo|hej|hei|ciao|greetings|good (morning|afternoon|evening))\b"
    r"[^.?!]{0,40}[,!.:]?$",
    re.IGNORECASE,
)
_SIGNOFF = re.compile(
    r"^(thanks|thank you|many thanks|thanks a lot|thx|ta|cheers|regards|best regards|"
    r"kind regards|warm regards|best wishes|with best wishes|br|best|sincerely|yours|bye|"
    r"greetings|mit freundlichen grüßen|gruß|grüße|viele grüße|merci|cordialement|"
    r"thanks and regards|thanks & regards|gr\{oetje,eeting\}s)"
    # What follows is a name or a few more words of the closing ("Yours sincerely,", "Thanks
    # for checking.") — unless it starts an answer or a remark: "thanks will fix this.",
    # "Best to drop it.", "Thanks, but no."
    r"\b[\s,.!]*(?!(will|would|shall|i|i'll|i'd|i'm|we|we'll|to|but|not|it|it's|this|that|"
    r"please|should|can|could|must|no|yes)\b)([A-Z][\w.'-]*(\s+[A-Z][\w.'-]*){0,2})?"
    r"[\s,.!]*$",
    re.IGNORECASE,
)
# "Thanks for the review!", "Thank you very much for your feedback." — but not "Thanks for
# fixing the leak in foo_probe()", which says what was good.
_THANKS = re.compile(
    r"^(many |and )?(thanks|thank you)( (so|very) much| a lot)?,? for "
    r"((the|your)( (quick|fast|detailed|careful|thorough|valuable|helpful|kind))*"
    r" (review|reviews|feedback|comments?|patch(es)?|series|input|suggestions?|help|time|"
    r"testing|work|reply|response|explanation|clarification|update|info|information|"
    r"pointers?|heads[- ]up|catch|rephrasing)"
    r"|(spotting|catching|noticing) (this|that|it))[\s.!:)]*$",
    re.IGNORECASE,
)
# "Wei", "Jane Doe", "-George", "~ Jane".
_NAME = re.compile(r"^(?:-{1,2}|~)?\s?[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2}[.,]?$")
_TRAILER = re.compile(r"^[A-Z][A-Za-z-]*-by:\s*\S")
# A lone word shaped like a name: letters (any script), inner hyphens or apostrophes, an
# optional trailing comma. "Ditto.", "TODO", "DIV_ROUND_UP_ULL", "v2" are remarks, not names.
_NAME_WORD = re.compile(r"^(?:-{1,2}|~)?\s?([^\W\d_]+(?:['-][^\W\d_]+)*),?$")
# One-word remarks that are capitalised like a name but never one.
_NOT_NAMES = frozenset({
    "ditto", "dito", "same", "agreed", "indeed", "correct", "right", "yes", "no", "nope", "why",
    "done", "fixed", "ok", "okay", "sure", "good", "nice", "true", "typo", "here", "again",
    "likewise", "also", "this", "these", "that", "unused", "unneeded", "redundant", "nit",
    "nitpick", "huh", "hmm", "ack", "nack",
})
_WORD = re.compile(r"[^\W_]+")


def _name_words(author: str) -> set[str]:
    """Words of the sender's display name and mailbox ("Wei Liu <wei.liu@…>" → wei, liu)."""
    return {w.lower() for w in _WORD.findall(author.split("@")[0])}


def _is_closing(text: str) -> bool:
    return len(text) <= 60 and bool(_SIGNOFF.match(text))


def _is_pleasantry(line: str, author: str, *, at_end: bool = False,
                   after_closing: bool = False) -> bool:
    """A greeting, a sign-off or a lone name: not a comment a human would count.

    A lone capitalised word is taken for the replier's name only when it is the sender's, ends
    the mail (``at_end``) or follows "Thanks," (``after_closing``): under a quoted line "Ditto",
    "TODO" or "DIV_ROUND_UP_ULL" is a whole remark. "Jane." with a full stop is a name only
    after a closing; all-caps words, digits and underscores never are."""
    text = line.strip()
    if not text:
        return True
    if _is_closing(text) or (len(text) <= 60 and (_GREETING.match(text) or _THANKS.match(text))):
        return True
    if not _NAME.match(text) or len(text) > 30 or "_" in text or text.isupper():
        return False
    words = {w.lower() for w in _WORD.findall(text)}
    if words & _name_words(author):
        return True
    if len(words) > 1 and at_end and after_closing and not words & _NOT_NAMES:
        return True  # "Thanks,\nJane Doe" signed with a name other than the From: one
    if len(words) != 1 or not (at_end or after_closing) or words <= _NOT_NAMES:
        return False
    return bool(_NAME_WORD.match(text.removesuffix(".") if after_closing else text))


def _pleasantries(texts: list[str], author: str, *, at_end: bool) -> list[bool]:
    """_is_pleasantry for each line of one stretch of own text, knowing what came before."""
    flags = []
    previous = ""
    for text in texts:
        flags.append(_is_pleasantry(text, author, at_end=at_end,
                                    after_closing=bool(previous) and _is_closing(previous)))
        if text.strip():
            previous = text.strip()
    return flags


def _comment_text(lines: list[ReplyLine], author: str, *, first: bool, last: bool) -> str:
    texts = [line.text.rstrip() for line in lines]
    if first:
        # "Hi Jane," opening the mail; stop at the first real line.
        while texts and _is_pleasantry(texts[0], author) and (
            _GREETING.match(texts[0].strip()) or not _NAME.match(texts[0].strip())
        ):
            texts.pop(0)
    if last:
        flags = _pleasantries(texts, author, at_end=True)
        while texts and flags[len(texts) - 1]:
            texts.pop()
    else:
        # "Trivial stuff inline.\n\nJonathan" above the first inline remark: the sender
        # signs the top of the mail; only the sender's own name, set apart by a blank line.
        while texts and not texts[-1].strip():
            texts.pop()
        if (
            len(texts) > 2 and not texts[-2].strip() and _NAME.match(texts[-1].strip())
            and {w.lower() for w in _WORD.findall(texts[-1])} <= _name_words(author)
        ):
            texts.pop()
    while texts and not texts[0].strip():
        texts.pop(0)
    while texts and not texts[-1].strip():
        texts.pop()
    return "\n".join(texts)


# -- the thread ----------------------------------------------------------------------------

_REPLY_SUBJECT = re.compile(r"^\s*((re|aw|sv|vs|antw|odp|r|ref|fw|fwd)\s*(\[\d+\])?\s*:\s*)+", re.I)
_COUNTER = re.compile(r"\[[^\]]*?\b0+/(\d+)\b[^\]]*\]")


def _subject_facts(subject: str) -> tuple[bool, bool]:
    """(is a reply, is a cover letter "0/N")."""
    try:
        from viewer.core.subject import parse_subject

        info = parse_subject(subject)
        return info.is_reply, info.is_cover
    except NotImplementedError:  # pragma: no cover - until the subject parser is in
        return bool(_REPLY_SUBJECT.match(subject)), bool(_COUNTER.search(subject))


class _Thread:
    def __init__(self, messages: Sequence[Message]) -> None:
        self.by_id: dict[str, Message] = {}
        for message in messages:
            self.by_id.setdefault(message.msgid, message)
        self.docs: dict[str, _Doc] = {}
        self.targets: set[str] = set()
        self._comment_keys: dict[str, str] = {}
        self._line_keys: dict[str, frozenset[str]] = {}
        for message in self.by_id.values():
            is_reply, is_cover = _subject_facts(message.subject)
            if is_reply:
                continue
            patch = parse_patch(message.body)
            if patch.files or is_cover:
                self.targets.add(message.msgid)
                self.docs[message.msgid] = _prepare(patch)

    def comment_key(self, annotation: Annotation) -> str:
        """The comment with whitespace removed, computed once per annotation."""
        key = self._comment_keys.get(annotation.id)
        if key is None:
            key = self._comment_keys[annotation.id] = _key(annotation.comment)
        return key

    def comment_line_keys(self, annotation: Annotation) -> frozenset[str]:
        """The whole comment and each of its lines, whitespace removed."""
        keys = self._line_keys.get(annotation.id)
        if keys is None:
            keys = frozenset(_key(line) for line in annotation.comment.split("\n"))
            keys = self._line_keys[annotation.id] = keys | {self.comment_key(annotation)}
        return keys

    def parent(self, message: Message) -> str | None:
        if message.in_reply_to:
            return message.in_reply_to
        return message.references[-1] if message.references else None

    def ancestors(self, message: Message) -> list[str]:
        """Message-IDs above this one, nearest first: the In-Reply-To chain through the mails
        we have, then References (newest first) for the links we miss."""
        chain: list[str] = []
        current: Message | None = message
        while current is not None:
            parent = self.parent(current)
            if parent is None or parent in chain or parent == message.msgid:
                break
            chain.append(parent)
            current = self.by_id.get(parent)
        for ref in reversed(message.references):
            if ref not in chain and ref != message.msgid:
                chain.append(ref)
        return chain

    def target_of(self, message: Message) -> str | None:
        return next((m for m in self.ancestors(message) if m in self.targets), None)


def anchor_thread(messages: Sequence[Message]) -> list[Annotation]:
    """Every comment of every reply in one thread (or several: v1 and v2), anchored."""
    thread = _Thread(messages)
    replies = [m for m in thread.by_id.values() if m.msgid not in thread.targets]
    replies = [m for m in replies if m.in_reply_to or m.references]
    # Parents before children, so a reply quoting a comment finds that comment's annotation;
    # depth counts only links through mails we have (References may hold junk).
    depth = {m.msgid: sum(a in thread.by_id for a in thread.ancestors(m)) for m in replies}
    replies.sort(key=lambda m: (depth[m.msgid], m.date or 0.0, m.msgid))
    found: list[Annotation] = []
    by_reply: dict[str, list[Annotation]] = {}
    for reply in replies:
        target = thread.target_of(reply)
        try:
            made = _annotate(thread, reply, target, by_reply)
        except Exception:  # one odd reply must not cost the thread all its comments
            made = _general(reply, target or thread.parent(reply) or "", reply.body.strip())
        by_reply[reply.msgid] = made
        found.extend(made)
    return found


def _general(reply: Message, target: str, text: str) -> list[Annotation]:
    if not text:
        return []
    return [
        Annotation(
            id=f"{reply.msgid}#0",
            reply_message_id=reply.msgid,
            author=str(reply.author),
            date=reply.date,
            comment=text,
            anchor=Anchor("unanchored", target),
            confidence=0.3,
            method="fallback",
            quote_depth=0,
        )
    ]


def _annotate(
    thread: _Thread, reply: Message, target: str | None, earlier: dict[str, list[Annotation]]
) -> list[Annotation]:
    split = split_reply(reply.body)
    segments = split.segments
    patch_id = target or thread.parent(reply) or ""
    doc = thread.docs.get(target) if target else None

    quoted: list[ReplyLine] = []
    breaks: set[int] = set()
    snips: set[int] = set()
    index_of: dict[int, int] = {}  # id(ReplyLine) -> index in quoted
    pending_break = pending_snip = False
    for seg in segments:
        if seg.kind == "quote":
            for line in seg.lines:
                if pending_break:
                    breaks.add(len(quoted))
                if pending_snip:
                    snips.add(len(quoted))
                pending_break = pending_snip = False
                index_of[id(line)] = len(quoted)
                quoted.append(line)
        elif seg.kind == "snip" or not seg.is_blank:
            pending_break = True
            pending_snip = pending_snip or seg.kind == "snip"
    matches = (
        _match_quotes(doc, quoted, breaks, snips) if doc and quoted else [None] * len(quoted)
    )

    author = str(reply.author)
    own = [i for i, seg in enumerate(segments) if seg.kind == "own" and not seg.is_blank]
    made: list[Annotation] = []
    ancestors = thread.ancestors(reply)
    for n, seg_index in enumerate(own):
        seg = segments[seg_index]
        text = _comment_text(seg.lines, author, first=n == 0, last=n == len(own) - 1)
        if not text or all(_pleasantries(text.split("\n"), author, at_end=n == len(own) - 1)):
            continue
        block, snipped = _block_above(segments, own, n)
        annotation = Annotation(
            id=f"{reply.msgid}#{len(made)}",
            reply_message_id=reply.msgid,
            author=author,
            date=reply.date,
            comment=text,
            anchor=Anchor("unanchored", patch_id),
            quote_depth=0,
            confidence=1.0,
            method="none",
        )
        if block and all(_TRAILER.match(line) for line in text.split("\n") if line.strip()):
            # "Reviewed-by: …" under the last quoted line is about the patch, not that line.
            block = []
        if block and snipped:
            # "> +foo / ... / remark": the remark does not sit under a quoted line; the snip
            # says something was left out in between, so do not guess which line it means.
            annotation.method, annotation.confidence = "fallback", 0.5
            annotation.quote_depth = block[-1].depth
        else:
            _place(annotation, block, index_of, matches, doc, patch_id, thread, ancestors, earlier)
        made.append(annotation)
    return made


def _block_above(segments: list[Segment], own: list[int], n: int) -> tuple[list[ReplyLine], bool]:
    """Quoted lines between the previous own words and these (snips left out), and whether a
    snip ("...", "[...]") comes after the last of them."""
    start = own[n - 1] + 1 if n else 0
    lines: list[ReplyLine] = []
    snipped = False
    for seg in segments[start : own[n]]:
        if seg.kind == "quote":
            lines.extend(seg.lines)
            snipped = snipped and seg.is_blank
        elif seg.kind == "snip":
            snipped = True
    return lines, snipped


def _place(
    annotation: Annotation,
    block: list[ReplyLine],
    index_of: dict[int, int],
    matches: list[_Match | None],
    doc: _Doc | None,
    patch_id: str,
    thread: _Thread,
    ancestors: list[str],
    earlier: dict[str, list[Annotation]],
) -> None:
    content = [line for line in block if line.text.strip()]
    if not content:
        return  # text before any quote: a general comment on the patch
    last = content[-1]
    match = matches[index_of[id(last)]]
    if match is not None and doc is not None:
        _set_row_anchor(annotation, doc, match, patch_id, last.depth)
        return
    below = _line_under_quoted_comment(block, index_of, matches, last.depth) if doc else None
    hint = _row_anchor(doc, below[1].row, patch_id) if doc and below else None
    doubtful: list[Annotation] = []
    parent = _quoted_comment(block, thread, ancestors, earlier, hint, doubtful)
    if parent is not None:
        annotation.anchor = parent.anchor
        annotation.in_reply_to = parent.id
        annotation.method = parent.method
        annotation.confidence = parent.confidence
        if doubtful and parent.anchor.kind != "unanchored":
            annotation.method, annotation.confidence = "nearest", min(parent.confidence, 0.6)
        annotation.quote_depth = last.depth
        parent.children.append(annotation)
        return
    # "> +	  driver for a software PWM toggling a GPIO / >> a software PWM / Nit: …": a piece
    # of the line above quoted again to point at it; the remark is about that line.
    fragment = _key(last.text)
    above = next((line for line in reversed(block[:-1]) if line.text.strip()), None)
    placed_above = matches[index_of[id(above)]] if above is not None else None
    if (
        doc is not None and placed_above is not None and len(fragment) >= 8
        and doc.rows[placed_above.row].kind == "line"
        and fragment.casefold() in doc.keys[placed_above.row].casefold()
    ):
        _set_row_anchor(annotation, doc, placed_above, patch_id, above.depth)
        annotation.method, annotation.confidence = "nearest", 0.7
        return
    # A patch line the client mangled beyond recognition, right under lines we did place.
    run = []
    for line in reversed(block):
        if not line.text.strip() or line.depth != last.depth:
            break
        run.append(line)
    placed = next(
        (matches[index_of[id(line)]] for line in run if matches[index_of[id(line)]]), None
    )
    if placed is not None and doc is not None and doc.rows[placed.row].kind == "line":
        _set_row_anchor(annotation, doc, placed, patch_id, last.depth)
        annotation.method, annotation.confidence = "nearest", 0.5
        return
    if below is not None and doc is not None:
        # "> > +foo / > Why? / Because…": an answer to a comment we do not have (its mail
        # is not in the mbox, or too short to recognise), about the line that comment was on.
        line, match = below
        _set_row_anchor(annotation, doc, match, patch_id, line.depth)
        annotation.method, annotation.confidence = "nearest", 0.7
        return
    annotation.method, annotation.confidence = "fallback", 0.4
    annotation.quote_depth = last.depth


def _line_under_quoted_comment(
    block: list[ReplyLine], index_of: dict[int, int], matches: list[_Match | None], depth: int
) -> tuple[ReplyLine, _Match] | None:
    """The matched patch line a quoted comment (the lines at ``depth`` ending the block) sat
    under: the last of the deeper-quoted lines right above it."""
    k = len(block) - 1
    while k >= 0 and (block[k].depth == depth or not block[k].text.strip()):
        k -= 1
    if k < 0 or block[k].depth < depth:
        return None
    deeper = block[k].depth
    while k >= 0 and block[k].depth == deeper:
        match = matches[index_of[id(block[k])]]
        if match is not None:
            return block[k], match
        if block[k].text.strip():
            return None  # the line right above the comment is not one we placed
        k -= 1
    return None


def _set_row_anchor(
    annotation: Annotation, doc: _Doc, match: _Match, patch_id: str, depth: int
) -> None:
    annotation.quote_depth = depth
    annotation.method = match.method
    annotation.confidence = match.confidence
    annotation.anchor = _row_anchor(doc, match.row, patch_id)


def _row_anchor(doc: _Doc, index: int, patch_id: str) -> Anchor:
    row = doc.rows[index]
    if row.kind in ("commit", "trailer"):
        return Anchor("commit_message", patch_id, text=row.text)
    if row.kind in ("line", "file", "hunk"):
        return Anchor("diff", patch_id, row.file, row.old_line, row.new_line, row.text)
    # Under the diffstat or the changelog notes: about the mail, not about a line.
    return Anchor("unanchored", patch_id, text=row.text)


def _quoted_comment(
    block: list[ReplyLine],
    thread: _Thread,
    ancestors: list[str],
    earlier: dict[str, list[Annotation]],
    hint: Anchor | None = None,
    doubtful: list[Annotation] | None = None,
) -> Annotation | None:
    """The earlier comment the end of this quote comes from: parents' first, then anyone's.
    The last few lines at the deepest-last depth are tried, because a comment often ends in a
    line too short to recognise ("}" closing a code suggestion, "Thanks"). When several
    comments fit ("Ditto." five times in one review), ``hint``, the anchor of the patch line
    quoted above the comment, tells them apart. A comment picked among several that nothing
    tells apart is also put in ``doubtful``."""
    if doubtful is None:
        doubtful = []
    depth = next((line.depth for line in reversed(block) if line.text.strip()), 0)
    tried = 0
    several: list[Annotation] = []
    order = [m for m in ancestors if m in earlier]
    order += [m for m in earlier if m not in order]
    for line in reversed(block):
        if line.depth != depth and line.text.strip():
            break
        key = _key(line.text)
        if not key:
            continue
        if len(key) < 8:
            # "ENODEV?", "Ditto.", "Why OF?": too short to look for inside comments, but it
            # may be the whole of one, or a whole line of one, in a mail above this one.
            above = [a for msgid in ancestors for a in earlier.get(msgid, ())]
            found = [a for a in above if key == thread.comment_key(a)]
            pick = _pick(found, hint)
            if pick is not None or len(found) > 1:
                return pick  # several and no hint: better no parent than the wrong one
            if sum(c.isalnum() for c in key) >= 4:
                # A line of a longer comment; "*/" or "}" would be found anywhere.
                found = [a for a in above if key in thread.comment_line_keys(a)]
                pick = _pick(found, hint)
                if pick is not None:
                    return pick
            continue
        found = []
        for msgid in order:
            found = [a for a in earlier[msgid] if key in thread.comment_key(a)]
            if found:
                break
        if found:
            if several:
                # Lines further up tell apart comments that share this one ("Fix it in v5.").
                found = [a for a in found if any(a is b for b in several)] or several
            pick = _pick(found, hint)
            if pick is not None or len({a.anchor for a in found}) == 1:
                return pick or found[-1]
            several = found
        tried += 1
        if tried == 3:
            break
    if several:
        # Still several comments at different lines: join the last, but say it is a guess.
        doubtful.append(several[-1])
        return several[-1]
    return None


def _pick(found: list[Annotation], hint: Anchor | None) -> Annotation | None:
    """The one annotation of ``found``, or the last one at ``hint``."""
    if len(found) == 1:
        return found[0]
    at_hint = [a for a in found if hint is not None and a.anchor == hint]
    return at_hint[-1] if at_hint else None
