"""The thread list's filter and sort, with the mail reading they may need in the background.

A has: filter or a sort by comments on a big mailbox reads thousands of mails (~1 ms each):
that runs as one background job whose progress is in the status bar. A job nobody waits for
any more (the filter cleared, another mailbox opened) is cancelled and its progress removed;
one still wanted (a refined filter needing the same mail) is left to finish.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt

from viewer.core.query import Query
from viewer.core.thread_facts import compute_facts
from viewer.ui.thread_model import MSGID_ROLE

log = logging.getLogger(__name__)

_FACTS_IN_FOREGROUND = 200
"""A has: filter or sort needing more unread mail than this reads it in the background."""
_EXPAND_ALL_BELOW = 400
"""Mailboxes with fewer messages open fully expanded: a demo or one thread reads best so."""
_MATCH_OFF_THREAD = 3000
"""Mailboxes with at least this many messages are filtered on a worker thread."""
SHOW_AFTER_MS = 1
"""A new current row's mail is read from this long after the filter's result: after the
list's repaint (show_when_current)."""


class ListFiltering:
    """Mixed into MainWindow: filter, sort and the facts job behind them."""

    def set_query(self, query: Query) -> None:
        """Filter the list; a has: filter on a big mailbox first reads mail in the background.

        A scan still running keeps going when the new filter needs the same mail (typing
        "has:reviewed-by from:x" after "has:reviewed-by"): it is still wanted. Otherwise it is
        cancelled at once, and its progress leaves the status bar with it.
        """
        needed = self.model.needs_facts(query)
        warm = self.model.needs_triage(query)
        if self.facts_job.running and self._facts_for_filter and (needed or warm):
            self._query_waiting = query
            return
        self._stop_facts_job()
        if len(needed) + len(warm) > _FACTS_IN_FOREGROUND and self.archive is not None:
            count = len(set(needed) | set(warm))
            self._start_facts_job(needed, f"Reading {count} mails for the filter…", warm=warm)
            self._query_waiting = query
            self._facts_for_filter = True
            return
        self._apply_query(query)

    def _match_in_background(self, query: Query) -> bool:
        """A big mailbox is matched on a worker thread (plain data back, the list reset
        once), so typing or switching a view never freezes the window; False: do it here."""
        archive = self.archive
        if query.is_empty or archive is None or len(archive.entries) < _MATCH_OFF_THREAD:
            return False
        model = self.model
        self.filter_job.start(
            lambda _progress, cancelled: (query, model.find_matching(query, cancelled))
        )
        return True

    def _on_matched(self, result) -> None:
        query, found = result
        if found is not None:
            self._apply_query(query, found)

    def _start_facts_job(self, needed: list[str], text: str, *, warm: list[str] = ()) -> None:
        """Read mail in the background: the list's counts for ``needed``, and the triage
        facts of the patches in ``warm`` (needs:review, is:unchanged, carried trailers), so
        the filter applied afterwards only looks answers up."""
        archive = self.archive
        triage = self.triage
        assert archive is not None
        self.summary.setText(text)
        warm = list(warm)

        def job(progress, cancelled):
            total = len(needed) + len(warm)
            facts = compute_facts(archive, needed, lambda d, _t: progress(d, total), cancelled)
            if triage is not None:
                for done, msgid in enumerate(warm, start=len(needed) + 1):
                    if cancelled():
                        break
                    triage.warm([msgid])
                    progress(done, total)
            return facts

        self.facts_job.start(job)

    def _stop_facts_job(self) -> None:
        """Cancel a scan nobody waits for any more, and take its progress off the screen."""
        self.facts_job.cancel()
        self._query_waiting = None
        self._sort_waiting = None
        self._facts_for_filter = False

    def _on_facts(self, facts: dict) -> None:
        self.model.add_facts(facts)
        query, self._query_waiting = self._query_waiting, None
        sort, self._sort_waiting = self._sort_waiting, None
        self._facts_for_filter = False
        if sort is not None:
            self._apply_sort(*sort)
        if query is not None:
            self._apply_query(query)
        elif sort is not None:
            self._show_summary()

    def _on_facts_failed(self, error: BaseException) -> None:
        self._query_waiting = None
        self._sort_waiting = None
        self._facts_for_filter = False
        self.messages.error(f"Reading mail failed: {type(error).__name__}: {error}")

    # -- sorting ------------------------------------------------------------------------------

    def sort_threads(self, key: str, descending: bool) -> None:
        """Order the list by a column; remembered. Sorting by comments or trailers on a big
        mailbox reads the thread starts' mail in the background first."""
        self.settings.sort_order = (key, descending)
        self.tree.show_sort(key, descending)
        needed = self.model.needs_sort_facts(key)
        if len(needed) > _FACTS_IN_FOREGROUND and self.archive is not None:
            if self.facts_job.running and self._facts_for_filter:
                # the filter's scan reads every mail, these included: sort once it is done
                self._sort_waiting = (key, descending)
                return
            self._stop_facts_job()
            self._start_facts_job(needed, f"Reading {len(needed)} mails to sort by {key}…")
            self._sort_waiting = (key, descending)
            return
        if needed and self.archive is not None:
            self.model.add_facts(compute_facts(self.archive, needed, lambda *_: None,
                                               lambda: False))
        self._apply_sort(key, descending)

    def _apply_sort(self, key: str, descending: bool) -> None:
        current = self._current_or_coming()
        expanded = self._expanded_roots()
        self.model.set_sort(key, descending=descending)
        self._restore_expanded(expanded)
        if current is not None:
            self.select_message(current)

    def _expanded_roots(self) -> set[str]:
        """Top-level rows that are open, by Message-ID (a reset forgets them)."""
        opened = set()
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            if self.tree.isExpanded(index):
                msgid = index.data(MSGID_ROLE)
                if msgid is None:  # a revisions row: its newest revision names it
                    child = self.model.index(self.model.rowCount(index) - 1, 0, index)
                    msgid = "group:" + str(child.data(MSGID_ROLE))
                opened.add(msgid)
        return opened

    def _restore_expanded(self, opened: set[str]) -> None:
        if self.archive is not None and len(self.archive.entries) < _EXPAND_ALL_BELOW:
            self.tree.expandAll()
            return
        for msgid in opened:
            if msgid.startswith("group:"):
                child = self.model.index_of(msgid[len("group:"):])
                if child.isValid():
                    self.tree.expand(child.parent())
            else:
                index = self.model.index_of(msgid)
                if index.isValid():
                    self.tree.expand(index)

    def _apply_query(self, query: Query, found=None) -> None:
        if found is None and self._match_in_background(query):
            return
        if self.filter_job.running:
            self.filter_job.cancel()  # an older match still running is of no use now
        # A filter that listed nothing left no mail on show: the one it hid comes back when
        # a later filter lists it again (Accepted, empty, then All mail: where one was).
        current = self._current_or_coming() or getattr(self, "_hidden_mail", None)
        try:
            if found is not None:
                self.filter_seconds = self.model.set_matched(query, found)
            else:
                self.filter_seconds = self.model.set_query(query)
        except Exception as error:  # a bug in a filter term: the list stays as it was
            log.error("applying the filter %r failed", query, exc_info=True)
            self.messages.error(f"Filter failed: {type(error).__name__}: {error}")
            return
        if query.errors:
            self.messages.warning("; ".join(query.errors))
        if self.archive is not None and (
            len(self.archive.entries) < _EXPAND_ALL_BELOW
            or (not query.is_empty and self.model.listed() < 50)
        ):
            self.tree.expandAll()  # few matches: show where in their threads they sit
        if current is not None:
            # The reset forgot the current row; finding it again must not rebuild the
            # review page of the mail already on show (a few hundred ms on a big patch).
            self._reselecting = True
            try:
                self.select_message(current)
            finally:
                self._reselecting = False
        self._hidden_mail = None
        if self.model.listed() == 0:
            # nothing matches: no patch of a thread that is no longer listed stays on show
            self._hidden_mail = current
            self.current_msgid = None
            self.patch_view.clear()
            self.revision_bar.clear()  # its links were the hidden patch's revisions
            self.find_bar.refresh()
            self.message_view.clear_message("No thread matches the filter.")
        elif current is None or not self.tree.currentIndex().isValid():
            self._reselecting = True  # its mail: see show_when_current
            try:
                self.tree.setCurrentIndex(self.model.index(0, 0))
            finally:
                self._reselecting = False
        self._show_summary()

    def _current_or_coming(self) -> str | None:
        """The mail on show, or the current row's when its mail is still being read (see
        show_when_current): a sort or filter in that moment keeps that row, not none."""
        if self.current_msgid is not None or self.archive is None:
            return self.current_msgid
        return self.model.mail_of(self.tree.currentIndex())

    def show_when_current(self, msgid: str) -> None:
        """Show the mail a filter made current, once the list has repainted and its mail has
        been read: the reset and repaint of a long list (20-70 ms) and the first reading of
        a big series (its thread's comments, the review model: 120 ms and more) would freeze
        the window for their sum. So the mail is read on a worker first, and the page is
        built from what it read (10-30 ms) when it is done. Not if the user has moved on
        meanwhile: that row's mail is on show already.

        Called ``SHOW_AFTER_MS`` after the filter's result, not at once: a zero timeout is
        a posted call, run in the same pass of the event loop as the repaint the reset posted
        (before it, even), so the worker would share the interpreter with the repaint."""
        if not self.isVisible():
            return  # closed meanwhile (its state store may be closed already)
        archive = self.archive
        if archive is None or self.model.mail_of(self.tree.currentIndex()) != msgid:
            return
        self._mail_wanted = msgid
        node = archive.node(msgid)
        if node.entry is None:  # a placeholder: nothing to read
            self._on_mail_read(msgid)
            return
        target = archive.review_target(msgid)

        def read(_progress, _cancelled):
            archive.message(msgid)
            archive.review(target)  # the page's rows and comments, cached by the archive
            return msgid

        self.page_job.start(read)

    def _on_mail_read(self, msgid: str | None) -> None:
        """The worker read the mail (or failed: showing it then reports what went wrong)."""
        if msgid is None or not self.isVisible():
            return
        if self.model.mail_of(self.tree.currentIndex()) == msgid != self.current_msgid:
            self.show_message(msgid)

    def focus_filter(self) -> None:
        self.filter_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_box.selectAll()

    def focus_list(self) -> None:
        self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def clear_filter(self) -> None:
        if self.filter_box.text() or not self.filter_box.query.is_empty:
            self.filter_box.clear()
            self.filter_box.apply()
