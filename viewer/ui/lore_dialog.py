"""File → Open from lore…: a thread URL, a Message-ID or a search query, and where to ask.

The dialog only collects text; what the text means (a thread, or public-inbox query syntax)
is decided by :func:`viewer.core.lore.parse_input`, and the line under the box says it back
before anything is fetched.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from viewer.core.errors import LoreError
from viewer.core.lore import SearchRef, Source, ThreadRef, default_server, parse_input


class LoreDialog(QDialog):
    """Asks for a source; :attr:`source` holds it once accepted."""

    def __init__(self, parent: QWidget | None = None, *, text: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("loreDialog")
        self.setWindowTitle("Open from lore")
        self.source: Source | None = None

        self.query = QLineEdit(text, self)
        self.query.setObjectName("loreQuery")
        self.query.setPlaceholderText("https://lore.kernel.org/LIST/MSGID/, <Message-ID> "
                                      "or a search: s:watchdog f:jane d:2024-01-01..")
        self.query.setMinimumWidth(520)
        self.server = QLineEdit(self)
        self.server.setObjectName("loreServer")
        try:
            self.server.setText(default_server())
        except LoreError as error:  # a broken lore.toml: say so here, let the user type one
            self.server.setPlaceholderText(str(error))
        self.whole_threads = QCheckBox("Whole threads of every match", self)
        self.whole_threads.setObjectName("loreWholeThreads")
        self.meaning = QLabel(self)
        self.meaning.setObjectName("loreMeaning")
        self.meaning.setWordWrap(True)
        self.meaning.setMinimumWidth(520)

        form = QFormLayout()
        form.addRow("&Link, Message-ID or search:", self.query)
        form.addRow("&Server (for ids and searches):", self.server)
        form.addRow("", self.whole_threads)
        hint = QLabel(
            "Search syntax: s: subject, f: from, b: body, dfn: file name in a diff, "
            "d: date range (d:2024-01-01..2024-02-01), AND / OR / NOT.", self)
        hint.setWordWrap(True)
        hint.setEnabled(False)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.meaning)
        layout.addWidget(hint)
        layout.addWidget(buttons)

        self.query.textChanged.connect(self._update)
        self.server.textChanged.connect(self._update)
        self.whole_threads.toggled.connect(self._update)
        self._update()

    def _parsed(self) -> Source:
        return parse_input(self.query.text(), server=self.server.text() or None,
                           whole_threads=self.whole_threads.isChecked())

    def _update(self) -> None:
        try:
            source = self._parsed()
        except LoreError as error:
            self.meaning.setText(str(error))
            self.open_button.setEnabled(False)
            self.whole_threads.setEnabled(True)
            return
        self.open_button.setEnabled(True)
        self.whole_threads.setEnabled(isinstance(source, SearchRef))
        if isinstance(source, ThreadRef):
            self.meaning.setText(f"Opens the thread of <{source.msgid}> from {source.inbox}")
        else:
            whole = "whole threads of " if source.threads else ""
            self.meaning.setText(f"Searches {source.inbox} and opens {whole}the mail "
                                 f"matching: {source.query}")

    def accept(self) -> None:
        try:
            self.source = self._parsed()
        except LoreError as error:
            self.meaning.setText(str(error))
            return
        super().accept()
