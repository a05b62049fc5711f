"""The inline editor card: where the user writes a comment, right under the line it is about.

It saves as the user types (a short pause, or leaving the card, writes to the drafts store), so
what the card shows as "saved" is on disk: killing the app loses at most the last pause's worth
of typing. Ctrl+Return or Escape closes it (the text stays saved); emptying it and closing
deletes the draft, the way clearing a reply in a mail client discards it.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from viewer.core.drafts import Draft, DraftStore
from viewer.ui.theme import LIGHT, Theme

log = logging.getLogger(__name__)

AUTOSAVE_MS = 400
"""Pause in typing after which the text is written to the store."""


class _Text(QPlainTextEdit):
    """The text field; Ctrl+Return and Escape close the card instead of typing."""

    finished = Signal()
    left = Signal()
    """Focus went elsewhere: save now rather than after the pause."""

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.left.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape or (
            key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.finished.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class DraftEditor(QFrame):
    """One draft being written. ``draft`` is the stored version (with its id once saved)."""

    saved = Signal(object)
    """The Draft as now stored."""
    closed = Signal(object)
    """The Draft as left (None when it was deleted)."""
    failed = Signal(str)
    """Saving failed: the sentence for the message bar (the text stays in the card)."""

    def __init__(self, draft: Draft, store: DraftStore, *, title: str = "",
                 theme: Theme = LIGHT, font: QFont | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("draftEditor")
        self.draft = draft
        self.store = store
        self._saved_text = draft.text if draft.id is not None else None
        self.badge = QLabel("draft", self)
        self.badge.setObjectName("draftBadge")
        self.title = QLabel(title, self)
        self.status = QLabel("", self)
        self.delete_button = QToolButton(self)
        self.delete_button.setText("Delete")
        self.delete_button.setToolTip("Delete this draft")
        self.delete_button.clicked.connect(self.delete)
        self.done_button = QToolButton(self)
        self.done_button.setText("Done")
        self.done_button.setToolTip("Close the editor (Ctrl+Return); the draft stays saved")
        self.done_button.clicked.connect(self.finish)
        self.text = _Text(self)
        self.text.setPlainText(draft.text)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setPlaceholderText("Your comment (saved as you type; Ctrl+Return closes)")
        if font is not None:
            self.text.setFont(font)
        self.text.finished.connect(self.finish)
        self.text.left.connect(self.save)
        self.text.textChanged.connect(self._typed)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.badge)
        head.addWidget(self.title, 1)
        head.addWidget(self.status)
        head.addWidget(self.delete_button)
        head.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(head)
        layout.addWidget(self.text, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.save)
        self.set_theme(theme)
        self._show_status()

    def set_theme(self, theme: Theme) -> None:
        self.setStyleSheet(
            f"#draftEditor {{ background: {theme.draft_bg}; border: 1px solid "
            f"{theme.draft_border}; border-left: 3px solid {theme.draft_border}; }}"
            f"#draftBadge {{ background: {theme.draft_border}; color: {theme.base}; "
            f"border-radius: 3px; padding: 0 4px; }}"
        )
        palette = self.text.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor(theme.base))
        palette.setColor(QPalette.ColorRole.Text, QColor(theme.text))
        self.text.setPalette(palette)
        for label in (self.title, self.status):
            label.setStyleSheet(f"color: {theme.muted};")

    def focus(self) -> None:
        self.text.setFocus()
        cursor = self.text.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.text.setTextCursor(cursor)

    @property
    def is_saved(self) -> bool:
        """Whether what the card shows is what the store holds."""
        return self._saved_text == self.text.toPlainText() and self.draft.id is not None

    def _typed(self) -> None:
        self._show_status()
        self._timer.start()

    def _show_status(self) -> None:
        self.status.setText("saved" if self.is_saved else ("…" if self._timer.isActive()
                                                            or self.draft.id else "not saved"))

    def save(self) -> bool:
        """Write the text now (autosave calls this after a pause). An empty new card is not
        saved: a draft exists once it says something."""
        self._timer.stop()
        text = self.text.toPlainText()
        if self.is_saved or (self.draft.id is None and not text.strip()):
            self._show_status()
            return True
        try:
            if self.draft.id is None:
                self.draft = self.store.save(replace(self.draft, text=text))
            else:
                self.draft = self.store.set_text(self.draft.id, text)
        except (sqlite3.Error, OSError, KeyError) as error:
            log.warning("draft not saved: %s", error)
            self.failed.emit(f"Could not save the draft ({error}); it is still in the editor.")
            self._show_status()
            return False
        self._saved_text = text
        self._show_status()
        self.saved.emit(self.draft)
        return True

    def finish(self) -> None:
        """Close the card: save what is there, or delete a draft that was emptied."""
        if not self.text.toPlainText().strip():
            self.delete()
            return
        if self.save():
            self.closed.emit(self.draft)

    def delete(self) -> None:
        self._timer.stop()
        if self.draft.id is not None:
            try:
                self.store.delete(self.draft.id)
            except (sqlite3.Error, OSError) as error:
                self.failed.emit(f"Could not delete the draft ({error}).")
                return
        self._saved_text = None
        self.closed.emit(None)
