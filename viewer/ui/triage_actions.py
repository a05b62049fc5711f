"""Triage in the window: states, flags and marks on the selected rows, the saved views'
counts, and handing a series to ``git am``.

Every action works on the selection (bulk) or, without one, on the current row; the domain
rules (which series a row stands for, what "toggle new" means, what an export holds) are the
core's (viewer.core.triage, viewer.core.am). Errors go to the message bar, never a traceback.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox

from viewer.core.am import AmError, IncompleteSeries, export_series, git_am
from viewer.core.errors import HunkwiseError
from viewer.core.store import SERIES_STATES
from viewer.core.views import SAVED_VIEWS, SavedView, count_views
from viewer.ui.snooze_dialog import DATE_FORMAT, SnoozeDialog
from viewer.ui.tasks import TaskRunner
from viewer.ui.thread_model import COL_MARKS, MSGID_ROLE

log = logging.getLogger(__name__)

_COUNT_DELAY_MS = 400
"""Recount the views this long after the last change (a burst of keys counts once)."""


class TriageActions:
    """Mixed into MainWindow: ``act_flag``, ``act_toggle_new``, ``act_state``, the patch marks,
    the saved views and the git am actions."""

    # -- construction (called from the window's __init__) --------------------------------------

    def _build_triage(self) -> None:
        self.counts_job = TaskRunner(self)
        self.counts_job.succeeded.connect(self._on_counts)
        self.counts_job.failed.connect(
            lambda error: self.messages.warning(f"Could not count the views: {error}")
        )
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(_COUNT_DELAY_MS)
        self._count_timer.timeout.connect(self.recount_views)
        self.views_sidebar.view_chosen.connect(self.show_view)
        self.views_sidebar.leave.connect(self.focus_list)
        self.filter_box.textChanged.connect(self.views_sidebar.show_query)

    def _build_triage_actions(self) -> None:
        a = self._action
        self.act_flag = a("&Flag", self.toggle_flag, "Shift+F",
                          tip="Flag the selected mails (again: unflag)")
        self.act_toggle_new = a("Toggle &New", self.toggle_new, "Shift+N",
                                tip="Series state new ↔ reviewing, for the selected threads")
        self.act_state = a("Set &State…", self.state_menu, "S",
                           tip="new, reviewing, replied, waiting, accepted, archived, snooze")
        self.act_mark_read_sel = a("Mark Selection &Read", self.mark_selection_read,
                                   "Shift+R")
        self.act_done = a("Mark Patch &Done", lambda: self.mark_patches("done"), "D")
        self.act_skip = a("Mark Patch S&kip", lambda: self.mark_patches("skip"), "Shift+D")
        self.act_note = a("Patch &Note…", self.edit_note, "Ctrl+Shift+N")
        self.act_save_am = a("Save for &git am…", self.save_for_am, "Ctrl+Shift+A",
                             tip="The series as an mbox with every collected trailer")
        self.act_apply_am = a("A&pply with git am…", self.apply_with_am)
        self.act_views = a("Go to &Views", self.focus_views, "Ctrl+Shift+V")
        self.view_actions: list[QAction] = []
        for number, view in enumerate(SAVED_VIEWS, start=1):
            self.view_actions.append(
                a(f"View: {view.name}", lambda v=view: self.show_view(v), f"Ctrl+{number}")
            )
        self.state_actions: list[QAction] = []
        for state in SERIES_STATES:
            action = QAction(state.capitalize(), self)
            action.triggered.connect(lambda _checked=False, s=state: self.set_state(s))
            self.state_actions.append(action)

    def triage_menu_items(self) -> list:
        return [self.act_flag, self.act_toggle_new, self.act_state, self.act_mark_read_sel,
                None, self.act_done, self.act_skip, self.act_note, None, self.act_save_am,
                self.act_apply_am, None, self.act_views, *self.view_actions]

    # -- what the actions apply to -------------------------------------------------------------

    def selected_msgids(self) -> list[str]:
        """Message-IDs of the selected rows (a revisions row: its newest revision), or the
        current one when nothing is selected."""
        ids: list[str] = []
        model = self.model
        selection = self.tree.selectionModel()
        current = self.tree.currentIndex()
        rows = selection.selectedRows(0)
        if current.isValid() and not selection.isRowSelected(current.row(), current.parent()):
            # The selection was left behind (n/p, a click in a view, a filter): the action is
            # for the row the reader is on, never for rows selected long ago out of sight.
            rows = [current.siblingAtColumn(0)]
        for index in rows:
            msgid = index.data(MSGID_ROLE)
            if msgid is None and model.rowCount(index):
                msgid = model.index(model.rowCount(index) - 1, 0, index).data(MSGID_ROLE)
            if msgid is not None and self.archive is not None and msgid in self.archive:
                ids.append(msgid)
        if not ids and self.current_msgid is not None:
            ids.append(self.current_msgid)
        return list(dict.fromkeys(ids))

    def _selected_keys(self) -> list[str]:
        assert self.triage is not None
        return list(dict.fromkeys(self.triage.key_of(m) for m in self.selected_msgids()))

    def _changed(self, text: str) -> None:
        """After any triage change: repaint the marks, recount the views, say what was done."""
        self.model.triage_changed()
        if not self.model.query.is_empty:
            self.set_query(self.model.query)  # the rows may no longer match, or match now
        self._count_timer.start()
        self.messages.info(text)

    def _guard(self) -> bool:
        if self.triage is None:
            self.messages.info("No mailbox open.")
            return False
        return True

    # -- states, flags, marks ------------------------------------------------------------------

    def set_state(self, state: str, *, snoozed_until: float | None = None) -> None:
        if not self._guard():
            return
        keys = self._selected_keys()
        if not keys:
            return
        try:
            self.triage.set_state(keys, state, snoozed_until=snoozed_until)
        except (HunkwiseError, ValueError, OSError) as error:
            self.messages.error(f"Could not save the state: {error}")
            return
        what = f"{len(keys)} series" if len(keys) > 1 else "Series"
        until = ""
        if snoozed_until is not None:
            until = time.strftime(" until %Y-%m-%d", time.localtime(snoozed_until))
        self._changed(f"{what} set to {state}{until}.")

    def toggle_new(self) -> None:
        if not self._guard():
            return
        keys = self._selected_keys()
        if not keys:
            return
        all_new = all(self.triage.view(k).state == "new" for k in keys)
        self.set_state("reviewing" if all_new else "new")

    def state_menu(self) -> None:
        """The state menu at the current row (s): the six states and a snooze."""
        if not self._guard():
            return
        menu = QMenu(self)
        menu.setObjectName("stateMenu")
        for action in self.state_actions:
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction("Snooze Until…", self.snooze)
        rect = self.tree.visualRect(self.tree.currentIndex())
        where = self.tree.viewport().mapToGlobal(rect.bottomLeft()) if rect.isValid() else (
            QCursor.pos()
        )
        self._state_menu = menu  # kept so tests can reach the open menu
        menu.popup(where)

    def snooze(self) -> None:
        """Ask for the day the selected series come back (a calendar), then hide them."""
        if not self._guard():
            return
        keys = self._selected_keys()
        if not keys:
            return
        dialog = SnoozeDialog(self, default=QDate.currentDate().addDays(7), count=len(keys))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._snooze(keys, dialog.until(), dialog.day()))
        dialog.open()  # window-modal, and the event loop goes on (tests drive it)

    def _snooze(self, keys: list[str], until: float, day: QDate) -> None:
        states = {k: self.triage.view(k).state for k in keys}
        try:
            for key, state in states.items():
                self.triage.set_state([key], state, snoozed_until=until)
        except (HunkwiseError, ValueError, OSError) as error:
            self.messages.error(f"Could not save the snooze: {error}")
            return
        self._changed(f"{len(keys)} series snoozed until {day.toString(DATE_FORMAT)}.")

    def toggle_flag(self) -> None:
        if not self._guard():
            return
        ids = self.selected_msgids()
        if not ids:
            return
        flag = not all(m in self.triage.flagged for m in ids)
        try:
            self.triage.set_flagged(ids, flagged=flag)
        except (OSError, ValueError) as error:
            self.messages.error(f"Could not save the flag: {error}")
            return
        self._changed(f"{len(ids)} mail{'s' if len(ids) > 1 else ''} "
                      f"{'flagged' if flag else 'unflagged'}.")

    def mark_selection_read(self) -> None:
        if not self._guard():
            return
        ids = self.selected_msgids()
        for msgid in ids:
            self.set_read(msgid, read=True)
        self._changed(f"{len(ids)} mail{'s' if len(ids) > 1 else ''} marked read.")

    def mark_patches(self, mark: str) -> None:
        if not self._guard():
            return
        patches = [m for m in self.selected_msgids() if self.archive.is_patch(m)]
        if not patches:
            self.messages.info("Done and skip marks are for patch mails.")
            return
        current = self.triage.patch_states.get(patches[0])
        new = None if current is not None and current.mark == mark else mark
        self.triage.set_mark(patches, new)
        self._changed(f"{len(patches)} patch{'es' if len(patches) > 1 else ''} "
                      f"{'unmarked' if new is None else 'marked ' + mark}.")

    def edit_note(self) -> None:
        if not self._guard() or self.current_msgid is None:
            return
        msgid = self.current_msgid
        if not self.archive.is_patch(msgid):
            self.messages.info("Notes are kept per patch mail.")
            return
        old = self.triage.patch_states.get(msgid)
        text, ok = QInputDialog.getMultiLineText(
            self, "Private Note", "A note on this patch (never sent):", old.note if old else ""
        )
        if ok:
            self.triage.set_note(msgid, text.strip())
            self._changed("Note saved." if text.strip() else "Note removed.")

    # -- saved views ---------------------------------------------------------------------------

    def show_view(self, view: SavedView) -> None:
        self.views_sidebar.show_query(view.query)
        self.filter_box.setText(view.query)
        self.filter_box.apply()

    def focus_views(self) -> None:
        self.views_sidebar.setFocus()

    def recount_views(self) -> None:
        triage = self.triage
        if triage is None:
            self.views_sidebar.set_counts(None)
            return
        def job(_progress, cancelled):
            counts = count_views(triage, cancelled=cancelled)
            if not cancelled():
                # What counting read (reply trailers, patch facts) is kept with the index, so
                # the next open of the mailbox counts from it instead of reading every mail.
                triage.archive.save_facts()
            return counts

        self.counts_job.start(job)

    def _on_counts(self, counts: dict) -> None:
        self.views_sidebar.set_counts(counts)
        self.view_counts = counts

    # -- git am --------------------------------------------------------------------------------

    def _export(self, *, link_base: str | None = None):
        """The current series as an export; asks before leaving missing patches out."""
        if self.archive is None or self.current_msgid is None:
            self.messages.info("Select a patch, cover letter or reply of the series first.")
            return None
        try:
            return export_series(self.archive, self.current_msgid, link_base=link_base)
        except IncompleteSeries as missing:
            answer = QMessageBox.question(
                self, "Patches Missing", f"{missing}\n\nExport the patches that are here?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
            return export_series(self.archive, self.current_msgid, link_base=link_base,
                                 force=True)
        except AmError as error:
            self.messages.warning(str(error))
            return None

    def save_for_am(self) -> None:
        export = self._export(link_base=self.settings.link_base or None)
        if export is None:
            return
        series = export.series
        name = f"v{series.version}-" + "".join(
            c if c.isalnum() else "-" for c in series.subject.lower()
        ).strip("-")[:60] + ".mbox"
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save for git am", str(Path.home() / name), "Mailboxes (*.mbox);;All files (*)"
        )
        if not path:
            return
        target = Path(path)
        if self.archive is not None and target.resolve() == self.archive.path.resolve():
            self.messages.error("Refusing to overwrite the mailbox being read.")
            return
        try:
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(export.mbox)
            tmp.replace(target)
        except OSError as error:
            self.messages.error(f"Could not save {target.name}: {error.strerror or error}")
            return
        added = sum(len(v) for v in export.added.values())
        self.messages.info(f"Saved {len(export.patches)} patches with {added} collected "
                           f"trailers to {target}.")

    def apply_with_am(self) -> None:
        export = self._export(link_base=self.settings.link_base or None)
        if export is None:
            return
        repo = QFileDialog.getExistingDirectory(self, "Apply with git am: repository",
                                                self.settings.am_repository or str(Path.home()))
        if not repo:
            return
        branch, ok = QInputDialog.getText(
            self, "Apply with git am", "Branch (made from HEAD if new; empty: the current one):"
        )
        if not ok:
            return
        self.settings.am_repository = repo
        try:
            summary = git_am(repo, export.mbox, branch=branch.strip() or None)
        except AmError as error:
            self.messages.error(str(error))
            return
        self.messages.info(f"Applied {len(export.patches)} patches in {repo}. "
                           + (summary.splitlines()[-1] if summary else ""))
        if self.triage is not None:
            self.triage.set_state([export.series.key], "accepted")
            self._changed(f"Applied {len(export.patches)} patches in {repo}; series accepted.")


__all__ = ["COL_MARKS", "TriageActions"]
