"""The review page: a highlighted patch with reviewers' discussions inline under their lines.

Built on QPlainTextEdit because its layout only ever lays out the blocks on screen: a
5,000-line patch opens as fast as a 50-line one, where a QTextEdit/QTextBrowser lays out (and
an HTML page parses) the whole document first. Row ``i`` of ``ReviewPage.rows`` is block ``i``
of the document; everything the view needs to know about a line (what it is, which comment,
which file) comes from that parallel list, never from the widget's text.

Backgrounds (added/removed lines, hunk and file headers, comment cards and their borders) are
painted for the visible rows only; the syntax highlighter only sets foreground formats, from
tokens lexed once per file after the first paint (viewer.core.syntax caches them by content,
so showing the same patch again colours the first screen at once).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
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
    QPalette,
    QPen,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import (
    QPlainTextDocumentLayout,
    QPlainTextEdit,
    QStyle,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from viewer.core.card_text import corresponding_row
from viewer.core.drafts import is_draft_card
from viewer.core.review_model import is_doubtful
from viewer.core.review_page import (
    CARD_INDENT,
    CONTINUATION_INDENT,
    ReviewPage,
    Row,
    card_indent,
    indent_level,
    is_robot,
    page_from_archive,
)
from viewer.core.syntax import TOKEN_CACHE, TokenCache
from viewer.ui.highlighter import PatchHighlighter
from viewer.ui.tasks import TaskRunner
from viewer.ui.theme import LIGHT, Theme

if TYPE_CHECKING:
    from viewer.core.archive import Archive

_INDENT_CHARS = CARD_INDENT
_RECOLOUR_SECONDS = 0.025
_REFLOW_MS = 120
"""A pane being dragged wider re-lays its cards out once it stops, not on every pixel."""
"""GUI-thread time per slice spent re-colouring rows whose tokens came in late."""


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


class PatchView(QWidget):
    """The middle of the window: one patch as a review page.

    Keys (when the page has focus): n / p next / previous comment, ] / [ next / previous
    file, o or Return fold the discussion under the cursor, Shift+O fold or unfold all,
    h only hunks with comments.
    """

    comment_activated = Signal(str)
    """Return/double-click on a card: the annotation id."""
    current_location_changed = Signal(str, int)
    """The cursor's file path and new (else old) line number; "" and -1 outside the diff."""
    highlighting_finished = Signal()
    """Every file of the shown page has its syntax colours (for tests and benchmarks)."""

    def __init__(self, parent: QWidget | None = None, *, cache: TokenCache = TOKEN_CACHE) -> None:
        super().__init__(parent)
        self.cache = cache
        self.editor = PageEditor(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor)
        self.page: ReviewPage | None = None
        self.theme: Theme = LIGHT
        self.only_commented = False
        self._font = default_font()
        self._generation = 0
        self._pending: list[int] = []
        """Files whose tokens are not in yet, lexed one at a time on a worker thread."""
        self._lexer = TaskRunner(self)
        self._lexer.succeeded.connect(self._on_lexed)
        self._lexer.failed.connect(self._on_lex_failed)
        self._recolour: list[tuple[int, int]] = []
        """Row ranges whose tokens arrived after they were first coloured."""
        self._lex_start_timer = QTimer(self)
        self._lex_start_timer.setSingleShot(True)
        self._lex_start_timer.timeout.connect(self._start_lexing)
        self._recolour_timer = QTimer(self)
        self._recolour_timer.setSingleShot(True)
        self._recolour_timer.timeout.connect(self._recolour_slice)
        self._reflow_timer = QTimer(self)
        self._reflow_timer.setSingleShot(True)
        self._reflow_timer.setInterval(_REFLOW_MS)
        self._reflow_timer.timeout.connect(self._reflow)
        self._carried = None
        """(carried comments, only unchanged) the page was last laid out with, for a reflow."""
        self.editor.viewport().installEventFilter(self)
        self._document: QTextDocument | None = None
        self._archive: Archive | None = None
        self.draft_cards = None
        """(archive, msgid) -> the user's drafts as cards for that page; None: no drafts."""
        self.highlighter: PatchHighlighter | None = None
        self.editor.toggle_requested.connect(self.toggle_thread)
        self.editor.file_link_clicked.connect(self.jump_to_file)
        self.editor.cursorPositionChanged.connect(self._cursor_moved)
        self._make_actions()
        self.set_font(self._font)
        self.set_theme(LIGHT)
        self.clear()

    # -- actions -----------------------------------------------------------------------------

    def _make_actions(self) -> None:
        def action(text: str, keys: list[str], slot, *, checkable: bool = False) -> QAction:
            made = QAction(text, self)
            made.setShortcuts([QKeySequence(k) for k in keys])
            made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            made.setCheckable(checkable)
            if checkable:
                made.toggled.connect(slot)
            else:
                made.triggered.connect(slot)
            self.addAction(made)
            return made

        self.next_comment_action = action("Next comment", ["N"], self.next_comment)
        self.previous_comment_action = action("Previous comment", ["P"], self.previous_comment)
        self.next_file_action = action("Next file", ["]"], self.next_file)
        self.previous_file_action = action("Previous file", ["["], self.previous_file)
        self.toggle_thread_action = action("Fold discussion", ["O", "Return"],
                                           self.toggle_thread_at_cursor)
        self.collapse_all_action = action("Fold all discussions", ["Shift+O"],
                                          self.collapse_all_threads, checkable=True)
        self.only_commented_action = action("Only hunks with comments", ["H"],
                                            self.set_only_commented_hunks, checkable=True)

    # -- showing -----------------------------------------------------------------------------

    def clear(self) -> None:
        self.show_page(None)

    def show_patch(self, archive: Archive, msgid: str) -> None:
        """Show a mail of ``archive`` as a review page (a patch with its comments, or a mail),
        with the user's draft cards from ``draft_cards`` (viewer.ui.drafting sets it), its
        cards laid out for the pane's width."""
        self._carried = None
        self.show_page(self._lay_out(archive, msgid, self.page_width()))
        self._archive = archive
        # the gutter for this page's line numbers may have narrowed the pane: fit it now,
        # before the first paint, rather than after a visible reflow
        self._reflow()

    def redraw(self) -> None:
        """Lay the page on show out again because its drafts changed, keeping the previous
        revision's cards on it (show_patch starts afresh without them)."""
        archive, page = self._archive, self.page
        if archive is None or page is None:
            return
        self.show_page(self._lay_out(archive, page.msgid, self.page_width()))
        self._archive = archive

    def _lay_out(self, archive: Archive, msgid: str, width: int) -> ReviewPage:
        """The page of ``msgid`` with what is on show besides the mail: the user's drafts,
        the previous revision's comments, cards for ``width`` characters."""
        drafts = self.draft_cards(archive, msgid) if self.draft_cards is not None else []
        carried, only_unchanged = self._carried or ((), False)
        return page_from_archive(archive, msgid, drafts, width=width, carried=carried,
                                 only_unchanged=only_unchanged)

    def page_width(self) -> int:
        """How many characters a row of the page has room for in the pane now."""
        margin = 2 * (self._document.documentMargin() if self._document is not None else 4)
        room = self.editor.viewport().width() - margin
        # counted as if the vertical scroll bar were always there: else a reflow that makes
        # the page just short enough to lose it would widen the pane and reflow again
        bar = self.editor.verticalScrollBar()
        extent = self.editor.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        if not bar.isVisible():
            room -= extent
        return max(1, int(room / self.editor.char_width()))

    def eventFilter(self, watched, event) -> bool:
        # the editor's viewport, not this widget: the gutter and a vertical scroll bar
        # coming or going change the room as much as the window does
        if watched is self.editor.viewport() and event.type() == QEvent.Type.Resize:
            self._reflow_timer.start()
        return super().eventFilter(watched, event)

    def _reflow(self) -> None:
        """Lay the cards out again for a pane that got wider or narrower (code rows are the
        same; they scroll), keeping the folds and the line under the cursor where it was."""
        page, archive = self.page, self._archive
        width = self.page_width()
        if page is None or archive is None or page.width is None or page.width == width:
            return
        if not page.comment_rows:
            page.width = width  # nothing to wrap: no need to build it again
            return
        collapsed = set(self.editor.collapsed)
        row = self.current_row()
        top = next((t for i, t, _h in self.editor.visible_rows(
            self.editor.viewport().rect().bottom()) if i == row), None)
        new = self._lay_out(archive, page.msgid, width)
        self.show_page(new)
        self._archive = archive
        self.editor.collapsed = {t for t in collapsed if t in new.threads}
        self._apply_visibility()
        target = self._visible_at_or_before(corresponding_row(page, row, new))
        self._place_cursor(target, scroll=False)
        if top is not None:
            self._restore_anchor(target, top)

    def show_carried(self, archive: Archive, msgid: str, carried, *,
                     only_unchanged: bool = False) -> None:
        """Lay the page out again with the previous revision's comments (faded, at their new
        lines; viewer.core.revisions found where). They arrive from a background job after
        the page is on screen, so the line at the top, the cursor and the folds are kept."""
        if self.page is None or self.page.msgid != msgid or self._archive is not archive:
            return  # the reader moved on while the revisions were compared
        if not carried and not self.page.carried_rows:
            return  # nothing to add or take away: the page stays as it is
        old_rows = self.page.rows

        def name(row: Row) -> tuple:
            # What a row shows, to find it again on the new page (whose rows shift).
            annotation = row.annotation.id if row.annotation is not None else None
            return (row.kind, row.model_row, annotation, row.carried is not None, row.text)

        top = self.editor.firstVisibleBlock().blockNumber()
        wanted = [name(old_rows[i]) if 0 <= i < len(old_rows) else None
                  for i in (top, self.current_row())]
        collapsed = set(self.editor.collapsed)
        self._carried = (carried, only_unchanged)
        page = self._lay_out(archive, msgid, self.page_width())
        self.show_page(page)
        self._archive = archive
        self.editor.collapsed |= {thread for thread in collapsed if thread in page.threads}
        self._apply_visibility()
        names = {}
        for index, row in enumerate(page.rows):
            names.setdefault(name(row), index)
        new_top, new_cursor = (names.get(key, 0) if key else 0 for key in wanted)
        self._place_cursor(new_cursor, scroll=False)
        self.editor.verticalScrollBar().setValue(
            self._document.findBlockByNumber(new_top).firstLineNumber())

    def jump_to_carried(self, annotation_id: str) -> bool:
        """Put the cursor on the faded card of a previous revision's comment."""
        if self.page is None:
            return False
        for index in self.page.carried_rows:
            carried = self.page.rows[index].carried
            if carried is not None and carried.annotation.id == annotation_id:
                self._place_cursor(index)
                return True
        return False

    def is_showing(self, archive: Archive, msgid: str) -> bool:
        """Whether that page is already on show: moving between the replies of one patch
        keeps the page (and its folds and scroll position) instead of building it again."""
        return self.page is not None and self.page.msgid == msgid and self._archive is archive

    def jump_to_reply(self, reply_msgid: str) -> bool:
        """Bring the first comment a reply mail makes into view, in context under its line."""
        if self.page is None:
            return False
        for index in self.page.comment_rows:
            annotation = self.page.rows[index].annotation
            if annotation is not None and annotation.reply_message_id == reply_msgid:
                return self.jump_to_annotation(annotation.id)
        return False

    def go_to_top(self) -> None:
        self._place_cursor(0)

    def show_page(self, page: ReviewPage | None) -> None:
        """Render a page built by viewer.core.review_page (None: an empty view)."""
        self._archive = None
        self._generation += 1
        self._lexer.cancel(quiet=True)  # a file still being lexed belongs to the old page
        self._lex_start_timer.stop()
        self._recolour_timer.stop()
        self._recolour = []
        self.page = page
        rows = page.rows if page is not None else []
        # A fresh document, filled in one edit with undo off: reusing the old one would make
        # Qt diff and re-lay-out against it, and the undo stack would keep every page shown.
        document = QTextDocument(self)
        document.setDocumentLayout(QPlainTextDocumentLayout(document))
        document.setUndoRedoEnabled(False)
        document.setDefaultFont(self._font)
        option = document.defaultTextOption()
        option.setTabStopDistance(8 * self.editor.char_width())
        option.setWrapMode(QTextOption.WrapMode.NoWrap)
        document.setDefaultTextOption(option)
        highlighter = PatchHighlighter(document, self.theme)
        highlighter.rows = rows
        if page is not None:
            # Tokens already lexed (the same patch again, or a file seen in another revision)
            # colour the first paint; the rest are lexed after it.
            for index, page_file in enumerate(page.files):
                for side, text in (("old", page_file.old_text), ("new", page_file.new_text)):
                    found = self.cache.get(page_file.lexer, text)
                    if found is not None:
                        highlighter.tokens[(index, side)] = found
        cursor = QTextCursor(document)
        cursor.beginEditBlock()
        cursor.insertText("\n".join(row.text for row in rows))
        cursor.endEditBlock()
        old_document, old_highlighter = self._document, self.highlighter
        self._document, self.highlighter = document, highlighter
        self.editor.collapsed = set() if page is None else {
            thread_id for thread_id, thread in page.threads.items()
            if is_robot(thread.root.author)
        }
        self.editor.set_rows(page if page is not None else _EMPTY)
        self.editor.setDocument(document)
        if old_highlighter is not None:
            old_highlighter.setDocument(None)
            old_highlighter.deleteLater()
        if old_document is not None:
            old_document.deleteLater()
        if self.collapse_all_action.isChecked():
            self.editor.collapsed = set(page.threads) if page is not None else set()
        self._apply_visibility()
        self.editor.moveCursor(QTextCursor.MoveOperation.Start)
        if page is not None:
            self._pending = [
                i for i in range(len(page.files))
                if (i, "old") not in highlighter.tokens or (i, "new") not in highlighter.tokens
            ]
            if self._pending:
                # After the first paint: a lexing thread holds the GIL half the time, and
                # the first screen (painted in Python) must not share it.
                self._lex_start_timer.start(0)
            else:
                # with self as context: dropped if this view is gone by then
                QTimer.singleShot(0, self, self._announce_highlighted)

    def _announce_highlighted(self) -> None:
        if self.page is not None and not self._pending and not self._recolour:
            self.highlighting_finished.emit()

    def _start_lexing(self) -> None:
        """Lex the next file on a worker thread: pygments takes ~70 µs a line, so a
        20,000-line file would hold the GUI for over a second. The job returns plain token
        lists; a newer page cancels it (TaskRunner drops results of a stale token), and the
        generation in the result double-checks that they belong to the page on show."""
        page = self.page
        if page is None or not self._pending:
            return
        index = self._pending[0]
        page_file = page.files[index]
        cache, generation = self.cache, self._generation
        lexer, old_text, new_text = page_file.lexer, page_file.old_text, page_file.new_text

        def job(_progress, cancelled):
            old = cache.tokens(lexer, old_text)
            new = None if cancelled() else cache.tokens(lexer, new_text)
            return generation, index, old, new

        self._lexer.start(job)

    def _on_lexed(self, result: object) -> None:
        generation, index, old, new = result  # type: ignore[misc]
        page, highlighter = self.page, self.highlighter
        if generation != self._generation or page is None or highlighter is None or new is None:
            return
        highlighter.tokens[(index, "old")] = old
        highlighter.tokens[(index, "new")] = new
        if index in self._pending:
            self._pending.remove(index)
        page_file = page.files[index]
        # What is on screen is coloured now; the rest of the file a slice at a time, so a
        # huge file never holds the GUI thread for long either.
        self._rehighlight_visible(page_file.row, page_file.end_row)
        self._recolour.append((page_file.row, page_file.end_row))
        if self._pending:
            self._start_lexing()
        else:
            # Off-screen rows only once lexing is over: while a worker lexes, every step of
            # Python here waits for the GIL and the GUI would stutter.
            self._recolour_timer.start(0)

    def _on_lex_failed(self, error: object) -> None:
        # A lexer bug on odd input costs the colours of one file, never the page.
        if self._pending:
            self._pending.pop(0)
        if self._pending:
            self._start_lexing()
        else:
            self._announce_highlighted()

    def _recolour_slice(self) -> None:
        highlighter, document = self.highlighter, self._document
        if highlighter is None or document is None:
            self._recolour = []
            return
        deadline = time.perf_counter() + _RECOLOUR_SECONDS
        while self._recolour and time.perf_counter() < deadline:
            start, end = self._recolour[0]
            block = document.findBlockByNumber(start)
            stop = min(end, start + 32)
            number = start
            while number < stop and block.isValid():
                highlighter.rehighlightBlock(block)
                block = block.next()
                number += 1
            if number >= end or not block.isValid():
                self._recolour.pop(0)
            else:
                self._recolour[0] = (number, end)
        if self._recolour:
            self._recolour_timer.start(0)
        else:
            self._announce_highlighted()

    def _rehighlight_visible(self, start: int, end: int) -> None:
        highlighter = self.highlighter
        if highlighter is None:
            return
        bottom = self.editor.viewport().rect().bottom()
        for index, _top, _height in self.editor.visible_rows(bottom):
            if start <= index < end:
                highlighter.rehighlightBlock(self.editor.document().findBlockByNumber(index))

    def is_highlighted(self) -> bool:
        return self.page is not None and not self._pending and not self._recolour

    # -- folding and filtering ---------------------------------------------------------------

    def _apply_visibility(self) -> None:
        """Show or hide rows for the folded discussions and the hunk filter, in one pass."""
        page, document = self.page, self._document
        if page is None or document is None:
            return
        hidden = [False] * len(page.rows)
        if self.only_commented:
            for hunk in page.hunks:
                if not hunk.commented:
                    hidden[hunk.row : hunk.end_row] = [True] * (hunk.end_row - hunk.row)
        for thread_id in self.editor.collapsed:
            thread = page.threads.get(thread_id)
            if thread is not None:
                for index in thread.rows[1:]:
                    hidden[index] = True
        anchor = self._view_anchor(hidden)
        block = document.firstBlock()
        first = last = None
        for index, hide in enumerate(hidden):
            if not block.isValid():
                break
            if block.isVisible() == hide:
                block.setVisible(not hide)
                first = index if first is None else first
                last = index
            block = block.next()
        if first is not None and last is not None:
            start = document.findBlockByNumber(first).position()
            end_block = document.findBlockByNumber(last)
            document.markContentsDirty(start, end_block.position() + end_block.length() - start)
        # The cursor must not sit in a hidden row: move it to the nearest visible one above.
        cursor_row = self.current_row()
        if 0 <= cursor_row < len(hidden) and hidden[cursor_row]:
            self._place_cursor(self._visible_at_or_before(cursor_row), scroll=False)
        if anchor is not None:
            self._restore_anchor(*anchor)
        self.editor.viewport().update()
        self.editor.gutter.update()

    def _view_anchor(self, hidden: list[bool]) -> tuple[int, float] | None:
        """The row to keep in place while rows fold away: the cursor's when it is on screen,
        else the top one on screen; if that one is about to be hidden, the nearest row above
        that stays, which then takes its place on screen (folding all from line 5 used to
        land the reader on line 186)."""
        editor = self.editor
        bottom = editor.viewport().rect().bottom()
        on_screen = {index: top for index, top, _height in editor.visible_rows(bottom)}
        if not on_screen:
            return None
        cursor_row = self.current_row()
        row = cursor_row if cursor_row in on_screen else min(on_screen)
        top = on_screen[row]
        while row > 0 and row < len(hidden) and hidden[row]:
            row -= 1
        return row, top

    def _restore_anchor(self, row: int, top: float) -> None:
        document = self._document
        if document is None:
            return
        block = document.findBlockByNumber(row)
        if not block.isValid():
            return
        line_height = max(1, self.editor.fontMetrics().lineSpacing())
        lines_above = round(top / line_height)
        bar = self.editor.verticalScrollBar()
        bar.setValue(max(0, block.firstLineNumber() - lines_above))

    def row_visible(self, index: int) -> bool:
        document = self._document
        return document is not None and document.findBlockByNumber(index).isVisible()

    def _visible_at_or_before(self, index: int) -> int:
        while index > 0 and not self.row_visible(index):
            index -= 1
        return index

    def set_only_commented_hunks(self, only: bool) -> None:
        self.only_commented = bool(only)
        if self.only_commented_action.isChecked() != self.only_commented:
            self.only_commented_action.setChecked(self.only_commented)
        self._apply_visibility()

    def collapse_all_threads(self, collapsed: bool = True) -> None:
        if self.collapse_all_action.isChecked() != bool(collapsed):
            self.collapse_all_action.setChecked(bool(collapsed))  # re-enters through toggled
            return
        page = self.page
        self.editor.collapsed = set(page.threads) if (collapsed and page) else set()
        self._apply_visibility()

    def set_thread_collapsed(self, thread_id: str, collapsed: bool) -> None:
        if collapsed:
            self.editor.collapsed.add(thread_id)
        else:
            self.editor.collapsed.discard(thread_id)
        self._apply_visibility()

    def toggle_thread(self, thread_id: str) -> None:
        self.set_thread_collapsed(thread_id, thread_id not in self.editor.collapsed)

    def toggle_thread_at_cursor(self) -> None:
        row = self.current_row_data()
        if row is not None and row.thread is not None:
            self.toggle_thread(row.thread)
            if self.page is not None:
                self._place_cursor(self.page.threads[row.thread].rows[0], scroll=False)
            if row.annotation is not None:
                self.comment_activated.emit(row.annotation.id)

    def is_collapsed(self, thread_id: str) -> bool:
        return thread_id in self.editor.collapsed

    # -- moving ------------------------------------------------------------------------------

    def current_row(self) -> int:
        return self.editor.textCursor().blockNumber()

    def current_row_data(self) -> Row | None:
        index = self.current_row()
        if self.page is None or not 0 <= index < len(self.page.rows):
            return None
        return self.page.rows[index]

    def _place_cursor(self, index: int, *, scroll: bool = True) -> None:
        document = self._document
        if document is None:
            return
        block = document.findBlockByNumber(index)
        if not block.isValid():
            return
        self.editor.setTextCursor(QTextCursor(block))
        if scroll:
            # Put the row a quarter down the screen (at most 8 lines): the code a comment
            # quotes stays in view above its card, and the card's text below it.
            bar = self.editor.verticalScrollBar()
            line_height = max(1, self.editor.fontMetrics().lineSpacing())
            above = min(8, self.editor.viewport().height() // line_height // 4)
            bar.setValue(max(0, block.firstLineNumber() - max(3, above)))
            self.editor.ensureCursorVisible()

    def _jump(self, targets: list[int], forward: bool) -> bool:
        here = self.current_row()
        visible = [t for t in targets if self.row_visible(t)]
        found = (next((t for t in visible if t > here), None) if forward
                 else next((t for t in reversed(visible) if t < here), None))
        if found is None:
            return False
        self._place_cursor(found)
        return True

    def _comment_targets(self) -> list[int]:
        if self.page is None:
            return []
        return [i for i in self.page.comment_rows if self.row_visible(i)]

    def next_comment(self) -> bool:
        return self._jump(self._comment_targets(), True)

    def previous_comment(self) -> bool:
        return self._jump(self._comment_targets(), False)

    def next_file(self) -> bool:
        return self._jump([f.row for f in self.page.files] if self.page else [], True)

    def previous_file(self) -> bool:
        return self._jump([f.row for f in self.page.files] if self.page else [], False)

    def jump_to_file(self, index: int) -> None:
        if self.page is not None and 0 <= index < len(self.page.files):
            self._place_cursor(self.page.files[index].row)

    def jump_to_annotation(self, annotation_id: str) -> bool:
        """Bring a comment into view (unfolding its discussion), e.g. from the message pane."""
        if self.page is None:
            return False
        index = self.page.head_row(annotation_id)
        if index is None:
            return False
        thread = self.page.rows[index].thread
        if thread is not None and thread in self.editor.collapsed:
            self.set_thread_collapsed(thread, False)
        self._place_cursor(index)
        return True

    def _cursor_moved(self) -> None:
        row = self.current_row_data()
        if row is None or row.file_index is None or self.page is None:
            self.current_location_changed.emit("", -1)
            return
        path = self.page.files[row.file_index].path
        line = -1
        if row.line is not None:
            line = row.line.new_line if row.line.new_line is not None else row.line.old_line or -1
        self.current_location_changed.emit(path, line)

    # -- looks -------------------------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.editor.theme = theme
        palette = self.editor.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor(theme.base))
        palette.setColor(QPalette.ColorRole.Text, QColor(theme.text))
        palette.setColor(QPalette.ColorRole.Highlight, QColor(theme.highlight))
        palette.setColor(QPalette.ColorRole.HighlightedText, QColor(theme.text))
        self.editor.setPalette(palette)
        if self.highlighter is not None:
            self.highlighter.set_theme(theme)
        self.editor.viewport().update()
        self.editor.gutter.update()

    def set_font(self, font: QFont) -> None:
        """A monospace font for the page; tabs stay eight columns wide."""
        self._font = QFont(font)
        self.editor.setFont(self._font)
        if self._document is not None:
            self._document.setDefaultFont(self._font)
            option = self._document.defaultTextOption()
            option.setTabStopDistance(8 * self.editor.char_width())
            self._document.setDefaultTextOption(option)
        self.editor.update_gutter_width()


_EMPTY = ReviewPage("", "", "", None, [], [], [], {}, [])
