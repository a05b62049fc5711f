"""Pygments tokens per line, lexed once per text and cached by content.

pygments is the expensive part of showing a patch (tens of microseconds a line), and a reader
goes back and forth between the same few patches, so a text is lexed whole, once, and the result
kept in a small LRU keyed by (lexer name, hash of the text). Views only look tokens up.

Lexing a whole text rather than line by line matters: multi-line comments and strings only come
out right with their context, and ``stripnl=False`` keeps the line count identical to the input
(pygments otherwise drops leading and trailing blank lines and every line number shifts).

Offsets here are code points (Python string indices); converting to Qt's UTF-16 happens at the
Qt boundary (viewer/ui/qt_text.py), never in the engine.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Text, Whitespace, _TokenType
from pygments.util import ClassNotFound

TokenType = _TokenType


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    """Code-point offset in the line."""
    length: int
    token: TokenType


LineTokens = tuple[Span, ...]

# Kernel trees are full of files whose names pygments does not know or guesses wrongly; these
# come first. Keys are lower-cased basenames or suffixes.
_BY_NAME = {
    "makefile": "make",
    "kbuild": "make",
    "kconfig": "kconfig",
    "maintainers": "text",
}
_BY_PREFIX = (("kconfig.", "kconfig"), ("makefile.", "make"), ("kbuild.", "make"))
_BY_SUFFIX = {
    ".c": "c",
    ".h": "c",  # kernel headers are C, not C++ or Objective-C as pygments may guess
    ".rs": "rust",
    ".py": "python",
    ".sh": "bash",
    ".mk": "make",
    ".dts": "devicetree",
    ".dtsi": "devicetree",
    ".dtso": "devicetree",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".s": "gas",  # .S (preprocessed) and .s both land here after lower-casing
    ".rst": "rst",
    ".txt": "text",
    ".json": "json",
    ".lds": "text",
    ".awk": "awk",
    ".pl": "perl",
    ".cocci": "text",
}


@lru_cache(maxsize=512)
def lexer_name_for(path: str) -> str:
    """The pygments lexer alias to use for a file path in a patch; "text" when unknown."""
    name = PurePosixPath(path).name.lower()
    if name in _BY_NAME:
        return _BY_NAME[name]
    for prefix, lexer in _BY_PREFIX:
        if name.startswith(prefix):
            return lexer
    suffix = PurePosixPath(name).suffix
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    try:
        return get_lexer_for_filename(name).aliases[0]
    except (ClassNotFound, IndexError):
        return "text"


@lru_cache(maxsize=64)
def _lexer(name: str) -> Lexer:
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return get_lexer_by_name("text", stripnl=False, ensurenl=False)


def lex_lines(lexer_name: str, text: str) -> list[LineTokens]:
    """Tokens of every line of ``text`` (split on "\\n" only), uncached.

    Plain text and whitespace tokens are left out: the view draws them in the default colour.
    """
    lines: list[list[Span]] = [[]]
    column = 0
    skip = (Text, Whitespace)
    # Line-based lexers (make, Kconfig, ini) only match a line that ends in a newline, and
    # give a last line without one as a run of Error tokens: lex it with its newline (the
    # extra empty line is cut off below).
    source = text if text.endswith("\n") else text + "\n"
    for token, value in _lexer(lexer_name).get_tokens(source):
        # A token may span lines (block comments, docstrings): cut it at each newline.
        parts = value.split("\n")
        for index, part in enumerate(parts):
            if index:
                lines.append([])
                column = 0
            if part and token not in skip:
                lines[-1].append(Span(column, len(part), token))
            column += len(part)
    wanted = text.count("\n") + 1
    # Lexers that swallow or add a final newline must not shift or truncate the lookup table.
    del lines[wanted:]
    while len(lines) < wanted:
        lines.append([])
    return [tuple(line) for line in lines]


class TokenCache:
    """LRU of lexed texts keyed by (lexer name, content hash); safe to share between threads."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, bytes], list[LineTokens]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(lexer_name: str, text: str) -> tuple[str, bytes]:
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        return lexer_name, digest

    def get(self, lexer_name: str, text: str) -> list[LineTokens] | None:
        """Cached tokens, or None without lexing (for the first paint, which must not wait)."""
        key = self.key(lexer_name, text)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def tokens(self, lexer_name: str, text: str) -> list[LineTokens]:
        """Cached tokens, lexing on a miss."""
        key = self.key(lexer_name, text)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found
        lexed = lex_lines(lexer_name, text)  # outside the lock: lexing is the slow part
        with self._lock:
            self.misses += 1
            self._items[key] = lexed
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return lexed

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


TOKEN_CACHE = TokenCache()
"""The process-wide cache: the same file text seen in two views or two visits is lexed once."""
