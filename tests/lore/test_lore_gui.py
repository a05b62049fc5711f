"""The window opening from a real public-inbox-httpd: the dialog, pasting, refresh, errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from tests.lore.conftest import DEMO, GROW_FIRST, split_mbox
from viewer.core.library import Library
from viewer.core.lore import SearchRef, ThreadRef
from viewer.ui.lore_dialog import LoreDialog

V2_COVER = "20260209100247.7781-1-ilse.marten@lumora.example"
V2_PATCH = "20260209100247.7781-3-ilse.marten@lumora.example"
SHOTS = Path("/tmp/shots")

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("does not support propagateSizeHints"),
    pytest.mark.usefixtures("no_leaked_windows"),
]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def window(make_window, library_dir):
    return make_window((1300, 800))


def test_dialog_opens_a_thread_url(qtbot, window, public_inbox, library_dir):
    dialog = window.open_lore_dialog()
    dialog.query.setText(f"{public_inbox.inbox('demo')}{V2_PATCH}/T/#u")
    assert "Opens the thread of" in dialog.meaning.text()
    assert not dialog.whole_threads.isEnabled()
    with qtbot.waitSignal(window.loaded, timeout=30000):
        dialog.open_button.click()
    assert len(window.archive.entries) == 8
    assert window.current_msgid == V2_PATCH
    assert window.archive.path.is_relative_to(library_dir)
    assert "8 messages" in window.messages.text and "offline" in window.messages.text
    assert Library().entry_at(window.archive.path).source.msgid == V2_PATCH


def test_refresh_of_a_mailbox_not_from_lore_says_so(qtbot, window):
    with qtbot.waitSignal(window.loaded, timeout=30000):
        window.open_path(DEMO)
    window.act_refresh_lore.trigger()
    assert "not opened from lore" in window.messages.text


def test_dialog_search_with_whole_threads(qtbot, window, public_inbox):
    dialog = window.open_lore_dialog()
    dialog.server.setText(public_inbox.inbox("demo"))
    dialog.query.setText("s:LM3200")
    assert dialog.whole_threads.isEnabled() and "Searches" in dialog.meaning.text()
    dialog.whole_threads.setChecked(True)
    with qtbot.waitSignal(window.loaded, timeout=30000):
        dialog.open_button.click()
    entry = Library().entry_at(window.archive.path)
    assert entry.source == SearchRef(public_inbox.inbox("demo"), "s:LM3200", threads=True)
    assert any(e.msgid == V2_COVER for e in window.archive.entries)


def test_empty_dialog_cannot_open(qtbot, window):
    dialog = window.open_lore_dialog()
    assert not dialog.open_button.isEnabled()
    assert "type a lore link" in dialog.meaning.text()
    dialog.reject()


def test_ctrl_v_on_the_thread_list_opens_a_pasted_link(qtbot, window, public_inbox):
    QGuiApplication.clipboard().setText(f"  {public_inbox.inbox('demo')}{V2_COVER}/\n")
    window.tree.setFocus()
    with qtbot.waitSignal(window.loaded, timeout=30000):
        qtbot.keyClick(window.tree, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.current_msgid == V2_COVER


def test_dropping_a_lore_link_opens_it(qtbot, window, public_inbox):
    mime = QMimeData()
    mime.setUrls([QUrl(f"{public_inbox.inbox('demo')}{V2_PATCH}/T/#u")])
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.loaded, timeout=30000):
        window.dropEvent(drop)
    assert window.current_msgid == V2_PATCH


def test_pasting_other_text_only_says_so(qtbot, window):
    QGuiApplication.clipboard().setText("just some words")
    assert window.paste_source() is False
    assert "no lore link" in window.messages.text


def test_refresh_from_lore_adds_new_mail(qtbot, window, public_inbox):
    # "grow" is shared with the core refresh test: count from whatever it holds now.
    source = ThreadRef(public_inbox.inbox("grow"), split_mbox(DEMO.read_bytes())[0]
                       .split(b"Message-ID: <", 1)[1].split(b">", 1)[0].decode())
    with qtbot.waitSignal(window.loaded, timeout=30000):
        window.open_source(source)
    before = len(window.archive.entries)
    assert before >= GROW_FIRST
    with qtbot.waitSignal(window.loaded, timeout=30000):
        window.act_refresh_lore.trigger()
    assert len(window.archive.entries) == before
    assert "no new mail" in window.messages.text


def test_errors_go_to_the_message_bar(qtbot, window, public_inbox, bad_server):
    with qtbot.waitSignal(window.load_failed, timeout=30000) as failed:
        window.open_source(ThreadRef(public_inbox.inbox("demo"), "nothing@hunkwise.test"))
    assert "404" in failed.args[0] and window.messages.level == "error"
    with qtbot.waitSignal(window.load_failed, timeout=30000) as failed:
        window.open_source(ThreadRef(bad_server.url, "html@test"))
    assert "web page" in failed.args[0]


def test_cancel_while_fetching(qtbot, window, bad_server, library_dir):
    bad_server.trickle_started.clear()
    window.open_source(ThreadRef(bad_server.url, "slow@test"))
    assert bad_server.trickle_started.wait(30)
    assert window.progress.isVisible()
    window.act_cancel.trigger()
    assert "Stopped loading" in window.messages.text
    window.loader.wait(30000)
    assert not any(library_dir.rglob("*.mbox"))  # the cancelled download wrote nothing


def test_screenshots(qtbot, window, public_inbox):
    SHOTS.mkdir(exist_ok=True)
    for theme in ("light", "dark"):
        window.apply_theme(theme)
        dialog = window.open_lore_dialog(f"{public_inbox.inbox('demo')}{V2_COVER}/T/#u")
        qtbot.waitExposed(dialog)
        dialog.grab().save(str(SHOTS / f"lore-dialog-{theme}.png"))
        with qtbot.waitSignal(window.loaded, timeout=30000):
            dialog.open_button.click()
        QApplication.processEvents()
        window.grab().save(str(SHOTS / f"lore-thread-{theme}.png"))
    assert (SHOTS / "lore-thread-dark.png").stat().st_size > 10000
    assert isinstance(dialog, LoreDialog)
