"""Opening from lore in the window: the dialog, a pasted link, "Refresh from lore".

Fetching and opening run as one background job on the window's loader (viewer.ui.tasks), so
progress, Cancel Loading and "a newer request wins" are the same as for a file. The GUI asks
the server whenever the user opens from lore (that is the request), merging new mail into
the library copy; when the server cannot be had, the library copy opens and the message bar
says why. What was fetched is kept in the library (viewer.core.library) and opens offline
from Open Recent like any file.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence

from viewer.core.archive import Archive
from viewer.core.errors import LoreError
from viewer.core.library import Library, obtain
from viewer.core.lore import Source, ThreadRef, looks_like_source, parse_source
from viewer.ui.lore_dialog import LoreDialog

log = logging.getLogger(__name__)


def _dropped_text(mime: QMimeData) -> str | None:
    """A lore link or Message-ID dragged from a browser or a mail client, else None."""
    for url in mime.urls():
        if not url.isLocalFile() and looks_like_source(url.toString()):
            return url.toString()
    text = mime.text().strip() if mime.hasText() else ""
    return text if text and "\n" not in text and looks_like_source(text) else None


class LoreOpening:
    """Mixed into MainWindow before Opening (whose drops of files it extends) and after
    WindowActions; needs ``loader``, ``messages``, ``summary``."""

    def _build_lore_actions(self) -> None:
        """Called from WindowActions._build_actions: the actions File → … lists."""
        a = self._action
        self.act_open_lore = a("Open from &lore…", self.open_lore_dialog, "Ctrl+Shift+L",
                               tip="A lore link, a Message-ID or a public-inbox search")
        self.act_paste_lore = a("Open &Link from Clipboard", self.paste_source,
                                QKeySequence.StandardKey.Paste,
                                tip="Paste a lore link or Message-ID to open its thread")
        self.act_refresh_lore = a("Re&fresh from lore", self.refresh_from_lore, "Ctrl+Shift+R",
                                  tip="Fetch new mail of this thread or search")
        # Always enabled, like every listed key (a mailbox not from lore gets a message).
        self._lore_library = Library()
        self._lore_notes: dict[str, tuple[str, bool]] = {}
        self.loaded.connect(self._after_lore_load)

    # -- entry points -------------------------------------------------------------------------

    def open_lore_dialog(self, text: str = "") -> LoreDialog:
        """Show the dialog (non-blocking: tests and screenshots drive it); returns it."""
        dialog = LoreDialog(self, text=text)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one per use, not one per window
        dialog.accepted.connect(lambda: dialog.source and self.open_source(dialog.source))
        dialog.open()
        return dialog

    def paste_source(self) -> bool:
        """Ctrl+V on the window: open the thread a pasted lore link or Message-ID names."""
        text = QGuiApplication.clipboard().text().strip()
        if not looks_like_source(text):
            self.messages.info("Nothing to open: the clipboard holds no lore link or "
                               "Message-ID.")
            return False
        try:
            source = parse_source(text)
        except LoreError as error:
            self.messages.error(str(error))
            return False
        if source is None:
            return False
        self.open_source(source)
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_text(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        text = _dropped_text(event.mimeData())
        if text is None:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        try:
            source = parse_source(text)
        except LoreError as error:
            self.messages.error(str(error))
            return
        if source is not None:
            self.open_source(source)

    def refresh_from_lore(self) -> None:
        entry = None
        if self.archive is not None:
            entry = self._lore_library.entry_at(self.archive.path)
        if entry is None:
            self.messages.info("This mailbox was not opened from lore: nothing to refresh.")
            return
        self.open_source(entry.source, select=self.current_msgid)

    def open_source(self, source: Source, *, select: str | None = None) -> None:
        """Fetch (merging into the library copy) and open, in the background."""
        library = self._lore_library
        target = library.path_for(source)
        self._loading_path = target
        if select is None and isinstance(source, ThreadRef):
            select = source.msgid
        self._select_after_load = select
        self.summary.setText(f"Fetching {source.describe()}…")
        self.progress.setValue(0)
        notes = self._lore_notes

        def job(progress, cancelled):
            got = obtain(source, library=library, refresh=True, progress=progress,
                         cancelled=cancelled)
            # Written before the job returns; read after its result arrives (queued signal).
            if got.note:
                # The server was asked and did not answer: reading the library copy is a
                # warning; any other note is news.
                notes[str(got.path)] = (got.note, not got.fetched)
            elif got.added == got.total:
                notes[str(got.path)] = (f"{got.total} messages from {source.inbox}; kept in "
                                        "the library for reading offline.", False)
            else:
                news = f"{got.added} new messages" if got.added else "no new mail"
                notes[str(got.path)] = (f"{source.inbox}: {news} ({got.total} in all).", False)
            # No list rows: the read state of this lore copy is only known once its path is.
            return Archive.open(got.path, progress=progress, cancelled=cancelled), None

        self.loader.start(job)

    # -- after loading ------------------------------------------------------------------------

    def _after_lore_load(self, archive: Archive) -> None:
        note = self._lore_notes.pop(str(archive.path), None)
        if note is None:
            return
        text, is_warning = note
        if is_warning:
            self.messages.warning(text)
        else:
            self.messages.info(text)
