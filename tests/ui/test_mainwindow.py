"""The main window end to end: opening, errors, cancel, keys, filter, settings, screenshots."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel

from viewer import __version__
from viewer.ui.about import AboutDialog
from viewer.ui.app import demo_mailbox, parser
from viewer.ui.mainwindow import MainWindow
from viewer.ui.settings import Settings
from viewer.ui.shortcuts import ShortcutsDialog, shortcut_rows
from viewer.ui.thread_model import COL_FROM, COL_SUBJECT, MSGID_ROLE

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ui" / "two-revisions.mbox"
CORPUS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus").resolve()
SOPHGO = "threads/linux-pwm-archive__20240212_v2_riscv-pwm-sophgo-add-pwm-support-for-cv1800.mbox"
SHOTS = Path("/tmp/shots")

pytestmark = [
    pytest.mark.gui,
    # The offscreen platform warns that it cannot pass size hints to a window manager it lacks.
    pytest.mark.qt_log_ignore("does not support propagateSizeHints"),
    pytest.mark.usefixtures("no_leaked_windows"),
]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # tests/conftest.py may say so first


def _open(qtbot, window: MainWindow, path: Path, **kw) -> None:
    with qtbot.waitSignal(window.loaded, timeout=30000):
        window.open_path(path, **kw)


def _shot(window: MainWindow, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    assert window.grab().save(str(SHOTS / f"main-{name}.png"))


def test_open_shows_list_and_first_message(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE)
    assert window.model.rowCount() == 2
    assert window.current_msgid == "q1@example.com"  # newest thread first
    assert "Is there a reason" in window.message_view.toPlainText()
    assert "two-revisions.mbox" in window.windowTitle()
    assert "11 messages" in window.summary.text()
    _shot(window, "fixture-light")


def test_reply_shows_its_patch_on_the_review_page(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE, select="r1@example.com")
    assert window.current_msgid == "r1@example.com"
    assert window.archive.review_target("r1@example.com") == "v1-1@example.org"
    assert window.archive.review_target("r3@kernel.example") == "v2-0@example.org"
    assert window.archive.review_target("q2@kernel.example") == "q2@kernel.example"
    assert "prescale can be zero" in window.message_view.toPlainText()
    # The review page shows the patch scrolled to the reply's comment, cursor on its card.
    page = window.patch_view.page
    assert page is not None and page.msgid == "v1-1@example.org"
    row = window.patch_view.current_row_data()
    assert row is not None and row.annotation is not None
    assert row.annotation.reply_message_id == "r1@example.com"
    # The patch itself shows from the top, on the same page object (not built again).
    window.select_message("v1-1@example.org")
    assert window.patch_view.page is page and window.patch_view.current_row() == 0


def test_read_state_is_stored(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE, select="v2-1@example.org")
    assert window.model.is_read("v2-1@example.org")
    assert window.store.is_read(FIXTURE, "v2-1@example.org")
    window.toggle_read()
    assert not window.store.is_read(FIXTURE, "v2-1@example.org")


def test_keys_move_between_rows_messages_and_patches(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE)
    window.tree.setFocus()
    order = window.model.order()
    assert window.current_msgid == order[0]

    def key(k: str) -> None:
        qtbot.keyClick(window.tree, k)

    key("n")
    assert window.current_msgid == order[1]
    key("p")
    assert window.current_msgid == order[0]
    key("]")
    assert window.current_msgid == "v1-1@example.org"
    key("]")
    assert window.current_msgid == "v1-2@example.org"
    key("]")
    assert window.current_msgid == "v2-1@example.org"
    key("[")
    assert window.current_msgid == "v1-2@example.org"
    before = window.tree.currentIndex()
    key("j")
    assert window.tree.currentIndex() == window.tree.indexBelow(before)
    key("k")
    assert window.tree.currentIndex() == before
    # '.' and ',' go to the review page's comments; they must not move the list
    key(".")
    assert window.current_msgid == "v1-2@example.org"
    window.select_message("v1-1@example.org")  # the patch r1 and r2 comment on
    window.tree.setFocus()
    assert window.patch_view.current_row() == 0
    key(".")
    first = window.patch_view.current_row_data()
    assert first is not None and first.kind == "comment_head"
    assert window.current_msgid == "v1-1@example.org"
    key(".")
    assert window.patch_view.current_row() > window.patch_view.page.rows.index(first)
    key(",")
    assert window.patch_view.current_row_data() is first
    # h shows only the hunks with comments, from the list as from the page
    key("h")
    assert window.act_only_commented.isChecked() and window.patch_view.only_commented
    key("h")
    assert not window.patch_view.only_commented


def test_slash_focuses_filter_and_filtering(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE)
    window.tree.setFocus()
    qtbot.keyClick(window.tree, "/")
    assert window.filter_box.hasFocus()
    with qtbot.waitSignal(window.filter_box.query_changed, timeout=2000):
        qtbot.keyClicks(window.filter_box, "subject:watchdog")
    assert window.model.rowCount() == 1
    assert "1 matching" in window.summary.text()
    for text, rows in (("from:max", 2), ("is:patch", 1), ("prescaler", 1), ("", 2)):
        window.filter_box.setText(text)
        window.filter_box.apply()
        assert window.model.rowCount() == rows, text
    window.filter_box.setText("is:bogus")
    window.filter_box.apply()
    assert window.messages.level == "warning" and "is:bogus" in window.messages.text
    # one Escape hands focus back to the list, the filter kept; a second clears it
    window.filter_box.setText("from:max")
    qtbot.keyClick(window.filter_box, Qt.Key.Key_Escape)
    assert window.tree.hasFocus()
    assert window.filter_box.text() == "from:max" and not window.model.query.is_empty
    qtbot.keyClick(window.tree, Qt.Key.Key_Escape)
    assert window.filter_box.text() == "" and window.model.query.is_empty
    assert window.tree.hasFocus()


def test_filter_keeps_the_current_message(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE, select="v2-2@example.org")
    window.filter_box.setText("prescaler")
    window.filter_box.apply()
    assert window.tree.currentIndex().data(MSGID_ROLE) == "v2-2@example.org"


def test_bad_file_shows_error_and_window_stays_usable(qtbot, make_window, tmp_path):
    window = make_window()
    _open(qtbot, window, FIXTURE)
    missing = tmp_path / "nope.mbox"
    with qtbot.waitSignal(window.load_failed, timeout=10000) as blocker:
        window.open_path(missing)
    assert window.messages.level == "error"
    assert blocker.args[0] == window.messages.text and "nope.mbox" in window.messages.text
    # the mailbox on show is still there and works
    assert window.model.rowCount() == 2
    qtbot.keyClick(window.tree, "n")
    assert window.current_msgid is not None
    garbage = tmp_path / "garbage.mbox"
    garbage.write_bytes(b"\x00\x01 this is not mail \xff" * 200)
    with qtbot.waitSignal(window.load_failed, timeout=10000):
        window.open_path(garbage)
    assert window.messages.level == "error" and window.messages.text
    _open(qtbot, window, FIXTURE)
    assert not window.loader.running


def _big_mailbox(path: Path, count: int) -> Path:
    body = b"x" * 3000
    with path.open("wb") as out:
        for n in range(count):
            out.write(
                b"From a@b Mon Jan  1 00:00:00 2024\nFrom: A <a@example.org>\n"
                b"Subject: [PATCH] m%d\nMessage-ID: <m%d@example.org>\n\n%s\n\n"
                % (n, n, body)
            )
    return path


def test_cancel_and_stale_results(qtbot, make_window, tmp_path):
    window = make_window()
    big = _big_mailbox(tmp_path / "big.mbox", 20000)  # ~60 MB: takes a moment to scan
    loaded: list = []
    window.loaded.connect(loaded.append)
    window.open_path(big)
    assert window.loader.running and window.cancel_button.isVisibleTo(window)
    window.cancel_loading()
    assert not window.loader.running
    assert window.messages.level == "info" and "big.mbox" in window.messages.text
    assert window.loader.wait(10000)
    QApplication.processEvents()
    assert loaded == [] and window.archive is None
    # a second file asked for while the first loads: only the second is shown
    window.open_path(big)
    with qtbot.waitSignal(window.loaded, timeout=30000):
        window.open_path(FIXTURE)
    assert window.loader.wait(30000)
    QApplication.processEvents()
    assert [a.path.name for a in loaded] == ["two-revisions.mbox"]
    assert window.archive.path.name == "two-revisions.mbox"


def test_settings_round_trip(qtbot, make_window):
    first = make_window()
    _open(qtbot, first, FIXTURE)
    first.set_theme("dark")
    font = QFont("DejaVu Sans Mono", 15)
    first.settings.font = font
    first.main_splitter.setSizes([300, 1100])
    sizes = first.main_splitter.sizes()
    first.close()
    second = make_window()
    assert second.settings.theme == "dark"
    assert second.theme_name == "dark"
    assert second.settings.font.pointSize() == 15
    assert second.settings.recent_files == [str(FIXTURE.resolve())]
    assert second.main_splitter.sizes() == sizes
    assert [a.isChecked() for a in second.theme_actions.actions()] == [False, False, True]
    second.set_theme("system")
    assert second.settings.q.value("view/theme") is None  # defaults are not written


def test_theme_changes_palette(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE, select="r1@example.com")
    window.apply_theme("light")
    light = window.palette().base().color().lightness()
    _shot(window, "fixture-reply-light")
    window.apply_theme("dark")
    assert window.palette().base().color().lightness() < light
    _shot(window, "fixture-reply-dark")


def test_shortcut_overview_lists_menu_keys(qtbot, make_window):
    window = make_window()
    rows = shortcut_rows(window.menus)
    keys = {action: key for _menu, action, key in rows}
    assert keys["Next Message"] == "N" and keys["Previous Patch"] == "["
    assert keys["Next Comment"] == "." and keys["Filter Threads"] == "/"
    assert keys["Find in Page…"] == "Ctrl+F"
    window.tree.setFocus()
    qtbot.keyClick(window.tree, "?")
    dialogs = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, ShortcutsDialog) and w.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].close()


def test_help_about_opens_a_dialog_with_version_and_licence(qtbot, make_window):
    window = make_window()
    help_actions = dict(window.menus)["&Help"]
    about = next(a for a in help_actions if a.text().replace("&", "") == "About Hunkwise")
    about.trigger()
    dialogs = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, AboutDialog) and w.isVisible()]
    assert len(dialogs) == 1
    words = " ".join(label.text() for label in dialogs[0].findChildren(QLabel))
    assert __version__ in words and "GPL-2.0-or-later" in words and "patch review" in words
    assert dialogs[0].windowTitle() == "About Hunkwise"
    dialogs[0].close()


def test_every_action_is_in_a_menu(make_window):
    window = make_window()
    listed = {id(a) for _title, actions in window.menus for a in actions}
    with_keys = [a for a in window.actions() + window.patch_view.actions() if a.shortcuts()]
    assert with_keys and all(id(a) in listed for a in with_keys)
    assert id(window.patch_view.toggle_thread_action) in listed


def test_gui_options():
    args = parser().parse_args(["x.mbox", "--screenshot", "o.png", "--size", "1400x900",
                                "--select", "<a@b>"])
    assert args.size == (1400, 900) and args.screenshot == "o.png"
    with pytest.raises(SystemExit):
        parser().parse_args(["--size", "huge"])


def test_demo_mailbox_opens(qtbot, make_window):
    demo = demo_mailbox()
    if demo is None:
        pytest.skip("resources/demo.mbox is not there yet")
    window = make_window()
    _open(qtbot, window, demo)
    assert window.model.rowCount() > 0 and window.current_msgid is not None
    window.apply_theme("light")
    _shot(window, "demo-light")
    window.apply_theme("dark")
    _shot(window, "demo-dark")


@pytest.mark.corpus
def test_corpus_thread(qtbot, make_window):
    path = CORPUS / SOPHGO
    if not path.exists():
        pytest.skip("../shared/corpus is not here")
    window = make_window()
    _open(qtbot, window, path)
    archive = window.archive
    patches = [s.patches[n] for s in archive.series for n in sorted(s.patches)]
    assert patches
    assert window.select_message(patches[0])
    assert window.current_msgid == patches[0]
    assert archive.entry(patches[0]).subject in window.message_view.toPlainText()
    window.apply_theme("light")
    _shot(window, "sophgo-light")
    window.apply_theme("dark")
    _shot(window, "sophgo-dark")


def test_env_points_state_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setenv("HUNKWISE_CONFIG_DIR", str(tmp_path))
    assert Settings().path == str(tmp_path / "hunkwise.ini")
    assert os.environ["HUNKWISE_CONFIG_DIR"] == str(tmp_path)


def test_has_filter_reads_mail_in_the_background(qtbot, make_window, monkeypatch):
    import viewer.ui.list_filtering as list_filtering

    monkeypatch.setattr(list_filtering, "_FACTS_IN_FOREGROUND", 0)
    window = make_window()
    _open(qtbot, window, FIXTURE)
    window.model.lazy_enabled = False  # or the idle counting would know every answer already
    # cancelled before its result arrives: the result is dropped, the filter not applied
    window.filter_box.setText("has:comments")
    window.filter_box.apply()
    assert window.facts_job.running
    window.cancel_loading()
    assert not window.facts_job.running and window.messages.level == "info"
    assert window.facts_job.wait(10000)
    QApplication.processEvents()
    assert window.model.query.is_empty and window.model.rowCount() == 2
    with qtbot.waitSignal(window.facts_job.succeeded, timeout=20000):
        window.filter_box.setText("has:comments from:alice")
        window.filter_box.apply()
        assert window.facts_job.running  # the list is not filtered yet, the window is free
    assert window.model.query.flags == {"has:comments"}
    assert window.model.rowCount() == 1
    assert window.model.is_match("r2@example.org")  # Alice's answer to Rui's comment
    assert not window.model.is_match("v2-1@example.org")


def _run_app(tmp_path, *args: str):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    path = os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=path,
               HUNKWISE_DATA_DIR=str(tmp_path / "data"), HUNKWISE_CONFIG_DIR=str(tmp_path / "cfg"))
    return subprocess.run([sys.executable, "-m", "viewer", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_screenshot_mode(tmp_path):
    out = tmp_path / "shot.png"
    done = _run_app(tmp_path, str(FIXTURE), "--screenshot", str(out), "--size", "900x600",
                    "--select", "r1@example.com", "--theme", "dark")
    assert done.returncode == 0, done.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (900, 600)
    # the dark theme was used: most of the window is dark (sampled on a grid, so no single
    # glyph or card decides it)
    samples = [image.pixelColor(x, y).lightness()
               for x in range(10, 900, 40) for y in range(40, 560, 40)]
    assert sorted(samples)[len(samples) // 2] < 128


def test_screenshot_of_a_bad_file_reports_it(tmp_path):
    out = tmp_path / "shot.png"
    done = _run_app(tmp_path, str(tmp_path / "missing.mbox"), "--screenshot", str(out))
    assert done.returncode == 2
    assert "missing.mbox" in done.stderr
    assert out.exists()  # the window with its error message is what was shown


def test_narrow_list_keeps_room_for_the_subject(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE)
    header = window.tree.header()
    wide_from = window.tree.from_width()
    window.main_splitter.setSizes([460, 940])
    qtbot.waitUntil(lambda: window.tree.viewport().width() < 480)
    room = window.tree.viewport().width()
    assert header.sectionSize(COL_SUBJECT) >= 0.25 * room
    assert header.sectionSize(COL_FROM) < wide_from
    window.main_splitter.setSizes([900, 400])
    qtbot.waitUntil(lambda: header.sectionSize(COL_FROM) == wide_from)


@pytest.mark.expect_log("ERROR", "viewer.core.anchoring", match="could not analyse")
def test_a_reply_that_could_not_be_analysed_is_said_once(qtbot, make_window, monkeypatch,
                                                         caplog):
    from viewer.core import anchoring

    def explode(run, reply, target, earlier):
        raise RuntimeError("boom")

    monkeypatch.setattr(anchoring, "analyse_reply", explode)
    window = make_window()
    with caplog.at_level(logging.CRITICAL, logger="viewer.core.anchoring"):
        _open(qtbot, window, FIXTURE, select="r1@example.com")
    said = [m for m in window.messages.history if "could not be analysed" in m.text]
    assert len(said) == 1 and said[0].level == "error"
    assert said[0].text.startswith(("1 reply could not be analysed: <",
                                    "2 replies could not be analysed: <",
                                    "3 replies could not be analysed: <"))
    assert "RuntimeError: boom" in said[0].text
    # The reply is still on the page, as a general comment.
    page = window.patch_view.page
    assert page is not None and any(
        row.annotation is not None and row.annotation.reply_message_id == "r1@example.com"
        for row in page.rows)
    # Moving to another mail of the thread does not say it again.
    window.show_message("v1-1@example.org")
    window.show_message("r1@example.com")
    assert len([m for m in window.messages.history if "could not be analysed" in m.text]) == 1
    # The list's counts, read in the background, analyse the other thread too: its replies
    # are the error record expected above, logged (the message bar speaks of shown mail only).
    qtbot.waitUntil(lambda: window.model.pending_facts() == 0, timeout=5000)


def test_closing_the_window_stops_the_jobs_of_its_panes_too(make_window):
    """A pane's own job (the revision bar's range-diff, the patch view's syntax) must not
    outlive the window: one still running when the app exits is killed mid-Python."""
    import threading
    import time

    window = make_window()
    started, stopped = threading.Event(), []

    def job(_progress, cancelled):
        started.set()
        deadline = time.monotonic() + 10
        while not cancelled() and time.monotonic() < deadline:
            time.sleep(0.001)
        stopped.append(cancelled())

    window.revision_bar._runner.start(job)
    assert started.wait(5)
    window.close()
    assert stopped == [True]  # cancelled, and finished before close() returned
    # and a timer firing after the close (the view counts, a row's facts) starts nothing
    started.clear()
    window.revision_bar._runner.start(job)
    assert not started.wait(0.2)
    assert not window.revision_bar._runner.running
