"""The thread list: a tree view whose Subject column gets the room and whose header sorts.

From, Date and the count columns are sized to what they hold (measured on the index's
strings, never with ResizeToContents, which would ask ``data()`` of every row of a 50,000-row
mailbox); Subject takes the rest. A narrow list squeezes From before the subject. Clicking a
column header asks for that order (``sort_requested``); the window decides whether the
counts it needs must be read in the background first.
"""

from __future__ import annotations

from collections import Counter
from math import ceil

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from viewer.core.thread_sort import SORT_KEYS
from viewer.ui.style import plain_fusion
from viewer.ui.thread_delegate import ThreadDelegate
from viewer.ui.thread_model import (
    COL_COMMENTS,
    COL_COUNT,
    COL_DATE,
    COL_FROM,
    COL_MARKS,
    COL_SUBJECT,
    COL_TRAILERS,
    COL_VERSION,
    DEFAULT_SORT,
    ThreadModel,
)

_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay

_SAMPLES = {
    COL_DATE: "2024-02-12",
    COL_VERSION: "v1–v3",
    COL_TRAILERS: "R12 A3",
    COL_MARKS: "◐⇡⚑",
}
_PADDING = 12
"""Room a cell needs beyond its text: the delegate's margins (6 px in Fusion) and a gap."""
_INDICATOR = 14
"""Room the header needs beyond its title for the sort arrow."""
_FROM_MOST = 0.22
"""From never takes more than this share of the list, however long the names."""
_SUBJECT_SHARE = 0.40
"""The share of the list the subject is given before From grows to its content."""
_SUBJECT_LEAST = 0.38
"""Below this share, columns make way for the subject (``_GIVE_WAY``, in that order)."""
_GIVE_WAY = (COL_TRAILERS, COL_DATE)
"""Columns a narrow list hides for the subject: the trailer counts, then the date (both are in
the tooltip and the message pane); they come back when the list is wide enough again."""


def _percentile_width(metrics: QFontMetrics, names: list[str], share: float) -> int | None:
    """The width below which ``share`` of ``names`` fit (None without names). Each distinct
    name is measured once: a list's authors repeat, and 5,000 measurements took 60 ms of the
    open of a big archive."""
    if not names:
        return None
    measured = sorted((metrics.horizontalAdvance(name), count)
                      for name, count in Counter(names).items())
    rank = int(len(names) * share)  # the index the sorted list of every name would have
    seen = 0
    for width, count in measured:
        seen += count
        if seen > rank:
            return width
    return measured[-1][0]


