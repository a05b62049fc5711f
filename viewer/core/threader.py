"""Reply trees from Message-ID / In-Reply-To / References (JWZ-style, placeholders for gaps).

Named threader, not threading, so it never shadows the standard library module.
CONTRACT (being implemented).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from viewer.core.mbox import IndexEntry


@dataclass(eq=False, slots=True)
class ThreadNode:
    msgid: str
    entry: IndexEntry | None
    """None for a placeholder: a parent that is referenced but not in the mailbox."""
    parent: ThreadNode | None = field(default=None, repr=False)
    children: list[ThreadNode] = field(default_factory=list, repr=False)

    def walk(self):
        """This node and every descendant, depth first, in display order."""
        yield self
        for child in self.children:
            yield from child.walk()


def build_threads(entries: Sequence[IndexEntry]) -> list[ThreadNode]:
    """Roots sorted by date of their first real message; children sorted by date."""
    raise NotImplementedError
