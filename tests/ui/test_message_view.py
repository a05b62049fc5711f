"""The message pane: headers and body as sent, quotes coloured by depth, raw source."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QFont

from viewer.core.archive import Archive
from viewer.core.quotes import quote_depth
from viewer.ui.message_view import (
    CONTEXT_LINES,
    QUOTE_COLOURS,
    MessageView,
)

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


def test_pane_colours_by_the_cores_quote_rule(view, archive):
    """One quote-depth rule: the pane's depths are the core's (viewer.core.quotes), which the
    anchoring reads too, so a line is never a quote in one and own text in the other."""
    view.show_message(archive, "r1@example.com")
    body = archive.message("r1@example.com").body.split("\n")
    assert view.depths == [quote_depth(line)[0] for line in body]


def _reply_mbox(tmp_path, quoted: int) -> Path:
    quote = "".join(f"> +\tline {n} of the quoted hunk;\n" for n in range(quoted))
    path = tmp_path / "reply.mbox"
    path.write_text(
        "From rui@example.com Mon Feb  5 10:00:00 2024\n"
        "From: Rui Reviewer <rui@example.com>\n"
        "Subject: Re: [PATCH] foo: bar\n"
        "Date: Mon, 5 Feb 2024 10:00:00 +0000\n"
        "Message-ID: <long@example.com>\n"
        "In-Reply-To: <patch@example.com>\n\n"
        "On Mon, Feb 05, 2024 at 09:00:00AM +0000, Alice Author wrote:\n"
        f"{quote}\n"
        "This is where my own words start.\n"
        + "More of what I have to say.\n" * 60
        + "\nRui\n"
    )
    return path


def _visible_blocks(view) -> list[str]:
    """Texts of the blocks whose top lies in the viewport, by the document layout."""
    document = view.document()
    layout = document.documentLayout()
    top = view.verticalScrollBar().value()
    bottom = top + view.viewport().height()
    block, seen = document.begin(), []
    while block.isValid():
        y = layout.blockBoundingRect(block).top()
        if top <= y < bottom:
            seen.append(block.text())
        block = block.next()
    return seen


@pytest.mark.parametrize("quoted", [80, 3000])  # 3000: laid out in pieces after it is set
def test_long_quote_scrolls_to_own_words(qtbot, tmp_path, quoted):
    archive = Archive.open(_reply_mbox(tmp_path, quoted=quoted), use_cache=False)
    view = MessageView()
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    qtbot.waitExposed(view)
    view.show_message(archive, "long@example.com")
    assert view.own_line == quoted + 2  # attribution, the quote, a blank, then the words
    qtbot.waitUntil(lambda: "This is where my own words start." in _visible_blocks(view))
    seen = _visible_blocks(view)
    assert "From:" not in seen
    assert seen[:CONTEXT_LINES] == [f"> +\tline {quoted - 2} of the quoted hunk;",
                                    f"> +\tline {quoted - 1} of the quoted hunk;", ""]


def test_mail_set_before_the_pane_is_shown_still_opens_at_own_words(qtbot, tmp_path):
    archive = Archive.open(_reply_mbox(tmp_path, quoted=500), use_cache=False)
    view = MessageView()
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show_message(archive, "long@example.com")  # as a window does while it starts up
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: "This is where my own words start." in _visible_blocks(view))
    assert "From:" not in _visible_blocks(view)


def test_short_quote_keeps_the_headers(qtbot, tmp_path):
    archive = Archive.open(_reply_mbox(tmp_path, quoted=2), use_cache=False)
    view = MessageView()
    qtbot.addWidget(view)
    view.resize(700, 600)
    view.show()
    qtbot.waitExposed(view)
    view.show_message(archive, "long@example.com")
    assert view.verticalScrollBar().value() == 0
    assert "This is where my own words start." in _visible_blocks(view)
