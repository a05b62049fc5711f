"""The thread list's delegate: one call into the model per cell, the same pixels as Qt's own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QStyledItemDelegate

from viewer.core.archive import Archive
from viewer.core.query import parse_query
from viewer.ui.thread_delegate import ThreadDelegate
from viewer.ui.thread_list import ThreadList
from viewer.ui.thread_model import COLUMNS, ThreadModel

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ui" / "two-revisions.mbox"
ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.FontRole,
         Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole)

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("does not support propagateSizeHints"),
]

ORPHAN = """From carol@example.org Mon Sep 17 00:00:00 2001
From: Carol Reviewer <carol@example.org>
Subject: Re: [PATCH 3/3] pwm: bar: a patch this mailbox never got
Date: Tue, 6 Feb 2024 09:00:00 +0000
Message-ID: <orphan@example.org>
In-Reply-To: <missing@example.org>
References: <missing@example.org>

A reply whose parent is not here.

From dave@example.org Mon Sep 17 00:00:00 2001
From: Dave Reviewer <dave@example.org>
Subject: Re: [PATCH 3/3] pwm: bar: a patch this mailbox never got
Date: Tue, 6 Feb 2024 10:00:00 +0000
Message-ID: <orphan2@example.org>
In-Reply-To: <missing@example.org>
References: <missing@example.org>

Another: the two hang under an italic placeholder row for the patch they answer.

From eve@example.org Mon Sep 17 00:00:00 2001
From: =?utf-8?q?Eve=0AReviewer?= <eve@example.org>
Subject: =?utf-8?q?a_subject_that_decodes=0Ato_two_lines?=
Date: Wed, 7 Feb 2024 09:00:00 +0000
Message-ID: <two-lines@example.org>

Encoded words may hold a line break; a list row is one line.
"""


@pytest.fixture
def tree(qtbot, tmp_path):
    path = tmp_path / "list.mbox"
    path.write_text(FIXTURE.read_text() + "\n" + ORPHAN)
    archive = Archive.open(path, use_cache=False)
    model = ThreadModel()
    model.lazy_enabled = False  # nothing read behind the test's back
    made = ThreadList(model)
    qtbot.addWidget(made)
    model.set_archive(archive, read_ids={"v1-1@example.org", "q2@kernel.example"})
    for entry in archive.entries:  # the trailer and comment columns filled in
        model.facts(entry.msgid)
    made.resize(1000, 420)
    made.show()
    qtbot.waitExposed(made)
    made.expandAll()
    yield made
    model.set_archive(None)


def _cells(model, parent=QModelIndex()):  # noqa: B008
    for row in range(model.rowCount(parent)):
        for column in range(len(COLUMNS)):
            yield model.index(row, column, parent)
        yield from _cells(model, model.index(row, 0, parent))


def _pixels(tree) -> bytes:
    tree.viewport().repaint()
    image = tree.viewport().grab().toImage()
    return bytes(image.constBits())


def test_the_list_paints_with_the_one_call_delegate(tree):
    assert isinstance(tree.itemDelegate(), ThreadDelegate)


@pytest.mark.parametrize("query", ["", "from:carol", "from:alice"])
def test_look_answers_what_data_answers(tree, query):
    model = tree.thread_model
    model.set_query(parse_query(query))
    tree.expandAll()
    cells = list(_cells(model))
    assert len(cells) >= 3 * len(COLUMNS)
    looked = [model.look(cell) for cell in cells]
    asked = [tuple(cell.data(role) for role in ROLES) for cell in cells]
    assert looked == asked
    # what is compared includes bold, italic and grey rows, not only plain ones
    fonts = {(font.bold(), font.italic()) for _text, font, _colour, _align in looked if font}
    assert (True, False) in fonts
    if not query:
        assert (False, True) in fonts  # the placeholder
        texts = [text for text, _font, _colour, _align in looked]
        assert "a subject that decodes to two lines" in texts and "Eve Reviewer" in texts
        assert None in {font for _text, font, _colour, _align in looked}  # read mail
    else:
        assert any(colour is not None for _text, _font, colour, _align in looked)


@pytest.mark.parametrize("query", ["", "from:carol"])
def test_it_paints_the_same_pixels_as_qts_own_delegate(tree, query):
    """Selection, bold unread rows, the italic placeholder, grey context rows of a filter,
    right-aligned counts: every pixel as Qt's QStyledItemDelegate paints them from data()."""
    model = tree.thread_model
    model.set_query(parse_query(query))
    tree.expandAll()
    tree.selectionModel().setCurrentIndex(
        model.index(1, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    ours = _pixels(tree)
    tree.setItemDelegate(QStyledItemDelegate(tree))
    theirs = _pixels(tree)
    assert ours == theirs
    tree.thread_model.set_archive(None)
    assert _pixels(tree) != theirs  # an empty list looks different: the rows were compared


def _same_pixels_as_qts_delegate(tree) -> bool:
    ours = _pixels(tree)
    tree.setItemDelegate(QStyledItemDelegate(tree))
    theirs = _pixels(tree)
    tree.setItemDelegate(ThreadDelegate(tree.thread_model, tree))
    return ours == theirs


def test_a_zoomed_list_paints_the_same_pixels(tree):
    font = QFont(tree.font())
    font.setPointSizeF(font.pointSizeF() + 6)
    tree.set_list_font(font)
    assert _same_pixels_as_qts_delegate(tree)


def test_a_new_application_font_reaches_the_bold_rows(tree, qapp, qtbot):
    """Qt's delegate resolved the model's bold against the list's font; this one paints the
    model's font as it is, so a font the list inherits anew must reach the model too."""
    before = QFont(qapp.font())
    try:
        font = QFont(before)
        font.setPointSizeF(font.pointSizeF() + 6)
        qapp.setFont(font)
        qtbot.waitUntil(lambda: tree.font().pointSizeF() == font.pointSizeF(), timeout=2000)
        assert _same_pixels_as_qts_delegate(tree)
    finally:
        qapp.setFont(before)


def test_the_columns_keep_their_place_when_a_view_lists_less_than_a_screen(tree, qtbot):
    """A list that gained a scroll bar would narrow, re-fit its columns and repaint twice."""
    model = tree.thread_model
    tree.resize(1000, 90)  # a few rows high: the full list needs scrolling
    qtbot.wait(20)  # the view lays out (and shows or hides its scroll bar) in a posted event
    width = tree.viewport().width()
    model.set_query(parse_query("from:nobody-at-all"))
    assert model.rowCount() == 0
    qtbot.wait(20)
    assert tree.viewport().width() == width
    model.set_query(parse_query(""))
    qtbot.wait(20)
    assert tree.viewport().width() == width

