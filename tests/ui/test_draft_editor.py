"""The inline draft editor: autosave while typing, close, delete."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from viewer.core.drafts import Draft, DraftStore
from viewer.ui.draft_editor import AUTOSAVE_MS, DraftEditor

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("does not support propagateSizeHints")]


@pytest.fixture
def store(tmp_path):
    with DraftStore(tmp_path / "drafts.sqlite3") as s:
        yield s


def _editor(qtbot, store, draft=None):
    editor = DraftEditor(draft or Draft("p@x", "line", "", file="f.c", side="new",
                                        line_text="+x", line_no=1), store, title="f.c:1")
    qtbot.addWidget(editor)
    editor.show()
    return editor


def test_typing_is_saved_after_a_pause(qtbot, store):
    editor = _editor(qtbot, store)
    assert editor.badge.text() == "draft"
    qtbot.keyClicks(editor.text, "Why is this needed?")
    assert store.drafts("p@x") == []  # not yet: the pause has not passed
    with qtbot.waitSignal(editor.saved, timeout=AUTOSAVE_MS * 10):
        pass
    (saved,) = store.drafts("p@x")
    assert saved.text == "Why is this needed?" and editor.is_saved
    assert editor.status.text() == "saved"
    qtbot.keyClicks(editor.text, " Really?")
    assert not editor.is_saved
    with qtbot.waitSignal(editor.saved, timeout=AUTOSAVE_MS * 10):
        pass
    assert store.get(saved.id).text == "Why is this needed? Really?"
    assert len(store.drafts("p@x")) == 1  # the same draft, updated


def test_ctrl_return_closes_and_keeps(qtbot, store):
    editor = _editor(qtbot, store)
    qtbot.keyClicks(editor.text, "Nit: spelling.")
    with qtbot.waitSignal(editor.closed) as closed:
        qtbot.keyClick(editor.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert closed.args[0].text == "Nit: spelling."
    assert [d.text for d in store.drafts("p@x")] == ["Nit: spelling."]


def test_emptied_draft_is_deleted_on_close(qtbot, store):
    draft = store.save(Draft("p@x", "general", "Old text"))
    editor = _editor(qtbot, store, draft)
    editor.text.clear()
    with qtbot.waitSignal(editor.closed) as closed:
        qtbot.keyClick(editor.text, Qt.Key.Key_Escape)
    assert closed.args[0] is None
    assert store.drafts("p@x") == []


def test_delete_button(qtbot, store):
    draft = store.save(Draft("p@x", "general", "Gone soon"))
    editor = _editor(qtbot, store, draft)
    with qtbot.waitSignal(editor.closed):
        editor.delete_button.click()
    assert store.drafts("p@x") == []
