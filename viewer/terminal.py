"""Terminal renderings for the command line: the review page and the thread list as text.

Colour only when asked or when stdout is a terminal, so piping into a file or `less -R` both work.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections import defaultdict
from typing import Any

from viewer.core.annotation import Annotation
from viewer.core.archive import Archive
from viewer.core.headers import iso_date
from viewer.core.report import review_targets

RESET = "\033[0m"
STYLES = {
    "+": "\033[32m",
    "-": "\033[31m",
    "@": "\033[36m",
    "file": "\033[1m",
    "dim": "\033[2m",
    "card": "\033[33m",
    "doubt": "\033[35m",
    "title": "\033[1;4m",
}


def wants_colour(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


class _Out:
    def __init__(self, *, colour: bool) -> None:
        self.colour = colour
        self.width = min(shutil.get_terminal_size((100, 24)).columns, 120)

    def line(self, text: str = "", style: str | None = None) -> None:
        if self.colour and style:
            text = f"{STYLES[style]}{text}{RESET}"
        print(text)


def _children(annotations: list[Annotation]) -> dict[str | None, list[Annotation]]:
    by_parent: dict[str | None, list[Annotation]] = defaultdict(list)
    ids = {a.id for a in annotations}
    for a in annotations:
        parent = a.in_reply_to if a.in_reply_to in ids else None
        by_parent[parent].append(a)
    return by_parent


def _card(out: _Out, ann: Annotation, by_parent, indent: int) -> None:
    """A boxed comment, its discussion nested under it."""
    pad = " " * (8 + indent)
    inner = max(30, out.width - len(pad) - 4)
    doubtful = ann.confidence < 0.8 and ann.anchor.kind != "unanchored"
    head = f"{ann.author}, {iso_date(ann.date) or 'no date'}"
    if doubtful:
        head += f"  [~ {ann.method}, {ann.confidence:.0%}]"
    style = "doubt" if doubtful else "card"
    out.line(f"{pad}┌─ {head}", style)
    for para in ann.comment.splitlines() or [""]:
        for piece in textwrap.wrap(para, inner) or [""]:
            out.line(f"{pad}│ {piece}", style)
    out.line(f"{pad}└─", style)
    for child in by_parent.get(ann.id, []):
        _card(out, child, by_parent, indent + 2)


def print_review(archive: Archive, msgid: str | None, *, colour: bool) -> None:
    out = _Out(colour=colour)
    for target in review_targets(archive, msgid):
        _print_one(out, archive, target)


def _print_one(out: _Out, archive: Archive, msgid: str) -> None:
    entry = archive.entry(msgid)
    annotations = archive.annotations(msgid)
    by_parent = _children(annotations)
    roots = by_parent.get(None, [])
    at_line: dict[tuple, list[Annotation]] = defaultdict(list)
    at_message: dict[str, list[Annotation]] = defaultdict(list)
    general: list[Annotation] = []
    for ann in roots:
        a = ann.anchor
        if a.kind == "diff":
            at_line[(a.file, a.old_line, a.new_line)].append(ann)
        elif a.kind == "commit_message":
            at_message[a.text.strip()].append(ann)
        else:
            general.append(ann)

    out.line("═" * out.width, "dim")
    out.line(entry.subject, "title")
    out.line(f"{entry.author_name} <{entry.author_email}>  {iso_date(entry.date) or ''}", "dim")
    out.line(f"<{msgid}>", "dim")
    for ann in general:
        _card(out, ann, by_parent, 0)
    patch = archive.patch(msgid)
    if patch is not None:
        body_lines = patch.commit_message
    else:  # a cover letter: its text without the "-- " signature (git's version line)
        body_lines = archive.message(msgid).body.splitlines()
        if "-- " in body_lines:
            body_lines = body_lines[: body_lines.index("-- ")]
    out.line()
    for text in body_lines:
        out.line(f"        {text}")
        for ann in at_message.pop(text.strip(), []) if text.strip() else []:
            _card(out, ann, by_parent, 0)
    for leftovers in at_message.values():  # quoted text we could not place on one line
        for ann in leftovers:
            _card(out, ann, by_parent, 0)
    if patch is None:
        return
    out.line()
    for trailer in archive.trailers(msgid):
        origin = "" if trailer.source_msgid is None else "  (from a reply)"
        out.line(f"        {trailer.name}: {trailer.value}{origin}", "dim")
    for diff in patch.files:
        out.line()
        out.line(f"── {diff.path}  (+{diff.added} -{diff.removed}, {diff.status})", "file")
        for hunk in diff.hunks:
            header = f"@@ -{hunk.old_start},{hunk.old_count} +{hunk.new_start},{hunk.new_count} @@"
            out.line(f"{header} {hunk.section}".rstrip(), "@")
            for line in hunk.lines:
                old = "" if line.old_line is None else str(line.old_line)
                new = "" if line.new_line is None else str(line.new_line)
                style = line.kind if line.kind != " " else None
                out.line(f"{old:>4}{new:>4} {line.kind}{line.text}", style)
                for ann in at_line.pop((diff.path, line.old_line, line.new_line), []):
                    _card(out, ann, by_parent, 0)


def print_threads(data: dict[str, Any]) -> None:
    out = _Out(colour=sys.stdout.isatty())
    for thread in data["threads"]:
        for message in thread["messages"]:
            if message.get("placeholder"):
                continue
            indent = "  " * message["depth"]
            counts = message.get("trailers")
            badge = ""
            if counts:
                badge = " " + " ".join(f"{k}{v}" for k, v in counts.items() if v)
            date = (message.get("date") or "")[:10]
            out.line(f"{date}  {indent}{message['subject']}{badge}  — {message['author']}")
