"""Triage in the window: saved views with counts, keys F / N / s, bulk actions on a selection,
marks in the list, and "Save for git am" / "Apply with git am" (a real git repo)."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QInputDialog, QMenu

from tests.test_am import _FILE
from tests.triage_mail import ME, write_mailbox
from viewer.core.store import Store
from viewer.core.views import SAVED_VIEWS
from viewer.ui.mainwindow import MainWindow
from viewer.ui.settings import Settings
from viewer.ui.shortcuts import shortcut_rows
from viewer.ui.thread_model import COL_MARKS, COL_TRAILERS

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("does not support propagateSizeHints"),
]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    config = tmp_path / "gitconfig"
    config.write_text(f"[user]\n\tname = {ME[0]}\n\temail = {ME[1]}\n"
                      "[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    store = Store(tmp_path / "state.db")
    made = MainWindow(Settings.at(tmp_path / "hunkwise.ini"), store)
    qtbot.addWidget(made)
    made.resize(1400, 850)
    made.show()
    qtbot.waitExposed(made)
    made.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is made)
    with qtbot.waitSignal(made.counts_job.succeeded, timeout=30000), \
            qtbot.waitSignal(made.loaded, timeout=30000):
        made.open_path(write_mailbox(tmp_path), select="p1v2@x")
    yield made
    made.close()
    store.close()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, (QDialog, QMenu)) and widget.isVisible():
            widget.close()


def _marks(window, msgid):
    index = window.model.index_of(msgid, COL_MARKS)
    assert index.isValid(), msgid
    return index.data(), index.data(Qt.ItemDataRole.ToolTipRole) or ""


def _settle(qtbot, window, msgid):
    """Let the idle worker compute the row's body facts (marks need the patch and replies)."""
    _marks(window, msgid)
    qtbot.waitUntil(lambda: window.triage.is_warm(msgid), timeout=10000)


