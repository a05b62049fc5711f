"""Using the window every day: focus and keys, find, sorting, placeholders, progress, layout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

import viewer.ui.list_filtering as list_filtering
from tests.list_mail import list_mail as _mail
from viewer.core.query import parse_query
from viewer.ui.mainwindow import MainWindow
from viewer.ui.thread_model import COL_DATE, COL_FROM, COL_SUBJECT, MSGID_ROLE
from viewer.ui.window_layout import DEFAULT_SHARE

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ui" / "two-revisions.mbox"

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("does not support propagateSizeHints"),
]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _several_threads(path: Path) -> Path:
    """Four threads: a series whose cover letter is missing, and three plain ones."""
    mails = [
        _mail("z1@x", "zebra: old topic", "Zed", 1),
        _mail("z2@x", "Re: zebra: old topic", "Amy", 2, "z1@x"),
        _mail("z3@x", "Re: zebra: old topic", "Bob", 3, "z2@x"),
        _mail("z4@x", "Re: zebra: old topic", "Cyd", 3, "z1@x"),
        _mail("p1@x", "[PATCH v2 1/3] mm: first", "Max", 4, "cover@x"),
        _mail("p2@x", "[PATCH v2 2/3] mm: second", "Max", 4, "cover@x"),
        _mail("a1@x", "apple: newest topic", "Amy", 9),
        _mail("m1@x", "mango: middle topic", "Bob", 6),
        _mail("m2@x", "Re: mango: middle topic", "Zed", 7, "m1@x"),
    ]
    path.write_text("".join(mails))
    return path


def _open(qtbot, window: MainWindow, path: Path, **kw) -> None:
    with qtbot.waitSignal(window.loaded, timeout=30000):
        window.open_path(path, **kw)


def _top_ids(window: MainWindow) -> list[str | None]:
    model = window.model
    return [model.index(r, 0).data(MSGID_ROLE) for r in range(model.rowCount())]


# -- focus and keys ---------------------------------------------------------------------------


def test_focus_starts_on_the_list_and_slash_filters_without_typing_itself(qtbot, make_window):
    window = make_window()
    assert window.tree.hasFocus()
    _open(qtbot, window, FIXTURE)
    assert window.tree.hasFocus()
    first = window.current_msgid
    qtbot.keyClick(window.tree, "j")  # the first j moves down, it types nothing anywhere
    assert window.current_msgid != first and window.filter_box.text() == ""
    qtbot.keyClick(window.tree, "/")
    assert window.filter_box.hasFocus() and window.filter_box.text() == ""
    qtbot.keyClicks(window.filter_box, "from:max")
    assert window.filter_box.text() == "from:max"
    qtbot.keyClick(window.filter_box, Qt.Key.Key_Escape)  # one key: back on the list
    assert window.tree.hasFocus() and window.model.query == parse_query("from:max")


_MODAL = {"act_open", "act_open_maildir", "act_font", "act_quit", "act_note", "act_save_am",
          "act_state"}
"""Actions that open a blocking dialog or end the app, or pop up a menu (the offscreen
platform warns that it cannot grab the keyboard): not pressed in a test."""


def test_every_listed_key_works_wherever_focus_is(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE, select="v1-1@example.org")
    names = {id(getattr(window, n)): n for n in vars(window) if n.startswith("act_")}
    listed = [a for _menu, actions in window.menus for a in actions
              if a.shortcuts() and names.get(id(a)) not in _MODAL]
    assert len(listed) > 20
    places = {"list": window.tree, "page": window.patch_view.editor,
              "mail": window.message_view}
    missed = []
    for where, widget in places.items():
        for action in listed:
            window.select_message("v1-1@example.org")
            widget.setFocus()
            qtbot.waitUntil(widget.hasFocus)
            fired = []
            action.triggered.connect(lambda *_a, f=fired: f.append(1))
            sequence = action.shortcuts()[0]
            combo = sequence[0]
            qtbot.keyClick(widget, combo.key(), combo.keyboardModifiers())
            action.triggered.disconnect()
            if not fired:
                missed.append((where, action.text(), sequence.toString()))
            for dialog in QApplication.topLevelWidgets():
                if isinstance(dialog, QDialog) and dialog.isVisible():
                    dialog.close()
            if window.find_bar.isVisible():
                window.find_bar.close_bar()
            if not window.filter_box.query.is_empty or window.filter_box.text():
                window.clear_filter()
    assert missed == []


def test_fold_keys_work_from_the_list_and_keep_the_cursor_line(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE, select="v1-1@example.org")
    view = window.patch_view
    window.tree.setFocus()
    qtbot.keyClick(window.tree, ".")
    row = view.current_row_data()
    assert row is not None and row.thread is not None
    qtbot.keyClick(window.tree, "o")
    assert view.is_collapsed(row.thread) and window.tree.hasFocus()
    qtbot.keyClick(window.tree, "o")
    assert not view.is_collapsed(row.thread)
    qtbot.keyClick(window.tree, "O", Qt.KeyboardModifier.ShiftModifier)
    assert all(view.is_collapsed(t) for t in view.page.threads)
    qtbot.keyClick(window.tree, "O", Qt.KeyboardModifier.ShiftModifier)
    assert not any(view.is_collapsed(t) for t in view.page.threads)
    # Return on the page folds too; in the list it does not
    view.editor.setFocus()
    view.jump_to_annotation(row.annotation.id)
    qtbot.keyClick(view.editor, Qt.Key.Key_Return)
    assert view.is_collapsed(row.thread)


def test_ctrl_f_finds_in_the_page_with_count_next_and_previous(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE, select="v1-1@example.org")
    bar = window.find_bar
    window.tree.setFocus()
    qtbot.keyClick(window.tree, "f", Qt.KeyboardModifier.ControlModifier)
    assert bar.isVisible() and bar.field.hasFocus()
    qtbot.keyClicks(bar.field, "prescale")
    qtbot.waitUntil(lambda: bool(bar.matches), timeout=2000)
    text = window.patch_view.editor.toPlainText()
    assert len(bar.matches) == text.lower().count("prescale") >= 2
    assert bar.count_label.text() == f"1 of {len(bar.matches)}"
    first = window.patch_view.editor.textCursor().selectionStart()
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert bar.count_label.text() == f"2 of {len(bar.matches)}"
    assert window.patch_view.editor.textCursor().selectionStart() > first
    assert window.patch_view.editor.textCursor().selectedText().lower() == "prescale"
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count_label.text() == f"1 of {len(bar.matches)}"
    bar.field.setText("no such words anywhere")
    bar.search(keep_place=False)
    assert bar.count_label.text() == "no match"
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible() and window.patch_view.editor.hasFocus()
    # / stays the thread filter
    qtbot.keyClick(window.patch_view.editor, "/")
    assert window.filter_box.hasFocus()


# -- the thread list --------------------------------------------------------------------------


def test_sorting_by_a_column_keeps_threads_together_and_is_remembered(
    qtbot, make_window, tmp_path
):
    path = _several_threads(tmp_path / "several.mbox")
    window = make_window()
    _open(qtbot, window, path)
    assert _top_ids(window) == ["a1@x", "m1@x", "cover@x", "z1@x"]  # newest first
    header = window.tree.header()
    assert header.sortIndicatorSection() == COL_DATE
    header.setSortIndicator(COL_FROM, Qt.SortOrder.DescendingOrder)  # what a click does
    # by the author of each thread's first mail; the placeholder's thread starts with Max
    assert _top_ids(window) == ["z1@x", "cover@x", "m1@x", "a1@x"]
    header.setSortIndicator(COL_DATE, Qt.SortOrder.AscendingOrder)
    assert _top_ids(window) == ["z1@x", "cover@x", "m1@x", "a1@x"]
    header.setSortIndicator(COL_SUBJECT, Qt.SortOrder.AscendingOrder)  # "Re:", [PATCH] ignored
    assert _top_ids(window) == ["a1@x", "m1@x", "cover@x", "z1@x"]
    header.setSortIndicator(COL_SUBJECT, Qt.SortOrder.DescendingOrder)
    assert _top_ids(window) == ["z1@x", "cover@x", "m1@x", "a1@x"]
    # replies keep their tree order under their thread start
    zebra = window.model.index(0, 0)
    replies = [window.model.index(r, 0, zebra).data(MSGID_ROLE)
               for r in range(window.model.rowCount(zebra))]
    assert replies == ["z2@x", "z4@x"]
    assert window.model.index(0, 0, window.model.index(0, 0, zebra)).data(MSGID_ROLE) == "z3@x"
    header.setSortIndicator(4, Qt.SortOrder.DescendingOrder)  # Msgs
    assert _top_ids(window)[0] == "z1@x" and _top_ids(window)[-1] == "a1@x"
    assert window.settings.sort_order == ("messages", True)
    window.close()
    again = make_window()
    _open(qtbot, again, path)
    assert again.tree.header().sortIndicatorSection() == 4
    assert _top_ids(again)[0] == "z1@x"


def test_sorting_by_comments_reads_counts_first(qtbot, make_window, monkeypatch):
    monkeypatch.setattr(list_filtering, "_FACTS_IN_FOREGROUND", 0)
    window = make_window()
    _open(qtbot, window, FIXTURE)
    window.model.lazy_enabled = False
    with qtbot.waitSignal(window.facts_job.succeeded, timeout=20000):
        window.tree.header().setSortIndicator(6, Qt.SortOrder.DescendingOrder)  # Cmts
        assert window.facts_job.running and window.progress.isVisibleTo(window)
    assert not window.progress.isVisibleTo(window)
    model = window.model
    starts = [model._sort_node(model.index(r, 0).internalPointer()).msgid
              for r in range(model.rowCount())]
    counts = [model.facts(m).comments for m in starts]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0


def test_placeholder_row_shows_the_subject_its_patches_imply(qtbot, make_window, tmp_path):
    window = make_window()
    _open(qtbot, window, _several_threads(tmp_path / "several.mbox"), select="p1@x")
    assert window.patch_view.page is not None
    index = window.model.index_of("cover@x")
    assert index.data() == "[PATCH v2 0/3] …, cover letter not in this mailbox"
    window.tree.setCurrentIndex(index)
    assert window.patch_view.page is None  # the previous patch is not left on show
    assert "cover letter not in this mailbox" in window.message_view.toPlainText()
    assert "<cover@x>" in window.message_view.toPlainText()


def test_filtering_to_nothing_clears_the_review_page(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE, select="v1-1@example.org")
    assert window.patch_view.page is not None
    qtbot.waitUntil(window.revision_bar.isVisible, timeout=5000)  # v1 of two revisions
    window.filter_box.setText("subject:nothing-is-called-this")
    window.filter_box.apply()
    assert window.model.rowCount() == 0
    assert window.patch_view.page is None and window.current_msgid is None
    assert window.revision_bar.isHidden()  # no links to the revisions of a patch not shown
    assert "No thread matches" in window.message_view.toPlainText()
    window.clear_filter()
    assert window.model.rowCount() == 2 and window.tree.currentIndex().isValid()
    # the first row is current at once; its mail follows once the list has repainted
    qtbot.waitUntil(lambda: window.current_msgid is not None, timeout=3000)
    assert window.patch_view.page is not None
    qtbot.waitUntil(window.revision_bar.isVisible, timeout=5000)  # and its revisions again


def test_mark_a_whole_thread_or_series_read(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE, select="v1-1@example.org")
    series = window.model.thread_of("v1-1@example.org")
    # both revisions share the list's revisions row: marking it marks the whole series
    assert {"v1-0@example.org", "r2@example.org", "v2-0@example.org", "r3@kernel.example"} \
        <= set(series)
    assert "q1@example.com" not in series
    window.tree.setFocus()
    qtbot.keyClick(window.tree, "U", Qt.KeyboardModifier.ShiftModifier)
    assert all(window.model.is_read(m) for m in series)
    assert window.store.read_ids(FIXTURE) >= set(series)
    assert not window.model.is_read("q1@example.com")
    qtbot.keyClick(window.tree, "U", Qt.KeyboardModifier.ShiftModifier)  # again: unread
    assert not any(window.model.is_read(m) for m in series)


# -- progress ---------------------------------------------------------------------------------


def test_unwanted_background_scan_is_cancelled_and_its_progress_removed(
    qtbot, make_window, monkeypatch
):
    monkeypatch.setattr(list_filtering, "_FACTS_IN_FOREGROUND", 0)
    window = make_window()
    _open(qtbot, window, FIXTURE)
    window.model.lazy_enabled = False
    window.filter_box.setText("has:reviewed-by")
    window.filter_box.apply()
    assert window.facts_job.running and window.progress.isVisibleTo(window)
    window.filter_box.setText("")  # the filter cleared mid-scan: nobody wants it now
    window.filter_box.apply()
    assert not window.facts_job.running
    assert not window.progress.isVisibleTo(window)
    assert not window.cancel_button.isVisibleTo(window)
    assert window.facts_job.wait(10000)
    QApplication.processEvents()
    assert window.model.query.is_empty and not window.progress.isVisibleTo(window)


def test_wanted_background_scan_finishes(qtbot, make_window, monkeypatch):
    monkeypatch.setattr(list_filtering, "_FACTS_IN_FOREGROUND", 0)
    window = make_window()
    _open(qtbot, window, FIXTURE)
    window.model.lazy_enabled = False
    window.filter_box.setText("has:comments")
    window.filter_box.apply()
    token = window.facts_job._token
    with qtbot.waitSignal(window.facts_job.succeeded, timeout=20000):
        # the refined filter needs the same mail read: the scan goes on, not restarted
        window.filter_box.setText("has:comments from:alice")
        window.filter_box.apply()
        assert window.facts_job.running and window.facts_job._token == token
    assert window.model.query == parse_query("has:comments from:alice")
    assert window.model.rowCount() == 1 and not window.progress.isVisibleTo(window)


# -- layout -----------------------------------------------------------------------------------


def test_zoom_reaches_the_thread_list(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE)
    before = window.tree.font().pointSizeF()
    header_before = window.tree.header().sectionSize(COL_DATE)
    window.act_zoom_in.trigger()
    assert window.tree.font().pointSizeF() == before + 1
    assert window.tree.header().sectionSize(COL_DATE) > header_before  # sized to the font
    bold = window.model.index(0, 0).data(Qt.ItemDataRole.FontRole)
    assert bold is None or bold.pointSizeF() == before + 1
    window.act_zoom_out.trigger()
    assert window.tree.font().pointSizeF() == before
    assert window.settings.list_zoom == 0.0


def test_list_takes_a_share_of_the_width_remembered_per_size_class(qtbot, make_window):
    window = make_window(size=(1000, 700))

    def share() -> float:
        """The thread list's share: the left pane without the saved views beside it."""
        sizes = window.main_splitter.sizes()
        return (sizes[0] - window.layout_keeper.extra()) / sum(sizes)

    assert share() == pytest.approx(DEFAULT_SHARE["small"], abs=0.01)
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: abs(share() - DEFAULT_SHARE["medium"]) < 0.01)
    window.resize(2560, 1440)
    qtbot.waitUntil(lambda: abs(share() - DEFAULT_SHARE["large"]) < 0.01)
    assert window.main_splitter.sizes()[0] > 700  # not stuck at a fixed 450 px
    window.resize(1000, 700)
    qtbot.waitUntil(lambda: window.width() == 1000)
    total = sum(window.main_splitter.sizes())
    window.main_splitter.setSizes([250, total - 250])
    window.main_splitter.splitterMoved.emit(250, 1)  # what a drag reports
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: abs(share() - DEFAULT_SHARE["medium"]) < 0.01)
    window.resize(1000, 700)
    dragged = (250 - window.layout_keeper.extra()) / total
    qtbot.waitUntil(lambda: abs(share() - dragged) < 0.01)
    window.close()
    again = make_window(size=(1000, 700))
    sizes = again.main_splitter.sizes()
    assert (sizes[0] - again.layout_keeper.extra()) / sum(sizes) == pytest.approx(
        dragged, abs=0.01)


