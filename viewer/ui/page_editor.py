"""The text widget of the review page: rows painted as diff lines and comment cards, a gutter.

A QPlainTextEdit whose blocks are the rows of a :class:`~viewer.core.review_page.ReviewPage`
(row ``i`` is block ``i``): backgrounds, card boxes and fold markers are painted for the
visible rows only, from the row list, never from the widget's text. :class:`PatchView`
(viewer.ui.patch_view) owns one and fills it.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTextOption,
)
from PySide6.QtWidgets import (
    QPlainTextEdit,
    QToolTip,
    QWidget,
)

from viewer.core.drafts import is_draft_card
from viewer.core.review_model import is_doubtful
from viewer.core.review_page import (
    CARD_INDENT,
    CONTINUATION_INDENT,
    ReviewPage,
    Row,
    card_indent,
    indent_level,
)
from viewer.ui.theme import LIGHT, Theme

_INDENT_CHARS = CARD_INDENT


def default_font() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


class _Gutter(QWidget):
    """Old and new line numbers beside diff rows, painted from the row list."""

    def __init__(self, editor: PageEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.editor.paint_gutter(self, event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        # Clicking a line number puts the cursor on that row, like clicking the line itself.
        cursor = self.editor.cursorForPosition(QPoint(0, int(event.position().y())))
        self.editor.setTextCursor(cursor)


_SNIPPET_CHARS = 70
"""Longest first line a folded discussion shows after its head."""


class PageEditor(QPlainTextEdit):
    """The text surface: read-only, selectable, painting backgrounds and cards itself."""

    toggle_requested = Signal(str)
    """A thread's fold marker was clicked: the root annotation id."""
    file_link_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []
        self.page: ReviewPage | None = None
        self.theme: Theme = LIGHT
        self.collapsed: set[str] = set()
        self._last_of_card: list[bool] = []
        self._digits = 4
        self._card_chars: dict[str, int] = {}
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setWordWrapMode(QTextOption.WrapMode.NoWrap)
        self.setMouseTracking(True)
        self.gutter = _Gutter(self)
        self.cursorPositionChanged.connect(self.gutter.update)
        self.updateRequest.connect(self._scroll_gutter)

    def selected_text(self) -> str:
        """The selection as a reader wants it copied: rows split to keep a card narrow are
        joined again, without the hanging indent the view added."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return ""
        first = self.document().findBlock(cursor.selectionStart()).blockNumber()
        parts = cursor.selection().toPlainText().split("\n")
        text = parts[0]
        for offset, part in enumerate(parts[1:], start=1):
            index = first + offset
            row = self.rows[index] if index < len(self.rows) else None
            if row is not None and row.continued:
                text += part[card_indent(row.depth) + CONTINUATION_INDENT:]
            else:
                text += "\n" + part
        return text

    def copy(self) -> None:
        """Copy :meth:`selected_text`.

        The clipboard is given plain text rather than a QMimeData made here: one created in
        Python and handed to Qt through createMimeDataFromSelection is deleted twice when the
        application exits (a segfault).
        """
        if self.textCursor().hasSelection():
            QGuiApplication.clipboard().setText(self.selected_text())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- layout ------------------------------------------------------------------------------

    def char_width(self) -> float:
        # fractional: a monospace cell is rarely a whole pixel (7.22 px), and 90 columns of
        # a rounded width put a card's edge a character short of its text
        return QFontMetricsF(self.font()).horizontalAdvance(" ")

    def gutter_width(self) -> int:
        return int(self.char_width() * (2 * self._digits + 3)) + 4

    def update_gutter_width(self) -> None:
        width = self.gutter_width()
        self.setViewportMargins(width, 0, 0, 0)
        rect = self.contentsRect()
        self.gutter.setGeometry(QRect(rect.left(), rect.top(), width, rect.height()))
        self.gutter.update()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        rect = self.contentsRect()
        self.gutter.setGeometry(QRect(rect.left(), rect.top(), self.gutter_width(), rect.height()))

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def set_rows(self, page: ReviewPage) -> None:
        self.page = page
        self.rows = page.rows
        last = [False] * len(self.rows)
        for index, row in enumerate(self.rows):
            if row.annotation is not None:
                following = self.rows[index + 1] if index + 1 < len(self.rows) else None
                last[index] = following is None or following.annotation is not row.annotation
        self._last_of_card = last
        # Cards of one discussion share a right edge wide enough for their longest line.
        widest: dict[str, int] = {}
        for row in self.rows:
            if row.thread is not None:
                widest[row.thread] = max(widest.get(row.thread, 0), len(row.text))
        self._card_chars = widest
        biggest = max(
            (max(r.line.old_line or 0, r.line.new_line or 0) for r in self.rows if r.line),
            default=0,
        )
        # A cover letter or a plain mail has no line numbers: no empty gutter beside it.
        self._digits = max(4, len(str(biggest))) if biggest else 0
        self.update_gutter_width()

    def visible_rows(self, bottom: int):
        """(row index, top, height) of the rows on screen, top to bottom."""
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        while block.isValid():
            geometry = self.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > bottom:
                break
            if block.isVisible():
                yield block.blockNumber(), geometry.top(), geometry.height()
            block = block.next()

    # -- painting ----------------------------------------------------------------------------

    def _row_background(self, row: Row) -> QColor | None:
        theme = self.theme
        if row.kind == "diff" and row.line is not None:
            if row.line.kind == "+":
                return QColor(theme.added_bg)
            if row.line.kind == "-":
                return QColor(theme.removed_bg)
            return None
        if row.kind == "hunk":
            return QColor(theme.hunk_bg)
        if row.kind == "file":
            return QColor(theme.file_bg)
        return None

    def card_left(self, depth: int) -> float:
        return self.char_width() * (_INDENT_CHARS / 2 + _INDENT_CHARS * indent_level(depth))

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.rows:
            painter = QPainter(self.viewport())
            width = self.viewport().width()
            cards: list[tuple[int, float, float]] = []
            for index, top, height in self.visible_rows(event.rect().bottom()):
                if index >= len(self.rows):
                    break
                row = self.rows[index]
                color = self._row_background(row)
                if color is not None:
                    painter.fillRect(QRectF(0, top, width, height), color)
                elif row.annotation is not None:
                    cards.append((index, top, height))
            self._paint_cards(painter, cards, width)
            painter.end()
        super().paintEvent(event)
        if self.rows:
            self._paint_fold_markers(event)

    def _paint_cards(self, painter: QPainter, cards, width: int) -> None:
        theme = self.theme
        base = QColor(theme.card_bg)
        border = QColor(theme.card_border)
        for index, top, height in cards:
            row = self.rows[index]
            annotation = row.annotation
            assert annotation is not None
            if is_draft_card(annotation.id):
                self._paint_draft_card(painter, row, top, height, index)
                continue
            # A card is drawn under the row it sits under: its text column is what it
            # comments on, the anchor row above keeps its own diff colour.
            left = self.card_left(row.depth) + self.contentOffset().x()
            right = self.card_right(row) + self.contentOffset().x()
            rect = QRectF(left, top, right - left, height)
            carried = row.carried is not None
            # A previous revision's comment is drawn faded, with a dotted edge: context, not
            # something said about this revision.
            painter.setOpacity(0.55 if carried else 1.0)
            painter.fillRect(rect, base)
            doubtful = is_doubtful(annotation) and not carried
            pen = QPen(QColor(theme.doubtful) if doubtful else border)
            pen.setWidthF(1.0)
            if doubtful:
                pen.setStyle(Qt.PenStyle.DashLine)
            elif carried:
                pen.setStyle(Qt.PenStyle.DotLine)
            painter.setPen(pen)
            head = row.kind == "comment_head"
            last = self._last_of_card[index] or row.thread in self.collapsed
            painter.drawLine(rect.topRight(), rect.bottomRight())
            if head:
                painter.drawLine(rect.topLeft(), rect.topRight())
            if last:
                painter.drawLine(rect.bottomLeft(), rect.bottomRight())
            # The reviewer's colour as a bar on the left: who said what, at a glance.
            bar = theme.reviewer_color(annotation.author.email)
            painter.fillRect(QRectF(left, top, 3, height), bar)
        painter.setOpacity(1.0)

    def _paint_draft_card(self, painter: QPainter, row: Row, top: float, height: float,
                          index: int) -> None:
        """The user's own card: its own colour, a solid edge and the "draft" badge outlined
        (the span the page put on the head row says where the word is)."""
        theme = self.theme
        left = self.card_left(row.depth) + self.contentOffset().x()
        right = self.card_right(row) + self.contentOffset().x()
        rect = QRectF(left, top, right - left, height)
        painter.fillRect(rect, QColor(theme.draft_bg))
        edge = QColor(theme.draft_border)
        painter.setPen(QPen(edge, 1.0))
        painter.drawLine(rect.topRight(), rect.bottomRight())
        if row.kind == "comment_head":
            painter.drawLine(rect.topLeft(), rect.topRight())
            badge = next((span for span in row.spans if span.style == "draft"), None)
            if badge is not None:
                x = (self.contentOffset().x() + self.document().documentMargin()
                     + self.char_width() * badge.start)
                painter.drawRoundedRect(QRectF(x - 3, top + 1.5,
                                               self.char_width() * badge.length + 6, height - 3),
                                        3, 3)
        if self._last_of_card[index]:
            painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.fillRect(QRectF(left, top, 3, height), edge)

    def card_right(self, row: Row) -> float:
        """Right edge of a card row's box in document x: all cards of one discussion share
        it, wide enough for their longest line (and a folded head's snippet)."""
        chars = max(84, self._card_chars.get(row.thread or "", 0) + 2)
        if row.kind == "comment_head" and row.thread in self.collapsed:
            chars = max(chars, len(row.text) + 4 + len(self.fold_snippet(row)))
        if self.page is not None and self.page.width is not None:
            # laid out for the pane: the box ends at its edge, it never needs scrolling to
            chars = min(chars, max(self._card_chars.get(row.thread or "", 0) + 2,
                                   self.page.width))
        return self.char_width() * chars + 4

    def fold_snippet(self, row: Row) -> str:
        """What a folded discussion is about, shown after its head row."""
        if row.annotation is None or self.page is None:
            return ""
        first = next((ln for ln in row.annotation.comment.splitlines() if ln.strip()), "")
        first = " ".join(first.split())  # a log's or code's column padding is noise here
        if len(first) > _SNIPPET_CHARS:
            first = first[: _SNIPPET_CHARS - 1] + "…"
        thread = self.page.threads.get(row.thread or "")
        more = f"  (+{thread.size - 1} more)" if thread is not None and thread.size > 1 else ""
        return f"— {first}{more}"

    def _paint_fold_markers(self, event: QPaintEvent) -> None:
        if self.page is None:
            return
        painter = QPainter(self.viewport())
        painter.setPen(QColor(self.theme.muted))
        painter.setFont(self.font())
        metrics = self.fontMetrics()
        width = self.char_width()
        for index, top, height in self.visible_rows(event.rect().bottom()):
            if index >= len(self.rows):
                break
            row = self.rows[index]
            baseline = top + (height + metrics.ascent() - metrics.descent()) / 2
            if row.continued:
                # in the hanging indent of a split line: "this goes on from above"
                column = card_indent(row.depth)
                x = (self.contentOffset().x() + self.document().documentMargin()
                     + width * column)
                painter.drawText(QPoint(int(x), int(baseline)), "↪")
                continue
            if row.kind != "comment_head" or row.depth or row.annotation is None:
                continue
            thread = self.page.threads.get(row.thread or "")
            if thread is None:
                continue
            folded = row.thread in self.collapsed
            marker = "▸" if folded else "▾"
            painter.drawText(QRectF(0, top, self.card_left(0), height),
                             Qt.AlignmentFlag.AlignCenter, marker)
            if folded:
                x = (self.contentOffset().x() + self.document().documentMargin()
                     + metrics.horizontalAdvance(row.text) + 2 * width)
                snippet = self.fold_snippet(row)
                painter.drawText(QPoint(int(x), int(baseline)), snippet)
        painter.end()

    def paint_gutter(self, gutter: QWidget, event: QPaintEvent) -> None:
        painter = QPainter(gutter)
        theme = self.theme
        painter.fillRect(event.rect(), QColor(theme.gutter))
        if not self.rows:
            painter.end()
            return
        # old numbers right-aligned in the first digits+1 cells, new ones in the next
        column = int(self.char_width() * (self._digits + 1))
        current = self.textCursor().blockNumber()
        painter.setFont(self.font())
        muted = QColor(theme.muted)
        for index, top, height in self.visible_rows(event.rect().bottom()):
            if index >= len(self.rows):
                break
            row = self.rows[index]
            line = row.line
            rect_color = None
            if line is not None and line.kind == "+":
                rect_color = QColor(theme.added_gutter)
            elif line is not None and line.kind == "-":
                rect_color = QColor(theme.removed_gutter)
            if index == current and index:  # row 0 is where every page starts: no marker
                rect_color = QColor(theme.current_line)
            if rect_color is not None:
                painter.fillRect(QRectF(0, top, gutter.width(), height), rect_color)
            if line is None:
                continue
            painter.setPen(muted)
            for number, x in ((line.old_line, 0), (line.new_line, column)):
                if number is not None:
                    painter.drawText(
                        QRect(x, int(top), column - 4, int(height)),
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                        str(number),
                    )
        painter.end()

    # -- mouse -------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cursor = self.cursorForPosition(event.position().toPoint())
        index = cursor.blockNumber()
        if (
            event.button() == Qt.MouseButton.LeftButton
            and 0 <= index < len(self.rows)
            and self.rows[index].kind == "comment_head"
            and self.rows[index].depth == 0
            and event.position().x() < self.card_left(0) + 1
        ):
            self.toggle_requested.emit(self.rows[index].thread or "")
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self.textCursor().hasSelection():
            return
        index = self.cursorForPosition(event.position().toPoint()).blockNumber()
        if 0 <= index < len(self.rows) and self.rows[index].kind == "file_link":
            self.file_link_clicked.emit(self.rows[index].file_index or 0)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        index = self.cursorForPosition(event.position().toPoint()).blockNumber()
        row = self.rows[index] if 0 <= index < len(self.rows) else None
        annotation = row.annotation if row is not None else None
        if annotation is not None and row is not None and row.kind == "comment_head":
            tip = (f"Anchored by “{annotation.method}”, confidence {annotation.confidence:.2f}"
                   f"\n{annotation.anchor.text}")
            QToolTip.showText(event.globalPosition().toPoint(), tip, self)
        self.viewport().setCursor(
            Qt.CursorShape.PointingHandCursor
            if row is not None and row.kind == "file_link"
            else Qt.CursorShape.IBeamCursor
        )
