"""The list hands the view its top rows a few screens at a time: the rest arrives when the
view scrolls to them, when code goes to one of them, or when all of them are asked for."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt

from viewer.core.archive import Archive
from viewer.core.query import parse_query
from viewer.ui.thread_fetching import FETCH_ROWS
from viewer.ui.thread_list import ThreadList
from viewer.ui.thread_model import MSGID_ROLE, ThreadModel

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytestmark = pytest.mark.gui

THREADS = FETCH_ROWS * 2 + 50


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("fetching") / "many.mbox"
    mails = []
    for number in range(THREADS):  # one mail a thread, newest last in the file
        day, minute = divmod(number, 60 * 24)
        mails.append(
            f"From x@y Mon Jan  1 00:00:00 2024\nFrom: Author {number % 7} <a{number % 7}@x>\n"
            f"Subject: topic {number:04d}\nMessage-ID: <t{number}@x>\n"
            f"Date: Mon, {day + 1:02d} Jan 2024 {minute // 60:02d}:{minute % 60:02d}:00 +0000\n"
            f"\nbody {number}\n\n"
        )
    path.write_text("".join(mails))
    return Archive.open(path, use_cache=False)


@pytest.fixture
def model(qtbot, archive):
    model = ThreadModel()
    model.lazy_enabled = False
    model.set_archive(archive)
    yield model
    model.set_archive(None)


@pytest.fixture
def view(qtbot, model):
    view = ThreadList(model)
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_view_is_told_of_the_first_rows_only(qtmodeltester, model):
    assert model.listed() == THREADS
    assert model.rowCount() == FETCH_ROWS
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * FETCH_ROWS
    qtmodeltester.check(model)  # the tester fetches the rest and checks the inserts


def test_a_filter_starts_again_from_the_top(model):
    model.fetch_all()
    model.set_query(parse_query("from:a3@"))
    wanted = len([n for n in range(THREADS) if n % 7 == 3])
    assert model.listed() == wanted and model.rowCount() == min(wanted, FETCH_ROWS)


def test_going_to_a_row_further_down_fetches_up_to_it(model):
    oldest = model.index_of("t0@x")  # newest first: the first mail is the last row
    assert oldest.isValid() and oldest.row() == THREADS - 1
    assert model.rowCount() == THREADS


def test_scrolling_to_the_end_shows_the_rest(qtbot, view, model):
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > FETCH_ROWS, timeout=3000)
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == THREADS, timeout=3000)
    last = model.index(THREADS - 1, 0)
    assert last.data(MSGID_ROLE) == "t0@x"


def test_select_all_and_end_mean_every_listed_thread(qtbot, view, model):
    view.setFocus()
    view.selectAll()
    assert len(view.selectionModel().selectedRows()) == THREADS
    view.selectionModel().clearSelection()
    view.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.currentIndex().data(MSGID_ROLE) == "t0@x"


def test_a_range_selected_across_a_fetch_stays_selected(qtbot, view, model):
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    view.selectionModel().select(model.index(0, 0), flags)
    model.fetch_all()
    assert [i.data(MSGID_ROLE) for i in view.selectionModel().selectedRows()] == \
        [f"t{THREADS - 1}@x"]
