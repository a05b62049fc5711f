"""The compose window: edit, save, append, copy, and send (always asked) to a real server."""

from __future__ import annotations

import email
import email.policy
import socket
from pathlib import Path

import pytest

from viewer.core.archive import Archive
from viewer.core.drafts import Draft, DraftStore
from viewer.core.identity import Identity
from viewer.core.reply import compose
from viewer.core.send import SendConfig
from viewer.ui.compose import ComposeWindow

aiosmtpd = pytest.importorskip(
    "aiosmtpd", reason="aiosmtpd missing: pip install aiosmtpd (or make test)")
from aiosmtpd.controller import Controller  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("does not support propagateSizeHints")]

FIXTURE = Path(__file__).parents[1] / "fixtures" / "reply" / "thread.mbox"
PATCH = "patch1.jane@example.org"
ME = Identity("Rita Reviewer", "rita@example.org")


class Inbox:
    def __init__(self) -> None:
        self.mails: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append(envelope.original_content)
        return "250 OK"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def store(tmp_path):
    with DraftStore(tmp_path / "drafts.sqlite3") as s:
        yield s


@pytest.fixture
def window(qtbot, store):
    def make(port: int) -> ComposeWindow:
        archive = Archive.open(FIXTURE, use_cache=False)
        draft = store.save(Draft(PATCH, "general", "Looks fine."))
        replies = compose(archive, [draft], ME)
        made = ComposeWindow(replies, store=store, config=lambda: SendConfig("127.0.0.1", port),
                             protected=[FIXTURE])
        qtbot.addWidget(made)
        return made

    return make


def test_opening_keeps_every_reply_and_edits_go_out(qtbot, window, store, tmp_path):
    win = window(_port())
    assert [r.msgid for r, _ in store.unsent()] == [win.replies[0].msgid]
    win.body.setPlainText("Looks fine, really.\n")
    win.subject_edit.setText("Re: [PATCH 1/1] foo: cache the answer (again)")
    assert win.save_eml(tmp_path / "r.eml")
    mail = email.message_from_bytes((tmp_path / "r.eml").read_bytes(),
                                    policy=email.policy.default)
    assert mail.get_content().replace("\r\n", "\n") == "Looks fine, really.\n"
    assert mail["Subject"].endswith("(again)")
    assert mail["In-Reply-To"] == f"<{PATCH}>"
    ((_reply, raw),) = store.unsent()
    assert b"Looks fine, really." in raw  # the store holds the edited version


def test_the_reviewed_mailbox_is_never_written(qtbot, window):
    win = window(_port())
    before = FIXTURE.read_bytes()
    assert not win.append_mbox(FIXTURE)
    assert not win.save_eml(FIXTURE)
    assert "never writes" in win.messages.text
    assert FIXTURE.read_bytes() == before


def test_append_and_copy(qtbot, window, tmp_path):
    from PySide6.QtGui import QGuiApplication

    win = window(_port())
    assert win.append_mbox(tmp_path / "out.mbox")
    assert (tmp_path / "out.mbox").read_bytes().startswith(b"From hunkwise ")
    assert win.copy_to_clipboard()
    assert "Looks fine." in QGuiApplication.clipboard().text()


def test_send_asks_and_a_no_sends_nothing(qtbot, window, store):
    inbox = Inbox()
    port = _port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        win = window(port)
        questions = []
        win.confirm = lambda q: questions.append(q) or False
        assert not win.send_current()
        assert "From: rita@example.org" in questions[0]
        assert "127.0.0.1" in questions[0]
        assert inbox.mails == []
        win.confirm = lambda q: True
        with qtbot.waitSignal(win.sent, timeout=20000):
            assert win.send_current()
        assert len(inbox.mails) == 1
        assert store.sent_replies(PATCH)[0].msgid == win.replies[0].msgid
        assert store.drafts(PATCH) == []  # archived, not deleted:
        assert [d.text for d in store.drafts(PATCH, state="sent")] == ["Looks fine."]
        assert not win.send_button.isEnabled() and win.send_button.text() == "Sent"
    finally:
        controller.stop()


def test_network_error_shows_in_the_bar_and_keeps_the_reply(qtbot, window, store):
    win = window(_port())  # nobody listens there
    win.confirm = lambda q: True
    with qtbot.waitSignal(win._sender.failed, timeout=20000):
        assert win.send_current()
    assert win.messages.level == "error"
    assert "refused the connection" in win.messages.text
    assert "Nothing is lost" in win.messages.text
    assert win.send_button.isEnabled()
    assert store.sent_replies(PATCH) == []
    assert len(store.unsent()) == 1 and len(store.drafts(PATCH)) == 1
