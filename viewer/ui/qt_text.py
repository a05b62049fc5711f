"""Python string offsets → Qt's UTF-16 offsets, in one place.

Python indexes strings by code point, Qt by UTF-16 unit: a character outside the Basic
Multilingual Plane (emoji in a commit message, 𝑥 in a comment, a CJK extension ideograph in
a translation file) is one Python index but two Qt units, and every offset after it shifts by
one. All offsets handed to Qt by this package go through here.
"""

from __future__ import annotations

_BMP_END = "\uffff"


def has_astral(text: str) -> bool:
    """True when some character of ``text`` needs a surrogate pair in UTF-16."""
    return not text.isascii() and max(text) > _BMP_END


def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf16_offsets(text: str) -> list[int] | None:
    """UTF-16 offset of every code-point index 0..len(text), or None when they are equal.

    None is the common case (ASCII or BMP-only lines) and lets callers skip the lookup.
    """
    if not has_astral(text):
        return None
    offsets = [0] * (len(text) + 1)
    unit = 0
    for index, char in enumerate(text):
        offsets[index] = unit
        unit += 2 if char > _BMP_END else 1
    offsets[len(text)] = unit
    return offsets


def qt_index(text: str, index: int) -> int:
    """The UTF-16 offset of code-point ``index`` in ``text`` (for one-off conversions)."""
    return utf16_len(text[:index])


def python_index(text: str, qt_offset: int) -> int:
    """The code-point index of a UTF-16 offset (e.g. a QTextCursor column) in ``text``."""
    if not has_astral(text):
        return qt_offset
    unit = 0
    for index, char in enumerate(text):
        if unit >= qt_offset:
            return index
        unit += 2 if char > _BMP_END else 1
    return len(text)
