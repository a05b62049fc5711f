"""Writing a review in the window: keys c/r/a/g/e/Del, trailers, draft cards, compose, ``?``."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from viewer.core.drafts import is_draft_card
from viewer.core.send import SendConfig
from viewer.core.store import Store
from viewer.ui.mainwindow import MainWindow
from viewer.ui.settings import Settings
from viewer.ui.shortcuts import shortcut_rows

FIXTURE = Path(__file__).parents[1] / "fixtures" / "reply" / "thread.mbox"
PATCH = "patch1.jane@example.org"
SHOTS = Path("/tmp/shots")

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("does not support propagateSizeHints")]


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_DATA_DIR", str(tmp_path / "data"))
    settings = Settings.at(tmp_path / "hunkwise.ini")
    settings.identity = ("Rita Reviewer", "rita@example.org")
    made = MainWindow(settings, Store(tmp_path / "state.db"))
    qtbot.addWidget(made)
    made.resize(1400, 900)
    made.show()
    qtbot.waitExposed(made)
    made.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is made)
    with qtbot.waitSignal(made.loaded, timeout=30000):
        made.open_path(FIXTURE)
    made.show_message(PATCH)
    qtbot.waitUntil(lambda: made.patch_view.page is not None
                    and made.patch_view.page.msgid == PATCH)
    yield made
    made.close()
    made.store.close()


def _row(window, text: str) -> int:
    return next(i for i, r in enumerate(window.patch_view.page.rows) if r.text == text)


def _draft_cards(window) -> list:
    return [r for r in window.patch_view.page.rows
            if r.kind == "comment_head" and r.annotation and is_draft_card(r.annotation.id)]


def _type_and_close(qtbot, window, text: str) -> None:
    editor = window.drafting.editor
    assert editor is not None and editor.isVisible()
    qtbot.keyClicks(editor.text, text)
    qtbot.keyClick(editor.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.drafting.editor is None


def test_c_comments_on_the_current_line_and_the_card_shows(qtbot, window):
    view = window.patch_view
    view._place_cursor(_row(window, "+static int cached = -1;"))
    view.editor.setFocus()
    qtbot.keyClick(view.editor, Qt.Key.Key_C)
    _type_and_close(qtbot, window, "Why -1?")
    (draft,) = window.drafting.store.drafts(PATCH)
    assert (draft.file, draft.side, draft.line_text, draft.text) == (
        "foo.c", "new", "+static int cached = -1;", "Why -1?")
    (card,) = _draft_cards(window)
    line = _row(window, "+static int cached = -1;")
    rows = view.page.rows
    # The card sits under its line (after the reviewer's discussion already there).
    under = next(i for i, r in enumerate(rows) if r is card)
    assert under > line and all(r.kind in ("comment_head", "comment") for r in rows[line + 1:under])
    assert "draft" in card.text and "Rita Reviewer" in card.text


def test_selected_lines_and_commit_message_and_general(qtbot, window):
    view = window.patch_view
    start, end = _row(window, "+\tif (cached < 0)"), _row(window, "+\treturn cached;")
    cursor = view.editor.textCursor()
    document = view.editor.document()
    cursor.setPosition(document.findBlockByNumber(start).position())
    cursor.setPosition(document.findBlockByNumber(end).position() + 3, cursor.MoveMode.KeepAnchor)
    view.editor.setTextCursor(cursor)
    assert window.drafting.comment_current()
    _type_and_close(qtbot, window, "These three lines want a helper.")
    view._place_cursor(_row(window, "The cache is never invalidated because the answer never "
                                    "changes."))
    assert window.drafting.comment_current()
    _type_and_close(qtbot, window, "Never?")
    assert window.drafting.general()
    _type_and_close(qtbot, window, "Nice speed-up overall.")
    drafts = {d.text: d for d in window.drafting.store.drafts(PATCH)}
    assert drafts["These three lines want a helper."].span >= 3
    assert drafts["These three lines want a helper."].line_text.startswith(
        "+\t") and drafts["These three lines want a helper."].line_text.endswith("return cached;")
    assert drafts["Never?"].kind == "commit_message"
    assert drafts["Nice speed-up overall."].kind == "general"
    assert len(_draft_cards(window)) == 3


def test_answer_adopt_edit_delete(qtbot, window):
    view = window.patch_view
    rows = view.page.rows
    head = next(i for i, r in enumerate(rows) if r.kind == "comment_head" and r.annotation
                and "thread safe" in r.annotation.comment)
    view._place_cursor(head)
    assert window.drafting.answer_current()
    _type_and_close(qtbot, window, "Agreed.")
    (answer,) = window.drafting.store.drafts(PATCH)
    assert (answer.mode, answer.quote_msgid) == ("answer", "review.max@example.org")
    card = _draft_cards(window)[0]
    assert card.depth == 1  # inside Max's discussion
    head = next(i for i, r in enumerate(view.page.rows) if r.kind == "comment_head"
                and r.annotation and "once-init" in r.annotation.comment)
    view._place_cursor(head)
    assert window.drafting.answer_current(adopt=True)
    _type_and_close(qtbot, window, "Please do.")
    adopted = next(d for d in window.drafting.store.drafts(PATCH) if d.mode == "adopt")
    assert adopted.line_text == "+\tif (cached < 0)"
    # e reopens a draft card, Delete removes it.
    mine = next(i for i, r in enumerate(view.page.rows) if r.kind == "comment_head"
                and r.annotation and is_draft_card(r.annotation.id)
                and "Agreed" in r.annotation.comment)
    view._place_cursor(mine)
    assert window.drafting.edit_current()
    _type_and_close(qtbot, window, " Fully.")
    assert window.drafting.store.get(answer.id).text == "Agreed. Fully."
    mine = next(i for i, r in enumerate(view.page.rows) if r.kind == "comment_head"
                and r.annotation and is_draft_card(r.annotation.id)
                and "Agreed" in r.annotation.comment)
    view._place_cursor(mine)
    assert window.drafting.delete_current()
    assert [d.mode for d in window.drafting.store.drafts(PATCH)] == ["adopt"]


def test_trailers_on_the_patch_and_the_series(qtbot, window):
    assert window.drafting.add_trailer("Reviewed-by")
    assert window.drafting.add_trailer("Reviewed-by")  # twice: still one
    assert window.drafting.add_trailer("Tested-by", series=True)
    store = window.drafting.store
    assert [d.text for d in store.drafts(PATCH)] == [
        "Reviewed-by: Rita Reviewer <rita@example.org>"]
    # The series has a cover letter: the series-wide trailer goes to it.
    assert [d.text for d in store.drafts("cover.jane@example.org")] == [
        "Tested-by: Rita Reviewer <rita@example.org>"]


def test_compose_opens_with_every_reply_and_keys_are_listed(qtbot, window):
    window.drafting.add_trailer("Acked-by", series=True)
    window.patch_view._place_cursor(_row(window, "+static int cached = -1;"))
    window.drafting.comment_current()
    _type_and_close(qtbot, window, "Why -1?")
    assert window.drafting.compose_current(window)
    compose = window.drafting.compose_window
    assert {r.in_reply_to for r in compose.replies} == {PATCH, "cover.jane@example.org"}
    assert any("> +static int cached = -1;\n\nWhy -1?\n" in r.body for r in compose.replies)
    compose.close()
    listed = {(menu.replace("&", ""), action, keys)
              for menu, action, keys in shortcut_rows(window.menus)}
    for action, key in (("Comment on Line", "C"), ("Answer the Comment", "R"),
                        ("General Comment", "G")):
        assert ("Review", action, key) in listed


def test_a_compose_window_left_open_still_sends_after_its_window_closes(qtbot, window):
    """Closing the window shuts its own jobs down, not those of the compose window it
    opened: that one stays on screen (another mailbox's window keeps the app running) and
    its Send must still go out, and be recorded when it has."""
    window.drafting.add_trailer("Acked-by")
    assert window.drafting.compose_current(window)
    compose = window.drafting.compose_window
    with socket.socket() as s:  # a port nobody listens on: the send fails at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    compose._config = lambda: SendConfig("127.0.0.1", port)
    compose.confirm = lambda _question: True
    window.close()
    assert compose.isVisible()
    with qtbot.waitSignal(compose._sender.failed, timeout=20000):
        assert compose.send_current()
    assert "refused the connection" in compose.messages.text  # tried, and said so
    assert compose.send_button.isEnabled()  # not stuck "sending" for ever
    compose.close()


def test_typing_is_kept_when_the_window_closes(qtbot, window):
    window.patch_view._place_cursor(_row(window, "+static int cached = -1;"))
    window.drafting.comment_current()
    qtbot.keyClicks(window.drafting.editor.text, "Half a thought")
    window.close()  # before the autosave pause is over
    assert [d.text for d in window.drafting.store.drafts(PATCH)] == ["Half a thought"]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshot_of_drafting(qtbot, window, theme):
    window.set_theme(theme)
    window.patch_view._place_cursor(_row(window, "+static int cached = -1;"))
    window.drafting.comment_current()
    _type_and_close(qtbot, window, "Why -1 rather than a separate flag?")
    window.patch_view._place_cursor(_row(window, "+\tif (cached < 0)"))
    window.drafting.comment_current()
    qtbot.keyClicks(window.drafting.editor.text, "And this one?")
    QApplication.processEvents()
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / f"drafting-{theme}.png"))


def test_moving_to_another_mail_keeps_the_text_and_puts_the_editor_away(qtbot, window):
    window.patch_view._place_cursor(_row(window, "+static int cached = -1;"))
    window.drafting.comment_current()
    qtbot.keyClicks(window.drafting.editor.text, "Unfinished")
    window.show_message("cover.jane@example.org")
    qtbot.waitUntil(lambda: window.patch_view.page.msgid == "cover.jane@example.org")
    assert window.drafting.editor is None
    assert [d.text for d in window.drafting.store.drafts(PATCH)] == ["Unfinished"]
    window.show_message(PATCH)
    qtbot.waitUntil(lambda: window.patch_view.page.msgid == PATCH)
    assert len(_draft_cards(window)) == 1


def test_a_sent_reply_makes_the_series_replied(qtbot, window):
    store = window.drafting.store
    store.record_composed("mine@example.org", patch_msgid=PATCH, in_reply_to=PATCH,
                          subject="Re: x", raw=b"x")
    store.record_sent("mine@example.org")
    window.drafting.replied.emit(PATCH)
    key = window.triage.key_of(PATCH)
    assert window.triage.view(key).state == "replied"


def test_drafts_and_the_previous_revisions_cards_share_the_page(qtbot, tmp_path, monkeypatch):
    from viewer.ui.app import demo_mailbox

    monkeypatch.setenv("HUNKWISE_DATA_DIR", str(tmp_path / "data"))
    v2 = "20260209100247.7781-3-ilse.marten@lumora.example"
    settings = Settings.at(tmp_path / "hunkwise.ini")
    settings.identity = ("Rita Reviewer", "rita@example.org")
    made = MainWindow(settings, Store(tmp_path / "state.db"))
    qtbot.addWidget(made)
    made.resize(1500, 900)
    made.show()
    qtbot.waitExposed(made)
    try:
        with qtbot.waitSignal(made.loaded, timeout=30000):
            made.open_path(demo_mailbox(), select=v2)
        qtbot.waitUntil(lambda: bool(made.patch_view.page.carried_rows), timeout=20000)
        carried = len(made.patch_view.page.carried_rows)
        assert made.drafting.general()
        _type_and_close(qtbot, made, "Better than v1.")
        page = made.patch_view.page
        assert len(page.carried_rows) == carried  # still there after the drafts redraw
        assert len(_draft_cards(made)) == 1
    finally:
        made.revision_bar.wait()
        made.close()
        made.store.close()
