"""Myers' diff: the matched items of a shortest edit script between two sequences.

git's xdiff runs this algorithm by default, so the range-diff built on it pairs lines as git
does, and the revision tracker uses it to follow a commented line from one revision of a patch
to the next (where plain "find the same text" would pick the wrong one of two equal lines).
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Sequence

# Past this many edits the trace (one frontier per edit) costs more than it is worth: two
# mostly unrelated texts. difflib's longest-match blocks answer instead; they differ from git
# only where little matches anyway.
_MAX_EDITS = 1000


def matched_pairs(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int]]:
    """The matched (i, j) index pairs of a shortest edit script, in order.

    Like xdiff, lines that occur in only one of the two sequences are set aside first: no
    common subsequence can hold them, and a rewritten function is mostly such lines, so the
    edit distance the search has to walk stays small.
    """
    in_b = set(b)
    in_a = set(a)
    a_keep = [i for i, item in enumerate(a) if item in in_b]
    b_keep = [j for j, item in enumerate(b) if item in in_a]
    a_mid = [a[i] for i in a_keep]
    b_mid = [b[j] for j in b_keep]
    n, m = len(a_mid), len(b_mid)
    head = 0
    while head < n and head < m and a_mid[head] == b_mid[head]:
        head += 1
    tail = 0
    while tail < n - head and tail < m - head and a_mid[n - 1 - tail] == b_mid[m - 1 - tail]:
        tail += 1
    pairs = [(k, k) for k in range(head)]
    core = _myers_core(a_mid[head:n - tail], b_mid[head:m - tail])
    pairs += [(head + i, head + j) for i, j in core]
    pairs += [(n - tail + k, m - tail + k) for k in range(tail)]
    return [(a_keep[i], b_keep[j]) for i, j in pairs]


def _myers_core(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int]]:
    n, m = len(a), len(b)
    if not n or not m:
        return []
    offset = n + m + 1
    frontier = [0] * (2 * offset + 1)
    trace: list[list[int]] = []
    for d in range(n + m + 1):
        if d > _MAX_EDITS:
            return _matching_blocks(a, b)
        # Only diagonals -d-1..d+1 can be read back at this step: keep just that window.
        trace.append(frontier[offset - d - 1 : offset + d + 2])
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and frontier[offset + k - 1] < frontier[offset + k + 1]):
                x = frontier[offset + k + 1]
            else:
                x = frontier[offset + k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            frontier[offset + k] = x
            if x >= n and y >= m:
                return _backtrack(trace, n, m, d)
    return []  # unreachable: d never exceeds n + m


def _backtrack(trace: list[list[int]], n: int, m: int, d_end: int) -> list[tuple[int, int]]:
    x, y = n, m
    pairs: list[tuple[int, int]] = []
    for d in range(d_end, 0, -1):
        window = trace[d]  # diagonal k is window[k + d + 1]
        k = x - y
        down = k == -d or (k != d and window[k + d] < window[k + d + 2])
        prev_k = k + 1 if down else k - 1
        prev_x = window[prev_k + d + 1]
        prev_y = prev_x - prev_k
        while x > prev_x and y > prev_y:
            x, y = x - 1, y - 1
            pairs.append((x, y))
        x, y = prev_x, prev_y
    while x > 0 and y > 0:
        x, y = x - 1, y - 1
        pairs.append((x, y))
    pairs.reverse()
    return pairs


def _matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int]]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(i + k, j + k) for i, j, size in matcher.get_matching_blocks() for k in range(size)]
