"""Fixtures for tests that open the main window (a pytest plugin, see tests/conftest.py).

``make_window`` makes shown, active windows on a private settings file and state database and
closes them (and any dialog they left) afterwards. ``no_leaked_windows`` fails a test that
leaves a top-level window open; a module asks for it with
``pytest.mark.usefixtures("no_leaked_windows")``. Qt is imported when a fixture is used, not
when the plugin loads, so tests without a GUI do not load Qt.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def no_leaked_windows(qapp):
    from PySide6.QtWidgets import QApplication

    yield
    QApplication.processEvents()
    leaked = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for widget in leaked:
        widget.close()
    assert leaked == [], f"windows left open: {leaked}"


@pytest.fixture
def make_window(qtbot, tmp_path):
    from PySide6.QtWidgets import QApplication, QDialog

    from viewer.core.store import Store
    from viewer.ui.mainwindow import MainWindow
    from viewer.ui.settings import Settings

    made: list[MainWindow] = []

    def make(size: tuple[int, int] = (1400, 850)) -> MainWindow:
        window = MainWindow(Settings.at(tmp_path / "hunkwise.ini"), Store(tmp_path / "state.db"))
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # shortcuts need it
        made.append(window)
        return window

    yield make
    for window in made:
        window.loader.wait()
        window.close()
        window.store.close()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.close()
