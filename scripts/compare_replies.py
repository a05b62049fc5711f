#!/usr/bin/env python3
"""Compare replies Hunkwise composes with the replies real reviewers sent, over the corpus.

For every reply in ``../shared/corpus/threads`` that makes two or more confident comments on
diff lines of one patch, the same comments are given to viewer.core.reply.compose as drafts, and
both bodies are measured the same way: context lines quoted above each comment, ``[...]``
snips, ``diff --git`` and ``@@`` lines quoted, and whether the attribution is "On …, X wrote:".
``--show N`` prints the N-th pair side by side (real first) for reading.

    .venv/bin/python scripts/compare_replies.py [--corpus DIR] [--show N]
"""

from __future__ import annotations

import argparse
import collections
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viewer.core.archive import Archive
from viewer.core.drafts import Draft
from viewer.core.identity import Identity
from viewer.core.quotes import is_attribution
from viewer.core.reply import compose

_SNIP = re.compile(r"^\s*(\[\s*\.\.\.?\s*\]|\.\.\.|<snip>)\s*$")
ME = Identity("Rita Reviewer", "rita@example.org")


def measure(body: str) -> tuple[collections.Counter, list[int]]:
    """Counts of quote furniture, and the quoted lines (depth 1) above each own paragraph."""
    found: collections.Counter = collections.Counter()
    context: list[int] = []
    run = 0
    for line in body.split("\n"):
        if line.startswith(">"):
            text = line[2:] if line.startswith("> ") else line[1:]
            if _SNIP.match(text):
                found["snips"] += 1
                run = 0
                continue
            found["diff_git"] += text.startswith("diff --git")
            found["hunk_header"] += text.startswith("@@")
            if not line.startswith((">>", "> >")):
                run += 1
        elif line.strip() and not is_attribution(line):
            if run:
                context.append(run)
            run = 0
    found["attribution_on"] = int(any(re.match(r"^On .*wrote:$", ln) for ln in body.split("\n")))
    return found, context


def pairs(corpus: Path):
    for path in sorted((corpus / "threads").glob("*.mbox")):
        archive = Archive.open(path, use_cache=False)
        for patch_id in archive.patch_ids():
            by_reply = collections.defaultdict(list)
            for note in archive.annotations(patch_id):
                if (note.anchor.kind == "diff" and note.in_reply_to is None
                        and note.confidence >= 0.9 and note.quote_depth == 1
                        and (note.anchor.old_line, note.anchor.new_line) != (None, None)):
                    by_reply[note.reply_message_id].append(note)
            for reply_id, notes in by_reply.items():
                if len(notes) < 2:
                    continue
                drafts = [Draft(patch_id, "line", n.comment, file=n.anchor.file,
                                side="old" if n.anchor.text.startswith("-") else "new",
                                line_text=n.anchor.text,
                                line_no=n.anchor.old_line if n.anchor.text.startswith("-")
                                else n.anchor.new_line) for n in notes]
                (ours,) = compose(archive, drafts, ME, signoff="")
                yield path.name, archive.message(reply_id).body, ours.body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path,
                        default=Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus")
    parser.add_argument("--show", type=int, default=None, metavar="N")
    args = parser.parse_args()
    totals = {"real": collections.Counter(), "ours": collections.Counter()}
    context: dict[str, list[int]] = {"real": [], "ours": []}
    count = 0
    for n, (name, real, ours) in enumerate(pairs(args.corpus)):
        if args.show == n:
            print(f"== {name}: REAL ==\n{real}\n== OURS ==\n{ours}")
        for side, body in (("real", real), ("ours", ours)):
            found, above = measure(body)
            totals[side].update(found)
            context[side] += above
        count += 1
    if not count:
        print("no replies to compare (is the corpus there?)")
        return 1
    print(f"{count} real replies with two or more comments on diff lines, composed again")
    for side in ("real", "ours"):
        lines = context[side]
        over = sum(x > 6 for x in lines) / len(lines)
        print(f"{side}: context above a comment median {statistics.median(lines)}, mean "
              f"{statistics.mean(lines):.1f}, over 6 lines {over:.0%}")
    for key in ("snips", "diff_git", "hunk_header", "attribution_on"):
        print(f"{key}: real {totals['real'][key] / count:.2f} per reply, "
              f"ours {totals['ours'][key] / count:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
