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
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

Level = Literal["info", "warning", "error"]

_COLOURS: dict[str, tuple[str, str]] = {
    # background, border: readable on light and dark palettes alike (text is always dark)
    "info": ("#dbeafe", "#93c5fd"),
    "warning": ("#fef3c7", "#fcd34d"),
    "error": ("#fee2e2", "#fca5a5"),
}
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
        background, border = _COLOURS[level]
        self.setStyleSheet(
            f"#messageBar {{ background: {background}; border: 1px solid {border}; "
            f"border-radius: 4px; }} #messageBar QLabel, #messageBar QToolButton "
            f"{{ color: #1f2937; background: transparent; }}"
        )
        self._label.setText(text)
        self.show()
        self.shown.emit(level, text)
        if level == "info":
            self._timer.start(_INFO_TIMEOUT_MS)
        else:
            self._timer.stop()

    def dismiss(self) -> None:
        self._timer.stop()
        self.hide()
