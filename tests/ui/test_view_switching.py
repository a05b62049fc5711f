"""Switching saved views and filters: the mail on show stays on show without being rebuilt,
and when a filter has to pick a new row its mail follows once the list has repainted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from tests.list_mail import list_mail as _mail

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("does not support propagateSizeHints"),
]


@pytest.fixture
def window(qtbot, tmp_path, make_window):
    path = tmp_path / "list.mbox"
    path.write_text("".join([
        _mail("a1@x", "[PATCH] apple: newest", "Amy", 9),
        _mail("a2@x", "Re: [PATCH] apple: newest", "Bob", 10, "a1@x"),
        _mail("m1@x", "[PATCH] mango: middle", "Bob", 6),
        _mail("z1@x", "[PATCH] zebra: oldest", "Zed", 1),
    ]))
    made = make_window()
    with qtbot.waitSignal(made.loaded, timeout=30000):
        made.open_path(path, select="m1@x")
    return made


def _pages_built(window, monkeypatch) -> list[str]:
    built: list[str] = []
    real = window.patch_view.show_patch
    monkeypatch.setattr(window.patch_view, "show_patch",
                        lambda archive, msgid: built.append(msgid) or real(archive, msgid))
    return built


def test_the_mail_on_show_is_kept_across_views_without_rebuilding_it(qtbot, window,
                                                                    monkeypatch):
    built = _pages_built(window, monkeypatch)
    shown = []
    window.message_shown.connect(shown.append)
    for text in ("is:patch", "from:bob", ""):  # every one of them lists m1@x
        window.filter_box.setText(text)
        window.filter_box.apply()
        qtbot.wait(20)
        assert window.current_msgid == "m1@x"
        assert window.model.mail_of(window.tree.currentIndex()) == "m1@x"
    assert built == [] and shown == []


def test_a_new_current_row_shows_its_mail_after_the_list_repainted(qtbot, window,
                                                                   monkeypatch):
    built = _pages_built(window, monkeypatch)
    window.filter_box.setText("from:zed")  # m1@x is filtered out: z1@x is the one row left
    window.filter_box.apply()
    assert window.model.mail_of(window.tree.currentIndex()) == "z1@x"
    assert built == []  # not in the same pass as the list's reset
    qtbot.waitUntil(lambda: window.current_msgid == "z1@x", timeout=3000)
    assert built == ["z1@x"]
    assert "body of z1@x" in window.message_view.toPlainText()


def test_a_row_chosen_before_the_mail_followed_is_not_overridden(qtbot, window, monkeypatch):
    window.filter_box.setText("is:patch -from:bob")  # apple and zebra; m1@x goes
    window.filter_box.apply()
    assert window.model.mail_of(window.tree.currentIndex()) == "a1@x"
    # the user moves down at once, before the event loop showed the first row's mail
    window.tree.setCurrentIndex(window.model.index_of("z1@x"))
    assert window.current_msgid == "z1@x"
    built = _pages_built(window, monkeypatch)
    QApplication.processEvents()
    qtbot.wait(20)
    assert window.current_msgid == "z1@x" and built == []


def test_the_mail_an_empty_view_hid_comes_back_with_the_next_view(qtbot, window):
    window.filter_box.setText("is:accepted")  # nothing accepted: the list is empty
    window.filter_box.apply()
    assert window.model.rowCount() == 0 and window.current_msgid is None
    window.filter_box.setText("")  # All mail: back where the reader was, not the first row
    window.filter_box.apply()
    assert window.model.mail_of(window.tree.currentIndex()) == "m1@x"
    qtbot.waitUntil(lambda: window.current_msgid == "m1@x", timeout=3000)
    assert "body of m1@x" in window.message_view.toPlainText()


def test_the_new_current_mail_is_read_off_the_gui_thread_first(qtbot, window, monkeypatch):
    import threading

    from viewer.core.archive import Archive

    window.model.lazy_enabled = False  # the list's counts read reviews on a worker too
    readers: list[tuple[str, int]] = []
    real = Archive.review
    monkeypatch.setattr(Archive, "review", lambda self, msgid: readers.append(
        (msgid, threading.get_ident())) or real(self, msgid))
    window.filter_box.setText("from:zed")
    window.filter_box.apply()
    qtbot.waitUntil(lambda: window.current_msgid == "z1@x", timeout=3000)
    first = next(ident for msgid, ident in readers if msgid == "z1@x")
    assert first != threading.get_ident()  # the page was built from what a worker read


def test_a_big_mailbox_shows_its_first_mail_once_the_list_is_on_screen(qtbot, tmp_path,
                                                                       make_window):
    """Its first row is current at once; the mail is read on a worker and follows."""
    from viewer.ui.list_filtering import _MATCH_OFF_THREAD

    path = tmp_path / "big.mbox"
    path.write_text("".join(_mail(f"m{i}@x", f"[PATCH] part {i}", "Amy", 1 + i % 28)
                            for i in range(_MATCH_OFF_THREAD)))
    window = make_window()
    small = Path(__file__).parents[1] / "fixtures" / "ui" / "two-revisions.mbox"
    with qtbot.waitSignal(window.loaded, timeout=30000):
        window.open_path(small, select="v1-1@example.org")
    assert window.patch_view.page is not None
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_path(path)
    assert window.patch_view.page is None  # the other mailbox's patch is not left on show
    first = window.model.mail_of(window.tree.currentIndex())
    assert first is not None and window.current_msgid is None  # not read on the GUI thread
    window.sort_threads("subject", False)  # a sort meanwhile keeps the row whose mail comes
    assert window.model.mail_of(window.tree.currentIndex()) == first
    qtbot.waitUntil(lambda: window.current_msgid == first, timeout=10000)
    assert first in window.message_view.toPlainText()
