"""The one place the app speaks to the user: a message bar above the panes.

Errors from the engine arrive as typed exceptions whose ``str()`` is already a sentence for a
user (viewer.core.errors); this bar shows that sentence, keeps the window usable, and keeps the
last few messages so a test (or a user who looked away) can still read them.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QToolButton, QWidget

Level = Literal["info", "warning", "error"]

_COLOURS: dict[str, tuple[str, str]] = {
    # background, border; the text on them is _TEXT
    "info": ("#dbeafe", "#93c5fd"),
    "warning": ("#fef3c7", "#fcd34d"),
    "error": ("#fee2e2", "#fca5a5"),
}
_DARK_COLOURS: dict[str, tuple[str, str]] = {
    # the same hues, dark: a pale strip in a dark window glares like a lamp
    "info": ("#1e3a5f", "#3b82f6"),
    "warning": ("#453610", "#b7791f"),
    "error": ("#4c1d1d", "#dc2626"),
}
_TEXT, _DARK_TEXT = "#1f2937", "#e5e7eb"
_INFO_TIMEOUT_MS = 8000


@dataclass(frozen=True, slots=True)
class Shown:
    level: Level
    text: str


class MessageBar(QWidget):
    """A dismissable strip; info messages fade after a while, warnings and errors stay."""

    shown = Signal(str, str)
    """level, text — for anyone who logs what the user was told."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.history: deque[Shown] = deque(maxlen=20)
        # The window's theme as the application's palette has it when the bar is made: a
        # compose window's bar is never told (MainWindow.apply_theme tells only its own).
        self._dark = QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._close = QToolButton(self)
        self._close.setText("✕")
        self._close.setAutoRaise(True)
        self._close.setToolTip("Dismiss")
        self._close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    @property
    def text(self) -> str:
        return self._label.text()

    @property
    def level(self) -> Level | None:
        """The level of the message on show, None when the bar is hidden."""
        if self.history and not self.isHidden():
            return self.history[-1].level
        return None

    def info(self, text: str) -> None:
        self.show_message("info", text)

    def warning(self, text: str) -> None:
        self.show_message("warning", text)

    def error(self, text: str) -> None:
        self.show_message("error", text)

    def show_message(self, level: Level, text: str) -> None:
        self.history.append(Shown(level, text))
        self._colour(level)
        self._label.setText(text)
        self.show()
        self.shown.emit(level, text)
        if level == "info":
            self._timer.start(_INFO_TIMEOUT_MS)
        else:
            self._timer.stop()

    def set_dark(self, dark: bool) -> None:
        """The window's theme (MainWindow.apply_theme); a message on show is recoloured."""
        self._dark = dark
        if self.history:
            self._colour(self.history[-1].level)

    def _colour(self, level: Level) -> None:
        # Told by the window, not read from the palette: the style sheet set here becomes
        # the bar's own palette, and re-styling on its palette change would never end.
        background, border = (_DARK_COLOURS if self._dark else _COLOURS)[level]
        self.setStyleSheet(
            f"#messageBar {{ background: {background}; border: 1px solid {border}; "
            f"border-radius: 4px; }} #messageBar QLabel, #messageBar QToolButton "
            f"{{ color: {_DARK_TEXT if self._dark else _TEXT}; background: transparent; }}"
        )

    def dismiss(self) -> None:
        self._timer.stop()
        self.hide()
