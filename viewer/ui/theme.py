"""Light and dark colours: the app palette, diff backgrounds, syntax tokens, reviewer colours.

One place holds every colour so the review page, the thread list and the message pane agree,
and a theme switch is one ``set_theme`` call per view. Token colours follow pygments' token
hierarchy: a token without its own colour takes its parent's (``Keyword.Type`` → ``Keyword``).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from pygments.token import (
    Comment,
    Generic,
    Keyword,
    Literal,
    Name,
    Number,
    Operator,
    String,
    Token,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette, QTextCharFormat

from viewer.core.syntax import TokenType


@dataclass(frozen=True)
class Theme:
    name: str
    dark: bool
    base: str
    """Page background."""
    text: str
    muted: str
    """Line numbers, dates, secondary text."""
    gutter: str
    added_bg: str
    removed_bg: str
    added_gutter: str
    removed_gutter: str
    hunk_bg: str
    hunk_text: str
    file_bg: str
    file_text: str
    heading: str
    card_bg: str
    card_border: str
    doubtful: str
    """Border and badge of an approximate anchor."""
    chip_bg: str
    chip_text: str
    """A tag given in a reply ("Reviewed-by") shown as a chip on its card and on the patch."""
    highlight: str
    """Selection background."""
    current_line: str
    tokens: dict = field(default_factory=dict)
    """pygments token type → "#rrggbb" or "bold #rrggbb" / "italic #rrggbb"."""
    reviewers: tuple[str, ...] = ()
    """Colours given to reviewers by a stable hash of their address."""
    draft_bg: str = "#eaf2ff"
    """The user's own draft cards: a colour no reviewer card has."""
    draft_border: str = "#3b6fd1"

    def reviewer_color(self, email: str) -> QColor:
        """The same reviewer keeps the same colour across runs and mailboxes (crc32, not
        hash(), which Python salts per process)."""
        index = zlib.crc32(email.strip().lower().encode("utf-8")) % len(self.reviewers)
        return QColor(self.reviewers[index])

    def token_style(self, token: TokenType) -> str | None:
        while token is not None:
            style = self.tokens.get(token)
            if style is not None:
                return style
            token = token.parent
        return None

    def palette(self) -> QPalette:
        """An application palette matching the page, for the shell to install."""
        palette = QPalette()
        window = QColor(self.base).darker(108) if not self.dark else QColor(self.base).lighter(115)
        for role, value in (
            (QPalette.ColorRole.Window, window),
            (QPalette.ColorRole.WindowText, QColor(self.text)),
            (QPalette.ColorRole.Base, QColor(self.base)),
            (QPalette.ColorRole.AlternateBase, QColor(self.gutter)),
            (QPalette.ColorRole.Text, QColor(self.text)),
            (QPalette.ColorRole.Button, window),
            (QPalette.ColorRole.ButtonText, QColor(self.text)),
            (QPalette.ColorRole.Highlight, QColor(self.highlight)),
            (QPalette.ColorRole.HighlightedText, QColor(self.text)),
            (QPalette.ColorRole.ToolTipBase, QColor(self.card_bg)),
            (QPalette.ColorRole.ToolTipText, QColor(self.text)),
            (QPalette.ColorRole.PlaceholderText, QColor(self.muted)),
            (QPalette.ColorRole.Link, QColor(self.reviewers[0])),
        ):
            palette.setColor(role, value)
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(self.muted))
        palette.setColor(
            QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor(self.muted)
        )
        return palette


def char_format(style: str | None) -> QTextCharFormat:
    """A QTextCharFormat from a "bold italic #rrggbb" style string."""
    fmt = QTextCharFormat()
    for word in (style or "").split():
        if word == "bold":
            fmt.setFontWeight(QFont.Weight.Bold)
        elif word == "italic":
            fmt.setFontItalic(True)
        elif word.startswith("#"):
            fmt.setForeground(QColor(word))
    return fmt


