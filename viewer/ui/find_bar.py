"""Ctrl+F on the review page: a find bar under it with next / previous and "3 of 12".

It searches what the page shows, so a word is found where the reader sees it (code, comment
cards, headers alike), case-insensitively unless the text typed has a capital (the smart-case
rule of less and vim). Rows hidden by a folded discussion or the hunk filter are skipped: a
match the reader cannot see would move the cursor to nowhere. ``/`` stays the thread filter.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QToolButton,
    QWidget,
)

_MAX_MATCHES = 5000
"""Counting stops here ("5000+"): a one-letter search on a 20,000-line patch stays instant."""
_DEBOUNCE_MS = 120


class _FindField(QLineEdit):
    """Enter: next; Shift+Enter: previous; Escape: close."""

    step = Signal(bool)
    """forward"""
    closed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.step.emit(not event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            return
        if key == Qt.Key.Key_Escape:
            self.closed.emit()
            return
        super().keyPressEvent(event)


class FindBar(QWidget):
    """Finds text in one QPlainTextEdit (the review page's editor, whatever page it shows)."""

    closed = Signal()

    def __init__(self, editor: QPlainTextEdit | QTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.editor = editor
        self.field = _FindField(self)
        self.field.setPlaceholderText("Find in page")
        self.field.setClearButtonEnabled(True)
        self.count_label = QLabel(self)
        self.count_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("0000 of 5000+"))
        previous = QToolButton(self)
        previous.setText("▲")
        previous.setToolTip("Previous match (Shift+Enter, Shift+F3)")
        previous.clicked.connect(lambda: self.step(forward=False))
        following = QToolButton(self)
        following.setText("▼")
        following.setToolTip("Next match (Enter, F3)")
        following.clicked.connect(lambda: self.step(forward=True))
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Close (Escape)")
        close.clicked.connect(self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(previous)
        layout.addWidget(following)
        layout.addWidget(close)
        self.matches: list[tuple[int, int]] = []
        """(position, length) of every visible match in the editor's document."""
        self.current = -1
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(_DEBOUNCE_MS)
        self._timer.timeout.connect(lambda: self.search(keep_place=False))
        self.field.textChanged.connect(lambda _t: self._timer.start())
        self.field.step.connect(lambda forward: self.step(forward=forward))
        self.field.closed.connect(self.close_bar)
        self.hide()

    def open_bar(self) -> None:
        """Show and focus the field, its text selected so typing replaces it."""
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        if self.field.text():
            self.search(keep_place=True)

    def close_bar(self) -> None:
        self._timer.stop()
        self.hide()
        self.editor.setExtraSelections([])
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self.closed.emit()

    def refresh(self) -> None:
        """The page changed (another patch, a fold): find again in what is shown now."""
        if self.isVisible() and self.field.text():
            self.search(keep_place=False, move=False)

    def search(self, *, keep_place: bool, move: bool = True) -> None:
        """Collect every visible match; go to the first at or after the cursor."""
        self._timer.stop()
        text = self.field.text()
        document = self.editor.document()
        self.matches = []
        if text:
            flags = QTextDocument.FindFlag(0)
            if text != text.lower():
                flags |= QTextDocument.FindFlag.FindCaseSensitively
            cursor = QTextCursor(document)
            while len(self.matches) <= _MAX_MATCHES:
                cursor = document.find(text, cursor, flags)
                if cursor.isNull():
                    break
                if cursor.block().isVisible():
                    start = cursor.selectionStart()
                    self.matches.append((start, cursor.selectionEnd() - start))
        here = self.editor.textCursor()
        origin = here.selectionStart() if keep_place else here.position()
        self.current = next((i for i, (p, _l) in enumerate(self.matches) if p >= origin),
                            0 if self.matches else -1)
        if move:
            self._show_current()
        else:
            self._paint()

    def step(self, *, forward: bool) -> None:
        """F3 / Shift+F3: the next or previous match, wrapping round at the ends."""
        if not self.isVisible():
            self.open_bar()
            return
        if self._timer.isActive() or not self.matches:
            self.search(keep_place=True)
            if not forward and self.matches:
                self.current = (self.current - 1) % len(self.matches)
                self._show_current()
            return
        self.current = (self.current + (1 if forward else -1)) % len(self.matches)
        self._show_current()

    def _show_current(self) -> None:
        if 0 <= self.current < len(self.matches):
            position, length = self.matches[self.current]
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(position)
            cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
            self.editor.setTextCursor(cursor)
            # QPlainTextEdit can centre the line; the plain stand-in (a QTextEdit) cannot
            getattr(self.editor, "centerCursor", self.editor.ensureCursorVisible)()
        self._paint()

    def _paint(self) -> None:
        total = len(self.matches)
        if not self.field.text():
            self.count_label.setText("")
        elif total == 0:
            self.count_label.setText("no match")
        else:
            more = "+" if total > _MAX_MATCHES else ""
            self.count_label.setText(f"{self.current + 1} of {min(total, _MAX_MATCHES)}{more}")
        # every match lightly marked, the current one is the selection
        selections = []
        colour = QColor(self.editor.palette().highlight().color())
        colour.setAlpha(90)
        for position, length in self.matches[:_MAX_MATCHES]:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(position)
            cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format.setBackground(colour)
            selections.append(selection)
        self.editor.setExtraSelections(selections)
