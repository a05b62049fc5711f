"""The window's look: theme, fonts and zoom, applied to every pane and the thread list.

Mixed into :class:`~viewer.ui.mainwindow.MainWindow`; what each choice means is in the
settings (viewer.ui.settings) and the themes (viewer.ui.theme).
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QFontDialog

from viewer.ui.style import install as install_style
from viewer.ui.theme import THEMES, resolve_theme


class WindowAppearance:
    """Mixed into MainWindow: theme, fonts, zoom and the hunks shown."""

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
            install_style(app)  # its indicators show on the dark palette too
            app.setPalette(theme.palette())
        self.setPalette(theme.palette())
        self.messages.set_dark(theme.dark)
        self.message_view.set_theme(self.theme_name)
        self.patch_view.set_theme(theme)
        self.range_diff_view.set_theme(theme)

    def apply_font(self, font: QFont) -> None:
        self.message_view.set_font(font)
        self.patch_view.set_font(font)
        self.range_diff_view.set_font(font)

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
        self.views_sidebar.setFont(font)
        self.views_sidebar.fit_width()

    def set_only_commented_hunks(self, only: bool) -> None:
        self.settings.only_commented_hunks = only
        self.patch_view.set_only_commented_hunks(only)