def test_subject_gets_the_room(qtbot, make_window):
    window = make_window(size=(1600, 1000))
    _open(qtbot, window, FIXTURE)
    header = window.tree.header()
    room = window.tree.viewport().width()
    assert header.sectionSize(COL_SUBJECT) > 0.4 * room
    metrics = window.tree.fontMetrics()
    assert header.sectionSize(COL_FROM) < metrics.horizontalAdvance("M" * 24)


# -- opening ----------------------------------------------------------------------------------


def test_open_maildir_uses_a_folder_dialog(qtbot, make_window, tmp_path, monkeypatch):
    maildir = tmp_path / "box"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.eml").write_text(
        "From: A <a@example.org>\nSubject: hello\nMessage-ID: <md1@x>\n\nhi\n")
    asked = []

    def folder_dialog(parent, title, start):
        asked.append(title)
        return str(maildir)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(folder_dialog))
    window = make_window()
    with qtbot.waitSignal(window.loaded, timeout=30000):
        window.act_open_maildir.trigger()
    assert asked == ["Open Maildir"]
    assert window.archive.format == "maildir" and window.current_msgid == "md1@x"


# -- the mail pane ----------------------------------------------------------------------------


def test_stepping_through_comments_shows_each_comments_mail(qtbot, make_window):
    window = make_window()
    _open(qtbot, window, FIXTURE, select="v1-1@example.org")
    assert window.message_view.msgid == "v1-1@example.org"
    window.tree.setFocus()
    seen = []
    for _ in range(4):
        qtbot.keyClick(window.tree, ".")
        row = window.patch_view.current_row_data()
        assert row is not None and row.annotation is not None
        assert window.message_view.msgid == row.annotation.reply_message_id
        seen.append(window.message_view.msgid)
    assert {"r1@example.com", "r2@example.org"} <= set(seen)
    qtbot.keyClick(window.tree, ",")
    row = window.patch_view.current_row_data()
    assert window.message_view.msgid == row.annotation.reply_message_id
    # the list still says which patch is being read
    assert window.tree.currentIndex().data(MSGID_ROLE) == "v1-1@example.org"
    assert window.model.is_read("r2@example.org")


