"""Folding discussions and hiding uncommented hunks on the review page, keeping the reader's
place: mixed into :class:`~viewer.ui.patch_view.PatchView` (``self.page``, ``self.editor``,
``self._document`` are the view's)."""

from __future__ import annotations


class PageFolding:
    """Which rows are hidden, and how the view keeps its place when that changes."""

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
