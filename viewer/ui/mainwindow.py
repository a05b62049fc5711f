"""The main window: thread list on the left, the review page and the message pane on the right.

The window owns no domain logic. It opens an :class:`Archive` in the background, hands it to
the thread model, and when a row becomes current it shows that mail in the message pane and the
patch it belongs to on the review page (a reply shows the patch it answers, so its comments are
in view). Every action lives in a menu with its shortcut, so the ``?`` overview and the menus
are generated from the same QActions.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFontDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from viewer.core.archive import Archive
from viewer.core.errors import HunkwiseError, LoadCancelled
from viewer.core.identity import git_identity
from viewer.core.placeholder import implied_subject
from viewer.core.query import Query
from viewer.core.store import Store
from viewer.core.thread_sort import NEEDS_BODIES
from viewer.core.triage import Triage, sent_from_hunkwise
from viewer.ui.about import AboutDialog
from viewer.ui.find_bar import FindBar
from viewer.ui.message_view import MessageView
from viewer.ui.messages import MessageBar
from viewer.ui.settings import Settings
from viewer.ui.shortcuts import ShortcutsDialog
from viewer.ui.tasks import TaskRunner
from viewer.ui.theme import THEMES
from viewer.ui.thread_filter import FilterBox
from viewer.ui.thread_list import ThreadList
from viewer.ui.thread_model import (
    COL_FROM,
    DEFAULT_SORT,
    GROUP,
    KIND_ROLE,
    MSGID_ROLE,
    ThreadModel,
    compute_facts,
)
from viewer.ui.window_layout import WindowLayout

try:
    from viewer.ui.patch_view import PatchView
except ImportError:  # the review page is a separate piece; the shell must run without it
    PatchView = None  # type: ignore[assignment,misc]

_FACTS_IN_FOREGROUND = 200
"""A has: filter needing more unread mail than this reads it in the background."""
_EXPAND_ALL_BELOW = 400
"""Mailboxes with fewer messages open fully expanded: a demo or one thread reads best so."""


def resolve_theme(choice: str) -> str:
    """"system" → "light" or "dark" from the desktop's colour scheme."""
    if choice in ("light", "dark"):
        return choice
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hints is not None else Qt.ColorScheme.Unknown
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


class _PlainPatchView(MessageView):
    """Stands in for the review page when viewer.ui.patch_view is not available."""

    def show_patch(self, archive: Archive, msgid: str) -> None:
        self.show_message(archive, msgid)

    def set_only_commented_hunks(self, only: bool) -> None:
        pass

    def next_comment(self) -> None:
        pass

    def previous_comment(self) -> None:
        pass

    def next_file(self) -> None:
        pass

    def previous_file(self) -> None:
        pass


