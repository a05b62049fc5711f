"""Colours for the review page's text, looked up per block from precomputed data.

``highlightBlock`` runs for every block Qt lays out, and again on every theme change, so it
does no lexing and no parsing: the row tells what the block is and carries its styled spans
(made with its text by viewer.core.review_page), the token table (filled once per file by
viewer.core.syntax) tells the code's, and formats are built once per theme.
Backgrounds (added/removed lines, cards) are painted by the view, not set here.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from viewer.core.review_page import Row, SpanStyle
from viewer.core.syntax import LineTokens, TokenType
from viewer.ui.qt_text import utf16_len, utf16_offsets
from viewer.ui.theme import LIGHT, Theme, char_format

TokenTable = dict[tuple[int, str], list[LineTokens]]
"""(file index, "old"/"new") → tokens per line of that side's lexed text."""


class PatchHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, theme: Theme = LIGHT) -> None:
        super().__init__(document)
        self.rows: list[Row] = []
        self.tokens: TokenTable = {}
        self.reviewer_colors: dict[str, QColor] = {}
        self._token_formats: dict[TokenType, QTextCharFormat] = {}
        self.set_theme(theme, rehighlight=False)

    def set_theme(self, theme: Theme, *, rehighlight: bool = True) -> None:
        self.theme = theme
        self._token_formats.clear()
        self._reviewer_formats: dict[str, QTextCharFormat] = {}

        def fmt(color: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
            made = QTextCharFormat()
            made.setForeground(QColor(color))
            if bold:
                made.setFontWeight(QFont.Weight.Bold)
            if italic:
                made.setFontItalic(True)
            return made

        self.title_format = fmt(theme.text, bold=True)
        self.meta_format = fmt(theme.muted)
        self.heading_format = fmt(theme.heading, bold=True)
        self.file_format = fmt(theme.file_text, bold=True)
        self.hunk_format = fmt(theme.hunk_text)
        self.hunk_section_format = fmt(theme.hunk_text, italic=True)
        self.trailer_name_format = fmt(theme.heading)
        self.added_prefix = fmt(theme.reviewers[3], bold=True)
        self.removed_prefix = fmt(theme.reviewers[7], bold=True)
        self.date_format = fmt(theme.muted)
        self.doubtful_format = fmt(theme.doubtful, bold=True)
        self.summary_format = fmt(theme.heading, bold=True)
        # The previous revision's comments: faded text, the status standing out by its kind.
        self.carried_format = fmt(theme.muted, italic=True)
        self.carried_unchanged_format = fmt(theme.doubtful, bold=True)
        self.carried_changed_format = fmt(theme.heading, bold=True)
        self.carried_gone_format = fmt(theme.muted, bold=True)
        self.draft_format = fmt(theme.draft_border, bold=True)
        self.chip_format = fmt(theme.chip_text, bold=True)
        self.chip_format.setBackground(QColor(theme.chip_bg))
        if rehighlight:
            self.rehighlight()

    def token_format(self, token: TokenType) -> QTextCharFormat | None:
        found = self._token_formats.get(token)
        if found is None:
            style = self.theme.token_style(token)
            found = char_format(style) if style else QTextCharFormat()
            self._token_formats[token] = found
        return found if found.isValid() and found.propertyCount() else None

    def reviewer_format(self, email: str) -> QTextCharFormat:
        found = self._reviewer_formats.get(email)
        if found is None:
            found = QTextCharFormat()
            found.setForeground(self.theme.reviewer_color(email))
            found.setFontWeight(QFont.Weight.Bold)
            self._reviewer_formats[email] = found
        return found

    # -- the per-block part ------------------------------------------------------------------

    def highlightBlock(self, text: str) -> None:
        number = self.currentBlock().blockNumber()
        if not 0 <= number < len(self.rows):
            return
        row = self.rows[number]
        kind = row.kind
        if row.carried is not None:
            self.setFormat(0, utf16_len(text), self.carried_format)
        if kind == "diff":
            self._diff(row, text)
        elif row.spans:
            self._spans(row, text)
        elif kind == "title":
            self.setFormat(0, utf16_len(text), self.title_format)
        elif kind in ("meta", "diffstat"):
            self.setFormat(0, utf16_len(text), self.meta_format)
        elif kind == "heading":
            self.setFormat(0, utf16_len(text), self.heading_format)
        elif kind == "file":
            self.setFormat(0, utf16_len(text), self.file_format)

    def _spans(self, row: Row, text: str) -> None:
        """The styled parts the page made with the row's text (code points → UTF-16)."""
        offsets = utf16_offsets(text)
        for span in row.spans:
            fmt = self._span_format(span.style, row)
            start, end = span.start, span.start + span.length
            if offsets is not None:
                if end >= len(offsets):
                    continue
                start, end = offsets[start], offsets[end]
            self.setFormat(start, end - start, fmt)

    def _span_format(self, style: SpanStyle, row: Row) -> QTextCharFormat:
        if style == "author" and row.annotation is not None:
            return self.reviewer_format(row.annotation.author.email)
        return {
            "author": self.date_format,
            "date": self.date_format,
            "doubtful": self.doubtful_format,
            "hunk": self.hunk_format,
            "hunk_section": self.hunk_section_format,
            "trailer_name": self.trailer_name_format,
            "summary": self.summary_format,
            "hint": self.date_format,
            "carried_unchanged": self.carried_unchanged_format,
            "carried_changed": self.carried_changed_format,
            "carried_gone": self.carried_gone_format,
            "draft": self.draft_format,
            "trailer_chip": self.chip_format,
        }[style]

    def _diff(self, row: Row, text: str) -> None:
        if row.line is not None and row.line.kind == "+":
            self.setFormat(0, 1, self.added_prefix)
        elif row.line is not None and row.line.kind == "-":
            self.setFormat(0, 1, self.removed_prefix)
        if row.file_index is None or row.side is None or row.side_line is None:
            return
        table = self.tokens.get((row.file_index, row.side))
        if table is None or row.side_line >= len(table):
            return  # not lexed yet: the first paint does not wait for pygments
        spans = table[row.side_line]
        if not spans:
            return
        # Token offsets are code points of the line without its one-character diff prefix.
        offsets = utf16_offsets(text)
        for span in spans:
            fmt = self.token_format(span.token)
            if fmt is None:
                continue
            start = span.start + 1
            end = start + span.length
            if offsets is not None:
                if end >= len(offsets):
                    continue  # tokens of a different text version; never paint out of range
                start, end = offsets[start], offsets[end]
            self.setFormat(start, end - start, fmt)