# -- not mail ---------------------------------------------------------------------------------


def test_a_text_file_that_is_not_mail_gets_the_error_banner(qtbot, make_window, tmp_path):
    from viewer.core.archive import Archive
    from viewer.core.errors import NotAMailbox

    fake = tmp_path / "x.mbox"
    fake.write_text("root:x:0:0:root:/root:/bin/bash\n"
                    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" * 20)
    with pytest.raises(NotAMailbox, match="not a mailbox"):  # the engine's side (issue 12)
        Archive.open(fake, use_cache=False)
    window = make_window()
    _open(qtbot, window, FIXTURE)
    with qtbot.waitSignal(window.load_failed, timeout=10000):
        window.open_path(fake)
    assert window.messages.level == "error" and "x.mbox" in window.messages.text
    assert window.archive.path == FIXTURE  # what was on show stays


def test_binary_content_gets_the_same_banner(qtbot, make_window, tmp_path):
    png = tmp_path / "picture.mbox"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    window = make_window()
    with qtbot.waitSignal(window.load_failed, timeout=10000) as failed:
        window.open_path(png)
    assert window.messages.level == "error" and "not a mailbox" in failed.args[0]


def test_a_narrow_list_hides_trailers_then_date_for_the_subject_and_brings_them_back(
    qtbot, make_window
):
    from viewer.ui.thread_model import COL_TRAILERS

    window = make_window(size=(1600, 1000))
    _open(qtbot, window, FIXTURE)
    header = window.tree.header()
    assert window.tree.gave_way() == set()
    window.resize(1000, 700)
    qtbot.waitUntil(lambda: COL_TRAILERS in window.tree.gave_way())
    assert header.isSectionHidden(COL_TRAILERS)
    room = window.tree.viewport().width()
    assert header.sectionSize(COL_SUBJECT) >= 0.38 * room
    window.resize(700, 600)
    qtbot.waitUntil(lambda: window.tree.gave_way() == {COL_TRAILERS, COL_DATE})
    # a saved layout keeps the columns the user wants, not the squeezed view
    header.restoreState(window.tree.user_header_state())
    window.resize(2560, 1440)
    qtbot.waitUntil(lambda: window.tree.gave_way() == set())
    assert not header.isSectionHidden(COL_TRAILERS) and not header.isSectionHidden(COL_DATE)


def _row_top(view, index: int) -> float:
    editor = view.editor
    block = view._document.findBlockByNumber(index)
    return editor.blockBoundingGeometry(block).translated(editor.contentOffset()).top()


def test_folding_all_keeps_the_line_under_the_cursor_in_place(qtbot, make_window):
    from viewer.ui.app import demo_mailbox

    window = make_window(size=(1400, 900))
    # the demo's driver patch: eleven comments in five discussions on a long file
    _open(qtbot, window, demo_mailbox(), select="20260112081403.2231-3-ilse.marten@lumora.example")
    view = window.patch_view
    # the cards are laid out for the pane once the window has its final layout, and the
    # revision bar may lay the page out again with the earlier revision's comments
    qtbot.wait(300)
    qtbot.waitUntil(lambda: view.page.width == view.page_width()
                    and not view._reflow_timer.isActive(), timeout=3000)
    page = view.page
    assert len(page.threads) >= 3
    # a diff row below a few discussions, a third of the way down the pane
    last_card = max(max(t.rows) for t in page.threads.values())
    target = next(i for i in range(last_card + 1, len(page.rows)) if page.rows[i].line)
    view._place_cursor(target)
    qtbot.wait(50)
    assert view.page is page and view.current_row() == target
    before = _row_top(view, target)
    assert 0 <= before < view.editor.viewport().height()
    window.tree.setFocus()
    qtbot.keyClick(window.tree, "O", Qt.KeyboardModifier.ShiftModifier)  # from the list
    assert all(view.is_collapsed(t) for t in page.threads)
    qtbot.wait(50)
    assert view.current_row() == target
    assert abs(_row_top(view, target) - before) <= view.editor.fontMetrics().lineSpacing()
    qtbot.keyClick(window.tree, "O", Qt.KeyboardModifier.ShiftModifier)  # and back
    qtbot.wait(50)
    assert abs(_row_top(view, target) - before) <= view.editor.fontMetrics().lineSpacing()
    # folding the discussion the cursor is in keeps its head where the cursor line was
    thread = next(iter(page.threads.values()))
    inside = thread.rows[len(thread.rows) // 2]
    view._place_cursor(inside)
    qtbot.wait(50)
    before = _row_top(view, inside)
    qtbot.keyClick(window.tree, "o")
    qtbot.wait(50)
    assert view.current_row() == thread.rows[0]
    assert abs(_row_top(view, thread.rows[0]) - before) <= view.editor.fontMetrics().lineSpacing()


def test_the_list_rows_are_built_by_the_loader_not_the_gui_thread(qtbot, make_window,
                                                                   monkeypatch):
    """Building a big mailbox's rows and counts froze the window before its first screen."""
    import threading

    from viewer.ui import list_rows, opening, thread_model

    where: list[threading.Thread] = []

    def build(archive, read):
        where.append(threading.current_thread())
        return list_rows.build_list_rows(archive, read)

    monkeypatch.setattr(opening, "build_list_rows", build)  # the loader's
    monkeypatch.setattr(thread_model, "build_list_rows", build)  # the model's own
    window = make_window()
    window.store.mark_read(FIXTURE, ["q1@example.com", "q2@kernel.example"])
    _open(qtbot, window, FIXTURE)
    assert len(where) == 1 and where[0] is not threading.main_thread()
    # the rows the worker counted are the ones listed: the read thread is not bold
    assert window.model.index_of("q1@example.com").data(Qt.ItemDataRole.FontRole) is None
    assert window.model.index_of("v2-0@example.org").data(Qt.ItemDataRole.FontRole).bold()
