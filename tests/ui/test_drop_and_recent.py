"""Opening a mailbox by dropping it on the window, and again from File → Open Recent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from viewer.core.store import Store
from viewer.ui.mainwindow import MainWindow
from viewer.ui.settings import Settings

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ui" / "two-revisions.mbox"

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("does not support propagateSizeHints")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def window(qtbot, tmp_path):
    win = MainWindow(Settings.at(tmp_path / "hunkwise.ini"), Store(tmp_path / "state.db"))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    win.store.close()


def _mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def test_dropping_a_file_opens_it(qtbot, window, tmp_path):
    other = tmp_path / "second.mbox"
    other.write_bytes(FIXTURE.read_bytes())
    mime = _mime(FIXTURE, other)
    enter = QDragEnterEvent(window.rect().center(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(window.rect().center()), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.loaded, timeout=30000):
        window.dropEvent(drop)
    assert window.model.rowCount() == 2 and window.archive.path == FIXTURE
    # the second one opens too, in a window of its own beside this one
    (companion,) = window.companions
    try:
        qtbot.waitUntil(lambda: companion.archive is not None, timeout=30000)
        assert companion.archive.path == other and companion.isVisible()
        assert companion.store is window.store and companion.settings is window.settings
        assert str(other.resolve()) in window.settings.recent_files
    finally:
        companion.close()
    qtbot.waitUntil(lambda: window.companions == [])  # closed windows are let go


def test_a_drop_without_files_is_refused(window):
    mime = QMimeData()
    mime.setText("not a file")
    enter = QDragEnterEvent(window.rect().center(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter.ignore()
    window.dragEnterEvent(enter)
    assert not enter.isAccepted()


def test_recent_menu_reopens_a_mailbox(qtbot, window):
    with qtbot.waitSignal(window.loaded, timeout=30000):
        window.open_path(FIXTURE)
    window.recent_menu.aboutToShow.emit()
    entries = [a for a in window.recent_menu.actions() if a.text() == str(FIXTURE.resolve())]
    assert len(entries) == 1
    with qtbot.waitSignal(window.loaded, timeout=30000):
        entries[0].trigger()
    assert window.model.rowCount() == 2
