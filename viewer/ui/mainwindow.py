"""The main window: thread list on the left, the review page and the message pane on the right.

The window owns no domain logic. It opens an :class:`Archive` in the background, hands it to
the thread model, and when a row becomes current it shows that mail in the message pane and the
patch it belongs to on the review page (a reply shows the patch it answers, so its comments are
in view). Every action lives in a menu with its shortcut, so the ``?`` overview and the menus
are generated from the same QActions.

Concepts of the window live in their own files and are mixed in: the actions and menus
(window_actions), opening mailboxes (opening), the list's filter and sort with their background
reading (list_filtering), where the panes sit (window_layout).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from viewer.core.archive import Archive
from viewer.core.placeholder import implied_subject
from viewer.core.query import Query
from viewer.core.review_model import describe_errors
from viewer.core.store import Store
from viewer.core.triage import Triage
from viewer.ui.about import AboutDialog
from viewer.ui.find_bar import FindBar
from viewer.ui.list_filtering import SHOW_AFTER_MS, ListFiltering
from viewer.ui.lore_opening import LoreOpening
from viewer.ui.message_view import MessageView
from viewer.ui.messages import MessageBar
from viewer.ui.opening import Opening
from viewer.ui.patch_view import PatchView
from viewer.ui.range_diff_view import RangeDiffView
from viewer.ui.revision_bar import RevisionBar
from viewer.ui.settings import Settings
from viewer.ui.shortcuts import ShortcutsDialog
from viewer.ui.tasks import TaskRunner
from viewer.ui.thread_filter import FilterBox
from viewer.ui.thread_list import ThreadList
from viewer.ui.thread_model import MSGID_ROLE, ThreadModel
from viewer.ui.triage_actions import TriageActions
from viewer.ui.views_sidebar import ViewsSidebar
from viewer.ui.window_actions import WindowActions
from viewer.ui.window_appearance import WindowAppearance
from viewer.ui.window_drafting import WindowDrafting
from viewer.ui.window_layout import WindowLayout

log = logging.getLogger(__name__)


_VIEWS_SIDEBAR_FROM = 1000
"""Window width (px) from which the saved views are shown beside the thread list."""


class MainWindow(WindowActions, WindowAppearance, TriageActions, WindowDrafting, LoreOpening,
                 Opening, ListFiltering, QMainWindow):
    loaded = Signal(object)
    """An Archive finished loading and is on show."""
    load_failed = Signal(str)
    message_shown = Signal(str)
    """The Message-ID now in the message pane."""

    def __init__(
        self,
        settings: Settings | None = None,
        store: Store | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Hunkwise")
        self.setAcceptDrops(True)
        self.settings = settings or Settings()
        self.messages = MessageBar(self)
        self._reported_errors: set[tuple[object, str]] = set()
        try:
            self.store: Store | None = store or Store()
        except Exception as error:  # unwritable data dir: read state is a convenience
            log.warning("read state disabled: %s", error, exc_info=True)
            self.store = None
            self.messages.warning(f"Read state will not be remembered: {error}")
        if self.store is not None and self.store.recovered_from is not None:
            self.messages.warning(
                f"The saved read state was damaged and has been set aside "
                f"({self.store.recovered_from.name}); starting afresh."
            )
        self.archive: Archive | None = None
        self.companions: list[MainWindow] = []
        """Windows opened beside this one for the other mailboxes of one Open or drop."""
        self.triage: Triage | None = None
        self.current_msgid: str | None = None
        self.theme_name = "light"
        self._select_after_load: str | None = None
        self._loading_path: Path | None = None

        self.model = ThreadModel(self)
        self.loader = TaskRunner(self, yield_to_gui=False)
        self.loader.succeeded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        self.loader.progressed.connect(self._on_progress)
        self.loader.running_changed.connect(self._on_running_changed)
        # has:comments and friends read every mail of a big mailbox: off the GUI thread too.
        self.facts_job = TaskRunner(self)
        self.facts_job.succeeded.connect(self._on_facts)
        self.facts_job.failed.connect(self._on_facts_failed)
        self.facts_job.progressed.connect(self._on_progress)
        self.facts_job.running_changed.connect(self._on_running_changed)
        # Matching a filter over a big mailbox (plain data back; see ListFiltering).
        self.filter_job = TaskRunner(self)
        self.filter_job.succeeded.connect(self._on_matched)
        self.filter_job.failed.connect(
            lambda error: self.messages.error(f"Filter failed: {type(error).__name__}: {error}")
        )
        # The mail a filter made current is read here before it is shown (ListFiltering).
        self.page_job = TaskRunner(self)
        self.page_job.succeeded.connect(self._on_mail_read)
        self.page_job.failed.connect(lambda _error: self._on_mail_read(self._mail_wanted))
        self._query_waiting: Query | None = None
        self._sort_waiting: tuple[str, bool] | None = None
        self._facts_for_filter = False
        """The facts job reads every mail for a has: filter (not only thread starts)."""
        self.filter_seconds = 0.0
        """How long the last filter took to apply (shown nowhere; for checks)."""

        self.view_counts: dict[str, int] | None = None
        """The saved views' thread counts, once counted (for the sidebar, and checks)."""
        self._build_widgets()
        self._build_drafting()
        self._build_actions()
        self._build_triage_actions()
        self._build_menus()
        self._build_triage()
        self.layout_keeper = WindowLayout(self, self.settings, self.main_splitter,
                                          self.right_splitter, self.tree)
        # The width the views want (not the one they have mid-layout), while they are shown.
        self.layout_keeper.extra = lambda: (
            self.views_sidebar.maximumWidth() + 4 if not self.views_sidebar.isHidden() else 0
        )
        self._shown_once = False
        self.layout_keeper.restore()
        self.tree.show_sort(*self.settings.sort_order)
        self.apply_theme(self.settings.theme)
        self.apply_font(self.settings.font)
        if self.settings.list_zoom:
            self.apply_list_zoom()
        self.patch_view.set_only_commented_hunks(self.settings.only_commented_hunks)

    # -- construction -------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.filter_box = FilterBox(self)
        self.filter_box.query_changed.connect(self.set_query)
        self.tree = ThreadList(self.model, self)
        self.tree.sort_requested.connect(self.sort_threads)
        self.tree.escape_pressed.connect(self.clear_filter)
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.filter_box.escaped.connect(self.tree.setFocus)

        self.patch_view = PatchView(self)
        self.patch_view.setObjectName("patchView")
        self._take_over_review_keys()
        self.message_view = MessageView(self)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(4)
        left_layout.addWidget(self.filter_box)
        self.views_sidebar = ViewsSidebar(self)
        lists = QHBoxLayout()
        lists.setContentsMargins(0, 0, 0, 0)
        lists.setSpacing(4)
        lists.addWidget(self.views_sidebar)
        lists.addWidget(self.tree, 1)
        left_layout.addLayout(lists, 1)

        review = QWidget(self)
        review_layout = QVBoxLayout(review)
        review_layout.setContentsMargins(0, 0, 0, 0)
        review_layout.setSpacing(0)
        self.revision_bar = RevisionBar(self)
        self.range_diff_view = RangeDiffView(self)
        self.range_diff_view.setObjectName("rangeDiffView")
        self.review_stack = QStackedWidget(self)
        self.review_stack.addWidget(self.patch_view)
        self.review_stack.addWidget(self.range_diff_view)
        self.revision_bar.open_revision.connect(self.select_message)
        self.revision_bar.range_diff_toggled.connect(self._show_range_diff)
        self.revision_bar.range_diff_ready.connect(self.range_diff_view.show_entries)
        self.revision_bar.failed.connect(self.messages.error)
        self.revision_bar.carried_ready.connect(self._show_carried)
        self.revision_bar.only_unchanged_toggled.connect(lambda _on: self._show_carried())
        review_layout.addWidget(self.revision_bar)
        review_layout.addWidget(self.review_stack, 1)
        editor = getattr(self.patch_view, "editor", self.patch_view)
        self.find_bar = FindBar(editor, self)
        review_layout.addWidget(self.find_bar)

        self.right_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.right_splitter.setObjectName("rightSplitter")
        self.right_splitter.addWidget(review)
        self.right_splitter.addWidget(self.message_view)
        self.right_splitter.setStretchFactor(0, 2)
        self.right_splitter.setStretchFactor(1, 1)

        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(left)
        self.main_splitter.addWidget(self.right_splitter)
        # A wider window widens the review page, which is what the user came for.
        self.main_splitter.setStretchFactor(0, 1)
        self.main_splitter.setStretchFactor(1, 2)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.messages)
        layout.addWidget(self.main_splitter, 1)
        self.setCentralWidget(central)

        self.summary = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(220)
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText("Cancel")
        self.cancel_button.clicked.connect(self.cancel_loading)
        self.cancel_button.hide()
        status = self.statusBar()
        status.addWidget(self.summary, 1)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)
        self.resize(1280, 800)

    def _take_over_review_keys(self) -> None:
        """The window's keys win: n/p move between mails and [/] between patches everywhere.

        The review page brings its own n/p/[/] for comments and files; two shortcuts on one key
        are ambiguous in Qt and then neither fires, so those move to the window's ./, and {/}.
        """
        for name in ("next_comment_action", "previous_comment_action", "next_file_action",
                     "previous_file_action", "only_commented_action"):
            action = getattr(self.patch_view, name, None)
            if isinstance(action, QAction):
                action.setShortcuts([])
        # Folding acts on the review page's cursor, but o and Shift+O work from anywhere in
        # the window like . and , do (the list is where a reader's focus mostly is). Return
        # stays the page's own: in the list or a text field it means something else.
        self.review_actions = [
            action for name in ("toggle_thread_action", "collapse_all_action")
            if isinstance(action := getattr(self.patch_view, name, None), QAction)
        ]
        for action in self.review_actions:
            keys = [k for k in action.shortcuts() if k != QKeySequence("Return")]
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        editor = getattr(self.patch_view, "editor", None)
        if editor is not None:
            editor.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and watched is getattr(self.patch_view, "editor", None)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers()
        ):
            toggle = getattr(self.patch_view, "toggle_thread_at_cursor", None)
            if toggle is not None:
                toggle()
                return True
        return super().eventFilter(watched, event)

    # -- the current message ------------------------------------------------------------------

    def select_message(self, msgid: str) -> bool:
        """Make ``msgid`` the current row (expanding its thread); False when not listed."""
        index = self.model.index_of(msgid)
        if not index.isValid():
            return False
        parent = index.parent()
        while parent.isValid():
            self.tree.expand(parent)
            parent = parent.parent()
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return True

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        msgid = self.model.mail_of(current) if self.archive is not None else None
        if msgid is None:
            return
        if getattr(self, "_reselecting", False):  # a filter just reset the list
            if msgid != self.current_msgid:  # see ListFiltering.show_when_current
                QTimer.singleShot(SHOW_AFTER_MS, self, lambda m=msgid: self.show_when_current(m))
            return  # else the same mail found again: already on show
        self.show_message(msgid)

    def show_message(self, msgid: str) -> None:
        archive = self.archive
        if archive is None:
            return
        node = archive.node(msgid)
        if node.entry is None:  # a placeholder: say what it stands for, show no old patch
            self.current_msgid = None
            self.patch_view.clear()
            self.revision_bar.clear()
            self.find_bar.refresh()
            self.message_view.clear_message(
                f"{implied_subject(node, archive.subject_info)}\n\n"
                f"<{msgid}> is referenced by the replies below but is not in this mailbox."
            )
            return
        self.current_msgid = msgid
        try:
            self.message_view.show_message(archive, msgid)
            self._show_review(archive, msgid, archive.review_target(msgid))
        except Exception as error:  # one bad mail must not take the window with it
            log.error("could not show <%s>", msgid, exc_info=True)
            self.messages.error(f"Could not show <{msgid}>: {type(error).__name__}: {error}")
        self.set_read(msgid, read=True)
        self.message_shown.emit(msgid)

    def _show_review(self, archive: Archive, msgid: str, target: str) -> None:
        """The patch a mail belongs to; for a reply, scrolled to the first comment it makes,
        so its remark is read under the code it quotes rather than in a wall of quotes."""
        view = self.patch_view
        if not view.is_showing(archive, target):
            view.show_patch(archive, target)
            self.find_bar.refresh()
            self._report_analysis_errors(archive, target)
        self.revision_bar.show_patch(archive, target,
                                     addressed=self.store.addressed(archive.path))
        if msgid == target:
            view.go_to_top()
        else:
            view.jump_to_reply(msgid)

    def _show_carried(self, revisions=None) -> None:
        """The previous revision's comments onto the page shown (faded, at their new lines)."""
        revisions = revisions or self.revision_bar.revisions
        show = getattr(self.patch_view, "show_carried", None)
        if revisions is None or self.archive is None or show is None:
            return
        show(self.archive, revisions.message_id, revisions.carried,
             only_unchanged=self.revision_bar.only_unchanged.isChecked())

    def toggle_addressed(self) -> None:
        """Tick the previous revision's comment under the cursor as addressed, or untick it."""
        current = getattr(self.patch_view, "current_row_data", lambda: None)()
        revisions = self.revision_bar.revisions
        if current is None or current.carried is None or revisions is None or not self.archive:
            self.messages.info("Put the cursor on a comment of the previous revision "
                               "(a faded card) to mark it addressed.")
            return
        item = current.carried
        ticked = not item.addressed
        self.store.set_addressed(self.archive.path, item.annotation.reply_message_id,
                                 item.fingerprint, addressed=ticked)
        self.revision_bar.revisions = replace(revisions, carried=tuple(
            replace(c, addressed=ticked) if c is item else c for c in revisions.carried))
        self._show_carried()
        self.patch_view.jump_to_carried(item.annotation.id)

    def _show_range_diff(self, shown: bool) -> None:
        """The range-diff against the previous revision in place of the review page."""
        self.review_stack.setCurrentWidget(self.range_diff_view if shown else self.patch_view)
        self.act_range_diff.setChecked(shown)  # no signal when unchanged: no loop

    def _report_analysis_errors(self, archive: Archive, target: str) -> None:
        """Replies of this thread the engine could not analyse (a bug): said once each."""
        errors = [e for e in archive.review(target).errors
                  if (archive.path, e.reply_message_id) not in self._reported_errors]
        if errors:
            self._reported_errors.update((archive.path, e.reply_message_id) for e in errors)
            self.messages.error(describe_errors(errors))

    def set_read(self, msgid: str, *, read: bool) -> None:
        if self.archive is None or self.model.is_read(msgid) == read:
            return
        self.model.set_read(msgid, read=read)
        self._read_changed([msgid], read=read)
        if self.store is not None:
            try:
                self.store.mark_read(self.archive.path, [msgid], read=read)
            except Exception as error:  # disk full, read-only home: keep reading regardless
                log.warning("could not save read state: %s", error)
                self.messages.warning(f"Could not save read state: {error}")

    def _read_changed(self, msgids: list[str], *, read: bool) -> None:
        """The triage's copy of the read state (the views' counts) follows the list's."""
        if self.triage is not None:
            self.triage.note_read(msgids, read=read)
            self._count_timer.start()

    def mark_thread_read(self) -> None:
        """Shift+U: the current row's whole thread (a series with its revisions) read; when
        it all is already, unread again, so the key undoes itself."""
        index = self.tree.currentIndex()
        msgid = self.current_msgid or (index.data(MSGID_ROLE) if index.isValid() else None)
        if self.archive is None or msgid is None:
            return
        thread = self.model.thread_of(msgid)  # a placeholder row's msgid finds its thread too
        read = not all(self.model.is_read(m) for m in thread)
        changed = [m for m in thread if self.model.is_read(m) != read]
        for m in changed:
            self.model.set_read(m, read=read)
        self._read_changed(changed, read=read)
        if self.store is not None and changed:
            try:
                self.store.mark_read(self.archive.path, changed, read=read)
            except Exception as error:  # disk full, read-only home: keep reading regardless
                log.warning("could not save read state: %s", error)
                self.messages.warning(f"Could not save read state: {error}")
        self.summary.setText(f"Marked {len(changed)} mails {'read' if read else 'unread'}.")

    def toggle_read(self) -> None:
        if self.current_msgid is not None:
            self.set_read(self.current_msgid, read=not self.model.is_read(self.current_msgid))

    def copy_msgid(self) -> None:
        if self.current_msgid is not None:
            QApplication.clipboard().setText(f"<{self.current_msgid}>")
            self.messages.info(f"Copied <{self.current_msgid}>.")

    # -- navigation ---------------------------------------------------------------------------

    def move_row(self, step: int) -> None:
        """j/k: the next visible row of the list, like the arrow keys but from anywhere."""
        current = self.tree.currentIndex()
        if not current.isValid():
            target = self.model.index(0, 0)
        else:
            target = self.tree.indexBelow(current) if step > 0 else self.tree.indexAbove(current)
        if target.isValid():
            self.tree.setCurrentIndex(target)
            self.tree.scrollTo(target)

    def move_message(self, step: int) -> None:
        """n/p: the next mail in thread order, opening collapsed threads on the way."""
        self._move_in_order(step, lambda _msgid: True)

    def move_patch(self, step: int) -> None:
        """]/[: the next patch mail in list order."""
        archive = self.archive
        if archive is not None:
            self._move_in_order(step, archive.is_patch)

    def _move_in_order(self, step: int, wanted: Callable[[str], bool]) -> None:
        order = self.model.order()
        if not order:
            return
        if self.current_msgid in order:
            position = order.index(self.current_msgid)  # type: ignore[arg-type]
        else:
            position = -1 if step > 0 else len(order)
        position += step
        while 0 <= position < len(order):
            if wanted(order[position]):
                self.select_message(order[position])
                return
            position += step

    def _review(self, name: str) -> None:
        getattr(self.patch_view, name, lambda: None)()
        if name in ("next_comment", "previous_comment"):
            self._follow_comment()

    def _follow_comment(self) -> None:
        """Stepping through comments with . and , shows each comment's mail in the message
        pane, as selecting that reply in the list does; the list's selection stays, so n/p
        still walk on from the patch being read."""
        row = getattr(self.patch_view, "current_row_data", lambda: None)()
        annotation = getattr(row, "annotation", None)
        msgid = getattr(annotation, "reply_message_id", None)
        archive = self.archive
        if archive is None or not msgid or msgid not in archive:
            return
        if self.message_view.msgid != msgid:
            self.message_view.show_message(archive, msgid)
            self.set_read(msgid, read=True)
            self.message_shown.emit(msgid)

    # -- dialogs ------------------------------------------------------------------------------

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.menus, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def about(self) -> AboutDialog:
        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    # -- layout persistence -------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.layout_keeper.place()
        if not self._shown_once:
            # keyboard-first: j, k, / and the rest work from the first second
            self._shown_once = True
            self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # The saved views need a window wide enough for the list beside them; a narrow one
        # keeps them on Ctrl+1 … Ctrl+6 and the Triage menu.
        self.views_sidebar.setVisible(self.width() >= _VIEWS_SIDEBAR_FROM)
        self.layout_keeper.place()

    def save_layout(self) -> None:
        self.layout_keeper.save()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.drafting is not None:
            self.drafting.close_editor()  # what is being typed is saved, not lost
        self.save_layout()
        # Jobs check cancelled() between chunks; wait briefly so no worker outlives us. Every
        # runner of the window, the panes' own too (a syntax job, a revision bar's range-diff),
        # but not a window of its own's: a compose window stays open and must still send.
        jobs = {job for job in self.findChildren(TaskRunner) if _window_of(job) is self}
        jobs.add(self.model.row_facts.job)
        for job in jobs:
            job.shut_down()
        for job in jobs:
            job.wait(3000)
        super().closeEvent(event)


def _window_of(job: TaskRunner) -> QWidget | None:
    """The window a runner works for: that of the nearest widget it belongs to."""
    owner = QObject.parent(job)
    while owner is not None and not isinstance(owner, QWidget):
        owner = QObject.parent(owner)  # not owner.parent(): a model's is its rows' parent
    return owner.window() if owner is not None else None
