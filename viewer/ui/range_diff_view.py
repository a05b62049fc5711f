"""The range-diff of one patch against its counterpart in the previous revision.

A read-only QPlainTextEdit filled in one edit block: one block per line of
:func:`viewer.core.range_diff.render`, and ``entries_rows`` parallel to the blocks says what each
one is (pair header, outer context, only in the old revision, only in the new one, hunk
header), so the colours come from that list, never from reading the text back.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import (
    QColor,
    QFont,
    QShowEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextDocumentLayout, QPlainTextEdit, QWidget

from viewer.core.range_diff import RangeDiffEntry, render
from viewer.ui.theme import LIGHT, Theme


class RangeDiffView(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.theme: Theme = LIGHT
        self.kinds: list[str] = []
        """Per block: "head", " ", "-", "+", "@" or "empty" (nothing to compare)."""
        self._entries: Sequence[RangeDiffEntry] = ()
        self._empty = ""
        self._stale = True
        """The document is not made from ``_entries`` yet (see show_entries)."""

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.show_entries(self._entries, empty=self._empty)

    def set_font(self, font: QFont) -> None:
        self.setFont(font)
        self.document().setDefaultFont(font)

    def show_entries(self, entries: Sequence[RangeDiffEntry], *, empty: str = "") -> None:
        """The range-diff to show, made into a document once the view is on screen: it stays
        behind the review page until Range-diff is pressed, and every patch selected sends
        its range-diff here (a 2,000-line one took the GUI thread 80 ms)."""
        self._entries, self._empty, self._stale = entries, empty, True
        if self.isVisible():
            self._build()

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self._build()
        super().showEvent(event)

    def _build(self) -> None:
        self._stale = False
        entries, empty = self._entries, self._empty
        document = QTextDocument(self)
        document.setDocumentLayout(QPlainTextDocumentLayout(document))
        document.setUndoRedoEnabled(False)
        document.setDefaultFont(self.font())
        lines = render(entries)
        kinds = []
        for entry in entries:
            kinds.append("head")
            kinds += [line.kind for line in entry.lines]
        if not lines:
            lines, kinds = [empty or "No earlier revision of this patch in the mailbox."], ["empty"]
        cursor = QTextCursor(document)
        cursor.beginEditBlock()
        for n, (text, kind) in enumerate(zip(lines, kinds, strict=True)):
            if n:
                cursor.insertBlock()
            cursor.insertText(text, self._format(kind))
        cursor.endEditBlock()
        self.kinds = kinds
        # setDocument deletes only the document it made itself: the one made here before
        # would stay a child of the view, one more for every patch and theme shown.
        old = self.document() if self.document().parent() is self else None
        self.setDocument(document)
        if old is not None:
            old.deleteLater()

    def _format(self, kind: str) -> QTextCharFormat:
        theme = self.theme
        fmt = QTextCharFormat()
        if kind == "head":
            fmt.setFontWeight(QFont.Weight.Bold)
            fmt.setForeground(QColor(theme.heading))
        elif kind == "+":
            fmt.setBackground(QColor(theme.added_bg))
            fmt.setForeground(QColor(theme.text))
        elif kind == "-":
            fmt.setBackground(QColor(theme.removed_bg))
            fmt.setForeground(QColor(theme.text))
        elif kind == "@":
            fmt.setBackground(QColor(theme.hunk_bg))
            fmt.setForeground(QColor(theme.hunk_text))
        else:
            fmt.setForeground(QColor(theme.muted if kind == "empty" else theme.text))
        return fmt