# Every colour reads at WCAG AA (4.5:1) on the page and on both diff backgrounds, in both
# themes (tests/ui/test_theme.py computes it): the One Light/One Dark hues, darkened or
# lightened just enough where the stock shade fell short (strings on the added-line green).
# Error tokens get no colour: a hunk is a fragment (it may start inside a string or a macro),
# so a lexer's "error" there is an artefact of the cut, not something wrong in the patch.
_LIGHT_TOKENS = {
    Keyword: "#a626a4",
    Keyword.Type: "#906301",
    Keyword.Constant: "#0172a3",
    Name.Builtin: "#0172a3",
    Name.Function: "#1c5ff0",
    Name.Class: "#8e6101",
    Name.Decorator: "#a626a4",
    Name.Tag: "#cc2d1e",
    Name.Attribute: "#906301",
    Name.Label: "#8e6101",
    Name.Constant: "#0172a3",
    Name.Variable: "#cc2d1e",
    String: "#3c783b",
    String.Escape: "#0172a3",
    Number: "#906301",
    Literal: "#906301",
    Operator: "#383a42",
    Operator.Word: "#a626a4",
    Comment: "italic #666b74",
    Comment.Preproc: "#8e6101",
    Comment.PreprocFile: "#3c783b",
    Generic.Heading: "bold #1c5ff0",
    Token.Punctuation: "#383a42",
}

_DARK_TOKENS = {
    Keyword: "#c77ade",
    Keyword.Type: "#e5c07b",
    Keyword.Constant: "#56b6c2",
    Name.Builtin: "#56b6c2",
    Name.Function: "#61afef",
    Name.Class: "#e5c07b",
    Name.Decorator: "#c77ade",
    Name.Tag: "#e2777f",
    Name.Attribute: "#d19a66",
    Name.Label: "#e5c07b",
    Name.Constant: "#56b6c2",
    Name.Variable: "#e2777f",
    String: "#a6d189",
    String.Escape: "#56b6c2",
    Number: "#d19a66",
    Literal: "#d19a66",
    Operator: "#abb2bf",
    Operator.Word: "#c77ade",
    Comment: "italic #9398a0",
    Comment.Preproc: "#e5c07b",
    Comment.PreprocFile: "#a6d189",
    Generic.Heading: "bold #61afef",
    Token.Punctuation: "#abb2bf",
}

LIGHT = Theme(
    name="light",
    dark=False,
    base="#ffffff",
    text="#24292f",
    muted="#8c959f",
    gutter="#f6f8fa",
    added_bg="#e6ffec",
    removed_bg="#ffebe9",
    added_gutter="#ccffd8",
    removed_gutter="#ffd7d5",
    hunk_bg="#ddf4ff",
    hunk_text="#57606a",
    file_bg="#eaeef2",
    file_text="#24292f",
    heading="#0969da",
    card_bg="#fff8e1",
    card_border="#d0b060",
    doubtful="#bc4c00",
    chip_bg="#dafbe1",
    chip_text="#116329",
    highlight="#b6d7ff",
    current_line="#fff5b1",
    tokens=_LIGHT_TOKENS,
    reviewers=("#0969da", "#8250df", "#bf3989", "#1a7f37", "#bc4c00", "#0a7b83", "#9a6700",
               "#cf222e"),
)

DARK = Theme(
    name="dark",
    dark=True,
    base="#1e2227",
    text="#d4d8de",
    muted="#6e7681",
    gutter="#23272e",
    added_bg="#1c3326",
    removed_bg="#3c1f24",
    added_gutter="#234a31",
    removed_gutter="#55282e",
    hunk_bg="#1d3048",
    hunk_text="#9aa5b1",
    file_bg="#2d333b",
    file_text="#e6edf3",
    heading="#58a6ff",
    card_bg="#2b2a22",
    card_border="#6b5d2e",
    doubtful="#f0883e",
    chip_bg="#1f4428",
    chip_text="#7ee787",
    highlight="#264f78",
    current_line="#2c313a",
    tokens=_DARK_TOKENS,
    reviewers=("#58a6ff", "#bc8cff", "#ff7eb6", "#56d364", "#f0883e", "#39c5cf", "#e3b341",
               "#ff7b72"),
    draft_bg="#1b2a40",
    draft_border="#6aa0ff",
)

THEMES = {"light": LIGHT, "dark": DARK}


def resolve_theme(choice: str) -> str:
    """"system" → "light" or "dark" from the desktop's colour scheme."""
    if choice in ("light", "dark"):
        return choice
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hints is not None else Qt.ColorScheme.Unknown
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"