class ThreadList(QTreeView):
    sort_requested = Signal(str, bool)
    """A SORT_KEYS key and descending, from a click on a column header."""
    escape_pressed = Signal()
    """Escape while the list has focus (the window clears the filter)."""

    def __init__(self, model: ThreadModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadList")
        # It draws a thousand primitives a repaint and no check box: C++ Fusion (viewer.ui.style)
        self._style = plain_fusion(self)
        self.setStyle(self._style)
        self.header().setStyle(self._style)
        self.setModel(model)
        self.thread_model = model
        model.set_font(self.font())  # its bold and italic rows are the list's font
        self.setItemDelegate(ThreadDelegate(model, self))
        # The scroll bar stays, so the columns keep their width and place when a view lists
        # less than a screen (an empty Accepted, then All mail): a list that gains its scroll bar
        # narrows, re-fits its columns and repaints all of itself a second time.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setUniformRowHeights(True)  # lets a 50,000-row list lay out without asking
        self.setAllColumnsShowFocus(True)
        # Several rows at once for the triage's bulk actions (flag, state, mark read).
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setExpandsOnDoubleClick(True)
        # Review threads nest ten deep; the default 20 px a level would leave no subject.
        self.setIndentation(12)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_SUBJECT, QHeaderView.ResizeMode.Stretch)
        for column in range(1, model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        # The version is in every subject ("[PATCH v3 …") and in a revisions row's label, and a
        # narrow list needs the room for the subject; the header's menu brings it back.
        header.setSectionHidden(COL_VERSION, True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.sortIndicatorChanged.connect(self._sort_clicked)
        self._from_width = 0
        self._widths: dict[int, int] = {}
        """Each sized column's width from its content (also while it gives way)."""
        self._gave_way: set[int] = set()
        """Columns hidden for a narrow list, not by the user."""
        """The width From grows back to; a size the user drags it to is kept as that."""
        self._from_min = 0
        self._fitting = False
        self._author_samples: list[str] = []
        self._count_sample = "999"
        header.sectionResized.connect(self._column_resized)
        self.viewport().installEventFilter(self)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        self.show_sort(*DEFAULT_SORT)

    # -- sorting ------------------------------------------------------------------------------

    def show_sort(self, key: str, descending: bool) -> None:
        """Put the indicator on ``key``'s column without asking for a sort."""
        header = self.header()
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        header.blockSignals(True)
        try:
            header.setSortIndicator(SORT_KEYS.index(key), order)
        finally:
            header.blockSignals(False)
        self.size_columns()  # the arrow needs room on its column
        header.viewport().update()

    def _sort_clicked(self, column: int, order: Qt.SortOrder) -> None:
        if 0 <= column < len(SORT_KEYS):
            self.sort_requested.emit(SORT_KEYS[column], order == Qt.SortOrder.DescendingOrder)

    # -- column widths ------------------------------------------------------------------------

    def set_content(self, authors: list[str], largest_count: int) -> None:
        """What the columns will show (from the index), so they can be sized to it."""
        self._author_samples = authors
        self._count_sample = str(max(largest_count, 99))
        self.size_columns()

    def size_columns(self) -> None:
        """From, Date and counts to their content in the list's (bold: unread) font."""
        header = self.header()
        bold = QFont(self.font())
        bold.setBold(True)  # unread rows are bold and must not be cut short
        metrics = QFontMetrics(bold)
        header_metrics = QFontMetrics(header.font())

        def fit(column: int, text: str) -> int:
            title = str(self.model().headerData(column, Qt.Orientation.Horizontal))
            # the header title (and the sort arrow, on the sorted column) fits as well
            arrow = _INDICATOR if column == header.sortIndicatorSection() else 0
            return max(metrics.horizontalAdvance(text),
                       header_metrics.horizontalAdvance(title) + arrow) + _PADDING

        self._fitting = True
        try:
            widths = {column: fit(column, sample) for column, sample in _SAMPLES.items()}
            widths[COL_COUNT] = fit(COL_COUNT, self._count_sample)
            widths[COL_COMMENTS] = fit(COL_COMMENTS, self._count_sample)
            self._widths = widths
            for column, width in widths.items():
                header.resizeSection(column, width)
            # the 90th percentile: one "Firstname Middle Lastname-Doublebarrel (Company)"
            # must not widen the column for everybody
            typical = _percentile_width(metrics, self._author_samples, 0.9)
            self._from_width = fit(COL_FROM, "") if typical is None else max(
                fit(COL_FROM, ""), typical + _PADDING)
            self._from_min = metrics.horizontalAdvance("Jane M") + _PADDING
            header.setMinimumSectionSize(metrics.horizontalAdvance("Msgs") + 8)
        finally:
            self._fitting = False
        self._fit_subject()

    def set_list_font(self, font: QFont) -> None:
        """The zoomed font: rows, header and the model's bold/italic variants follow it."""
        self.setFont(font)  # the model's variants: changeEvent
        self.header().setFont(font)
        self.size_columns()
        self.doItemsLayout()

    def changeEvent(self, event: QEvent) -> None:
        """Any new font of the list, not only a zoom (the application's, the window's) is the
        model's bold and italic: ThreadDelegate paints those as they are, where Qt's delegate
        resolved them against the list's font, so unread rows kept the old size otherwise."""
        if event.type() == QEvent.Type.FontChange:
            self.thread_model.set_font(self.font())
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_subject()
        return super().eventFilter(watched, event)

    def _column_resized(self, column: int, _old: int, new: int) -> None:
        if column == COL_FROM and not self._fitting:
            self._from_width = new

    def _fit_subject(self) -> None:
        """Share a list's width out: the subject first, From squeezed to a first name next,
        then the trailer counts and the date give way; a wider list brings them back."""
        header = self.header()
        room = self.viewport().width()
        if room <= 0:
            return
        self._fitting = True
        try:
            for column in self._gave_way:  # start from every column the user wants
                header.setSectionHidden(column, False)
                header.resizeSection(column, self._widths.get(column, header.sectionSize(column)))
            self._gave_way = set()
            most = max(self._from_min, int(room * _FROM_MOST))
            for column in (None, *_GIVE_WAY):
                if column is not None and not header.isSectionHidden(column):
                    header.setSectionHidden(column, True)
                    self._gave_way.add(column)
                others = sum(header.sectionSize(c) for c in range(header.count())
                             if c not in (COL_SUBJECT, COL_FROM) and not header.isSectionHidden(c))
                width = max(self._from_min, min(self._from_width, most,
                                                room - others - ceil(room * _SUBJECT_SHARE)))
                if room - others - width >= room * _SUBJECT_LEAST:
                    break
            header.resizeSection(COL_FROM, width)
        finally:
            self._fitting = False

    def gave_way(self) -> set[int]:
        """Columns hidden now to give a narrow list's subject room (not by the user)."""
        return set(self._gave_way)

    def user_header_state(self):
        """The header's state as the user set it: every column they did not hide shown, From
        at the width it grows back to (what a saved layout should restore)."""
        header = self.header()
        self._fitting = True
        header.blockSignals(True)
        try:
            fitted = header.sectionSize(COL_FROM)
            for column in self._gave_way:
                header.setSectionHidden(column, False)
            header.resizeSection(COL_FROM, self._from_width)
            state = header.saveState()
            header.resizeSection(COL_FROM, fitted)
            for column in self._gave_way:
                header.setSectionHidden(column, True)
        finally:
            header.blockSignals(False)
            self._fitting = False
        return state

    def from_width(self) -> int:
        """The width From has when the list is wide enough (for saving and tests)."""
        return self._from_width

    def _column_menu(self, position) -> None:
        """Show or hide the list's columns (the subject always stays)."""
        header = self.header()
        menu = QMenu(self)
        for column in range(1, self.model().columnCount()):
            title = self.model().headerData(column, Qt.Orientation.Horizontal)
            action = menu.addAction(str(title))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda shown, c=column: self._user_shows(c, shown))
        menu.exec(header.mapToGlobal(position))

    def _user_shows(self, column: int, shown: bool) -> None:
        self._gave_way.discard(column)
        self.header().setSectionHidden(column, not shown)
        if shown and column in self._widths:
            self.header().resizeSection(column, self._widths[column])
        self._fit_subject()

    def initViewItemOption(self, option: QStyleOptionViewItem) -> None:
        """Every cell has text: said once per repaint here, where the view makes the option
        each cell's is copied from, instead of in the delegate for each cell (a flag
        operation there is three calls into Python's enum module, a fifth of a repaint)."""
        super().initViewItemOption(option)
        option.features |= _HAS_DISPLAY

    # -- rows the model has not handed over yet (viewer.ui.thread_fetching) ---------------

    def selectAll(self) -> None:
        """Every listed thread, not only those scrolled to so far: bulk actions mean all."""
        self.thread_model.fetch_all()
        super().selectAll()

    def expandAll(self) -> None:
        self.thread_model.fetch_all()
        super().expandAll()

    def moveCursor(self, action, modifiers):
        if action == QAbstractItemView.CursorAction.MoveEnd:  # End: the last listed thread
            self.thread_model.fetch_all()
        return super().moveCursor(action, modifiers)

    def setCurrentIndex(self, index) -> None:  # QAbstractItemView's slot, from code only
        """Going to a row from code (n/p, j/k, a search) selects that row alone: a selection
        made earlier with Ctrl/Shift-click must not linger where the bulk actions find it."""
        flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                 | QItemSelectionModel.SelectionFlag.Rows)
        self.selectionModel().setCurrentIndex(index, flags)

    # -- keys ---------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.escape_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def keyboardSearch(self, search: str) -> None:
        """No type-to-find: every letter is a shortcut here (j, k, n, p, u, o …), and a
        letter that fell through to a search would jump the list somewhere unexpected."""

