"""Writing a review on the review page: comments on lines, answers, adopted points, trailers.

Drafts are kept in viewer.core.drafts and shown as the user's own cards on the page
(viewer.core.drafts.as_annotations → the page builder places them like any comment). Writing
happens in a DraftEditor laid over a card that reserves room for it under its line: the page is
rebuilt with that placeholder card when the editor opens and with the real text when it closes,
keeping the scroll position, so the code above stays in view while typing.

Keys (window-wide, acting on the review page's cursor): c comment on the line (or the selected
lines), r answer the reviewer's comment under the cursor, a adopt it, g general comment, e edit
the draft under the cursor, Delete delete it. Double-clicking a diff or commit-message line
comments on it too.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence

from viewer.core.drafts import (
    DRAFT_PREFIX,
    Draft,
    DraftStore,
    as_annotations,
    draft_id_of,
    draft_on_row,
)
from viewer.core.errors import HunkwiseError
from viewer.core.identity import Identity
from viewer.core.matching import PatchRow, patch_rows
from viewer.core.message import Person
from viewer.core.patch import parse_patch
from viewer.core.reply import compose, require_sender
from viewer.core.review_page import Row
from viewer.core.send import read_config
from viewer.ui.draft_editor import DraftEditor
from viewer.ui.messages import MessageBar

log = logging.getLogger(__name__)

EDITOR_ROWS = 7
"""Rows an open editor card reserves under its line (it scrolls inside beyond that)."""
TRAILERS = ("Reviewed-by", "Acked-by", "Tested-by")


class Drafting(QObject):
    """The drafting side of one PatchView (see the module docstring)."""

    changed = Signal(str)
    """The drafts of this patch (Message-ID) changed: counts and the list may want updating."""
    replied = Signal(str)
    """A reply about this patch or cover letter was sent."""

    def __init__(self, view, store: DraftStore, identity: Callable[[], Identity],
                 messages: MessageBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.store = store
        self.identity = identity
        self.messages = messages
        self.editor: DraftEditor | None = None
        self._editing: Draft | None = None
        self.compose_window = None
        self._closing = False
        view.draft_cards = self.cards
        view.editor.viewport().installEventFilter(self)
        view.editor.verticalScrollBar().valueChanged.connect(self._place_editor)
        view.editor.horizontalScrollBar().valueChanged.connect(self._place_editor)

    # -- what the page shows ---------------------------------------------------------------

    def _rows(self, archive, msgid: str) -> list[PatchRow]:
        return patch_rows(parse_patch(archive.message(msgid).body))

    def cards(self, archive, msgid: str) -> list:
        """The page's draft cards for one mail (the hook PatchView.show_patch calls)."""
        try:
            drafts = self.store.drafts(msgid)
        except sqlite3.Error as error:
            self.messages.error(f"Drafts could not be read: {error}")
            return []
        editing = self._editing
        if editing is not None and editing.patch_msgid != msgid:
            # Another mail is being shown: keep what was typed and put the editor away
            # (without rebuilding the page that is being replaced).
            self.close_editor()
            editing = None
        if editing is not None and editing.patch_msgid == msgid:
            # The card under edit reserves room for the editor laid over it.
            room = "\n".join([" "] * EDITOR_ROWS)
            drafts = [d for d in drafts if d.id != editing.id]
            # Dated now: a card under its line comes after the discussions already there.
            drafts.append(replace(editing, id=editing.id or 0, text=room, updated=time.time(),
                                  mode="comment" if editing.mode == "adopt" else editing.mode))
        return as_annotations(drafts, self._rows(archive, msgid), self._author())

    def _author(self) -> Person:
        identity = self.identity()
        return Person(identity.name or "You", identity.email)

    # -- where the cursor is -----------------------------------------------------------------

    def _context(self):
        view = self.view
        archive, page = getattr(view, "_archive", None), view.page
        if archive is None or page is None or not page.msgid:
            self.messages.info("Open a patch first: drafts are written on the review page.")
            return None
        return archive, page.msgid, page

    def _patch_row(self, page, index: int, rows: list[PatchRow]) -> int | None:
        """The patch row a page row shows (diff and commit-message lines), else None."""
        row: Row = page.rows[index]
        if row.kind == "diff" and row.line is not None and row.file_index is not None:
            path = page.files[row.file_index].path
            key = (row.line.old_line, row.line.new_line)
            return next((i for i, r in enumerate(rows) if r.kind == "line" and r.file == path
                         and (r.old_line, r.new_line) == key), None)
        if row.kind == "message" and row.message_line is not None:
            message = [i for i, r in enumerate(rows) if r.kind == "commit"]
            if 0 <= row.message_line < len(message):
                return message[row.message_line]
        return None

    def _line_above(self, page, index: int) -> int:
        """The diff or message row a card sits under (the nearest one above it)."""
        while index > 0 and page.rows[index].kind not in ("diff", "message"):
            index -= 1
        return index

    # -- starting a draft ----------------------------------------------------------------------

    def comment_current(self) -> bool:
        """``c``: a comment on the line under the cursor, or on the selected lines."""
        context = self._context()
        if context is None:
            return False
        archive, msgid, page = context
        rows = self._rows(archive, msgid)
        cursor = self.view.editor.textCursor()
        last = cursor.blockNumber()
        span = 1
        if cursor.hasSelection():
            document = self.view.editor.document()
            first = document.findBlock(cursor.selectionStart()).blockNumber()
            last = document.findBlock(max(cursor.selectionStart(),
                                          cursor.selectionEnd() - 1)).blockNumber()
            targets = [self._patch_row(page, i, rows) for i in range(first, last + 1)]
            targets = [t for t in targets if t is not None]
            if targets:
                span = len(targets)
                at = targets[-1]
            else:
                at = None
        else:
            at = self._patch_row(page, last, rows)
        if at is None:
            self.messages.info("Put the cursor on a diff or commit-message line to comment "
                               "on it (g writes a general comment).")
            return False
        return self.start(draft_on_row(msgid, rows, at, "", span=span))

    def general(self) -> bool:
        """``g``: a comment on the whole patch (above the quotes in the reply)."""
        context = self._context()
        if context is None:
            return False
        return self.start(Draft(context[1], "general", ""))

    def _card_under_cursor(self):
        page = self.view.page
        if page is None:
            return None
        index = self.view.current_row()
        if not 0 <= index < len(page.rows):
            return None
        return index, page.rows[index].annotation

    def answer_current(self, *, adopt: bool = False) -> bool:
        """``r``: answer the reviewer's comment under the cursor (``a``: adopt it)."""
        context = self._context()
        found = self._card_under_cursor()
        if context is None or found is None or found[1] is None \
                or found[1].id.startswith(DRAFT_PREFIX):
            self.messages.info("Put the cursor on a reviewer's comment to answer or adopt it.")
            return False
        archive, msgid, page = context
        index, annotation = found
        rows = self._rows(archive, msgid)
        at = self._patch_row(page, self._line_above(page, index), rows)
        common = dict(mode="adopt" if adopt else "answer",
                      quote_msgid=annotation.reply_message_id,
                      quote_author=str(annotation.author), quote_text=annotation.comment)
        if at is None or annotation.anchor.kind == "unanchored":
            draft = Draft(msgid, "general", "", **common)
        else:
            draft = draft_on_row(msgid, rows, at, "", **common)
        if not adopt:
            draft = replace(draft, quote_id=annotation.id)
        return self.start(draft)

    def edit_current(self) -> bool:
        """``e``: reopen the draft card under the cursor."""
        found = self._card_under_cursor()
        draft_id = draft_id_of(found[1].id) if found and found[1] is not None else None
        if draft_id is None:
            self.messages.info("Put the cursor on one of your draft cards to edit it.")
            return False
        try:
            return self.start(self.store.get(draft_id))
        except KeyError:
            return False

    def delete_current(self) -> bool:
        found = self._card_under_cursor()
        draft_id = draft_id_of(found[1].id) if found and found[1] is not None else None
        if draft_id is None:
            return False
        draft = self.store.get(draft_id)
        self.store.delete(draft_id)
        self._refresh(draft.patch_msgid)
        self.messages.info("Draft deleted.")
        return True

    def add_trailer(self, name: str, *, series: bool = False) -> bool:
        """A Reviewed-by/Acked-by/Tested-by on this patch, or on the whole series (the cover
        letter when there is one, else every patch)."""
        context = self._context()
        if context is None:
            return False
        archive, msgid, _page = context
        try:
            me = require_sender(self.identity())
        except HunkwiseError as error:
            self.messages.error(str(error))
            return False
        targets = [msgid]
        if series:
            found = archive.series_of(msgid)
            if found is not None:
                targets = [found.cover] if found.cover else [
                    found.patches[n] for n in sorted(found.patches)]
        text = f"{name}: {me}"
        added = 0
        for target in targets:
            if any(d.kind == "trailer" and d.text == text for d in self.store.drafts(target)):
                continue
            self.store.save(Draft(target, "trailer", text))
            added += 1
        self._refresh(msgid)
        where = "the series" if series else "this patch"
        self.messages.info(f"{text} on {where} ({added} draft{'s' if added != 1 else ''}); "
                           "it goes out with the next reply.")
        return True

    # -- the editor ----------------------------------------------------------------------------

    def start(self, draft: Draft) -> bool:
        if self.editor is not None:
            self.editor.finish()
        self._editing = draft
        self._refresh(draft.patch_msgid, keep_editor=True)
        editor = DraftEditor(draft, self.store, title=self._title(draft),
                             theme=self.view.theme, font=self.view.editor.font(),
                             parent=self.view.editor.viewport())
        editor.saved.connect(self._on_saved)
        editor.closed.connect(self._on_closed)
        editor.failed.connect(self.messages.error)
        self.editor = editor
        self._place_editor()
        editor.show()
        editor.focus()
        return True

    @staticmethod
    def _title(draft: Draft) -> str:
        if draft.mode == "answer":
            return f"answering {draft.quote_author.split('<')[0].strip() or 'a reviewer'}"
        if draft.mode == "adopt":
            return f"adopting {draft.quote_author.split('<')[0].strip() or 'a reviewer'}'s point"
        if draft.kind == "general":
            return "general comment"
        if draft.kind == "commit_message":
            return "on the commit message"
        lines = f"{draft.span} lines up to " if draft.span > 1 else ""
        return f"on {lines}{draft.file}:{draft.line_no}"

    def _card_rows(self, card_id: str) -> list[int]:
        page = self.view.page
        if page is None:
            return []
        return [i for i, row in enumerate(page.rows)
                if row.annotation is not None and row.annotation.id == card_id]

    def _place_editor(self) -> None:
        editor = self.editor
        if editor is None or self._editing is None:
            return
        rows = self._card_rows(f"{DRAFT_PREFIX}{self._editing.id or 0}")
        if not rows:
            return
        text = self.view.editor
        document = text.document()
        first, last = document.findBlockByNumber(rows[0]), document.findBlockByNumber(rows[-1])
        offset = text.contentOffset()
        top = text.blockBoundingGeometry(first).translated(offset).top()
        bottom = text.blockBoundingGeometry(last).translated(offset).bottom()
        page_row = self.view.page.rows[rows[0]]
        left = int(text.card_left(page_row.depth) + offset.x())
        width = max(320, text.viewport().width() - left - 12)
        editor.setGeometry(left, int(top), width, int(bottom - top))

    def _on_saved(self, draft: Draft) -> None:
        first_save = self._editing is not None and self._editing.id is None
        self._editing = draft
        if first_save:
            # The placeholder card was "draft:0"; now it is this draft's own.
            self._refresh(draft.patch_msgid, keep_editor=True)
            self._place_editor()
        self.changed.emit(draft.patch_msgid)

    def _on_closed(self, draft: Draft | None) -> None:
        editing, self._editing = self._editing, None
        editor, self.editor = self.editor, None
        if editor is not None:
            editor.hide()
            editor.deleteLater()
        msgid = editing.patch_msgid if editing else (draft.patch_msgid if draft else "")
        if msgid and not self._closing:
            self._refresh(msgid)
            self.changed.emit(msgid)
        self.view.editor.setFocus()

    def _refresh(self, msgid: str, *, keep_editor: bool = False) -> None:
        """Rebuild the page on show with the drafts as they are now, where the reader was."""
        if self._closing:
            return
        view = self.view
        archive = getattr(view, "_archive", None)
        if archive is None or view.page is None or view.page.msgid != msgid:
            return
        bar = view.editor.verticalScrollBar()
        position, row = bar.value(), view.current_row()
        view.redraw()
        view._place_cursor(min(row, len(view.page.rows) - 1), scroll=False)
        bar.setValue(position)
        if keep_editor:
            QTimer.singleShot(0, self._place_editor)

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Resize:
            self._place_editor()
        elif kind == QEvent.Type.MouseButtonDblClick and watched is self.view.editor.viewport():
            cursor = self.view.editor.cursorForPosition(event.position().toPoint())
            page = self.view.page
            index = cursor.blockNumber()
            if page is not None and 0 <= index < len(page.rows) \
                    and page.rows[index].kind in ("diff", "message"):
                self.view.editor.setTextCursor(cursor)
                self.comment_current()
                return True
        return super().eventFilter(watched, event)

    def close_editor(self) -> None:
        """Save and close the editor (the window is closing, or another page is shown)."""
        editor = self.editor
        if editor is None:
            return
        self._closing = True
        try:
            editor.finish()
        finally:
            self._closing = False

    # -- composing -----------------------------------------------------------------------------

    def compose_current(self, parent=None) -> bool:
        """The replies the drafts of this patch's series call for, in the compose window."""
        context = self._context()
        if context is None:
            return False
        archive, msgid, _page = context
        if self.editor is not None:
            self.editor.finish()
        series = archive.series_of(msgid)
        targets = [msgid]
        if series is not None:
            targets = ([series.cover] if series.cover else []) + [
                series.patches[n] for n in sorted(series.patches)]
        drafts = [d for target in targets for d in self.store.drafts(target)]
        if not drafts:
            self.messages.info("No drafts on this series yet: c comments on a line, "
                               "g writes a general comment.")
            return False
        try:
            replies = compose(archive, drafts, require_sender(self.identity()))
        except HunkwiseError as error:
            self.messages.error(str(error))
            return False
        from viewer.ui.compose import ComposeWindow

        repo = None
        window = ComposeWindow(replies, store=self.store, config=lambda: read_config(repo),
                               protected=[archive.path], font=self.view.editor.font(),
                               parent=parent)
        window.sent.connect(lambda _id: self._after_send(msgid))
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.compose_window = window
        window.show()
        return True

    def _after_send(self, msgid: str) -> None:
        self._refresh(msgid)
        self.replied.emit(msgid)


def review_actions(window, drafting: Drafting) -> list[QAction]:
    """The Review menu's actions, with their keys (shown in ``?``)."""
    made: list[QAction] = []

    def action(text: str, slot, keys: str | None = None) -> QAction:
        act = QAction(text, window)
        if keys:
            act.setShortcut(QKeySequence(keys))
        act.triggered.connect(lambda _checked=False: slot())
        window.addAction(act)
        made.append(act)
        return act

    action("&Comment on Line", drafting.comment_current, "C")
    action("&Answer the Comment", drafting.answer_current, "R")
    action("A&dopt the Comment", lambda: drafting.answer_current(adopt=True), "A")
    action("&General Comment", drafting.general, "G")
    action("&Edit Draft", drafting.edit_current, "E")
    action("De&lete Draft", drafting.delete_current, "Del")
    for name in TRAILERS:
        action(f"{name} This Patch", lambda n=name: drafting.add_trailer(n))
    for name in TRAILERS:
        action(f"{name} the Whole Series", lambda n=name: drafting.add_trailer(n, series=True))
    action("Co&mpose Reply…", lambda: drafting.compose_current(window), "Ctrl+Shift+M")
    return made
