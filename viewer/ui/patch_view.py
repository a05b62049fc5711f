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

The text widget and its painting are viewer.ui.page_editor's; folding (page_folding) and moving
the cursor (page_moving) are mixed in, so each concept reads in one file.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QKeySequence,
    QPalette,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import (
    QPlainTextDocumentLayout,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from viewer.core.card_text import corresponding_row
from viewer.core.review_page import (
    CARD_INDENT,
    ReviewPage,
    Row,
    is_robot,
    page_from_archive,
)
from viewer.core.syntax import TOKEN_CACHE, TokenCache
from viewer.ui.highlighter import PatchHighlighter
from viewer.ui.page_editor import PageEditor, default_font
from viewer.ui.page_folding import PageFolding
from viewer.ui.page_moving import PageMoving
from viewer.ui.tasks import TaskRunner
from viewer.ui.theme import LIGHT, Theme

if TYPE_CHECKING:
    from viewer.core.archive import Archive

_INDENT_CHARS = CARD_INDENT
_RECOLOUR_SECONDS = 0.025
_REFLOW_MS = 120
"""A pane being dragged wider re-lays its cards out once it stops, not on every pixel."""
"""GUI-thread time per slice spent re-colouring rows whose tokens came in late."""


class PatchView(PageFolding, PageMoving, QWidget):
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
