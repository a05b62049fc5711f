"""The thread list model: structure, laziness, filtering, read state — and the model tester."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QModelIndex, Qt

from viewer.core.archive import Archive
from viewer.core.query import parse_query
from viewer.ui.list_rows import build_list_rows
from viewer.ui.thread_model import (
    COL_COMMENTS,
    COL_COUNT,
    COL_SUBJECT,
    COL_TRAILERS,
    COL_VERSION,
    GROUP,
    KIND_ROLE,
    MSGID_ROLE,
    ThreadModel,
)

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ui" / "two-revisions.mbox"
CORPUS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus").resolve()

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def archive():
    return Archive.open(FIXTURE, use_cache=False)


@pytest.fixture
def model(qtbot, archive):
    model = ThreadModel()
    model.set_archive(archive)
    yield model
    model.set_archive(None)


def _walk(model, parent=QModelIndex()):  # noqa: B008
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        yield index
        yield from _walk(model, index)


def _top_ids(model) -> list[str]:
    out = []
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(KIND_ROLE) == GROUP:
            out.append("group")
        else:
            out.append(index.data(MSGID_ROLE))
    return out


def test_model_tester(qtmodeltester, model):
    model.lazy_enabled = False  # the tester reads every cell; idle work would race it
    qtmodeltester.check(model)


def test_model_tester_filtered(qtmodeltester, model):
    model.lazy_enabled = False
    model.set_query(parse_query("from:rui"))
    qtmodeltester.check(model)


def test_revisions_are_grouped_newest_thread_first(model):
    assert _top_ids(model) == ["q1@example.com", "group"]
    group = model.index(1, 0)
    assert group.data(Qt.ItemDataRole.DisplayRole).startswith("pwm: foo: prescaler fixes")
    assert "v1" in group.siblingAtColumn(COL_VERSION).data()
    assert "v2" in group.siblingAtColumn(COL_VERSION).data()
    children = [model.index(i, 0, group).data(MSGID_ROLE) for i in range(model.rowCount(group))]
    assert children == ["v1-0@example.org", "v2-0@example.org"]
    # cover → patches → replies
    v1 = model.index(0, 0, group)
    patches = [model.index(i, 0, v1).data(MSGID_ROLE) for i in range(model.rowCount(v1))]
    assert patches == ["v1-1@example.org", "v1-2@example.org"]
    first = model.index(0, 0, v1)
    assert model.index(0, 0, first).data(MSGID_ROLE) == "r1@example.com"


def test_listing_decodes_no_mail(qtbot, archive, monkeypatch):
    calls = []
    real = Archive.message
    monkeypatch.setattr(Archive, "message", lambda self, m: calls.append(m) or real(self, m))
    model = ThreadModel()
    model.lazy_enabled = False
    model.set_archive(archive)
    for index in _walk(model):
        for column in range(model.columnCount()):
            cell = index.siblingAtColumn(column)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.FontRole,
                         Qt.ItemDataRole.ToolTipRole):
                cell.data(role)
    assert calls == []


def test_lazy_counts_arrive_later(qtbot, model):
    patch = model.index_of("v1-1@example.org", COL_COMMENTS)
    assert patch.data() == "…"
    assert model.pending_facts() >= 1
    qtbot.waitUntil(lambda: model.pending_facts() == 0, timeout=5000)
    comments = patch.data()
    assert comments != "…"
    assert int(comments or 0) == model.facts("v1-1@example.org").comments
    # Rui's comment on the diff and Alice's answer under it, each counted once
    assert model.facts("v1-1@example.org").comments == 2
    assert model.facts("r2@example.org").comments == 1
    assert model.facts("v1-2@example.org").comments == 0


def test_trailer_counts_shown_for_cover(qtbot, model):
    model.lazy_enabled = False
    facts = model.facts("v2-0@example.org")
    assert facts.trailers.get("R") == 1  # Max's Reviewed-by on the v2 cover
    model.lazy_enabled = True
    cell = model.index_of("v2-0@example.org", COL_TRAILERS)
    assert cell.data() == "R1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from:max", ["q1@example.com", "group"]),
        ("from:rui@", ["q1@example.com", "group"]),
        ("subject:watchdog", ["q1@example.com"]),
        ("prescaler", ["group"]),
        ("-subject:watchdog", ["group"]),
        ("is:patch", ["group"]),
        ("is:cover", ["group"]),
        ("has:reviewed-by", ["group"]),
        ("nothing-matches-this", []),
    ],
)
def test_filter_prefixes(model, text, expected):
    model.set_query(parse_query(text))
    assert _top_ids(model) == expected


def test_filter_has_comments(model):
    model.set_query(parse_query("has:comments"))
    assert "group" in _top_ids(model)
    assert model.is_match("v1-1@example.org")
    assert not model.is_match("v2-2@example.org")


def test_filter_is_unread_and_matching_rows(model):
    for index in list(_walk(model)):
        msgid = index.data(MSGID_ROLE)
        if msgid and msgid.startswith("q"):
            model.set_read(msgid)
    model.set_query(parse_query("is:unread"))
    assert _top_ids(model) == ["group"]
    model.set_query(parse_query("is:read"))
    assert _top_ids(model) == ["q1@example.com"]
    # rows that did not match themselves are context, drawn grey
    model.set_query(parse_query("from:max"))
    assert model.is_match("q2@kernel.example") and not model.is_match("q1@example.com")
    q1 = model.index_of("q1@example.com")
    assert q1.data(Qt.ItemDataRole.ForegroundRole) is not None


def test_unread_is_bold_until_read(model):
    patch = model.index_of("v2-1@example.org")
    assert patch.data(Qt.ItemDataRole.FontRole).bold()
    model.set_read("v2-1@example.org")
    assert patch.data(Qt.ItemDataRole.FontRole) is None
    # the group row stays bold while other mail inside is unread
    group = model.index_of("v2-0@example.org").parent()
    assert group.data(Qt.ItemDataRole.FontRole).bold()


def test_set_read_emits_data_changed(qtbot, model):
    index = model.index_of("r1@example.com")
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.set_read("r1@example.com")
    assert blocker.args[0] == index.siblingAtColumn(0)


def test_index_of_deep_and_filtered(model):
    index = model.index_of("r2@example.org")
    assert index.isValid() and index.data(MSGID_ROLE) == "r2@example.org"
    assert index.parent().data(MSGID_ROLE) == "r1@example.com"
    model.set_query(parse_query("subject:watchdog"))
    assert not model.index_of("r2@example.org").isValid()
    assert not model.index_of("no-such@id").isValid()


def test_order_is_thread_order(model):
    order = model.order()
    assert order[:2] == ["q1@example.com", "q2@kernel.example"]
    assert order.index("v1-1@example.org") < order.index("r1@example.com") \
        < order.index("r2@example.org") < order.index("v1-2@example.org")
    assert len(order) == 11


def test_subjects_are_compact_under_their_parent_and_full_in_the_tooltip(model):
    # A patch under its cover letter drops the "[PATCH v2" the cover row already shows.
    index = model.index_of("v2-1@example.org", COL_SUBJECT)
    assert index.data() == "1/2 pwm: foo: fix prescaler"
    assert index.data(Qt.ItemDataRole.ToolTipRole).startswith(
        "[PATCH v2 1/2] pwm: foo: fix prescaler\n")
    assert model.index_of("v2-1@example.org", COL_VERSION).data() == "v2"
    # Replies on the same topic show as "Re:", like mutt; the full subject is in the tooltip.
    reply = model.index_of("r1@example.com", COL_SUBJECT)
    assert reply.data() == "Re:"
    assert "Re: [PATCH 1/2] pwm: foo: fix prescaler" in reply.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index_of("r2@example.org", COL_SUBJECT).data() == "Re:"
    assert model.index_of("q2@kernel.example", COL_SUBJECT).data() == "Re:"
    # Thread starts keep the subject as sent.
    assert model.index_of("v2-0@example.org", COL_SUBJECT).data() == \
        "[PATCH v2 0/2] pwm: foo: prescaler fixes"
    assert model.index_of("q1@example.com", COL_SUBJECT).data() == \
        "Question about watchdog timeouts"


@pytest.mark.corpus
def test_large_archive_lists(qtbot):
    large = CORPUS / "large" / "linux-watchdog-archive__2019-04_to_2022-07.mbox"
    if not large.exists():
        pytest.skip("../shared/corpus is not here")
    archive = Archive.open(large)
    model = ThreadModel()
    model.lazy_enabled = False
    # How fast: bench/ (ratios against a baseline); here only that it all works on 7,718 mails.
    model.set_archive(archive)
    for row in range(200):  # a screenful or five, as the view would ask
        for column in range(model.columnCount()):
            model.index(row, column).data()
    model.set_query(parse_query("from:guenter subject:watchdog"))
    assert model.rowCount() > 0
    model.set_archive(None)


def test_a_thread_row_is_bold_while_any_mail_below_is_unread(model):
    top = model.index_of("q1@example.com")
    assert top.data(Qt.ItemDataRole.FontRole).bold()  # nothing read yet
    # q2 is a reply whose row was never built (the thread is collapsed)
    model.set_read("q1@example.com")
    model.set_read("q2@kernel.example")
    assert top.data(Qt.ItemDataRole.FontRole) is None
    model.set_read("q2@kernel.example", read=False)
    assert top.data(Qt.ItemDataRole.FontRole).bold()


def _listing(model) -> list[tuple]:
    """Every top row as the list shows it: subject, Msgs, and bold (unread below)."""
    out = []
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        font = index.data(Qt.ItemDataRole.FontRole)
        out.append((index.data(), model.index(row, COL_COUNT).data(),
                    bool(font is not None and font.bold())))
    return out


def test_rows_built_off_the_gui_thread_list_what_the_model_builds(qtbot, archive):
    """The loader's worker builds the rows (viewer.ui.list_rows); the list is the same."""
    read = {"q1@example.com", "q2@kernel.example", "v1-1@example.org"}
    built_here, prepared_elsewhere = ThreadModel(), ThreadModel()
    built_here.set_archive(archive, read)
    prepared_elsewhere.set_archive(archive, read, build_list_rows(archive, read))
    assert _listing(prepared_elsewhere) == _listing(built_here)
    assert any(bold for _s, _n, bold in _listing(built_here))
    assert not all(bold for _s, _n, bold in _listing(built_here))


def test_mail_read_while_the_rows_were_built_is_counted_again(qtbot, archive):
    stale = build_list_rows(archive, set())  # counted before q1 and q2 were read
    model = ThreadModel()
    model.set_archive(archive, {"q1@example.com", "q2@kernel.example"}, stale)
    top = model.index_of("q1@example.com")
    assert top.data(Qt.ItemDataRole.FontRole) is None  # not bold: all of it is read
