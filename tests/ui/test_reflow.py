"""Cards reflow to the review page's width; long code lines scroll, cards never need to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from viewer.core.archive import Archive
from viewer.ui.patch_view import PatchView

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("does not support")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

LONG_CODE = "\treturn some_function_with_a_long_name(argument_one, argument_two) + " * 3
PROSE = ("This paragraph came from a mail client that sends a whole paragraph as one line, "
         "so it has to be wrapped to whatever room the pane has; ") * 4
URL = "https://lore.kernel.org/all/" + "x" * 140 + "@example.org/"


def _mailbox(path: Path) -> Path:
    patch = (
        "From a@b Mon Jan  1 00:00:00 2024\nFrom: Ann Author <ann@example.org>\n"
        "Subject: [PATCH] foo: make it faster\nMessage-ID: <p1@example.org>\n"
        "Date: Mon, 01 Jan 2024 10:00:00 +0000\n\nMake it faster.\n\n"
        "Signed-off-by: Ann Author <ann@example.org>\n---\n foo.c | 2 +-\n\n"
        "diff --git a/foo.c b/foo.c\n--- a/foo.c\n+++ b/foo.c\n@@ -1,3 +1,3 @@\n"
        " int foo(void)\n {\n-\treturn 0;\n+" + LONG_CODE + "\n\n"
    )
    reply = (
        "From b@c Mon Jan  1 00:00:00 2024\nFrom: Rev Viewer <rev@example.org>\n"
        "Subject: Re: [PATCH] foo: make it faster\nMessage-ID: <r1@example.org>\n"
        "In-Reply-To: <p1@example.org>\nDate: Tue, 02 Jan 2024 10:00:00 +0000\n\n"
        "On Mon, Ann Author wrote:\n> -\treturn 0;\n> +" + LONG_CODE + "\n\n"
        + PROSE + "\n\nSee " + URL + "\n\n"
    )
    path.write_text(patch + reply)
    return path


@pytest.fixture
def shown(qtbot, tmp_path):
    archive = Archive.open(_mailbox(tmp_path / "reflow.mbox"), use_cache=False)
    view = PatchView()
    qtbot.addWidget(view)
    view.resize(600, 500)
    view.show()
    qtbot.waitExposed(view)
    view.show_patch(archive, "p1@example.org")
    _settled(qtbot, view)
    return view


def _settled(qtbot, view: PatchView) -> None:
    """Wait for the reflow a resize (or the first layout's scroll bar) asks for."""
    qtbot.waitUntil(lambda: view.page.width == view.page_width()
                    and not view._reflow_timer.isActive(), timeout=3000)


def _card_rows(view: PatchView) -> list[int]:
    return [i for i, r in enumerate(view.page.rows) if r.annotation is not None]


def test_cards_fit_a_narrow_pane_and_code_scrolls(qtbot, shown):
    view = shown
    page = view.page
    assert page.width == view.page_width() and page.width < 90
    cards = _card_rows(view)
    assert len(cards) > 6  # the paragraph and the URL were wrapped and split
    assert all(len(page.rows[i].text) <= page.width for i in cards)
    editor = view.editor
    viewport = editor.viewport().width()
    assert all(editor.card_right(page.rows[i]) <= viewport for i in cards)
    # the long code line is left as it is: the page scrolls sideways for it
    assert any(r.line is not None and len(r.text) > page.width for r in page.rows)
    assert editor.horizontalScrollBar().maximum() > 0
    # copying a split URL gives it back whole
    text = "".join(page.rows[i].text.strip() for i in cards if "x" * 10 in page.rows[i].text)
    assert URL in text


def test_a_wider_pane_reflows_the_cards_and_keeps_the_cursor(qtbot, shown):
    view = shown
    narrow = view.page
    narrow_rows = len(_card_rows(view))
    head = narrow.comment_rows[0]
    view._place_cursor(head + 3)  # inside the wrapped paragraph
    annotation = narrow.rows[head + 3].annotation
    view.resize(1500, 500)
    qtbot.waitUntil(lambda: view.page is not narrow and view.page.width == view.page_width(),
                    timeout=3000)
    wide = view.page
    assert len(_card_rows(view)) < narrow_rows
    assert all(len(wide.rows[i].text) <= wide.width for i in _card_rows(view))
    row = view.current_row_data()
    assert row is not None and row.annotation is annotation
    view.resize(600, 500)
    qtbot.waitUntil(lambda: view.page.width == narrow.width, timeout=3000)
    _settled(qtbot, view)
    assert len(_card_rows(view)) == narrow_rows


def test_folds_survive_a_reflow(qtbot, shown):
    view = shown
    thread = next(iter(view.page.threads))
    view.set_thread_collapsed(thread, True)
    before = view.page
    view.resize(1300, 500)
    qtbot.waitUntil(lambda: view.page is not before, timeout=3000)
    assert view.is_collapsed(thread)
    assert not any(view.row_visible(i) for i in view.page.threads[thread].rows[1:])