def test_views_have_live_counts_and_set_the_filter(qtbot, window):
    sidebar = window.views_sidebar
    counts = window.view_counts
    assert counts == {"All mail": 3, "Inbox": 3, "Needs review": 1, "Waiting on me": 0,
                      "Flagged": 0, "Accepted": 0}
    assert sidebar.item(2).text() == "Needs review  1"
    sidebar.setFocus()
    sidebar.setCurrentRow(2)
    qtbot.keyClick(sidebar, Qt.Key.Key_Return)
    assert window.filter_box.text() == SAVED_VIEWS[2].query
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert window.model.index(0, 0).data(Qt.ItemDataRole.DisplayRole) == "[PATCH] mm: fix a leak"
    qtbot.keyClick(sidebar, Qt.Key.Key_Escape)
    assert window.tree.hasFocus()
    # Ctrl+5 is "Flagged": nothing yet; flagging a mail updates the count in the background.
    qtbot.keyClick(window.tree, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.filter_box.text() == "is:flagged" and window.model.rowCount() == 0
    window.clear_filter()
    window.select_message("r3@x")
    with qtbot.waitSignal(window.counts_job.succeeded, timeout=10000):
        qtbot.keyClick(window.tree, Qt.Key.Key_F, Qt.KeyboardModifier.ShiftModifier)
    assert window.triage.flagged == {"r3@x"}, window.triage.flagged
    assert window.view_counts["Flagged"] == 1 and sidebar.item(4).text() == "Flagged  1"


def test_keys_flag_toggle_new_and_state_menu(qtbot, window, monkeypatch):
    window.select_message("c2@x")
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_F, Qt.KeyboardModifier.ShiftModifier)
    assert "c2@x" in window.triage.flagged
    assert window.store.flagged_ids(window.archive.path) == {"c2@x"}
    text, tip = _marks(window, "c2@x")
    assert "⚑" in text and "flagged" in tip
    qtbot.keyClick(window.tree, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert window.triage.view("c2@x").state == "reviewing"
    assert "◐" in _marks(window, "c2@x")[0]
    qtbot.keyClick(window.tree, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert window.triage.view("c2@x").state == "new"
    popped = []
    monkeypatch.setattr(QMenu, "popup", lambda menu, *_a: popped.append(menu))
    qtbot.keyClick(window.tree, Qt.Key.Key_S)
    [menu] = popped
    labels = [a.text() for a in menu.actions() if a.text()]
    assert labels[:6] == ["New", "Reviewing", "Replied", "Waiting", "Accepted", "Archived"]
    next(a for a in menu.actions() if a.text() == "Waiting").trigger()
    assert window.triage.view("c2@x").state == "waiting"
    assert window.store.series_states(window.archive.path)["c2@x"].state == "waiting"
    assert "◷" in _marks(window, "c2@x")[0]


def test_bulk_actions_apply_to_the_whole_selection(qtbot, window):
    tree, model = window.tree, window.model
    selection = tree.selectionModel()
    selection.clearSelection()
    for msgid in ("c2@x", "lone@x"):  # as Ctrl+click does: select, and make it current
        selection.setCurrentIndex(model.index_of(msgid),
                                  QItemSelectionModel.SelectionFlag.Select
                                  | QItemSelectionModel.SelectionFlag.Rows)
    assert set(window.selected_msgids()) == {"c2@x", "lone@x"}
    window.set_state("accepted")
    assert window.triage.view("c2@x").state == "accepted"
    assert window.triage.view("lone@x").state == "accepted"
    window.toggle_flag()
    assert {"c2@x", "lone@x"} <= window.triage.flagged
    window.mark_selection_read()
    assert model.is_read("c2@x") and model.is_read("lone@x")
    assert {"c2@x", "lone@x"} <= window.store.read_ids(window.archive.path)


def test_marks_and_carried_trailers_in_the_list(qtbot, window):
    window.tree.expandAll()
    _settle(qtbot, window, "p1v2@x")
    text, tip = _marks(window, "p1v2@x")
    assert "≡" in text and "unchanged" in tip  # v2 1/2 is v1 1/2 rebased
    assert "✓" in text and "Reviewed-by" in tip  # my review carried in its commit message
    _settle(qtbot, window, "lone@x")
    assert "∅" in _marks(window, "lone@x")[0]
    trailers = window.model.index_of("p1v2@x", COL_TRAILERS)
    qtbot.waitUntil(lambda: trailers.data() not in ("…", None))
    assert trailers.data() == "+A1 R1"  # nothing given in replies to v2, both carried
    window.select_message("p2v2@x")
    window.mark_patches("skip")
    assert "⤼" in _marks(window, "p2v2@x")[0]
    assert window.store.patch_state(window.archive.path, "p2v2@x").mark == "skip"


def test_shortcuts_overview_lists_the_triage_keys(window):
    rows = {(action, keys) for _menu, action, keys in shortcut_rows(window.menus)}
    for action, keys in (("Flag", "Shift+F"), ("Toggle New", "Shift+N"), ("Set State…", "S"),
                         ("View: Inbox", "Ctrl+2")):
        assert (action, keys) in rows, (action, keys)


def test_save_for_git_am(qtbot, window, tmp_path, monkeypatch):
    out = tmp_path / "ready.mbox"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *_a, **_k: (str(out), "")))
    window.select_message("r3@x")
    window.save_for_am()
    text = out.read_text()
    assert text.count("From git@z") == 2 and "Tested-by: Test Er <test@example.org>" in text
    assert "Saved 2 patches" in window.messages.text


def test_apply_with_git_am_into_a_picked_branch(qtbot, window, tmp_path, monkeypatch):
    repo = tmp_path / "linux"
    (repo / "drivers" / "gpio").mkdir(parents=True)
    (repo / "drivers" / "gpio" / "frob.c").write_text(_FILE)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *_a, **_k: str(repo)))
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *_a, **_k: ("frob-v2", True)))
    window.select_message("c2@x")
    window.apply_with_am()
    head = subprocess.run(["git", "-C", str(repo), "log", "--format=%s", "-2"],
                          capture_output=True, text=True).stdout.split("\n")
    assert head[:2] == ["gpio: frob: go faster", "gpio: frob: init b"]
    assert window.triage.view("c2@x").state == "accepted"
    # A failing apply names git's problem and leaves the repository as it was.
    before = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"],
                            capture_output=True, text=True).stdout
    window.apply_with_am()  # the same patches again: they no longer apply
    assert window.messages.level == "error" and "git am failed" in window.messages.text
    after = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"],
                           capture_output=True, text=True).stdout
    assert after == before and not (repo / ".git" / "rebase-apply").exists()


