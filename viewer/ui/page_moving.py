"""Moving on the review page: the cursor row, next/previous comment and file, jumping to a
comment: mixed into :class:`~viewer.ui.patch_view.PatchView`."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor

from viewer.core.review_page import Row


class PageMoving:
    """Where the cursor is, and the keys that move it."""

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
