"""The saved views beside the thread list: Inbox, Needs review, Waiting on me, … with counts.

Choosing a view puts its query in the filter box, so the filter box always says what the list
shows and a view can be refined by typing. Counts come from a background job (the first one
reads replies for ``needs:review``) and show "…" until it reports.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QSizePolicy, QWidget

from viewer.core.views import SAVED_VIEWS, SavedView

_VIEW_ROLE = Qt.ItemDataRole.UserRole + 1


class ViewsSidebar(QListWidget):
    view_chosen = Signal(object)
    """The SavedView the user picked (click, Enter, or Ctrl+1…)."""
    leave = Signal()
    """Escape or Right: focus goes on to the thread list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewsSidebar")
        self.setToolTip("Saved views (Ctrl+1 … Ctrl+6); Enter shows one, Escape goes to the list")
        self.setUniformItemSizes(True)
        self.views: tuple[SavedView, ...] = SAVED_VIEWS
        self.counts: dict[str, int] | None = None
        for view in self.views:
            item = QListWidgetItem(view.name, self)
            item.setData(_VIEW_ROLE, view.name)
            item.setToolTip(f"{view.tip}\n{view.query or '(no filter)'}")
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        self.setCurrentRow(0)
        self.set_counts(None)
        self.fit_width()

    def fit_width(self) -> None:
        """As wide as the longest name with a four-digit count, in the current font."""
        metrics = self.fontMetrics()
        widest = max(metrics.horizontalAdvance(f"{v.name}  9999") for v in self.views)
        # A maximum, not a fixed width: the sidebar never sets how narrow the window may be.
        self.setMinimumWidth(0)
        self.setMaximumWidth(widest + 2 * self.frameWidth() + 16)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(self.maximumWidth(), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, 0)

    def set_counts(self, counts: dict[str, int] | None) -> None:
        """Show how many threads each view lists; None while they are being counted."""
        self.counts = counts
        for row, view in enumerate(self.views):
            item = self.item(row)
            if not view.query:
                item.setText(view.name)
                continue
            number = "…" if counts is None else str(counts.get(view.name, 0))
            item.setText(f"{view.name}  {number}")

    def choose(self, row: int) -> None:
        if 0 <= row < len(self.views):
            self.setCurrentRow(row)
            self.view_chosen.emit(self.views[row])

    def show_query(self, text: str) -> None:
        """Highlight the view whose query the filter box holds (none when it was edited)."""
        for row, view in enumerate(self.views):
            if view.query == text.strip():
                self.blockSignals(True)
                self.setCurrentRow(row)
                self.blockSignals(False)
                return
        self.clearSelection()

    def _activated(self, item: QListWidgetItem) -> None:
        self.choose(self.row(item))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Right) and not event.modifiers():
            self.leave.emit()
            event.accept()
            return
        super().keyPressEvent(event)
