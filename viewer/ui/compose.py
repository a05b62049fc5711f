"""The compose window: the replies exactly as they will go out, editable, then saved or sent.

Every reply shown here is already kept in the drafts store (``record_composed``) when the
window opens, so closing it, a crash or a failed send loses nothing; sending always asks first,
runs on a worker thread (a slow server must not freeze the window), and on success records the
reply as sent, which archives its drafts. Errors go to the window's message bar as the one
sentence viewer.core.send words them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from viewer.core.drafts import DraftStore
from viewer.core.errors import HunkwiseError
from viewer.core.reply import ComposedReply, append_to_mbox, edited
from viewer.core.send import SendConfig, SendError, envelope, send, with_password
from viewer.ui.messages import MessageBar
from viewer.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

ConfirmFn = Callable[[str], bool]
PasswordFn = Callable[[str], "str | None"]


class ComposeWindow(QDialog):
    """One or more composed replies; the list on the left picks which one is edited."""

    sent = Signal(str)
    """Message-ID of a reply the server accepted."""

    def __init__(
        self,
        replies: Sequence[ComposedReply],
        *,
        store: DraftStore,
        config: Callable[[], SendConfig],
        protected: Sequence[Path] = (),
        font: QFont | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compose reply" if len(replies) == 1 else "Compose replies")
        self.resize(900, 640)
        self.store = store
        self._config = config
        self.protected = list(protected)
        self.replies: list[ComposedReply] = list(replies)
        self.sent_ids: set[str] = set()
        self.confirm: ConfirmFn = self._ask_confirm
        """Asked before anything is sent (tests replace it)."""
        self.ask_password: PasswordFn = self._ask_password
        self._current = -1
        self.messages = MessageBar(self)
        self._sender = TaskRunner(self)
        self._sender.succeeded.connect(self._on_sent)
        self._sender.failed.connect(self._on_send_failed)
        self._sending: int | None = None

        self.list = QListWidget(self)
        for reply in self.replies:
            self.list.addItem(self._label(reply))
        self.list.setVisible(len(self.replies) > 1)
        self.from_label = QLabel(self)
        self.from_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.to_edit = QLineEdit(self)
        self.cc_edit = QLineEdit(self)
        self.subject_edit = QLineEdit(self)
        self.thread_label = QLabel(self)
        self.thread_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.thread_label.setWordWrap(True)
        self.body = QPlainTextEdit(self)
        self.body.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.body.setTabStopDistance(8 * self.body.fontMetrics().horizontalAdvance(" "))
        if font is not None:
            self.body.setFont(font)

        form = QFormLayout()
        form.addRow("From:", self.from_label)
        form.addRow("To:", self.to_edit)
        form.addRow("Cc:", self.cc_edit)
        form.addRow("Subject:", self.subject_edit)
        form.addRow("Threading:", self.thread_label)
        editor = QWidget(self)
        column = QVBoxLayout(editor)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addWidget(self.body, 1)
        splitter = QSplitter(self)
        splitter.addWidget(self.list)
        splitter.addWidget(editor)
        splitter.setStretchFactor(1, 1)

        self.save_button = QPushButton("Save .eml…", self)
        self.mbox_button = QPushButton("Append to mbox…", self)
        self.copy_button = QPushButton("Copy", self)
        self.send_button = QPushButton("Send…", self)
        self.close_button = QPushButton("Close", self)
        self.save_button.clicked.connect(self._choose_eml)
        self.mbox_button.clicked.connect(self._choose_mbox)
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        self.send_button.clicked.connect(self.send_current)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.save_button, self.mbox_button, self.copy_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.messages)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        for reply in self.replies:
            self._keep(reply)
        self.list.currentRowChanged.connect(self.show_reply)
        self.list.setCurrentRow(0)
        self.show_reply(0)
        self.body.setFocus()

    # -- which reply ---------------------------------------------------------------------------

    @staticmethod
    def _label(reply: ComposedReply) -> str:
        to = ", ".join(p.name or p.email for p in reply.to)
        return f"{reply.subject}\nto {to}"

    def show_reply(self, index: int) -> None:
        if not 0 <= index < len(self.replies) or index == self._current:
            return
        if self._current >= 0:
            self._take_edits()
        self._current = index
        reply = self.replies[index]
        self.from_label.setText(str(reply.sender))
        self.to_edit.setText(", ".join(str(p) for p in reply.to))
        self.cc_edit.setText(", ".join(str(p) for p in reply.cc))
        self.subject_edit.setText(reply.subject)
        self.thread_label.setText(f"In-Reply-To: <{reply.in_reply_to}>")
        self.body.setPlainText(reply.body)
        self._update_buttons()

    def current_reply(self) -> ComposedReply:
        """The reply on show, with what the user changed in the fields (raises on bad To:)."""
        self._take_edits()
        return self.replies[self._current]

    def _take_edits(self) -> None:
        reply = self.replies[self._current]
        self.replies[self._current] = edited(
            reply, to=self.to_edit.text(), cc=self.cc_edit.text(),
            subject=self.subject_edit.text(), body=self.body.toPlainText(),
        )

    def _keep(self, reply: ComposedReply) -> None:
        """Keep the reply (as it is now) in the store: nothing written here is ever lost."""
        self.store.record_composed(reply.msgid, patch_msgid=reply.patch_msgid,
                                   in_reply_to=reply.in_reply_to, subject=reply.subject,
                                   raw=reply.as_bytes(), draft_ids=reply.draft_ids)

    def _update_buttons(self) -> None:
        reply = self.replies[self._current]
        done = reply.msgid in self.sent_ids
        busy = self._sending is not None
        self.send_button.setEnabled(not done and not busy)
        self.send_button.setText("Sent" if done else ("Sending…" if busy else "Send…"))

    # -- save, append, copy --------------------------------------------------------------------

    def _guarded(self, action: Callable[[ComposedReply], str]) -> bool:
        try:
            reply = self.current_reply()
            self._keep(reply)
            said = action(reply)
        except HunkwiseError as error:
            self.messages.error(str(error))
            return False
        except OSError as error:
            self.messages.error(f"Could not write the reply: {error.strerror or error}")
            return False
        self.messages.info(said)
        return True

    def save_eml(self, path: str | Path) -> bool:
        target = Path(path)

        def write(reply: ComposedReply) -> str:
            if any(target.resolve() == Path(p).resolve() for p in self.protected):
                raise HunkwiseError(f"{target.name} is the mailbox being reviewed, which "
                                    "Hunkwise never writes; choose another file")
            temporary = target.with_name(f".{target.name}.tmp")
            temporary.write_bytes(reply.as_bytes())
            temporary.replace(target)
            return f"Saved the reply to {target}."

        return self._guarded(write)

    def append_mbox(self, path: str | Path) -> bool:
        def append(reply: ComposedReply) -> str:
            append_to_mbox(path, reply, protected=self.protected)
            return f"Appended the reply to {path} (git send-email {path}, or mutt -H)."

        return self._guarded(append)

    def copy_to_clipboard(self) -> bool:
        def copy(reply: ComposedReply) -> str:
            QGuiApplication.clipboard().setText(reply.as_bytes().decode("utf-8", "replace"))
            return "Copied the reply, headers and all."

        return self._guarded(copy)

    def _choose_eml(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save reply", "reply.eml",
                                              "Mail (*.eml);;All files (*)")
        if path:
            self.save_eml(path)

    def _choose_mbox(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Append to mbox", "outbox.mbox", "mbox (*.mbox);;All files (*)",
            options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.append_mbox(path)

    # -- send ----------------------------------------------------------------------------------

    def send_current(self) -> bool:
        """Ask, then send the reply on show on a worker thread; False when nothing started."""
        if self._sending is not None:
            return False
        try:
            reply = self.current_reply()
            self._keep(reply)
            config = self._config()
            raw = reply.as_bytes()
            env = envelope(raw, config)
        except HunkwiseError as error:
            self.messages.error(str(error))
            return False
        question = (f"Send “{env.subject}” through {config.describe()}?\n\n"
                    f"From: {env.sender}\nTo: {', '.join(env.recipients)}")
        if not self.confirm(question):
            self.messages.info("Not sent; the reply is kept.")
            return False
        try:
            config = with_password(config, self.ask_password)
        except SendError as error:
            self.messages.error(f"{error}. The reply is kept; send it again when ready.")
            return False
        self._sending = self._current
        self._update_buttons()
        self._sender.start(lambda _progress, _cancelled: send(raw, config))
        return True

    def wait(self, msecs: int = 30000) -> bool:
        """Block until a send in progress is over (for tests and closing)."""
        return self._sender.wait(msecs)

    def _on_sent(self, result: object) -> None:
        index, self._sending = self._sending, None
        assert index is not None
        reply = self.replies[index]
        archived = self.store.record_sent(reply.msgid)
        self.sent_ids.add(reply.msgid)
        count = len(result.envelope.recipients) - len(result.refused)  # type: ignore[attr-defined]
        self.messages.info(f"Sent “{reply.subject}” to {count} recipients; "
                           f"{len(archived)} drafts archived.")
        self._update_buttons()
        self.sent.emit(reply.msgid)

    def _on_send_failed(self, error: object) -> None:
        self._sending = None
        if isinstance(error, HunkwiseError):
            text = str(error)
        else:  # a bug: say so once, and keep the reply like any failure
            log.error("sending failed unexpectedly", exc_info=error)  # type: ignore[arg-type]
            text = f"internal error while sending: {type(error).__name__}: {error}"
        self.messages.error(f"{text}. Nothing is lost: the reply is kept, send it again.")
        self._update_buttons()

    # -- dialogs -------------------------------------------------------------------------------

    def _ask_confirm(self, question: str) -> bool:
        answer = QMessageBox.question(self, "Send reply", question,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_password(self, what: str) -> str | None:
        text, ok = QInputDialog.getText(self, "SMTP password", what, QLineEdit.EchoMode.Password)
        return text if ok and text else None

    def done(self, result: int) -> None:
        # Closing keeps what was typed: the stored copy is the edited one.
        try:
            self._keep(self.current_reply())
        except HunkwiseError as error:
            # An unusable To: line: the version kept at the last save or send stays.
            log.info("compose window closed with an unusable reply: %s", error)
        super().done(result)
