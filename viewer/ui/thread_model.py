"""The mailbox as a tree: series revisions → threads → replies, built lazily from the index.

Nothing here decodes a mail to list it. Top-level rows are made once per thread when a mailbox
opens (cheap: one small object each, ~15,000 for a 50,000-message archive); a thread's reply
rows are made the first time the view asks for them (expanding, or navigating into it). Subject,
author, date and reply counts come from the header index, so they show at once. A/R/T trailer
counts and comment counts need bodies (~1 ms a mail), so ``data()`` only queues the rows the view
actually paints and an idle timer computes them a few at a time; the list scrolls smoothly
whatever the mailbox size.

A row is kept parallel to the model (``_Row``, reached by ``internalPointer``) and never read back
out of display text.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterator

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from viewer.core.archive import Archive
from viewer.core.errors import MessageNotFound
from viewer.core.marks import Mark, marks_text, marks_tip, row_marks
from viewer.core.placeholder import implied_subject
from viewer.core.query import Candidate, Query
from viewer.core.series import describe_links
from viewer.core.thread_facts import BODY_TERMS, Facts, facts_of
from viewer.core.thread_facts import flag as answer_flag
from viewer.core.thread_sort import NEEDS_BODIES, SORT_KEYS, ThreadCounts, sort_threads
from viewer.core.threader import ThreadNode
from viewer.core.triage import Triage

MSGID_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
UNREAD_ROLE = Qt.ItemDataRole.UserRole + 3

# data() runs thousands of times a repaint: compare roles as plain ints, not enum members.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_MSGID, _KIND, _UNREAD = int(MSGID_ROLE), int(KIND_ROLE), int(UNREAD_ROLE)
_ROLES = frozenset({_DISPLAY, _FONT, _FOREGROUND, _ALIGN, _TOOLTIP, _MSGID, _KIND, _UNREAD})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

GROUP, MESSAGE = "group", "message"

COLUMNS = ("Subject", "From", "Date", "Ver", "Msgs", "A/R/T", "Cmts", "Marks")
_COLUMN_TIPS = (
    "Subject as sent",
    "Author",
    "Date sent (local time)",
    "Series version (revisions for a group row)",
    "Messages in the thread below",
    "Acked-by / Reviewed-by / Tested-by given (cover: whole series)",
    "Review comments anchored on the patch (replies: comments they make)",
    "Triage: state, flag ⚑, newer revision ⇡, unchanged ≡, done ✓, no review yet ∅ (hover)",
)
(COL_SUBJECT, COL_FROM, COL_DATE, COL_VERSION, COL_COUNT, COL_TRAILERS, COL_COMMENTS,
 COL_MARKS) = range(8)
DEFAULT_SORT = ("date", True)
"""The mailbox's own order: newest thread first."""
_LAZY_COLUMNS = (COL_TRAILERS, COL_COMMENTS, COL_MARKS)
_SLICE_SECONDS = 0.03  # idle work per timer tick: well under a frame at 30 fps
_PENDING = "…"
_QUEUE_LIMIT = 150

Index = QModelIndex | QPersistentModelIndex


class _Row:
    """One row of the tree; ``children`` is None until somebody asks for them."""

    __slots__ = (
        "children", "count", "kind", "label", "msgid", "node", "parent", "row", "subject",
        "tip", "versions",
    )

    def __init__(
        self,
        kind: str,
        parent: _Row | None,
        row: int,
        node: ThreadNode | None = None,
        *,
        label: str = "",
        versions: str = "",
    ) -> None:
        self.kind = kind
        self.parent = parent
        self.row = row
        self.node = node
        self.msgid = node.msgid if node is not None else None
        self.children: list[_Row] | None = None
        self.label = label
        self.versions = versions
        self.count: str | None = None
        """The Msgs column, computed on first paint (a walk of the subtree)."""
        self.subject: str | None = None
        """The Subject column as shown (compact for replies), computed on first paint."""
        self.tip = ""
        """A group row's tooltip: why its revisions were linked."""

    def child_nodes(self) -> list[ThreadNode]:
        return self.node.children if self.node is not None else []


