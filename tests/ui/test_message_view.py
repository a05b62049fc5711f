"""The message pane: headers and body as sent, quotes coloured by depth, raw source."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QFont

from viewer.core.archive import Archive
from viewer.ui.message_view import QUOTE_COLOURS, MessageView, quote_depth

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ui" / "two-revisions.mbox"

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def archive():
    return Archive.open(FIXTURE, use_cache=False)


@pytest.fixture
def view(qtbot):
    view = MessageView()
    qtbot.addWidget(view)
    return view


@pytest.mark.parametrize(
    ("line", "depth"),
    [("plain", 0), ("> one", 1), (">> two", 2), ("> > two", 2), ("> >> three", 3), (" x > y", 0),
     ("", 0)],
)
def test_quote_depth(line, depth):
    assert quote_depth(line) == depth


def test_headers_and_body(view, archive):
    view.show_message(archive, "r1@example.com")
    text = view.toPlainText()
    assert "From:" in text and "Rui Reviewer <rui@example.com>" in text
    assert "Subject:" in text and "Re: [PATCH 1/2] pwm: foo: fix prescaler" in text
    assert "Message-ID:" in text and "r1@example.com" in text
    assert "prescale can be zero here" in text
    # tabs and columns kept as sent: reviewers line their words up with the quoted code
    assert "> -\tperiod = state->period / 2;" in text


def test_quotes_coloured_by_depth(view, archive):
    view.show_message(archive, "r1@example.com")
    assert 1 in view.depths and 2 in view.depths and 0 in view.depths
    html = view.document().toHtml().lower()
    light = QUOTE_COLOURS["light"]
    assert light[0] in html and light[1] in html
    view.set_theme("dark")
    html = view.document().toHtml().lower()
    assert QUOTE_COLOURS["dark"][0] in html and light[0] not in html


def test_raw_source(view, archive):
    view.show_message(archive, "q2@kernel.example")
    view.set_raw(True)
    text = view.toPlainText()
    assert "Message-ID: <q2@kernel.example>" in text
    assert "In-Reply-To: <q1@example.com>" in text
    view.set_raw(False)
    assert "Message-ID: <q2" not in view.toPlainText()


def test_font_is_applied(view, archive):
    font = QFont("DejaVu Sans Mono", 13)
    view.set_font(font)
    view.show_message(archive, "q1@example.com")
    assert view.document().defaultFont().pointSize() == 13


def test_clear(view, archive):
    view.show_message(archive, "q1@example.com")
    view.clear_message("nothing here")
    assert view.msgid is None and view.toPlainText() == "nothing here"
