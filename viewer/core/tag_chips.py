"""Tags given in replies ("Reviewed-by: Jane <jane@example.org>") as chips: their words and
where they sit in a row of text.

The anchoring takes a reply's tags out of its comment cards (a bare "Reviewed-by:" reply makes
no card at all); the review page and the terminal show them instead as chips, on the card of the
reply that gave them and beside the patch's counts, so the reader still sees who gave what.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from viewer.core.message import Person

if TYPE_CHECKING:
    from viewer.core.review_model import Row as ModelRow


def _folded(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    return "".join(c for c in plain if c.isalnum()).casefold()


def same_person(name: str, author: Person) -> bool:
    """Whether a tag's name is the card author's ("Nuno Sa" tagging as "Nuno Sá" counts)."""
    return bool(name) and _folded(name) in (_folded(author.name), _folded(author.email))


def chip_label(trailer: str, author: Person | None = None) -> str:
    """"Reviewed-by" on the card of the person who gave it; with the name otherwise
    ("Reviewed-by Guenter Roeck" beside the patch, or a Reported-by given for someone else)."""
    tag, _, value = trailer.partition(":")
    name = value.split("<", 1)[0].strip().strip('"')
    if author is not None and same_person(name, author):
        return tag.strip()
    return f"{tag.strip()} {name}".strip()


def chip_row(labels: Iterable[str], start: int) -> tuple[str, list[tuple[int, int]]]:
    """Text to append at column ``start`` and each chip's (column, length): every label padded
    by a space inside its chip, two spaces between chips."""
    text, places = "", []
    for label in labels:
        text += "  "
        places.append((start + len(text), len(label) + 2))
        text += f" {label} "
    return text, places


def card_chips(trailers: Iterable[str], author: Person, start: int
               ) -> tuple[str, list[tuple[int, int]]]:
    """The chips of one comment card's head: the tags its text gave, by their names alone."""
    return chip_row((chip_label(t, author) for t in trailers), start)


_COUNTED = {"R": "Reviewed-by", "A": "Acked-by", "T": "Tested-by"}


def tags_line(counts: dict[str, int] | None, rows: Iterable[ModelRow]
              ) -> tuple[str, list[tuple[int, int, str]]] | None:
    """The patch's tag line: "Reviewed-by ×2" (muted), then a chip per tag a reply gave
    ("Reviewed-by Guenter Roeck"), as text and (column, length, span style); None when there is
    nothing to say. ``rows`` are the review model's; its trailer rows from replies are shown."""
    given = [r.trailer for r in rows
             if r.kind == "trailer" and r.trailer is not None and r.trailer.source_msgid]
    summary = "   ".join(f"{_COUNTED[k]} ×{v}" for k, v in (counts or {}).items()
                         if v and k in _COUNTED)
    chips, places = chip_row((chip_label(str(t)) for t in given), len(summary))
    if not summary and not chips:
        return None
    spans = [(at, size, "trailer_chip") for at, size in places]
    return summary + chips, ([(0, len(summary), "date"), *spans] if chips else [])
