"""Anchor a generated 30-patch series with 100 replies; the target is "well under half a second".

Prints the absolute time and two ratios measured in the same run: against merely parsing the
patches and splitting the replies (the floor any anchoring pays), and against a naive matcher
that runs difflib over every reply and its whole patch (what we would do without an index).

    .venv/bin/python bench/bench_anchoring.py
"""

from __future__ import annotations

import difflib
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viewer.core.anchoring import anchor_thread
from viewer.core.message import Message, Person
from viewer.core.patch import parse_patch
from viewer.core.quotes import split_reply

PATCHES, REPLIES, FILES, LINES = 30, 100, 3, 120


def _function(rng: random.Random, n: int) -> list[str]:
    body = [f"static int foo_{n}(struct foo *foo, unsigned int off)", "{"]
    for k in range(rng.randint(6, 14)):
        body.append(f"\tret = foo_step_{n}_{k}(foo, off + {k});")
        body.append("\tif (ret)")
        body.append("\t\treturn ret;")
        body.append("")
    return [*body, "\treturn 0;", "}", ""]


def make_patch(rng: random.Random, number: int) -> Message:
    diff = []
    for f in range(FILES):
        lines: list[str] = []
        while len(lines) < LINES:
            lines += _function(rng, len(lines))
        lines = lines[:LINES]
        path = f"drivers/foo/foo-{number}-{f}.c"
        diff += [f"diff --git a/{path} b/{path}", "new file mode 100644", "--- /dev/null",
                 f"+++ b/{path}", f"@@ -0,0 +1,{len(lines)} @@"]
        diff += ["+" + line for line in lines]
    body = "\n".join([f"Add foo part {number}.", "", "Signed-off-by: A <a@x>", "---", "", *diff,
                      "-- ", "2.34.1", ""])
    return Message(f"p{number}@x", f"[PATCH {number}/{PATCHES}] foo: part {number}",
                   Person("A", "a@x"), 1.0e9 + number, "cover@x", ("cover@x",), body)


def make_reply(rng: random.Random, number: int, patch: Message) -> Message:
    lines = patch.body.split("\n")
    out = ["On Mon, Jan 1, 2024, A wrote:"]
    start = 6
    for k in range(rng.randint(3, 8)):
        start = rng.randint(start, min(len(lines) - 12, start + 60))
        out += ["> " + line.replace("\t", "        ") for line in lines[start : start + 6]]
        out += ["", f"Comment {k}: please fix this.", "", "[...]"]
        start += 6
    out += ["", "Thanks,", "R"]
    return Message(f"r{number}@x", "Re: " + patch.subject, Person("R", "r@x"),
                   2.0e9 + number, patch.msgid, ("cover@x", patch.msgid), "\n".join(out))


def naive(patches: list[Message], replies: list[Message]) -> None:
    """difflib over every reply against its whole patch: the O(n·m) way."""
    by_id = {p.msgid: p.body.split("\n") for p in patches}
    for reply in replies:
        quoted = [line[2:] for line in reply.body.split("\n") if line.startswith("> ")]
        matcher = difflib.SequenceMatcher(None, quoted, by_id[reply.in_reply_to], autojunk=False)
        matcher.get_matching_blocks()


def best_of(fn, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    rng = random.Random(7)
    patches = [make_patch(rng, n) for n in range(1, PATCHES + 1)]
    replies = [make_reply(rng, n, rng.choice(patches)) for n in range(REPLIES)]
    messages = patches + replies
    annotations = anchor_thread(messages)
    anchored = sum(a.anchor.kind == "diff" for a in annotations)

    ours = best_of(lambda: anchor_thread(messages))
    floor = best_of(lambda: ([parse_patch(p.body) for p in patches],
                             [split_reply(r.body) for r in replies]))
    slow = best_of(lambda: naive(patches, replies), runs=1)
    print(f"{PATCHES} patches x {FILES * LINES} lines, {REPLIES} replies, "
          f"{len(annotations)} comments ({anchored} on diff lines)")
    print(f"anchor_thread: {ours * 1000:.1f} ms (target: well under 500 ms)")
    print(f"parse + split only: {floor * 1000:.1f} ms -> anchoring costs {ours / floor:.1f}x that")
    print(f"naive difflib matcher (matching only, no decisions): {slow * 1000:.1f} ms "
          f"-> ours takes {ours / slow:.1f}x that")


if __name__ == "__main__":
    main()
