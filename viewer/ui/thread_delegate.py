"""The thread list's cells painted from one call into the model each.

Qt's own delegate asks the model for seven roles of every cell it paints or measures (font,
alignment, colour, check state, icon, text, background), each a call from C++ into Python of
~8 µs with its arguments wrapped: 2,500 and more for one repaint of the 58 MB archive's list,
25-40 ms, which is most of what a view switch costs (bench/bench_triage_views.py). This one asks
:meth:`~viewer.ui.thread_cells.ThreadCells.look` once per cell and fills the style option in
itself; the style still draws the cell, so selection, focus, elision and the alternate rows are
Qt's (tests/ui/test_thread_delegate.py compares the pixels with Qt's delegate).

Everything else that reads a cell (tooltips, tests, the window) still asks ``data()``, which
answers from the same functions.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from viewer.ui.thread_model import ThreadModel

_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_TEXT = QPalette.ColorRole.Text


class ThreadDelegate(QStyledItemDelegate):
    """A QStyledItemDelegate whose style option comes from ``ThreadModel.look``.

    For the thread list only: the HasDisplay feature, without which the style draws no text,
    is set by ``ThreadList.initViewItemOption``, once a row.
    """

    def __init__(self, model: ThreadModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._look = model.look
        self._metrics: dict[int, tuple[QFont, QFontMetrics]] = {}
        """id(font) → (font, its metrics): the model hands out a few font objects (bold,
        italic), and measuring one is a C++ call per cell otherwise. The font is kept with its
        metrics so that its id cannot be reused by another while it is cached."""
        self._alignments: dict[int, Qt.AlignmentFlag] = {}

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        text, font, colour, align = self._look(index)
        option.index = index
        option.text = text  # HasDisplay is set once a paint: ThreadList.initViewItemOption
        if font is not None:
            option.font = font
            option.fontMetrics = self._metrics_of(font)
        if align is not None:
            flag = self._alignments.get(align)
            if flag is None:
                flag = self._alignments[align] = Qt.AlignmentFlag(align)
            option.displayAlignment = flag
        if colour is not None:
            option.palette.setBrush(_TEXT, colour)

    def _metrics_of(self, font: QFont) -> QFontMetrics:
        known = self._metrics.get(id(font))
        if known is None or known[0] is not font:
            if len(self._metrics) > 16:  # fonts replaced by zooming: forget the old ones
                self._metrics.clear()
            known = self._metrics[id(font)] = (font, QFontMetrics(font))
        return known[1]
