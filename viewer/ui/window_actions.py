"""The window's actions and menus: every command has a QAction with its keys, in a menu.

The ``?`` overview (viewer.ui.shortcuts) is generated from these menus, so what it lists is
exactly what the keys do. Each action is added to the window itself, so its shortcut works
wherever focus is, also with the menu bar hidden.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu


class WindowActions:
    """Mixed into MainWindow: builds ``act_*`` and ``menus`` from the window's slots."""

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
        self._build_lore_actions()  # act_open_lore, act_paste_lore, act_refresh_lore
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
        self.act_addressed = a("Mark Earlier Comment &Addressed", self.toggle_addressed,
                               "Shift+A",
                               tip="Tick (again: untick) the previous revision's comment under "
                                   "the cursor as addressed; kept with the triage state")
        self.act_range_diff = a("&Range-diff with Previous Revision",
                                self.revision_bar.range_button.setChecked, "Ctrl+R",
                                checkable=True,
                                tip="What changed since v(N-1), as git range-diff shows it")
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
                       None, self.act_open_lore, self.act_paste_lore, self.act_refresh_lore,
                       None, self.act_reload, self.act_cancel, None, self.act_quit])
        menu("&Edit", [self.act_filter, self.act_clear_filter, None, self.act_find,
                       self.act_find_next, self.act_find_prev, None, self.act_toggle_read,
                       self.act_thread_read, self.act_addressed, self.act_copy_id])
        menu("T&riage", self.triage_menu_items())
        menu("&Go", [self.act_next_row, self.act_prev_row, None, self.act_next_msg,
                     self.act_prev_msg, None, self.act_next_patch, self.act_prev_patch, None,
                     self.act_next_comment, self.act_prev_comment, self.act_next_file,
                     self.act_prev_file, None, self.act_list])
        theme_menu = QMenu("&Theme", self)
        theme_menu.addActions(self.theme_actions.actions())
        menu("&View", [theme_menu, self.act_font, self.act_zoom_in, self.act_zoom_out, None,
                       self.act_only_commented, *self.review_actions, self.act_raw,
                       self.act_range_diff, None,
                       self.act_expand,
                       self.act_collapse])
        if self.drafting is not None:
            from viewer.ui.drafting import review_actions

            self.act_identity = self._action("Set &Identity for Replies…",
                                             self.set_identity_dialog)
            menu("&Review", [*review_actions(self, self.drafting), None, self.act_identity])
        menu("&Help", [self.act_shortcuts, self.act_about])
