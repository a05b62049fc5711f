"""Fusion, with check boxes and radio buttons that show on a dark palette.

Fusion outlines an indicator with the window colour made darker, which on a dark window is
darker still: unchecked menu items ("Fold all discussions", the theme choices) showed no box
at all. The indicators are drawn with a window colour made lighter instead, whose darker shade
is then a visible mid-grey; everything else is Fusion's.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QStyleOptionButton

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
