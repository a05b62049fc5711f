"""The filter box above the thread list: typed text becomes a Query after a short pause.

Filtering a 50,000-message list costs tens of milliseconds; doing it on every keystroke would
make typing stutter, so the query is parsed once the user pauses (``DEBOUNCE_MS``). Enter applies
at once. The language itself lives in :mod:`viewer.core.query` (pure, tested without Qt).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from viewer.core.query import Query, help_text, parse_query

DEBOUNCE_MS = 250


class FilterBox(QLineEdit):
    query_changed = Signal(object)
    """The new :class:`Query`, after the debounce."""
    escaped = Signal()
    """Escape: give focus back to the list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBox")
        self.setPlaceholderText("Filter  (/)  — from: subject: is:unread has:comments …")
        self.setClearButtonEnabled(True)
        self.setToolTip(help_text())
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.apply)
        self.textChanged.connect(lambda _text: self._timer.start())
        self.returnPressed.connect(self.apply)
        self.query = Query()

    def apply(self) -> None:
        """Parse now and announce the query (only when it changed)."""
        self._timer.stop()
        query = parse_query(self.text())
        if query != self.query:
            self.query = query
            self.query_changed.emit(query)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # One Escape gets the reader back to the list, the filter kept (and applied now, not
        # after the pause); a second Escape, on the list, clears it (MainWindow).
        if event.key() == Qt.Key.Key_Escape:
            self.apply()
            self.escaped.emit()
            return
        super().keyPressEvent(event)
