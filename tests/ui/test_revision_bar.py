"""The revision bar above the review page: v1 · v2, the carried comments' summary, range-diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from viewer.ui.app import demo_mailbox
from viewer.ui.mainwindow import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("does not support propagateSizeHints")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

V1_DRIVER = "20260112081403.2231-3-ilse.marten@lumora.example"
V2_DRIVER = "20260209100247.7781-3-ilse.marten@lumora.example"
SHOTS = Path("/tmp/shots")


@pytest.fixture
def window(qtbot, make_window):
    made = make_window((1500, 900))
    with qtbot.waitSignal(made.loaded, timeout=30000):
        made.open_path(demo_mailbox(), select=V2_DRIVER)
    return made  # closing it waits for the revision bar's job (MainWindow.closeEvent)


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
    qtbot.wait(20)  # the range-diff arrived with the bar's facts, while the view was hidden
    assert window.range_diff_view.document().isEmpty()  # made only once it is looked at
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


def test_the_previous_revisions_comments_show_faded_at_their_new_lines(qtbot, window):
    _wait_bar(qtbot, window)
    page = window.patch_view.page
    qtbot.waitUntil(lambda: bool(window.patch_view.page.carried_rows), timeout=20000)
    page = window.patch_view.page
    heads = [page.rows[i] for i in page.carried_rows]
    assert len(heads) == len(window.revision_bar.revisions.carried)
    assert all(row.text.lstrip().startswith("v1 · ") for row in heads)
    # A carried card sits under the v2 line its v1 line became.
    placed = [i for i in page.carried_rows if page.rows[i].carried.new_anchor is not None
              and page.rows[i].file_index is not None]
    assert placed
    for index in placed:
        above = next(page.rows[k] for k in range(index - 1, -1, -1)
                     if page.rows[k].kind in ("diff", "file", "hunk"))
        wanted = page.rows[index].carried.new_anchor
        if above.kind == "diff":
            assert (above.line.old_line, above.line.new_line) == (wanted.old_line,
                                                                   wanted.new_line)
    assert not any(page.rows[i].carried for i in page.comment_rows)  # . and , skip them
    window.revision_bar.only_unchanged.setChecked(True)
    page = window.patch_view.page
    assert {page.rows[i].carried.status for i in page.carried_rows} == {"unchanged"}
    QApplication.processEvents()
    assert window.grab().save(str(SHOTS / "revisions-carried-light.png"))


def test_shift_a_ticks_an_earlier_comment_addressed_and_it_is_kept(qtbot, window):
    qtbot.waitUntil(lambda: bool(window.patch_view.page.carried_rows), timeout=20000)
    page = window.patch_view.page
    first = page.rows[page.carried_rows[0]].carried
    assert window.patch_view.jump_to_carried(first.annotation.id)
    window.act_addressed.trigger()
    page = window.patch_view.page
    head = next(page.rows[i] for i in page.carried_rows
                if page.rows[i].carried.annotation.id == first.annotation.id)
    assert head.text.endswith("addressed ✓") and head.carried.addressed
    path = window.archive.path
    assert (first.annotation.reply_message_id, first.fingerprint) in window.store.addressed(path)
    window.act_addressed.trigger()  # the cursor stayed on it: untick
    assert window.store.addressed(path) == set()
    window.patch_view.go_to_top()
    window.act_addressed.trigger()  # not on a faded card: a hint, nothing stored
    assert window.store.addressed(path) == set()


def test_carried_cards_arriving_keep_the_cursor_the_top_line_and_the_folds(qtbot, window):
    qtbot.waitUntil(lambda: bool(window.patch_view.page.carried_rows), timeout=20000)
    view, archive = window.patch_view, window.archive
    carried = window.revision_bar.revisions.carried
    view.show_patch(archive, V2_DRIVER)  # as before the comparison came back: no carried
    assert not view.page.carried_rows
    rows = view.page.rows
    target = max(i for i, row in enumerate(rows) if row.kind == "diff")
    view._place_cursor(target)
    folded = next(iter(view.page.threads))
    view.set_thread_collapsed(folded, True)
    top = view.editor.firstVisibleBlock().blockNumber()
    wanted_top, wanted = rows[top].model_row, rows[target].model_row
    view.show_carried(archive, V2_DRIVER, carried)
    page = view.page
    assert page.carried_rows
    assert page.rows[view.current_row()].model_row == wanted
    assert page.rows[view.editor.firstVisibleBlock().blockNumber()].model_row == wanted_top
    assert view.is_collapsed(folded)
    before = view.page
    view.show_carried(archive, V1_DRIVER, ())  # another patch: ignored
    assert view.page is before


def test_the_range_diff_view_keeps_one_document_however_often_it_is_made(qtbot):
    """Every patch and theme on show makes a new document; the old one goes."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QTextDocument

    from viewer.ui.range_diff_view import RangeDiffView
    from viewer.ui.theme import DARK

    view = RangeDiffView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    for n in range(5):
        view.show_entries((), empty=f"Nothing to compare ({n}).")
    view.set_theme(DARK)  # made again, with what it said
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert view.toPlainText() == "Nothing to compare (4)."
    assert len(view.findChildren(QTextDocument)) == 1
