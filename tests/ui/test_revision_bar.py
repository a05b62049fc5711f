"""The revision bar above the review page: v1 · v2, the carried comments' summary, range-diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from viewer.core.store import Store
from viewer.ui.app import demo_mailbox
from viewer.ui.mainwindow import MainWindow
from viewer.ui.settings import Settings

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("does not support propagateSizeHints")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

V1_DRIVER = "20260112081403.2231-3-ilse.marten@lumora.example"
V2_DRIVER = "20260209100247.7781-3-ilse.marten@lumora.example"
SHOTS = Path("/tmp/shots")


@pytest.fixture
def window(qtbot, tmp_path):
    made = MainWindow(Settings.at(tmp_path / "hunkwise.ini"), Store(tmp_path / "state.db"))
    qtbot.addWidget(made)
    made.resize(1500, 900)
    made.show()
    qtbot.waitExposed(made)
    with qtbot.waitSignal(made.loaded, timeout=30000):
        made.open_path(demo_mailbox(), select=V2_DRIVER)
    yield made
    made.revision_bar.wait()
    made.close()
    made.store.close()


def _wait_bar(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.revision_bar.revisions is not None, timeout=20000)


def test_a_second_revision_shows_its_versions_and_the_fate_of_v1_comments(qtbot, window):
    _wait_bar(qtbot, window)
    bar = window.revision_bar
    assert bar.isVisible()
    assert bar.revisions.versions == ((1, V1_DRIVER), (2, V2_DRIVER))
    text = bar.versions.text()
    assert f"href='{V1_DRIVER}'" in text and "<b>v2</b>" in text
    assert bar.summary.text().startswith("v1 had ")
    assert "unchanged" in bar.summary.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    assert window.grab().save(str(SHOTS / "revisions-bar-light.png"))


def test_range_diff_replaces_the_review_page_and_back(qtbot, window):
    _wait_bar(qtbot, window)
    window.revision_bar.range_button.click()
    assert window.review_stack.currentWidget() is window.range_diff_view
    kinds = window.range_diff_view.kinds
    assert kinds[0] == "head" and "+" in kinds and "-" in kinds
    first = window.range_diff_view.document().firstBlock().text()
    assert first.startswith("1:  ") and " ! " in first
    window.apply_theme("dark")
    QApplication.processEvents()
    assert window.grab().save(str(SHOTS / "revisions-range-diff-dark.png"))
    window.revision_bar.range_button.click()
    assert window.review_stack.currentWidget() is window.patch_view


def test_picking_another_revision_opens_its_patch(qtbot, window):
    _wait_bar(qtbot, window)
    window.revision_bar.versions.linkActivated.emit(V1_DRIVER)
    assert window.current_msgid == V1_DRIVER
    qtbot.waitUntil(lambda: window.revision_bar.revisions is not None
                    and window.revision_bar.revisions.message_id == V1_DRIVER, timeout=20000)
    assert window.revision_bar.revisions.previous is None
    assert not window.revision_bar.range_button.isEnabled()  # nothing before v1


def test_ctrl_r_toggles_the_range_diff_and_is_listed_in_the_overview(qtbot, window):
    _wait_bar(qtbot, window)
    window.act_range_diff.trigger()
    assert window.review_stack.currentWidget() is window.range_diff_view
    assert window.revision_bar.range_button.isChecked()
    window.revision_bar.range_button.click()
    assert not window.act_range_diff.isChecked()
    from viewer.ui.shortcuts import shortcut_rows

    assert any(keys == "Ctrl+R" for _menu, _action, keys in shortcut_rows(window.menus))
