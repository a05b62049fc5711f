"""Fusion, with check boxes and radio buttons that show on a dark palette.

Fusion outlines an indicator with the window colour made darker, which on a dark window is
darker still: unchecked menu items ("Fold all discussions", the theme choices) showed no box
at all. The indicators are drawn with a window colour made lighter instead, whose darker shade
is then a visible mid-grey; everything else is Fusion's.

Being Python, that style costs at every primitive Qt draws: a thread list repaint asks it ~1,000
times (row panels, cells, branches), and every other style call crosses into Python to find it
is not overridden. A widget that paints that much and shows no check box or radio button
(the thread list) uses plain C++ Fusion instead (:func:`plain_fusion`): the same look, a third
of the repaint time gone.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QStyleOptionButton,
    QWidget,
)

_INDICATORS = (QStyle.PrimitiveElement.PE_IndicatorCheckBox,
               QStyle.PrimitiveElement.PE_IndicatorRadioButton)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


class HunkwiseStyle(QProxyStyle):
    """The app's style: Fusion everywhere, one look on every desktop."""

    def __init__(self) -> None:
        super().__init__("Fusion")

    def drawPrimitive(self, element, option, painter, widget=None) -> None:
        if element in _INDICATORS and option is not None and is_dark(option.palette):
            option = QStyleOptionButton(option) if isinstance(option, QStyleOptionButton) \
                else QStyleOption(option)
            palette = QPalette(option.palette)
            text = palette.color(QPalette.ColorRole.WindowText)
            # Fusion's outline is window.darker(140): from this light grey, a mid-grey that
            # stands out from a dark menu (≥ 3:1, the contrast WCAG asks of controls)
            palette.setColor(QPalette.ColorRole.Window, QColor(text).darker(105))
            option.palette = palette
        super().drawPrimitive(element, option, painter, widget)


def install(app) -> None:
    """Make HunkwiseStyle the application's style (once)."""
    if not isinstance(app.style(), HunkwiseStyle):
        app.setStyle(HunkwiseStyle())


def plain_fusion(owner: QWidget) -> QStyle:
    """Qt's own Fusion for ``owner`` (see above), living as long as it does: a widget does
    not own the style it is given, and one shared across windows would die with the first."""
    style = QStyleFactory.create("Fusion")
    assert style is not None  # built into every Qt
    style.setParent(owner)
    return style
