"""`hunkwise review` in text mode shows every comment `review --json` has, on the same line,
marked approximate exactly when the JSON's confidence and method say so.

Both render the one review model; this reads the terminal text back the way a reader does
(the last patch line printed above a card is the line it is about) and compares it with the
JSON anchors, over every thread of the shared corpus.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from contextlib import redirect_stdout

import pytest

from tests.corpus_paths import CORPUS
from viewer.core.archive import Archive
from viewer.core.report import review_json
from viewer.terminal import print_review

THREADS = sorted((CORPUS / "threads").glob("*.mbox")) if CORPUS is not None else []

_FILE = re.compile(r"^── (.+?)  \(\+\d+ -\d+, \w+\)$")
# "[~ nearest, 60%]" marks an approximate anchor; "[Reviewed-by]" and co. are the tags taken
# out of the comment.
_CARD_HEAD = re.compile(r"^( {8,})┌─ (.*?), (\S+|no date)(  \[~ [^]]*\])?(  \[[^]~][^]]*\])*$")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(tmp_path / "cache"))


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _cards(text: str, widths: dict[str, int]) -> list[tuple]:
    """(patch, author, date, comment without whitespace, context, marked doubtful) of every
    card; the context is what the card sits under: ("header",), ("line", file, old, new),
    ("file", file), ("hunk", file, header) or ("text", words)."""
    cards: list[tuple] = []
    lines = text.split("\n")
    patch = file = None
    context: tuple = ("header",)
    current: list | None = None
    expect_msgid = False
    for line in lines:
        if line.startswith("═"):
            patch, file, context, expect_msgid = None, None, ("header",), True
            continue
        if expect_msgid and line.startswith("<") and line.endswith(">"):
            patch, expect_msgid = line[1:-1], False
            width = widths.get(patch, 4)
            diff_line = re.compile(rf"^([ \d]{{{width}}})([ \d]{{{width}}}) [-+ \\]")
            continue
        head = _CARD_HEAD.match(line)
        if head:
            current = [patch, head.group(2), head.group(3), [], context, bool(head.group(4))]
            cards.append(current)  # filled in below, frozen at the end
            continue
        stripped = line.lstrip(" ")
        if stripped.startswith("│") and current is not None:
            current[3].append(stripped[1:])
            continue
        if stripped.startswith("└─"):
            current = None
            continue
        if expect_msgid:
            continue  # subject and author lines
        found = _FILE.match(line)
        if found:
            file = found.group(1)
            context = ("file", file)
        elif line.startswith("@@"):
            context = ("hunk", file, line)
        elif diff_line.match(line) and line[: 2 * width].strip():
            old, new = line[:width].strip(), line[width : 2 * width].strip()
            context = ("line", file, int(old) if old else None, int(new) if new else None)
        elif line.startswith("        ") and line.strip():
            context = ("text", _squeeze(line.removesuffix("  (from a reply)")))
    return [(p, a, d, _squeeze("".join(body)), c, doubt) for p, a, d, body, c, doubt in cards]


def _number_width(patch: dict) -> int:
    numbers = [n for f in patch.get("files", []) for h in f["hunks"] for line in h["lines"]
               for n in (line["old_line"], line["new_line"]) if n is not None]
    return max(4, len(str(max(numbers)))) if numbers else 4


def _expected(patch: str, annotation: dict) -> tuple:
    anchor = annotation["anchor"]
    key = (patch, annotation["author"], annotation["date"] or "no date",
           _squeeze(annotation["comment"]))
    # The one doubtful rule (review_model.is_doubtful), from the JSON's own numbers.
    doubtful = anchor["kind"] != "unanchored" and (
        annotation["confidence"] < 0.8 or annotation["method"] != "exact")
    if anchor["kind"] == "unanchored":
        context: tuple = ("header",)
    elif anchor["kind"] == "commit_message":
        context = ("text", _squeeze(anchor["text"]))
    elif anchor["old_line"] is None and anchor["new_line"] is None:
        context = (("hunk", anchor["file"], None) if anchor["text"].startswith("@@")
                   else ("file", anchor["file"]))
    else:
        context = ("line", anchor["file"], anchor["old_line"], anchor["new_line"])
    return (*key, context, doubtful)


def _comparable(card: tuple) -> tuple:
    """A hunk header is printed from its numbers; compare by file only."""
    *key, context, doubtful = card
    if context[0] == "hunk":
        context = ("hunk", context[1], None)
    return (*key, context, doubtful)


@pytest.mark.skipif(not THREADS, reason="no ../shared/corpus/threads")
@pytest.mark.parametrize("path", THREADS, ids=[p.stem[:60] for p in THREADS])
def test_text_mode_shows_every_json_annotation_on_its_line(path):
    archive = Archive.open(path, use_cache=False)
    data = review_json(archive, None)
    assert data["errors"] == []
    out = io.StringIO()
    with redirect_stdout(out):
        print_review(archive, None, colour=False)
    widths = {p["message_id"]: _number_width(p) for p in data["patches"]}
    shown = Counter(_comparable(card) for card in _cards(out.getvalue(), widths))
    wanted = Counter(_expected(p["message_id"], a) for p in data["patches"]
                     for a in p["annotations"])
    missing = wanted - shown
    extra = shown - wanted
    assert not missing and not extra, (list(missing)[:3], list(extra)[:3])
    assert sum(shown.values()) == data["annotation_count"]
