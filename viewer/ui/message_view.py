"""The message pane: any mail of the thread as it was sent, headers and body, quotes by depth.

The body is shown exactly as decoded (no re-wrapping, no hiding of quotes) in the monospace
font, because reviewers' replies line up with the patch text they quote; only the colour of a
line says how deep its quote is. "Show source" switches to the raw bytes of the mail.
"""

from __future__ import annotations

import html
import time

from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

from viewer.core.archive import Archive
from viewer.core.quotes import first_own_line, quote_depth

SHOWN_HEADERS = ("From", "To", "Cc", "Date", "Subject", "Message-ID", "In-Reply-To")

# Quote colours by depth (1, 2, 3, 4+), for light and dark backgrounds: mutt/Thunderbird-like.
QUOTE_COLOURS = {
    "light": ("#1d4ed8", "#047857", "#9a3412", "#7e22ce"),
    "dark": ("#7cb3ff", "#6ee7b7", "#fdba74", "#d8b4fe"),
}
_HEADER_COLOURS = {"light": "#4b5563", "dark": "#9ca3af"}
CONTEXT_LINES = 3
"""Quoted lines kept in view above a reply's own words: what it answers, at a glance."""


class MessageView(QTextBrowser):
    """Read-only; rebuilt on a fresh QTextDocument per mail (cheap, and no undo stack)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageView")
        self.setOpenExternalLinks(True)
        self.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)
        self.theme = "light"
        self.msgid: str | None = None
        self.raw_mode = False
        self._archive: Archive | None = None
        self._font = QFont("monospace")
        self._font.setStyleHint(QFont.StyleHint.Monospace)
        self.depths: list[int] = []
        """Quote depth of each body line shown, parallel to the body (tests, navigation)."""
        self.own_line: int | None = None
        """Body line where a reply's own words start, when a quote opens it (else None)."""
        self._body_block = 0
        self._pending_scroll = False
        self.verticalScrollBar().rangeChanged.connect(self._apply_scroll)
        self.clear_message()

    def set_theme(self, theme: str) -> None:
        self.theme = "dark" if theme == "dark" else "light"
        self._render()

    def set_font(self, font: QFont) -> None:
        self._font = QFont(font)
        self._render()

    def set_raw(self, raw: bool) -> None:
        self.raw_mode = raw
        self._render()

    def clear_message(self, text: str = "Select a message to read it here.") -> None:
        self.msgid = None
        self._archive = None
        self.depths = []
        self.own_line = None
        document = QTextDocument(self)
        document.setUndoRedoEnabled(False)
        document.setPlainText(text)
        self.setDocument(document)

    def show_message(self, archive: Archive, msgid: str) -> None:
        self._archive = archive
        self.msgid = msgid
        self._render()

    def _render(self) -> None:
        if self._archive is None or self.msgid is None:
            return
        document = QTextDocument(self)
        document.setUndoRedoEnabled(False)
        document.setDefaultFont(self._font)
        if self.raw_mode:
            text = self._archive.raw(self.msgid).decode("utf-8", "replace")
            self.depths = []
            self.own_line = None
            document.setPlainText(text)
        else:
            document.setHtml(self._html())
        self.setDocument(document)
        # the <pre> body is the document's last blocks, one per line
        self._body_block = document.blockCount() - len(self.depths)
        self.scroll_to_own_words()

    def scroll_to_own_words(self) -> None:
        """Show a reply from where it starts talking, with a few quoted lines above for context,
        when its opening quote would otherwise fill the pane; else stay at the headers."""
        self._pending_scroll = self.own_line is not None
        self.verticalScrollBar().setValue(0)
        self._apply_scroll()

    def _apply_scroll(self, *_range: int) -> None:
        # Until the pane is on screen its height means nothing, and a long mail is laid out
        # (and its scroll range grown) in pieces after it is set: so this runs again on show
        # and on every range change until the target is reached.
        if not self._pending_scroll or not self.isVisible() or self.own_line is None:
            return
        document = self.document()
        layout = document.documentLayout()
        own = document.findBlockByNumber(self._body_block + self.own_line)
        if not own.isValid():
            self._pending_scroll = False
            return
        own_rect = layout.blockBoundingRect(own)
        line_height = max(1.0, own_rect.height() / max(1, own.lineCount()))
        if own_rect.bottom() + line_height <= self.viewport().height():
            self._pending_scroll = False
            return  # already in view below the headers: keep From/Subject visible too
        first = max(self._body_block, own.blockNumber() - CONTEXT_LINES)
        top = int(layout.blockBoundingRect(document.findBlockByNumber(first)).top())
        bar = self.verticalScrollBar()
        bar.setValue(top)
        if bar.value() == top or bar.maximum() >= top:
            self._pending_scroll = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._apply_scroll()

    def _html(self) -> str:
        assert self._archive is not None and self.msgid is not None
        message = self._archive.message(self.msgid)
        colours = QUOTE_COLOURS[self.theme]
        muted = _HEADER_COLOURS[self.theme]
        rows = []
        for name in SHOWN_HEADERS:
            value = message.header(name)
            if name == "Date" and value is None and message.date is not None:
                value = time.strftime("%a, %d %b %Y %H:%M:%S %z", time.localtime(message.date))
            if value:
                rows.append(
                    f"<tr><td style='color:{muted}; padding-right:8px'>{name}:</td>"
                    f"<td>{html.escape(value)}</td></tr>"
                )
        out = [f"<table cellspacing='0'>{''.join(rows)}</table>"]
        if message.broken:
            out.append(f"<p style='color:#b91c1c'>This mail is damaged: "
                       f"{html.escape(message.broken)}</p>")
        out.append("<hr/><pre>")
        self.depths = []
        lines = message.body.split("\n")
        self.own_line = first_own_line(lines)
        for line in lines:
            depth, _text = quote_depth(line)  # the core's one quote rule, as anchoring reads it
            self.depths.append(depth)
            text = html.escape(line)
            if depth:
                colour = colours[min(depth, len(colours)) - 1]
                out.append(f"<span style='color:{colour}'>{text}</span>\n")
            else:
                out.append(text + "\n")
        out.append("</pre>")
        return "".join(out)
