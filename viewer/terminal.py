"""Terminal renderings for the command line: review models and the thread list as text.

Colour only when asked or when stdout is a terminal, so piping into a file or `less -R` both work.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from typing import Any

from viewer.core.archive import Archive
from viewer.core.headers import iso_date
from viewer.core.report import review_targets
from viewer.core.review_model import Discussion, ReviewModel, is_doubtful
from viewer.core.tag_chips import chip_label

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


def _card(out: _Out, discussion: Discussion, indent: int = 0) -> None:
    """A boxed comment, its discussion nested under it."""
    ann = discussion.annotation
    pad = " " * (8 + indent)
    inner = max(30, out.width - len(pad) - 4)
    doubtful = is_doubtful(ann)
    head = f"{ann.author}, {iso_date(ann.date) or 'no date'}"
    if doubtful:
        head += f"  [~ {ann.method}, {ann.confidence:.0%}]"
    for tag in ann.trailers:  # the tags taken out of the comment, as on the review page
        head += f"  [{chip_label(tag, ann.author)}]"
    style = "doubt" if doubtful else "card"
    out.line(f"{pad}┌─ {head}", style)
    for para in ann.comment.splitlines() or [""]:
        for piece in textwrap.wrap(para, inner) or [""]:
            out.line(f"{pad}│ {piece}", style)
    out.line(f"{pad}└─", style)
    for reply in discussion.replies:
        _card(out, reply, indent + 2)


def print_review(archive: Archive, msgid: str | None, *, colour: bool) -> None:
    out = _Out(colour=colour)
    for target in review_targets(archive, msgid):
        print_model(out, archive.review(target))


def print_model(out: _Out, model: ReviewModel) -> None:
    """One review model: the mail's text with every discussion under the row it sits on."""
    out.line("═" * out.width, "dim")
    out.line(model.subject, "title")
    out.line(f"{model.author.name} <{model.author.email}>  {iso_date(model.date) or ''}", "dim")
    out.line(f"<{model.msgid}>", "dim")
    for discussion in model.general:
        _card(out, discussion)
    out.line()
    patch = model.patch
    width = _number_width(model)
    after_signature = False
    message_done = False
    for index, row in enumerate(model.rows):
        kind = row.kind
        if patch is not None and patch.files and not message_done and kind in (
            "trailer", "notes", "diffstat", "file"
        ):
            out.line()  # the commit message ends
            message_done = True
        if kind == "body":
            # Neither patch nor cover letter: its text without the "-- " signature.
            after_signature = after_signature or row.text == "-- "
            if after_signature:
                continue
            out.line(f"        {row.text}")
        elif kind == "commit":
            out.line(f"        {row.text}")
        elif model.is_cover and kind in ("trailer", "notes", "diffstat"):
            # A cover letter is read whole: its changelog, shortlog and diffstat are the
            # point of it. Its signature ("-- " and git's version) is not.
            if kind == "notes":
                after_signature = after_signature or row.text == "-- "
                if after_signature:
                    continue
            if kind != model.rows[index - 1].kind:
                out.line()
            out.line(f"        {row.text}")
        elif kind == "trailer":
            origin = "" if row.trailer is None or row.trailer.source_msgid is None else (
                "  (from a reply)")
            out.line(f"        {row.text}{origin}", "dim")
        elif kind == "file" and patch is not None and row.file_index is not None:
            diff = patch.files[row.file_index]
            out.line()
            out.line(f"── {diff.path}  (+{diff.added} -{diff.removed}, {diff.status})", "file")
        elif kind == "hunk" and patch is not None:
            assert row.file_index is not None and row.hunk_index is not None
            hunk = patch.files[row.file_index].hunks[row.hunk_index]
            header = f"@@ -{hunk.old_start},{hunk.old_count} +{hunk.new_start},{hunk.new_count} @@"
            out.line(f"{header} {hunk.section}".rstrip(), "@")
        elif kind == "line" and row.line is not None:
            line = row.line
            old = "" if line.old_line is None else str(line.old_line)
            new = "" if line.new_line is None else str(line.new_line)
            style = line.kind if line.kind != " " else None
            out.line(f"{old:>{width}}{new:>{width}} {row.text}", style)
        for discussion in model.at(index):
            _card(out, discussion)


def _number_width(model: ReviewModel) -> int:
    """Columns for each line number: 4, or more for a file past line 9999 (MAINTAINERS)."""
    numbers = [n for row in model.rows if row.line is not None
               for n in (row.line.old_line, row.line.new_line) if n is not None]
    return max(4, len(str(max(numbers)))) if numbers else 4


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
