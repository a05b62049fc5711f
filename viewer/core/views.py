"""Saved views: the maintainer's standing questions, as queries, with how many threads answer.

Each view is a query in the filter language (viewer.core.query), so a view is exactly what
typing it in the filter box shows, and the command line can ask the same:
``hunkwise threads PATH --json --query "is:new is:unread"``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from viewer.core.query import Query, parse_query
from viewer.core.triage import Triage


@dataclass(frozen=True, slots=True)
class SavedView:
    name: str
    query: str
    """What the filter box gets when the view is chosen."""
    tip: str

    def parsed(self) -> Query:
        return parse_query(self.query)


SAVED_VIEWS: tuple[SavedView, ...] = (
    SavedView("All mail", "", "Every thread of the mailbox"),
    SavedView("Inbox", "is:new is:unread", "New series (and threads) with mail not read yet"),
    SavedView("Needs review", "needs:review -is:superseded",
              "Patches nobody gave a Reviewed-by or Acked-by yet, newest revisions only"),
    SavedView("Waiting on me", "is:reviewing",
              "Series I am reviewing (set with s or Shift+N), not snoozed, not superseded"),
    SavedView("Flagged", "is:flagged", "Mail I flagged"),
    SavedView("Accepted", "is:accepted", "Series I applied"),
)


def count_views(
    triage: Triage,
    views: Sequence[SavedView] = SAVED_VIEWS,
    cancelled: Callable[[], bool] = lambda: False,
) -> dict[str, int]:
    """How many threads each view lists (a thread counts when any of its mails matches).

    The first count reads reply bodies for ``needs:review`` (the triage facts are kept), so
    the GUI runs it in the background; later counts are dictionary lookups.
    """
    queries = [(view.name, view.parsed()) for view in views]
    counts = {name: 0 for name, _query in queries}
    for root in triage.archive.threads:
        if cancelled():
            break
        for name, query in queries:
            if query.is_empty or triage.thread_matches(root, query):
                counts[name] += 1
    return counts
