"""The mailbox as a tree: series revisions → threads → replies, built lazily from the index.

Nothing here decodes a mail to list it. Top-level rows are made once per thread when a mailbox
opens (cheap: one small object each, ~15,000 for a 50,000-message archive); a thread's reply
rows are made the first time the view asks for them (expanding, or navigating into it). Subject,
author, date and reply counts come from the header index, so they show at once. A/R/T trailer
counts, comment counts and marks need bodies (~1 ms a mail), so ``data()`` only asks for the rows
the view actually paints and a worker thread reads them (viewer.ui.row_facts); the list scrolls
smoothly whatever the mailbox size.

A row is kept parallel to the model (``_Row``, reached by ``internalPointer``) and never read back
out of display text.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from viewer.core.archive import Archive
from viewer.core.errors import MessageNotFound
from viewer.core.query import Candidate, Query
from viewer.core.thread_facts import BODY_TERMS, Facts, facts_of
from viewer.core.thread_facts import flag as answer_flag
from viewer.core.thread_sort import NEEDS_BODIES, SORT_KEYS, ThreadCounts, sort_threads
from viewer.core.threader import ThreadNode
from viewer.core.triage import Triage
from viewer.ui.list_rows import ListRows, build_list_rows, count_rows
from viewer.ui.row_facts import RowFacts
from viewer.ui.thread_cells import ThreadCells
from viewer.ui.thread_fetching import FetchedRows
from viewer.ui.thread_rows import (  # noqa: F401 (some re-exported for the window and tests)
    _COLUMN_TIPS,
    _LAZY_COLUMNS,
    COL_COMMENTS,
    COL_COUNT,
    COL_DATE,
    COL_FROM,
    COL_MARKS,
    COL_SUBJECT,
    COL_TRAILERS,
    COL_VERSION,
    COLUMNS,
    DEFAULT_SORT,
    GROUP,
    KIND_ROLE,
    MESSAGE,
    MSGID_ROLE,
    Index,
    _Row,
)

_NO_INDEX = QModelIndex()
"""The invalid index, made once (Qt copies what it is handed)."""
_COLUMN_COUNT = len(COLUMNS)


class ThreadModel(ThreadCells, FetchedRows, QAbstractItemModel):
    """Series, threads and replies of one Archive, filtered by a :class:`Query`."""

    facts_ready = Signal(str)
    """A message's comment/trailer counts were just computed (msgid)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archive: Archive | None = None
        self.query = Query()
        self._built: list[_Row] = []
        """Every top-level row, newest first (the mailbox's order)."""
        self._top: list[_Row] = []
        """``_built`` in the chosen sort order; ``_visible`` is the filtered view of it."""
        self.sort_order: tuple[str, bool] = DEFAULT_SORT
        """(a SORT_KEYS key, descending)."""
        self._visible: list[_Row] = []
        self._top_of_root: dict[str, _Row] = {}
        self._rows: dict[str, _Row] = {}
        """Message-ID → its row, for every row built so far (dataChanged, selection)."""
        self._read: set[str] = set()
        self._unread_in: dict[int, int] = {}
        self._largest = 0
        """id(top row) → unread messages below it, counted when the mailbox opens and kept
        up to date by set_read (a first paint walking big threads took tens of ms)."""
        self._facts: dict[str, Facts] = {}
        self.row_facts = RowFacts(self, self)
        self.row_facts.ready.connect(self._on_facts_read)
        self._order: list[str] | None = None
        self._matching: set[str] | None = None
        self.triage: Triage | None = None
        """Kept state and mail-derived marks; answers the triage terms of the filter."""
        self.lazy_enabled = True
        """Off in tests that count model calls; nothing is read in the background then."""
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)

    # -- loading ------------------------------------------------------------------------------

    def set_archive(self, archive: Archive | None, read_ids: set[str] | None = None,
                    prepared: ListRows | None = None) -> None:
        """Show ``archive``; ``prepared``: its rows, built off the GUI thread by the loader
        (viewer.ui.list_rows), else they are built here."""
        self.beginResetModel()
        self.row_facts.reset()
        self.archive = archive
        self._read = set(read_ids or ())
        self._facts.clear()
        if archive is None:
            prepared = ListRows([], {}, {}, frozenset(), {}, 0)
        elif prepared is None:
            prepared = build_list_rows(archive, self._read)
        elif prepared.read != self._read:  # read or unread meanwhile: count again
            prepared.unread_in, prepared.largest = count_rows(
                prepared.top, archive.thread_counts(self._read))
        self._built, self._top_of_root, self._rows = (
            prepared.top, prepared.top_of_root, prepared.rows)
        self._unread_in, self._largest = prepared.unread_in, prepared.largest
        self._top = self._sorted(self._built)
        self._apply_query()
        self.endResetModel()

    def set_font(self, font: QFont) -> None:
        """The list's font (zoom): unread rows are its bold, placeholders its italic."""
        self._bold = QFont(font)
        self._bold.setBold(True)
        self._italic = QFont(font)
        self._italic.setItalic(True)
        if self._visible:
            self.layoutChanged.emit()

    def column_content(self, limit: int = 5000) -> tuple[list[str], int]:
        """Authors as the From column shows them (the first ``limit`` mails) and the largest
        thread's size: what the view sizes From and Msgs to, read from the index only."""
        if self.archive is None:
            return [], 0
        authors = [e.author_name or e.author_email for e in self.archive.entries[:limit]]
        return authors, self._largest  # counted with the Msgs column (list_rows.count_rows)

    # -- sorting ------------------------------------------------------------------------------

    def set_sort(self, key: str, *, descending: bool) -> None:
        """Order whole threads by one column (viewer.core.thread_sort); replies keep their
        tree order. The comment and trailer columns sort on the counts known so far: call
        :meth:`needs_sort_facts` first and add the missing ones for an exact order."""
        if key not in SORT_KEYS:
            raise ValueError(f"unknown sort key {key!r}")
        self.beginResetModel()
        self.sort_order = (key, descending)
        self._top = self._sorted(self._built)
        self._apply_query()
        self.endResetModel()

    def needs_sort_facts(self, key: str) -> list[str]:
        """The thread starts whose comment/trailer counts sorting by ``key`` lacks."""
        if key not in NEEDS_BODIES or self.archive is None:
            return []
        wanted = (self._sort_node(row) for row in self._built)
        return [n.msgid for n in wanted if n is not None and n.msgid not in self._facts]

    def _sorted(self, rows: list[_Row]) -> list[_Row]:
        archive = self.archive
        if archive is None or self.sort_order == DEFAULT_SORT:
            return list(rows)
        key, descending = self.sort_order

        def version_of(msgid: str) -> int | None:
            series = archive.series_of(msgid)
            return series.version if series is not None else None

        def counts(msgid: str) -> ThreadCounts:
            facts = self._facts.get(msgid)
            if facts is None:
                return ThreadCounts()
            return ThreadCounts(facts.comments, sum(facts.trailers.values()))

        return sort_threads(
            [r for r in rows if self._sort_node(r) is not None],
            lambda r: self._sort_node(r),  # type: ignore[arg-type,return-value]
            key, descending=descending, info_of=archive.subject_info,
            version_of=version_of, counts=counts,
        ) + [r for r in rows if self._sort_node(r) is None]

    @staticmethod
    def _sort_node(row: _Row) -> ThreadNode | None:
        # A revisions row sorts as its newest revision, which is what its columns show.
        if row.kind == GROUP:
            return row.children[-1].node if row.children else None
        return row.node

    def thread_of(self, msgid: str) -> list[str]:
        """Every mail in the list row ``msgid`` belongs to: its whole thread, or for a
        series shown with its revisions, every revision's thread (mark-thread-read)."""
        if self.archive is None or not self._known(msgid):
            return []
        top = self._top_of_root.get(self.archive.root_of(msgid).msgid)
        if top is None:
            return []
        return [n.msgid for n in self._nodes_under(top) if n.entry is not None]

    # -- filtering ----------------------------------------------------------------------------

    def set_query(self, query: Query) -> float:
        """Show only threads with a message matching ``query``; returns the seconds it took."""
        started = time.perf_counter()
        self.beginResetModel()
        self.query = query
        self._apply_query()
        self.endResetModel()
        return time.perf_counter() - started

    def _apply_query(self, found: tuple[list[_Row], set[str]] | None = None) -> None:
        self._order = None
        if self.query.is_empty or self.archive is None:
            self._visible = list(self._top)
            self._matching = None
        else:
            if found is None:
                found = self.find_matching(self.query)
                assert found is not None
            self._visible, self._matching = found
        for i, row in enumerate(self._visible):
            row.row = i
        self._reset_fetched()

    def find_matching(
        self, query: Query, cancelled=lambda: False
    ) -> tuple[list[_Row], set[str]] | None:
        """The top rows with a matching mail, and the matching mails: plain data a worker
        thread can compute for a big mailbox (None when cancelled). Not ``match``: that name is
        QAbstractItemModel's own, which the views and the model tester call. Reads only: the answers
        the flags need are looked up, so the GUI thread may go on painting meanwhile."""
        matching: set[str] = set()
        visible: list[_Row] = []
        for number, top in enumerate(list(self._top)):
            if number % 64 == 0 and cancelled():
                return None
            hit = False
            for node in self._nodes_under(top):
                if node.entry is not None and query.matches(self._candidate(node)):
                    matching.add(node.msgid)
                    hit = True
            if hit:
                visible.append(top)
        return visible, matching

    def set_matched(self, query: Query, found: tuple[list[_Row], set[str]]) -> float:
        """Show what :meth:`find_matching` found for ``query`` (rows no longer listed are dropped:
        a sort or a reload since the match started)."""
        started = time.perf_counter()
        current = {id(row) for row in self._top}
        rows = [row for row in found[0] if id(row) in current]
        self.beginResetModel()
        self.query = query
        self._apply_query((rows, found[1]))
        self.endResetModel()
        return time.perf_counter() - started

    def _nodes_under(self, top: _Row) -> Iterator[ThreadNode]:
        if top.kind == GROUP:
            for child in top.children or ():
                yield from child.node.walk()  # type: ignore[union-attr]
        elif top.node is not None:
            yield from top.node.walk()

    def _candidate(self, node: ThreadNode) -> Candidate:
        entry = node.entry
        assert entry is not None
        return Candidate(
            entry.subject,
            f"{entry.author_name} <{entry.author_email}>",
            lambda key, msgid=node.msgid: self.flag(msgid, key),
        )

    def flag(self, msgid: str, key: str) -> bool:
        """Answer an is:/has: question about one message (the filter's callback).

        What the terms mean is viewer.core.thread_facts; this model lends it the read state,
        the triage and its cache of facts (see :class:`~viewer.core.thread_facts.FlagSource`).
        """
        return answer_flag(self, msgid, key)

    def is_match(self, msgid: str) -> bool:
        """Whether a message itself matched the filter (other rows of its thread are context)."""
        return self._matching is None or msgid in self._matching

    # -- lazy facts ---------------------------------------------------------------------------

    def facts(self, msgid: str) -> Facts:
        """Comment and trailer counts of one message, computed now if not known yet."""
        known = self._facts.get(msgid)
        if known is None:
            known = self._facts[msgid] = self._compute_facts(msgid)
        return known

    def _compute_facts(self, msgid: str) -> Facts:
        assert self.archive is not None
        if self.triage is not None:
            self.triage.warm([msgid])
        return facts_of(self.archive, msgid)

    def needs_facts(self, query: Query) -> list[str]:
        """Messages whose bodies ``query`` would have to read and that are not known yet."""
        if self.archive is None or not query.flags & BODY_TERMS:
            return []
        return [e.msgid for e in self.archive.entries if e.msgid not in self._facts]

    def needs_triage(self, query: Query) -> list[str]:
        """Patches whose triage facts (carried trailers, unchanged, my review) ``query`` needs
        and that are not known yet: the filter's background job computes them first."""
        if self.archive is None or self.triage is None or not query.flags & Triage.BODY_FLAGS:
            return []
        return self.triage.cold(self.archive.patch_ids())

    def add_facts(self, facts: dict[str, Facts]) -> None:
        """Facts computed elsewhere (the filter's background job)."""
        self._facts.update(facts)

    def _queue_facts(self, msgid: str) -> None:
        if self.lazy_enabled:
            self.row_facts.want(msgid)

    def _on_facts_read(self, facts: dict[str, Facts]) -> None:
        """A batch read by the worker: its cells repaint (a row since filtered out does not)."""
        self._facts.update(facts)
        for msgid in facts:
            row = self._rows.get(msgid)
            # A revisions row shows its newest revision's marks: it repaints with it.
            group = row.parent if row is not None and row.parent is not None and (
                row.parent.kind == GROUP and row.parent.children[-1] is row) else None
            for changed in (row, group):
                if changed is not None and self._is_shown(changed):
                    # Cell by cell: a range of cells makes the view repaint all it shows.
                    for column in _LAZY_COLUMNS:
                        cell = self.createIndex(changed.row, column, changed)
                        self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.DisplayRole])
            self.facts_ready.emit(msgid)

    def triage_changed(self) -> None:
        """States, flags or marks changed: repaint every row built so far (cells only)."""
        last = len(COLUMNS) - 1
        if self._fetched:
            self.dataChanged.emit(self.createIndex(0, 0, self._visible[0]),
                                  self.createIndex(self._fetched - 1, last,
                                                   self._visible[self._fetched - 1]))
        for row in list(self._rows.values()):
            if row.children and self._is_shown(row):
                first, final = row.children[0], row.children[-1]
                self.dataChanged.emit(self.createIndex(0, 0, first),
                                      self.createIndex(len(row.children) - 1, last, final))

    def pending_facts(self) -> int:
        """Rows whose counts were asked for and are still being read."""
        return self.row_facts.pending()

    # -- read state ---------------------------------------------------------------------------

    def is_read(self, msgid: str) -> bool:
        return msgid in self._read

    def set_read(self, msgid: str, *, read: bool = True) -> None:
        if (msgid in self._read) == read:
            return
        if read:
            self._read.add(msgid)
        else:
            self._read.discard(msgid)
        if self.archive is None or not self._known(msgid) or self.archive.node(msgid).entry is None:
            return
        top = self._top_of_root.get(self.archive.root_of(msgid).msgid)
        if top is not None and id(top) in self._unread_in:
            self._unread_in[id(top)] += -1 if read else 1
        row = self._rows.get(msgid)
        for changed in (row, top, row.parent if row is not None else None):
            if changed is not None and self._is_shown(changed):
                left = self.createIndex(changed.row, 0, changed)
                right = self.createIndex(changed.row, len(COLUMNS) - 1, changed)
                self.dataChanged.emit(left, right, [Qt.ItemDataRole.FontRole])

    def _unread_below(self, top: _Row) -> int:
        known = self._unread_in.get(id(top))
        if known is None:
            read = self._read
            known = self._unread_in[id(top)] = sum(
                1 for n in self._nodes_under(top) if n.entry is not None and n.msgid not in read
            )
        return known

    # -- navigation helpers -------------------------------------------------------------------

    def order(self) -> list[str]:
        """Every visible message in display order (collapsed ones too): n/p and [/] walk it."""
        if self._order is None:
            self._order = [
                node.msgid
                for top in self._visible
                for node in self._nodes_under(top)
                if node.entry is not None
            ]
        return self._order

    def index_of(self, msgid: str, column: int = 0) -> QModelIndex:
        """The index showing ``msgid``, building the rows on the way; invalid if filtered out."""
        if self.archive is None or not self._known(msgid):
            return QModelIndex()
        row = self._rows.get(msgid)
        if row is None:
            path: list[ThreadNode] = []
            node: ThreadNode | None = self.archive.node(msgid)
            while node is not None:
                path.append(node)
                node = node.parent
            root = path[-1]
            top = self._top_of_root.get(root.msgid)
            if top is None:
                return QModelIndex()
            row = top if top.kind != GROUP else self._rows[root.msgid]
            for node in reversed(path[:-1]):
                children = self._children(row)
                row = next(c for c in children if c.node is node)
        top = row
        while top.parent is not None:
            top = top.parent
        if top.row < len(self._visible) and self._visible[top.row] is top:
            self.fetch_to(top.row)  # listed further down than the view has been told yet
        if not self._is_shown(row):
            return QModelIndex()
        return self.createIndex(row.row, column, row)

    def mail_of(self, index: Index) -> str | None:
        """The mail a row stands for: its own, or for a revisions row the newest revision's
        thread start (None for an invalid index)."""
        row = self._row_of(index)
        if row is not None and row.kind == GROUP:
            row = row.children[-1] if row.children else None
        return row.msgid if row is not None else None

    def _known(self, msgid: str) -> bool:
        """A mail of the mailbox or a placeholder its replies reference."""
        assert self.archive is not None
        try:
            self.archive.node(msgid)
        except MessageNotFound:
            return False
        return True

    def _is_shown(self, row: _Row) -> bool:
        while row.parent is not None:
            row = row.parent
        return row.row < self._fetched and self._visible[row.row] is row

    # -- QAbstractItemModel -------------------------------------------------------------------

    def _row_of(self, index: Index) -> _Row | None:
        return index.internalPointer() if index.isValid() else None  # type: ignore[return-value]

    def _children(self, row: _Row | None) -> list[_Row]:
        if row is None:
            return self._visible
        if row.children is None:
            row.children = [_Row(MESSAGE, row, i, n) for i, n in enumerate(row.child_nodes())]
            for child in row.children:
                self._rows.setdefault(child.msgid, child)  # type: ignore[arg-type]
        return row.children

    # index() and parent() are asked for every cell of every repaint: no helper calls in them.
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid():
            above: _Row = parent.internalPointer()  # type: ignore[assignment]
            children = above.children if above.children is not None else self._children(above)
            listed = len(children)
        else:
            children, listed = self._visible, self._fetched
        if 0 <= row < listed and 0 <= column < _COLUMN_COUNT:
            return self.createIndex(row, column, children[row])
        return _NO_INDEX

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return _NO_INDEX
        above = index.internalPointer().parent
        return _NO_INDEX if above is None else self.createIndex(above.row, 0, above)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return self._fetched
        if parent.column() != 0:
            return 0
        return len(self._children(self._row_of(parent)))

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        row = self._row_of(parent)
        if row is None:
            return bool(self._visible)
        if parent.column() != 0:
            return False
        return bool(row.children) if row.children is not None else bool(row.child_nodes())

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return _COLUMN_TIPS[section]
        return None

    # No flags(): Qt's own answer (enabled and selectable, nothing for an invalid index) is
    # the list's, and the view asks it twice a row at every layout and repaint.
