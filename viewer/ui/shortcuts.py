"""The ``?`` overview: every keyboard shortcut, read from the window's own menus.

Built from the QActions rather than from a hand-kept table, so it can never drift from what
the keys really do. Every one of them works wherever focus is, except that a text field keeps
the letters typed into it; the few keys that belong to one pane are listed after them.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.core.query import help_text

PANE_KEYS: tuple[tuple[str, str, str], ...] = (
    ("In the filter box", "Back to the thread list, the filter kept", "Esc"),
    ("In the thread list", "Clear the filter", "Esc"),
    ("On the review page", "Fold the discussion under the cursor", "Return"),
    ("In the find bar", "Next / previous match", "Enter,  Shift+Enter"),
    ("In the find bar", "Close it, back to the page", "Esc"),
)
"""Keys that mean something in one pane only (the rest work wherever focus is)."""


def shortcut_rows(menus: Sequence[tuple[str, Sequence[QAction]]]) -> list[tuple[str, str, str]]:
    """(menu, action, keys) for every action that has a shortcut, in menu order."""
    rows = []
    for menu, actions in menus:
        for action in actions:
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
            keys = [k for k in keys if k]
            if keys:
                rows.append((menu, action.text().replace("&", ""), ",  ".join(keys)))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(
        self, menus: Sequence[tuple[str, Sequence[QAction]]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.resize(520, 560)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Action", "Keys"])
        self.tree.setRootIsDecorated(False)
        current: QTreeWidgetItem | None = None
        current_menu = None
        for menu, action, keys in shortcut_rows(menus):
            if menu != current_menu:
                current_menu = menu
                current = QTreeWidgetItem(self.tree, [menu.replace("&", "")])
                font = current.font(0)
                font.setBold(True)
                current.setFont(0, font)
                current.setFirstColumnSpanned(True)
            QTreeWidgetItem(current, [action, keys])
        for where, action, keys in PANE_KEYS:
            if where != current_menu:
                current_menu = where
                current = QTreeWidgetItem(self.tree, [where])
                font = current.font(0)
                font.setBold(True)
                current.setFont(0, font)
                current.setFirstColumnSpanned(True)
            QTreeWidgetItem(current, [action, keys])
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        filter_help = QLabel("<b>Filter box</b><br>" + help_text().replace("\n", "<br>"), self)
        filter_help.setTextFormat(Qt.TextFormat.RichText)
        filter_help.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addWidget(filter_help)
        layout.addWidget(buttons)