class MainWindow(QMainWindow):
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
        try:
            self.store: Store | None = store or Store()
        except Exception as error:  # unwritable data dir: read state is a convenience
            self.store = None
            self.messages.warning(f"Read state will not be remembered: {error}")
        if self.store is not None and self.store.recovered_from is not None:
            self.messages.warning(
                f"The saved read state was damaged and has been set aside "
                f"({self.store.recovered_from.name}); starting afresh."
            )
        self.archive: Archive | None = None
        self.triage: Triage | None = None
        self.current_msgid: str | None = None
        self.theme_name = "light"
        self._select_after_load: str | None = None
        self._loading_path: Path | None = None

        self.model = ThreadModel(self)
        self.loader = TaskRunner(self)
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
        self._query_waiting: Query | None = None
        self._sort_waiting: tuple[str, bool] | None = None
        self._facts_for_filter = False
        """The facts job reads every mail for a has: filter (not only thread starts)."""
        self.filter_seconds = 0.0
        """How long the last filter took to apply (shown nowhere; for checks)."""

        self._build_widgets()
        self._build_actions()
        self._build_menus()
        self.layout_keeper = WindowLayout(self, self.settings, self.main_splitter,
                                          self.right_splitter, self.tree)
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

        self.patch_view = PatchView(self) if PatchView is not None else _PlainPatchView(self)
        self.patch_view.setObjectName("patchView")
        self._take_over_review_keys()
        self.message_view = MessageView(self)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(4)
        left_layout.addWidget(self.filter_box)
        left_layout.addWidget(self.tree, 1)

        review = QWidget(self)
        review_layout = QVBoxLayout(review)
        review_layout.setContentsMargins(0, 0, 0, 0)
        review_layout.setSpacing(0)
        review_layout.addWidget(self.patch_view, 1)
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

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        keys: QKeySequence.StandardKey | str | list[str] | None = None,
        *,
        checkable: bool = False,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if isinstance(keys, list):
            action.setShortcuts([QKeySequence(k) for k in keys])
        elif isinstance(keys, QKeySequence.StandardKey):
            action.setShortcuts(keys)
        elif keys:
            action.setShortcut(QKeySequence(keys))
        action.setCheckable(checkable)
        if tip:
            action.setStatusTip(tip)
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _build_actions(self) -> None:
        std = QKeySequence.StandardKey
        a = self._action
        self.act_open = a("&Open Mailbox…", self.open_dialog, std.Open)
        self.act_open_maildir = a("Open &Maildir…", self.open_maildir_dialog, "Ctrl+Shift+O")
        self.act_demo = a("Open &Demo Mailbox", self.open_demo)
        self.act_reload = a("&Reload", self.reload, std.Refresh)
        self.act_cancel = a("&Cancel Loading", self.cancel_loading)
        self.act_quit = a("&Quit", self.close, std.Quit)
        self.act_filter = a("&Filter Threads", self.focus_filter, "/")
        self.act_clear_filter = a("C&lear Filter", self.clear_filter)
        self.act_find = a("&Find in Page…", self.find_bar.open_bar, "Ctrl+F")
        self.act_find_next = a("Find Ne&xt", lambda: self.find_bar.step(forward=True), "F3")
        self.act_find_prev = a("Find Pre&vious", lambda: self.find_bar.step(forward=False),
                               "Shift+F3")
        self.act_toggle_read = a("Toggle &Read", self.toggle_read, "U")
        self.act_thread_read = a("Mark &Thread Read", self.mark_thread_read, "Shift+U",
                                 tip="Every mail of the thread, or of every revision of a "
                                     "series, marked read (again: unread)")
        self.act_copy_id = a("Copy &Message-ID", self.copy_msgid, "Ctrl+Shift+C")
        self.act_next_row = a("Next &Row", lambda: self.move_row(1), "J")
        self.act_prev_row = a("Previous Ro&w", lambda: self.move_row(-1), "K")
        self.act_next_msg = a("&Next Message", lambda: self.move_message(1), "N")
        self.act_prev_msg = a("&Previous Message", lambda: self.move_message(-1), "P")
        self.act_next_patch = a("Next Pa&tch", lambda: self.move_patch(1), "]")
        self.act_prev_patch = a("Previous Patc&h", lambda: self.move_patch(-1), "[")
        self.act_next_comment = a("Next &Comment", lambda: self._review("next_comment"), ".")
        self.act_prev_comment = a("Previous Co&mment", lambda: self._review("previous_comment"),
                                  ",")
        self.act_next_file = a("Next &File", lambda: self._review("next_file"), "}")
        self.act_prev_file = a("Previous F&ile", lambda: self._review("previous_file"), "{")
        self.act_list = a("Go to Thread &List", self.focus_list, "Ctrl+L")
        self.act_expand = a("&Expand All Threads", self.tree.expandAll, "Ctrl+Shift+E")
        self.act_collapse = a("C&ollapse All Threads", self.tree.collapseAll, "Ctrl+Shift+W")
        self.act_only_commented = a(
            "Only &Commented Hunks", self.set_only_commented_hunks, ["H", "Ctrl+H"],
            checkable=True,
        )
        self.act_only_commented.setChecked(self.settings.only_commented_hunks)
        self.act_raw = a("Show Message &Source", self.message_view.set_raw, "Ctrl+U",
                         checkable=True)
        self.act_font = a("Monospace &Font…", self.choose_font)
        self.act_zoom_in = a("Zoom &In", lambda: self.zoom(1), std.ZoomIn)
        self.act_zoom_out = a("Zoom &Out", lambda: self.zoom(-1), std.ZoomOut)
        self.act_shortcuts = a("&Keyboard Shortcuts", self.show_shortcuts, ["?", "F1"])
        self.act_about = a("&About Hunkwise", self.about)
        self.theme_actions = QActionGroup(self)
        self.theme_actions.setExclusive(True)
        for name, label in (("system", "Follow &System"), ("light", "&Light"), ("dark", "&Dark")):
            action = QAction(label, self, checkable=True)
            action.setData(name)
            action.setChecked(name == self.settings.theme)
            action.triggered.connect(lambda _checked=False, n=name: self.set_theme(n))
            self.theme_actions.addAction(action)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menus: list[tuple[str, list[QAction]]] = []

        def menu(title: str, items: list[QAction | QMenu | None]) -> QMenu:
            m = bar.addMenu(title)
            listed: list[QAction] = []
            for item in items:
                if item is None:
                    m.addSeparator()
                elif isinstance(item, QMenu):
                    m.addMenu(item)
                else:
                    m.addAction(item)
                    listed.append(item)
            self.menus.append((title, listed))
            return m

        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        menu("&File", [self.act_open, self.act_open_maildir, self.recent_menu, self.act_demo,
                       self.act_reload, self.act_cancel, None, self.act_quit])
        menu("&Edit", [self.act_filter, self.act_clear_filter, None, self.act_find,
                       self.act_find_next, self.act_find_prev, None, self.act_toggle_read,
                       self.act_thread_read, self.act_copy_id])
        menu("&Go", [self.act_next_row, self.act_prev_row, None, self.act_next_msg,
                     self.act_prev_msg, None, self.act_next_patch, self.act_prev_patch, None,
                     self.act_next_comment, self.act_prev_comment, self.act_next_file,
                     self.act_prev_file, None, self.act_list])
        theme_menu = QMenu("&Theme", self)
        theme_menu.addActions(self.theme_actions.actions())
        menu("&View", [theme_menu, self.act_font, self.act_zoom_in, self.act_zoom_out, None,
                       self.act_only_commented, *self.review_actions, self.act_raw, None,
                       self.act_expand,
                       self.act_collapse])
        menu("&Help", [self.act_shortcuts, self.act_about])

    # -- opening ------------------------------------------------------------------------------

    def open_path(self, path: str | os.PathLike[str], *, select: str | None = None) -> None:
        """Load a mailbox in the background; the current one stays usable meanwhile."""
        target = Path(path).expanduser()
        self._loading_path = target
        self._select_after_load = select
        self.summary.setText(f"Loading {target.name}…")
        self.progress.setValue(0)

        def job(progress, cancelled):
            return Archive.open(target, progress=progress, cancelled=cancelled)

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
        """Several mailboxes at once: one opens, the others go to Open Recent.

        One archive view of several files would need the index, the read state and reload
        to be keyed by a set of files; until the engine has that, the first file opens and
        the rest are a click away in File → Open Recent.
        """
        if not paths:
            return
        for rest in reversed(paths[1:]):
            self.settings.add_recent(rest)
        self.open_path(paths[0])
        if len(paths) > 1:
            names = ", ".join(Path(p).name for p in paths[1:])
            self.messages.info(f"Opened {Path(paths[0]).name}; {names} are in File → Open "
                               "Recent.")

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

    def _on_loaded(self, archive: Archive) -> None:
        self.archive = archive
        self.current_msgid = None
        read = self.store.read_ids(archive.path) if self.store is not None else set()
        self._stop_facts_job()  # counts for the old mailbox are of no use now
        # The filter is applied again below, where a has: filter can go to the background.
        query, self.model.query = self.model.query, Query()
        self.triage = Triage(archive, self.store, git_identity(str(archive.path.parent)))
        try:
            self.triage.apply_transitions(sent_from_hunkwise(archive))
        except Exception as error:  # disk full, read-only home: show the mail regardless
            self.messages.warning(f"Could not save triage state: {error}")
        self.model.triage = self.triage
        sort = self.settings.sort_order
        # a header-only order sorts while the list is built; a count order may need reading
        self.model.sort_order = sort if sort[0] not in NEEDS_BODIES else DEFAULT_SORT
        self.model.set_archive(archive, read)
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
        if not (target and self.select_message(target)):
            if target:
                self.messages.warning(f"No message <{target}> in {archive.path.name}.")
            first = self.model.index(0, 0)
            if first.isValid():
                self.tree.setCurrentIndex(first)
            else:
                self.message_view.clear_message("This mailbox holds no mail.")
        self.loaded.emit(archive)

    def _show_summary(self) -> None:
        archive = self.archive
        if archive is None:
            self.summary.setText("No mailbox open — File → Open, or drop one here.")
            return
        shown = self.model.rowCount()
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
        if not current.isValid() or self.archive is None:
            return
        msgid = current.data(MSGID_ROLE)
        if current.data(KIND_ROLE) == GROUP:
            # A revisions row: show the newest revision's thread start.
            last = self.model.index(self.model.rowCount(current.siblingAtColumn(0)) - 1, 0,
                                    current.siblingAtColumn(0))
            msgid = last.data(MSGID_ROLE)
        if msgid is None:
            return
        self.show_message(msgid)

    def show_message(self, msgid: str) -> None:
        archive = self.archive
        if archive is None:
            return
        node = archive.node(msgid)
        if node.entry is None:  # a placeholder: say what it stands for, show no old patch
            self.current_msgid = None
            self.patch_view.clear()
            self.find_bar.refresh()
            self.message_view.clear_message(
                f"{implied_subject(node, archive.subject_info)}\n\n"
                f"<{msgid}> is referenced by the replies below but is not in this mailbox."
            )
            return
        self.current_msgid = msgid
        try:
            self.message_view.show_message(archive, msgid)
            self._show_review(archive, msgid, self.review_target(msgid))
        except Exception as error:  # one bad mail must not take the window with it
            self.messages.error(f"Could not show <{msgid}>: {type(error).__name__}: {error}")
        self.set_read(msgid, read=True)
        self.message_shown.emit(msgid)

    def _show_review(self, archive: Archive, msgid: str, target: str) -> None:
        """The patch a mail belongs to; for a reply, scrolled to the first comment it makes,
        so its remark is read under the code it quotes rather than in a wall of quotes."""
        view = self.patch_view
        showing = getattr(view, "is_showing", None)
        if showing is None or not showing(archive, target):
            view.show_patch(archive, target)
            self.find_bar.refresh()
        if msgid == target:
            getattr(view, "go_to_top", lambda: None)()
        else:
            getattr(view, "jump_to_reply", lambda _msgid: False)(msgid)

    def review_target(self, msgid: str) -> str:
        """The patch or cover letter a mail belongs to: itself, or the nearest one it answers."""
        archive = self.archive
        assert archive is not None
        node = archive.node(msgid)
        while node is not None:
            if node.entry is not None:
                series = archive.series_of(node.msgid)
                if series is not None and (
                    series.cover == node.msgid or node.msgid in series.patches.values()
                ):
                    return node.msgid
            node = node.parent
        return msgid

    def set_read(self, msgid: str, *, read: bool) -> None:
        if self.archive is None or self.model.is_read(msgid) == read:
            return
        self.model.set_read(msgid, read=read)
        if self.store is not None:
            try:
                self.store.mark_read(self.archive.path, [msgid], read=read)
            except Exception as error:  # disk full, read-only home: keep reading regardless
                self.messages.warning(f"Could not save read state: {error}")

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
        if self.store is not None and changed:
            try:
                self.store.mark_read(self.archive.path, changed, read=read)
            except Exception as error:  # disk full, read-only home: keep reading regardless
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

    # -- filter -------------------------------------------------------------------------------

    def set_query(self, query: Query) -> None:
        """Filter the list; a has: filter on a big mailbox first reads mail in the background.

        A scan still running keeps going when the new filter needs the same mail (typing
        "has:reviewed-by from:x" after "has:reviewed-by"): it is still wanted. Otherwise it is
        cancelled at once, and its progress leaves the status bar with it.
        """
        needed = self.model.needs_facts(query)
        if self.facts_job.running and self._facts_for_filter and needed:
            self._query_waiting = query
            return
        self._stop_facts_job()
        if len(needed) > _FACTS_IN_FOREGROUND and self.archive is not None:
            self._start_facts_job(needed, f"Reading {len(needed)} mails for the filter…")
            self._query_waiting = query
            self._facts_for_filter = True
            return
        self._apply_query(query)

    def _start_facts_job(self, needed: list[str], text: str) -> None:
        archive = self.archive
        assert archive is not None
        self.summary.setText(text)
        self.facts_job.start(
            lambda progress, cancelled: compute_facts(archive, needed, progress, cancelled)
        )

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
        current = self.current_msgid
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

    def _apply_query(self, query: Query) -> None:
        current = self.current_msgid
        try:
            self.filter_seconds = self.model.set_query(query)
        except Exception as error:
            self.messages.error(f"Filter failed: {type(error).__name__}: {error}")
            return
        if query.errors:
            self.messages.warning("; ".join(query.errors))
        if self.archive is not None and (
            len(self.archive.entries) < _EXPAND_ALL_BELOW
            or (not query.is_empty and self.model.rowCount() < 50)
        ):
            self.tree.expandAll()  # few matches: show where in their threads they sit
        if current is not None:
            self.select_message(current)
        if self.model.rowCount() == 0:
            # nothing matches: no patch of a thread that is no longer listed stays on show
            self.current_msgid = None
            self.patch_view.clear()
            self.find_bar.refresh()
            self.message_view.clear_message("No thread matches the filter.")
        elif current is None or not self.tree.currentIndex().isValid():
            first = self.model.index(0, 0)
            self.tree.setCurrentIndex(first)
        self._show_summary()

    def focus_filter(self) -> None:
        self.filter_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_box.selectAll()

    def focus_list(self) -> None:
        self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def clear_filter(self) -> None:
        if self.filter_box.text() or not self.filter_box.query.is_empty:
            self.filter_box.clear()
            self.filter_box.apply()

    # -- appearance ---------------------------------------------------------------------------

    def set_theme(self, choice: str) -> None:
        self.settings.theme = choice
        for action in self.theme_actions.actions():
            action.setChecked(action.data() == choice)
        self.apply_theme(choice)

    def apply_theme(self, choice: str) -> None:
        self.theme_name = resolve_theme(choice)
        theme = THEMES[self.theme_name]
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setPalette(theme.palette())
        self.setPalette(theme.palette())
        self.message_view.set_theme(self.theme_name)
        self.patch_view.set_theme(self._theme_arg(theme))

    def _theme_arg(self, theme):
        # The review page takes a Theme; the plain stand-in takes its name.
        return theme.name if isinstance(self.patch_view, _PlainPatchView) else theme

    def apply_font(self, font: QFont) -> None:
        self.message_view.set_font(font)
        self.patch_view.set_font(font)

    def choose_font(self) -> None:
        font, ok = QFontDialog.getFont(
            self.settings.font, self, "Monospace Font", QFontDialog.FontDialogOption.MonospacedFonts
        )
        if ok:
            self.settings.font = font
            self.apply_font(font)

    def zoom(self, step: int) -> None:
        """Ctrl++ / Ctrl+-: every pane, the thread list too, one point at a time."""
        font = self.settings.font
        font.setPointSizeF(max(6.0, font.pointSizeF() + step))
        self.settings.font = font
        self.apply_font(font)
        base = QApplication.font().pointSizeF()
        self.settings.list_zoom = max(6.0 - base, self.settings.list_zoom + step)
        self.apply_list_zoom()

    def apply_list_zoom(self) -> None:
        font = QFont(QApplication.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() + self.settings.list_zoom))
        self.tree.set_list_font(font)
        self.filter_box.setFont(font)

    def set_only_commented_hunks(self, only: bool) -> None:
        self.settings.only_commented_hunks = only
        self.patch_view.set_only_commented_hunks(only)

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
        self.layout_keeper.place()

    def save_layout(self) -> None:
        self.layout_keeper.save(from_width=self.tree.from_width(), from_column=COL_FROM)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.loader.cancel(quiet=True)
        self.facts_job.cancel(quiet=True)
        self.save_layout()
        # Jobs check cancelled() between chunks; wait briefly so no worker outlives us.
        self.loader.wait(3000)
        self.facts_job.wait(3000)
        super().closeEvent(event)