class ThreadModel(QAbstractItemModel):
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
        self._link_tips: dict[str, str] = {}
        self._rows: dict[str, _Row] = {}
        """Message-ID → its row, for every row built so far (dataChanged, selection)."""
        self._read: set[str] = set()
        self._unread_in: dict[int, int] = {}
        """id(top row) → unread messages below it, computed when first painted."""
        self._facts: dict[str, Facts] = {}
        self._queue: OrderedDict[str, None] = OrderedDict()
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._work)
        self._order: list[str] | None = None
        self._matching: set[str] | None = None
        self.triage: Triage | None = None
        """Kept state and mail-derived marks; answers the triage terms of the filter."""
        self.lazy_enabled = True
        """Off in tests that count model calls; the idle worker never runs then."""
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)

    # -- loading ------------------------------------------------------------------------------

    def set_archive(self, archive: Archive | None, read_ids: set[str] | None = None) -> None:
        self.beginResetModel()
        self._timer.stop()
        self.archive = archive
        self._read = set(read_ids or ())
        self._rows.clear()
        self._top_of_root.clear()
        self._facts.clear()
        self._queue.clear()
        self._unread_in.clear()
        self._built = self._build_top(archive) if archive is not None else []
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
        largest = max((sum(1 for n in self._nodes_under(top) if n.entry is not None)
                       for top in self._built), default=0)
        return authors, largest

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

    def _build_top(self, archive: Archive) -> list[_Row]:
        """Thread roots newest first; the threads of one series' revisions share a group row."""
        group_of: dict[str, list[ThreadNode]] = {}
        labels: dict[str, tuple[str, str]] = {}
        for series in archive.series:
            if len(series.revisions) < 2 or series.key != series.revisions[-1]:
                continue  # each revision family once, from its newest member
            roots: list[ThreadNode] = []
            versions: list[int] = []
            for key in series.revisions:
                member = archive.series_by_key(key)
                if member is None:
                    continue
                # Every thread the revision is in: patches sent without threading (or joined
                # to a cover sent apart, as "[PATCH v6 3/8] watchdog: hpe-wdt") have their own.
                for first in member.message_ids():
                    if first not in archive:
                        continue
                    root = archive.root_of(first)
                    if root not in roots and root.msgid not in group_of:
                        roots.append(root)
                        versions.append(member.version)
            if len(roots) > 1:
                for root in roots:
                    group_of[root.msgid] = roots
                span = f"v{min(versions)}–v{max(versions)}"
                labels[roots[0].msgid] = (series.subject, span)
                self._link_tips[roots[0].msgid] = "\n".join(
                    describe_links(archive.series_by_key, series.revisions)
                )
        top: list[_Row] = []
        placed: set[int] = set()
        for root in reversed(archive.threads):
            roots = group_of.get(root.msgid)
            if roots is None:
                row = _Row(MESSAGE, None, len(top), root)
                self._top_of_root[root.msgid] = row
                top.append(row)
            elif id(roots) not in placed:
                placed.add(id(roots))
                label, span = labels[roots[0].msgid]
                group = _Row(GROUP, None, len(top), label=label, versions=span)
                group.tip = self._link_tips.get(roots[0].msgid, "")
                group.children = [_Row(MESSAGE, group, i, r) for i, r in enumerate(roots)]
                for child in group.children:
                    self._top_of_root[child.msgid] = group  # type: ignore[index]
                    self._rows.setdefault(child.msgid, child)  # type: ignore[arg-type]
                top.append(group)
        for row in top:
            if row.msgid is not None:
                self._rows.setdefault(row.msgid, row)
        return top

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
        if not self.lazy_enabled:
            return
        # Newest request first, and only the last screenful or so: rows scrolled past long ago
        # are not worth reading now (they ask again if they come back into view).
        self._queue[msgid] = None
        self._queue.move_to_end(msgid)
        while len(self._queue) > _QUEUE_LIMIT:
            self._queue.popitem(last=False)
        if not self._timer.isActive():
            self._timer.start()

    def _work(self) -> None:
        deadline = time.perf_counter() + _SLICE_SECONDS
        while self._queue and time.perf_counter() < deadline:
            msgid, _ = self._queue.popitem(last=True)
            if msgid in self._facts or self.archive is None:
                continue
            self._facts[msgid] = self._compute_facts(msgid)
            row = self._rows.get(msgid)
            if row is not None and self._is_shown(row):
                left = self.createIndex(row.row, COL_TRAILERS, row)
                right = self.createIndex(row.row, COL_MARKS, row)
                self.dataChanged.emit(left, right, [Qt.ItemDataRole.DisplayRole])
            self.facts_ready.emit(msgid)
        if not self._queue:
            self._timer.stop()

    def triage_changed(self) -> None:
        """States, flags or marks changed: repaint every row built so far (cells only)."""
        last = len(COLUMNS) - 1
        if self._visible:
            self.dataChanged.emit(self.createIndex(0, 0, self._visible[0]),
                                  self.createIndex(len(self._visible) - 1, last,
                                                   self._visible[-1]))
        for row in list(self._rows.values()):
            if row.children and self._is_shown(row):
                first, final = row.children[0], row.children[-1]
                self.dataChanged.emit(self.createIndex(0, 0, first),
                                      self.createIndex(len(row.children) - 1, last, final))

    def pending_facts(self) -> int:
        return len(self._queue)

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
        row = self._rows.get(msgid)
        if row is None or self.archive is None:
            return
        top = self._top_of_root.get(self.archive.root_of(msgid).msgid)
        if top is not None:
            self._unread_in.pop(id(top), None)
        for changed in (row, top, row.parent):
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
        if not self._is_shown(row):
            return QModelIndex()
        return self.createIndex(row.row, column, row)

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
        return row.row < len(self._visible) and self._visible[row.row] is row

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

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(COLUMNS) or row < 0:
            return QModelIndex()
        children = self._children(self._row_of(parent))
        if row >= len(children):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        row = self._row_of(index)
        if row is None or row.parent is None:
            return QModelIndex()
        return self.createIndex(row.parent.row, 0, row.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
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

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def data(self, index: Index, role: int = _DISPLAY):
        role = int(role)
        if role not in _ROLES or not index.isValid() or self.archive is None:
            return None
        row: _Row = index.internalPointer()  # type: ignore[assignment]
        if role == _MSGID:
            return row.msgid
        if role == _KIND:
            return row.kind
        column = index.column()
        if row.kind == GROUP:
            return self._group_data(row, column, role)
        node = row.node
        assert node is not None
        entry = node.entry
        if role == _DISPLAY:
            return self._display(row, node, column)
        if role == _UNREAD:
            return entry is not None and row.msgid not in self._read
        if role == _FONT:
            return self._font(row)
        if role == _FOREGROUND:
            if entry is None or not self.is_match(node.msgid):
                return _GREY
            return None
        if role == _ALIGN:
            return _RIGHT if column >= COL_COUNT else None
        if role == _TOOLTIP and entry is None:
            return f"<{node.msgid}> is referenced by the replies below but is not in this mailbox"
        if role == _TOOLTIP and entry is not None:
            if column == COL_DATE:
                return _format_date(entry.date, "%a %Y-%m-%d %H:%M %Z")
            if column == COL_MARKS:
                return marks_tip(self._marks(row, node.msgid)) or None
            tip = f"{entry.subject}\n{entry.author_name} <{entry.author_email}>\n<{entry.msgid}>"
            return tip + (f"\n(header problem: {entry.broken})" if entry.broken else "")
        return None

    def _display(self, row: _Row, node: ThreadNode, column: int):
        archive = self.archive
        assert archive is not None
        entry = node.entry
        if entry is None:
            if column != COL_SUBJECT:
                return ""
            if row.subject is None:
                row.subject = implied_subject(node, archive.subject_info)
            return row.subject
        if column == COL_SUBJECT:
            if row.subject is None:
                row.subject = self._subject(row, node)
            return row.subject
        if column == COL_FROM:
            return entry.author_name or entry.author_email
        if column == COL_DATE:
            return _format_date(entry.date, "%Y-%m-%d")
        if column == COL_VERSION:
            series = archive.series_of(node.msgid)
            return f"v{series.version}" if series is not None else ""
        if column == COL_COUNT:
            if row.count is None:
                leaf = row.parent is not None and not node.children
                row.count = "" if leaf else str(sum(1 for n in node.walk() if n.entry is not None))
            return row.count
        if column == COL_MARKS:
            return marks_text(self._marks(row, node.msgid))
        facts = self._facts.get(node.msgid)
        if facts is None:
            if column in _LAZY_COLUMNS and self.lazy_enabled:
                self._queue_facts(node.msgid)
                return _PENDING
            return ""
        if column == COL_TRAILERS:
            given = _format_trailers(facts.trailers)
            triage = self.triage
            if triage is not None and archive.is_patch(node.msgid) and triage.is_warm(node.msgid):
                carried = _format_trailers(triage.counts(node.msgid).carried)
                if carried:  # in the commit message already: shown apart, after a "+"
                    return f"{given} +{carried}".strip()
            return given
        return str(facts.comments) if facts.comments else ""

    def _marks(self, row: _Row, msgid: str) -> list[Mark]:
        """Triage icons of a row; a patch's body facts are asked of the idle worker first."""
        triage = self.triage
        if triage is None:
            return []
        warm = triage.is_warm(msgid) or not self.archive.is_patch(msgid)  # type: ignore[union-attr]
        if not warm and self.lazy_enabled and msgid not in self._facts:
            self._queue_facts(msgid)
        series = self.archive.series_of(msgid)  # type: ignore[union-attr]
        # The state belongs on the row that stands for the series: a thread start, or a cover.
        series_row = row.parent is None or row.parent.kind == GROUP or (
            series is not None and series.cover == msgid
        )
        return row_marks(triage, msgid, series_row=series_row, with_body=triage.is_warm(msgid))

    def _subject(self, row: _Row, node: ThreadNode) -> str:
        """A reply on the same topic as the mail it answers shows as "Re:", the way mutt
        leaves it out: the row above says what it is about, and the author column who wrote.

        A reply that changed the subject (a new topic, a patch answering a cover letter) keeps
        it in full; the full subject is always in the tooltip.
        """
        archive = self.archive
        assert archive is not None and node.entry is not None
        subject = node.entry.subject or "(no subject)"
        parent = node.parent
        if row.parent is None or row.parent.kind == GROUP or parent is None:
            return subject
        if parent.entry is None:  # the parent is missing: nothing above says the topic
            return subject
        mine, theirs = archive.subject_info(node.msgid), archive.subject_info(parent.msgid)
        if mine.is_reply and mine.subject.casefold() == theirs.subject.casefold():
            return "Re:"
        if (
            not mine.is_reply
            and mine.counter is not None
            and mine.total is not None
            and theirs.is_cover
            and archive.series_of(node.msgid) is archive.series_of(parent.msgid)
        ):
            # A patch under its own cover letter: the cover row already says "[PATCH v3 0/7]".
            width = len(str(mine.total))
            return f"{mine.counter:0{width}d}/{mine.total} {mine.subject}"
        return subject

    def _group_data(self, row: _Row, column: int, role: int):
        if role == _DISPLAY:
            newest = row.children[-1] if row.children else None
            entry = newest.node.entry if newest is not None and newest.node else None
            if column == COL_SUBJECT:
                return f"{row.label}  ({row.versions}: {len(row.children or ())} revisions)"
            if column == COL_FROM:
                return (entry.author_name or entry.author_email) if entry else ""
            if column == COL_DATE:
                return _format_date(entry.date, "%Y-%m-%d") if entry else ""
            if column == COL_VERSION:
                return row.versions
            if column == COL_COUNT:
                if row.count is None:
                    row.count = str(sum(1 for n in self._nodes_under(row) if n.entry is not None))
                return row.count
            if column == COL_MARKS and newest is not None and self.triage is not None:
                return marks_text(self._marks(row, newest.msgid))  # type: ignore[arg-type]
            return ""
        if role == _TOOLTIP and column == COL_MARKS and row.children and self.triage is not None:
            return marks_tip(self._marks(row, row.children[-1].msgid)) or None  # type: ignore[arg-type]
        if role == _FONT:
            return self._font(row)
        if role == _UNREAD:
            return self._unread_below(row) > 0
        if role == _ALIGN:
            return _RIGHT if column >= COL_COUNT else None
        if role == _TOOLTIP and column in (COL_SUBJECT, COL_VERSION):
            why = f"\n\nLinked because:\n{row.tip}" if row.tip else ""
            return f"{row.label}\nrevisions {row.versions}{why}"
        return None

    def _font(self, row: _Row) -> QFont | None:
        if row.node is not None and row.node.entry is None:
            return self._italic
        # A top-level row is bold while anything in its (maybe collapsed) thread is unread.
        unread = self._unread_below(row) > 0 if row.parent is None else row.msgid not in self._read
        return self._bold if unread else None


_GREY = QColor(128, 128, 128)


def _format_date(date: float | None, pattern: str) -> str:
    if date is None:
        return ""
    try:
        return time.strftime(pattern, time.localtime(date))
    except (OverflowError, OSError, ValueError):
        return ""


def _format_trailers(counts: dict[str, int]) -> str:
    return " ".join(f"{letter}{counts[letter]}" for letter in "ART" if counts.get(letter))
