"""Quoted lines of a reply → the patch rows they quote, each with how sure that is.

Quotes are matched to the patch by CONTENT, never by counting: reviewers trim context and cut
quotes mid-hunk, drop the ``diff --git``/``@@`` lines, and clients turn tabs into spaces, rewrap
long lines and drop trailing blanks. Every quoted line is compared with the patch's lines with all
whitespace removed; the quoted lines of a reply are then aligned to the patch as one increasing
sequence (most lines matched first, then most lines matched next to each other), which is what
picks the right one of several identical lines (``+}``, ``maxItems: 1``, an include present in two
files). Lines too short to say anything alone (``+}``, an empty ``+``) are placed only next to a
line that was matched, or, failing that, marked as a guess ("nearest"). How sure each placement
is comes from the evidence behind it (see ``_CONFIDENCE``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal

from viewer.core.annotation import Method
from viewer.core.patch import Patch
from viewer.core.quotes import ReplyLine

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


def patch_rows(patch: Patch) -> list[PatchRow]:
    """The patch flattened as quotes are matched against it: commit message, trailers, notes
    and diffstat, then per file its header lines, hunk headers and diff lines. An Anchor's
    ``row`` indexes this list; the review model maps it onto the rows it shows."""
    rows: list[PatchRow] = []
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


# -- matching quoted lines to rows -------------------------------------------------------------

_WS = re.compile(r"\s+")
_HUNK_NUMBERS = re.compile(r"^@@+\s*(-\d+(?:,\d+)?\s*\+\d+(?:,\d+)?)\s*@@")
_WEAK_LEN = 3  # "+}", "+", "};", "-": say nothing alone
_COMMON = 8  # a key found more often than this is placed by its neighbours only
_MATCH, _ADJACENT, _ACROSS = 1000, 2, 1


def line_key(text: str) -> str:
    hunk = _HUNK_NUMBERS.match(text)
    if hunk:
        return "@@" + _WS.sub("", hunk.group(1))
    return _WS.sub("", text)


@dataclass(slots=True)
class MatchDoc:
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


def prepare(patch: Patch) -> MatchDoc:
    rows = patch_rows(patch)
    keys = [line_key(row.text) for row in rows]
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
    return MatchDoc(patch, rows, keys, where, prev_strong, text, ends)


@dataclass(slots=True)
class Match:
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


def match_quotes(
    doc: MatchDoc,
    quoted: list[ReplyLine],
    breaks: set[int],
    snips: frozenset[int] | set[int] = frozenset(),
) -> list[Match | None]:
    """Align the reply's quoted lines with the patch rows (see the module docstring).

    ``breaks`` holds indexes i where a snip or own text separates quoted line i-1 from i: lines
    are only extended into neighbouring rows within one unbroken piece of quote. ``snips`` are
    the breaks with a snip among them: there the next quote need not go on where one stopped."""
    count = len(quoted)
    keys = [line_key(line.text) for line in quoted]
    matches: list[Match | None] = [None] * count
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
                    matches[i] = Match(chosen[s], method, 0.0)  # see _calibrate
    # A line with a single long match that fell out of the sequence: quoted out of order.
    # Its text is unique, but its neighbours disagree with it: not more than borderline.
    loose = set()
    for i in range(count):
        if matches[i] is None and len(candidates[i]) == 1 and len(keys[i]) >= 16:
            row = candidates[i][0]
            matches[i] = Match(row, _exactness(quoted[i].text, doc.rows[row].text), _LOOSE)
            loose.add(i)

    for tail, head in continuation.items():
        if matches[head] is not None:
            matches[tail] = Match(matches[head].row, "whitespace", 0.0)  # see below
    _extend(doc, quoted, keys, breaks, matches)
    _calibrate(doc, quoted, keys, breaks, snips, matches, set(continuation) | loose)
    for tail, head in continuation.items():
        if matches[head] is not None:
            # A line the client rewrapped: as sure as its head, never more than a
            # whitespace match of a unique line.
            confidence = min(matches[head].confidence, _CONFIDENCE["unique", "whitespace"])
            matches[tail] = Match(matches[head].row, "whitespace", confidence)
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
            matches[i] = Match(matches[i].row, method, confidence)


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
                matches[i] = Match(row, _exactness(quoted[i].text, doc.rows[row].text), 0.9)
                break
    for i in range(count - 2, -1, -1):
        if matches[i] is not None or (i + 1) in breaks or matches[i + 1] is None:
            continue
        row = matches[i + 1].row - 1
        same_depth = quoted[i + 1].depth == quoted[i].depth
        fits = row >= 0 and doc.keys[row] == keys[i] and doc.rows[row].kind == "line"
        if same_depth and keys[i] and fits:
            matches[i] = Match(row, _exactness(quoted[i].text, doc.rows[row].text), 0.9)


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
                matches[k] = Match(row, "nearest", confidence)
        i = end + 1


def _copies(doc: MatchDoc, keys: list[str], prev: int, nxt: int) -> list[list[int]]:
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
            matches[i] = Match(rows[k], "nearest", 0.6)


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
            matches[i] = Match(row, "whitespace", 0.85)
            last_end = at + 1

