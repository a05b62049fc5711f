"""The list's top rows handed to the view a few screens at a time (Qt's fetchMore).

Every view switch resets the model, and the tree view then lays out each top-level row it is
told of, asking Python for every one's index and children: the ~1,000 rows of the 58 MB
archive's Inbox took 5-15 ms of each switch before anything was painted. Told of the first
``FETCH_ROWS`` only, it lays out those; scrolling to the end of them asks for more
(``canFetchMore``/``fetchMore``), and code that goes to a row further down (the mail kept
across a filter, n/p, a search) fetches up to it first (``index_of``). Select All, End and
Expand All fetch everything first (viewer.ui.thread_list), so "all" still means all.

What the filter lets through is ``_visible``; the view knows of ``_visible[:_fetched]``.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex

FETCH_ROWS = 200
"""Top rows the view is told of at once: three tall screens."""


class FetchedRows:
    """Mixed into :class:`~viewer.ui.thread_model.ThreadModel`."""

    _fetched = 0
    """How many of ``_visible`` (from the top) the view knows of."""

    def listed(self) -> int:
        """Every top row the filter lets through, fetched by the view or not (the summary)."""
        return len(self._visible)

    def fetched(self) -> int:
        return self._fetched

    def _reset_fetched(self) -> None:
        """Inside a model reset: the view starts again from the first rows."""
        self._fetched = min(len(self._visible), FETCH_ROWS)

    def canFetchMore(self, parent) -> bool:
        return not parent.isValid() and self._fetched < len(self._visible)

    def fetchMore(self, parent) -> None:
        if not parent.isValid():
            self.fetch_to(self._fetched + FETCH_ROWS - 1)

    def fetch_to(self, row: int) -> None:
        """Make top row number ``row`` (and every one above it) known to the view."""
        last = min(row, len(self._visible) - 1)
        if last < self._fetched:
            return
        self.beginInsertRows(QModelIndex(), self._fetched, last)
        self._fetched = last + 1
        self.endInsertRows()

    def fetch_all(self) -> None:
        self.fetch_to(len(self._visible) - 1)
