"""A comment's text as card rows: prose wrapped to the room there is, long lines split.

Mail clients send a paragraph as one line (Gmail, Outlook) or as 72-column lines; a pasted
build log or URL can run to 300 characters. The review page lays each comment out for the
width its pane has (viewer.core.review_page ``lay_out(width=)``), so a card fits the pane
rather than run past its edge; code rows of the patch are not laid out here, they scroll.
"""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from viewer.core.review_page import ReviewPage

COMMENT_WIDTH = 90
"""Comment prose longer than this is wrapped (Gmail and Outlook send whole paragraphs as one
line); indented lines are left alone, they are usually code or a quoted log."""


CARD_MAX_CHARS = 110
"""No card line is wider than this: a pasted build log or a long URL is split into continued
rows (marked in the view, joined again on copy) rather than run past the window's edge. With
a pane width given (``lay_out(width=)``) the pane decides instead: cards reflow to it."""
CONTINUATION_INDENT = 2
_LEAST_ROOM = 24
"""A card line never gets fewer characters than this, however narrow the pane (the pane
scrolls then rather than show one word a row)."""


def card_room(width: int | None, indent: int) -> tuple[int, int]:
    """(prose wrap width, longest piece) for a card line indented ``indent`` characters on
    a page laid out for ``width`` (None: the fixed defaults)."""
    if width is None:
        return COMMENT_WIDTH, CARD_MAX_CHARS
    # the card's text column, less the continuation indent a split piece gets and room for
    # the card's border: what fits the pane without scrolling
    room = max(_LEAST_ROOM, width - indent - CONTINUATION_INDENT - 2)
    return min(COMMENT_WIDTH, room), room


def split_long(line: str, width: int = CARD_MAX_CHARS) -> list[str]:
    """``line`` in pieces of at most ``width`` characters whose concatenation is ``line``
    exactly (so copying gives back what the reviewer wrote): cut after a space when there is
    one in the second half of the piece, else mid-word (URLs, hashes, paths)."""
    pieces: list[str] = []
    while len(line) > width:
        space = line.rfind(" ", width // 2, width)
        cut = space + 1 if space > 0 else width
        pieces.append(line[:cut])
        line = line[cut:]
    pieces.append(line)
    return pieces


_LIST_ITEM = re.compile(r"^(?:[-*+•]\s|\d+[.)]\s|\[\d+\]|[A-Z][\w-]*-by:|Fixes:|Link:)")
"""A line that starts something of its own (a list item, a reference, a trailer): never
joined to the line above when a paragraph is wrapped again."""


def wrap_prose(lines: list[str], width: int = COMMENT_WIDTH) -> list[str]:
    """Prose wrapped to ``width``. A paragraph (flush-left lines, none starting a list item)
    with a line too long is wrapped as a whole, so a reviewer's 72-column lines in a narrower
    pane read as a paragraph rather than alternate long and one-word lines; paragraphs that
    fit keep the reviewer's own breaks. Indented lines (code, a quoted log) are left alone."""
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if any(len(line) > width for line in paragraph):
            joined = " ".join(line.strip() for line in paragraph)
            out.extend(textwrap.wrap(joined, width, break_on_hyphens=False,
                                     break_long_words=False) or [""])
        else:
            out.extend(paragraph)
        paragraph.clear()

    for line in lines:
        if not line.strip() or line[:1].isspace():
            flush()
            out.append(line)
        else:
            if _LIST_ITEM.match(line):
                flush()
            paragraph.append(line)
    flush()
    return out


def corresponding_row(old: ReviewPage, index: int, new: ReviewPage) -> int:
    """The row of ``new`` (the same mail laid out for another width) that shows what row
    ``index`` of ``old`` shows. Rows outside cards are the same in both, in the same order;
    a card row maps to the same comment's row at the same line of it, or its last one when
    the wider card needs fewer."""
    if not 0 <= index < len(old.rows):
        return 0
    row = old.rows[index]
    if row.annotation is None:
        nth = sum(1 for r in old.rows[:index] if r.annotation is None)
        plain = (i for i, r in enumerate(new.rows) if r.annotation is None)
        return next((i for k, i in enumerate(plain) if k == nth), len(new.rows) - 1)
    mine = row.annotation.id
    nth = sum(1 for r in old.rows[:index] if r.annotation is not None and r.annotation.id == mine)
    theirs = [i for i, r in enumerate(new.rows) if r.annotation is not None
              and r.annotation.id == mine]
    return theirs[min(nth, len(theirs) - 1)] if theirs else 0
