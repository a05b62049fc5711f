"""Opening mailboxes: files, Maildir folders, several at once, drops, recent files, loading.

Loading runs in the background (viewer.ui.tasks); the window stays usable on the mailbox it
shows until the new one is ready, and a failure is shown in the message bar, never raised.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog

from viewer.core.archive import Archive
from viewer.core.errors import HunkwiseError, LoadCancelled
from viewer.core.identity import git_identity
from viewer.core.query import Query
from viewer.core.thread_sort import NEEDS_BODIES
from viewer.core.triage import Triage, sent_from_hunkwise
from viewer.ui.list_filtering import _EXPAND_ALL_BELOW, _MATCH_OFF_THREAD
from viewer.ui.list_rows import ListRows, build_list_rows
from viewer.ui.runtime import settle_long_lived
from viewer.ui.thread_model import DEFAULT_SORT

log = logging.getLogger(__name__)


class Opening:
    """Mixed into MainWindow: everything from a path to a mailbox on show."""

    def open_path(self, path: str | os.PathLike[str], *, select: str | None = None) -> None:
        """Load a mailbox in the background; the current one stays usable meanwhile."""
        target = Path(path).expanduser()
        self._loading_path = target
        self._select_after_load = select
        self.summary.setText(f"Loading {target.name}…")
        self.progress.setValue(0)

        # The read state as the load starts: the worker counts the unread mail with it.
        read = self.store.read_ids(target) if self.store is not None else set()

        def job(progress, cancelled):
            archive = Archive.open(target, progress=progress, cancelled=cancelled)
            return archive, build_list_rows(archive, read)

        self.loader.start(job)

    def open_dialog(self) -> None:
        start = str(Path(self.settings.recent_files[0]).parent) if self.settings.recent_files \
            else str(Path.home())
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Open Mailbox", start, "Mailboxes (*.mbox *.mbx *.gz *.eml *.patch *.mbox.gz);;"
            "All files (*)"
        )
        if paths:
            self.open_paths(paths)

    def open_maildir_dialog(self) -> None:
        """A folder dialog: the file dialog would walk into a Maildir's cur/new/tmp."""
        start = str(Path(self.settings.recent_files[0]).parent) if self.settings.recent_files \
            else str(Path.home())
        path = QFileDialog.getExistingDirectory(self, "Open Maildir", start)
        if path:
            self.open_path(path)

    def open_paths(self, paths: list[str]) -> None:
        """Several mailboxes at once: the first in this window, each other one in a window of
        its own, side by side like the first.

        Not one merged view: read marks, triage, ticks and the lore library are all kept per
        mailbox file, and a merged list would have to say for every message which file's
        state it belongs to. A window per mailbox keeps each one's state its own, and the
        windows share the settings, the state database and the app.
        """
        if not paths:
            return
        self.open_path(paths[0])
        for path in paths[1:]:
            other = type(self)(self.settings, self.store)
            other.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            other.resize(self.size())
            other.move(self.pos() + QPoint(40, 40) * (len(self.companions) + 1))
            other.show()
            other.open_path(path)
            self.companions.append(other)
            other.destroyed.connect(lambda _obj=None, w=other: self._forget_companion(w))

    def _forget_companion(self, window) -> None:
        if window in self.companions:
            self.companions.remove(window)

    def open_demo(self) -> None:
        from viewer.ui.app import demo_mailbox

        demo = demo_mailbox()
        if demo is None:
            self.messages.error("The demo mailbox is not installed with this copy of Hunkwise.")
        else:
            self.open_path(demo)

    def reload(self) -> None:
        if self.archive is not None:
            self.open_path(self.archive.path, select=self.current_msgid)

    def cancel_loading(self) -> None:
        for_filter = self._facts_for_filter
        if self.facts_job.running:
            self._stop_facts_job()
            self.messages.info("Stopped reading mail for the filter; it was not applied."
                               if for_filter else "Stopped reading mail; the list is not sorted.")
            self._show_summary()
        if self.loader.cancel():
            name = self._loading_path.name if self._loading_path else "the mailbox"
            self.messages.info(f"Stopped loading {name}.")
            self._show_summary()

    def _on_running_changed(self, _running: bool) -> None:
        running = self.loader.running or self.facts_job.running
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.act_cancel.setEnabled(running)
        if running:
            self.progress.setRange(0, 0)  # busy until the first progress report

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * min(done, total) / total))

    def _on_load_failed(self, error: BaseException) -> None:
        if isinstance(error, LoadCancelled):
            return
        name = self._loading_path.name if self._loading_path else "the mailbox"
        if isinstance(error, HunkwiseError):
            text = str(error)
        else:  # a bug, not bad input: say so plainly rather than crash or stay silent
            text = f"Could not open {name}: {type(error).__name__}: {error}"
        self.messages.error(text)
        self._show_summary()
        self.load_failed.emit(text)

    def _on_loaded(self, loaded: tuple[Archive, ListRows | None]) -> None:
        """A loader job's result: the archive, and its list rows if the job built them."""
        archive, rows = loaded
        replacing = self.archive is not None
        self.archive = archive
        self.current_msgid = self._hidden_mail = None
        read = self.store.read_ids(archive.path) if self.store is not None else set()
        self._stop_facts_job()  # counts for the old mailbox are of no use now
        # The filter is applied again below, where a has: filter can go to the background.
        query, self.model.query = self.model.query, Query()
        self.triage = Triage(archive, self.store, git_identity(str(archive.path.parent)))
        try:
            self.triage.apply_transitions(sent_from_hunkwise(archive))
        except Exception as error:  # disk full, read-only home: show the mail regardless
            log.warning("could not save triage state: %s", error)
            self.messages.warning(f"Could not save triage state: {error}")
        self.model.triage = self.triage
        self.views_sidebar.set_counts(None)
        self.recount_views()
        sort = self.settings.sort_order
        # a header-only order sorts while the list is built; a count order may need reading
        self.model.sort_order = sort if sort[0] not in NEEDS_BODIES else DEFAULT_SORT
        self.model.set_archive(archive, read, rows)
        self.tree.set_content(*self.model.column_content())
        self.setWindowTitle(f"{archive.path.name} — Hunkwise")
        self.settings.add_recent(archive.path)
        if len(archive.entries) < _EXPAND_ALL_BELOW:
            self.tree.expandAll()
        self._show_summary()
        if not query.is_empty:
            self.set_query(query)
        if sort != self.model.sort_order:
            self.sort_threads(*sort)
        target = self._select_after_load
        self._select_after_load = None
        # A big mailbox's first mail is read on a worker and shown after the first screen,
        # the way a filter's new current mail is (ListFiltering.show_when_current): reading
        # it and building its page here held the first screen of 170,000 mails 0.16 s more.
        self._reselecting = len(archive.entries) >= _MATCH_OFF_THREAD
        if self._reselecting and replacing:  # no page of the mailbox before meanwhile
            self.patch_view.clear()
            self.revision_bar.clear()
            self.message_view.clear_message("")
        try:
            if not (target and self.select_message(target)):
                if target:
                    self.messages.warning(f"No message <{target}> in {archive.path.name}.")
                first = self.model.index(0, 0)
                if first.isValid():
                    self.tree.setCurrentIndex(first)
                else:
                    self.message_view.clear_message("This mailbox holds no mail.")
        finally:
            self._reselecting = False
        settle_long_lived(replacing=replacing)  # it and the list's rows live on: see there
        self.loaded.emit(archive)

    def _show_summary(self) -> None:
        archive = self.archive
        if archive is None:
            self.summary.setText("No mailbox open — File → Open, or drop one here.")
            return
        shown = self.model.listed()
        filtered = "" if self.model.query.is_empty else f", {shown} matching"
        self.summary.setText(
            f"{archive.path.name}: {len(archive.entries)} messages, {len(archive.threads)} "
            f"threads, {len(archive.series)} series{filtered} — loaded in {archive.seconds:.2f} s"
        )

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files
        for path in recent:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
        if not recent:
            self.recent_menu.addAction("(none)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear List", self.settings.clear_recent)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.open_paths(files)