def test_thread_model_with_triage_passes_the_model_tester(qtmodeltester, window):
    qtmodeltester.check(window.model, force_py=True)


def test_a_big_mailbox_is_filtered_off_the_gui_thread(qtbot, window, monkeypatch):
    import viewer.ui.list_filtering as list_filtering

    monkeypatch.setattr(list_filtering, "_MATCH_OFF_THREAD", 0)  # as if it were big
    window.filter_box.setText("is:flagged")
    window.triage.set_flagged(["lone@x"])
    with qtbot.waitSignal(window.filter_job.succeeded, timeout=10000):
        window.filter_box.apply()
        assert window.filter_job.running  # the window is free while it matches
    assert window.model.rowCount() == 1 and window.model.is_match("lone@x")
    # A newer filter wins over a match still running: the older result is dropped.
    window.filter_box.setText("frob")
    window.filter_box.apply()
    window.clear_filter()
    qtbot.wait(50)
    assert window.model.query.is_empty and window.model.rowCount() == 2  # v1–v2 group, lone


def test_what_the_view_counts_read_is_kept_for_the_next_open(window):
    # The fixture waited for the counts: the reply trailers and patch facts they read are
    # saved with the index, so reopening the mailbox reads no mail to count again.
    from viewer.core import index_cache

    kept = index_cache.load_facts(window.archive.path, window.archive.path.stat(),
                                  window.archive.path.read_bytes())
    assert any(key[0] == "patch" for key in kept) and any(key[0] == "trailers" for key in kept)


def test_snooze_picks_its_day_from_a_calendar(qtbot, window, monkeypatch):
    from PySide6.QtCore import QDate
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QDateEdit

    from viewer.ui.snooze_dialog import SnoozeDialog

    window.select_message("c2@x")
    window.set_state("reviewing")
    popped = []
    monkeypatch.setattr(QMenu, "popup", lambda menu, *_a: popped.append(menu))
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_S)
    [menu] = popped
    next(a for a in menu.actions() if a.text() == "Snooze Until…").trigger()
    dialog = window.findChild(SnoozeDialog)
    assert dialog is not None and dialog.isVisible()
    field = dialog.findChild(QDateEdit)
    assert field.calendarPopup() and field.calendarWidget() is not None
    today = QDate.currentDate()
    assert field.date() == today.addDays(7)  # a week unless another day is picked
    field.setDate(today)  # not offered: a snooze until today would hide nothing
    assert field.date() == today.addDays(1)
    # and it looks it: today is drawn in the disabled text colour, tomorrow is not
    calendar = field.calendarWidget()
    disabled = calendar.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    assert calendar.dateTextFormat(today).foreground().color() == disabled
    assert calendar.dateTextFormat(today.addDays(1)).foreground().color() != disabled
    picked = today.addDays(10)
    field.calendarWidget().setSelectedDate(picked)  # a click on a day of the calendar
    field.calendarWidget().clicked.emit(picked)
    assert field.date() == picked
    dialog.accept()
    view = window.triage.view("c2@x")
    assert view.state == "reviewing"  # snoozed, in the state it had
    until = QDate(*time.localtime(view.snoozed_until)[:3])
    assert until == picked and time.localtime(view.snoozed_until)[3:6] == (0, 0, 0)
    assert picked.toString("yyyy-MM-dd") in window.messages.text
    assert "☾" in _marks(window, "c2@x")[0]


def test_a_cancelled_snooze_changes_nothing(qtbot, window):
    from viewer.ui.snooze_dialog import SnoozeDialog

    window.select_message("c2@x")
    window.snooze()
    dialog = window.findChild(SnoozeDialog)
    dialog.reject()
    assert window.triage.view("c2@x").snoozed_until is None
