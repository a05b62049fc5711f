"""Colours people read: token contrast on the diff backgrounds, menu indicators on dark."""

from __future__ import annotations

import os

import pytest
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QLabel, QMenu

from viewer.ui.style import install
from viewer.ui.theme import THEMES

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("does not support")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _luminance(colour: QColor) -> float:
    """WCAG 2.x relative luminance."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF())
            + 0.0722 * linear(colour.blueF()))


def _contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("name", sorted(THEMES))
def test_every_token_colour_reads_on_both_diff_backgrounds(name):
    theme = THEMES[name]
    failing = []
    for token, style in theme.tokens.items():
        colour = QColor(next(w for w in style.split() if w.startswith("#")))
        for background in ("base", "added_bg", "removed_bg"):
            ratio = _contrast(colour, QColor(getattr(theme, background)))
            if ratio < 4.5:
                failing.append((str(token), colour.name(), background, round(ratio, 2)))
    assert failing == []
    # the text itself, too
    for background in ("base", "added_bg", "removed_bg", "card_bg"):
        assert _contrast(QColor(theme.text), QColor(getattr(theme, background))) >= 4.5


def test_menu_check_boxes_show_on_the_dark_palette(qtbot, qapp):
    install(qapp)
    before = qapp.palette()
    try:
        qapp.setPalette(THEMES["dark"].palette())
        menu = QMenu()
        qtbot.addWidget(menu)
        action = QAction("Fold all discussions", menu, checkable=True)
        menu.addAction(action)
        menu.popup(menu.pos())
        qtbot.waitExposed(menu)
        image = menu.grab().toImage()
        background = QColor(image.pixelColor(image.width() - 3, image.height() // 2))
        box = menu.actionGeometry(action)
        # the unchecked box sits left of the text: some outline pixel must stand out (3:1,
        # WCAG's contrast for the parts of a control)
        best = max(_contrast(image.pixelColor(x, y), background)
                   for x in range(box.left(), box.left() + 28)
                   for y in range(box.top(), box.bottom()))
        assert best >= 3.0
        menu.close()
    finally:
        qapp.setPalette(before)


@pytest.mark.parametrize("name", sorted(THEMES))
def test_the_message_bar_follows_the_theme(qtbot, qapp, tmp_path, name):
    """A pale strip in a dark window glared; switching the theme recolours one on show."""
    from viewer.core.store import Store
    from viewer.ui.mainwindow import MainWindow
    from viewer.ui.settings import Settings

    window = MainWindow(Settings.at(tmp_path / "hunkwise.ini"), Store(tmp_path / "state.db"))
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    other = next(n for n in sorted(THEMES) if THEMES[n].dark != THEMES[name].dark)
    window.apply_theme(other)
    window.messages.error("Could not save the flag: disk full")
    window.apply_theme(name)
    qtbot.wait(10)
    bar = window.messages.grab().toImage()
    middle = bar.pixelColor(bar.width() // 2, bar.height() // 2)
    text = QColor(window.messages.findChild(QLabel).palette().color(QPalette.ColorRole.WindowText))
    assert (middle.lightness() < 128) == THEMES[name].dark
    assert _contrast(text, middle) >= 4.5
    window.close()
    window.store.close()


@pytest.mark.parametrize("name", sorted(THEMES))
def test_a_message_bar_no_window_tells_starts_in_the_theme(qtbot, qapp, name):
    """A compose window's bar is never told the theme: it reads it when it is made."""
    from viewer.ui.messages import MessageBar

    before = qapp.palette()
    qapp.setPalette(THEMES[name].palette())
    try:
        bar = MessageBar()
        qtbot.addWidget(bar)
        bar.resize(400, 40)
        bar.error("Sending failed: connection refused")
        qtbot.waitExposed(bar)
        image = bar.grab().toImage()
        middle = image.pixelColor(image.width() // 2, image.height() // 2)
        assert (middle.lightness() < 128) == THEMES[name].dark
    finally:
        qapp.setPalette(before)
