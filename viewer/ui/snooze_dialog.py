"""Choosing the day a snoozed series comes back: a date field with a calendar to pick from.

A snooze is to a calendar day in local time, from its first moment (midnight): "until Monday"
means it is back on Monday morning. The earliest day offered is tomorrow (a snooze until today
would hide nothing), and the field can hold no impossible date, so nothing typed is refused.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate
from PySide6.QtGui import QPalette, QTextCharFormat
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QWidget,
)

DATE_FORMAT = "yyyy-MM-dd"


class SnoozeDialog(QDialog):
    """Asks for the day; ``accepted`` then ``until()`` gives it as a timestamp."""

    def __init__(self, parent: QWidget | None = None, *, default: QDate, count: int = 1) -> None:
        super().__init__(parent)
        self.setObjectName("snoozeDialog")
        self.setWindowTitle("Snooze")
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("snoozeDate")
        self.date_edit.setCalendarPopup(True)  # Alt+Down or the arrow opens the calendar
        self.date_edit.setDisplayFormat(DATE_FORMAT)
        earliest = QDate.currentDate().addDays(1)
        self.date_edit.setMinimumDate(earliest)
        self.date_edit.setDate(default)
        calendar = self.date_edit.calendarWidget()
        calendar.setGridVisible(True)
        # Qt greys the days of other months but draws the ones before the minimum like any
        # other, though they cannot be picked: today looked choosable.
        past = QTextCharFormat()
        past.setForeground(calendar.palette().color(QPalette.ColorGroup.Disabled,
                                                    QPalette.ColorRole.Text))
        for back in range(1, 43):  # a month page shows six weeks
            calendar.setDateTextFormat(earliest.addDays(-back), past)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        what = "this series" if count == 1 else f"these {count} series"
        layout.addRow(f"Hide {what} until:", self.date_edit)
        layout.addRow(buttons)
        self.date_edit.setFocus()

    def day(self) -> QDate:
        return self.date_edit.date()

    def until(self) -> float:
        """The chosen day's midnight, local time, as a Unix timestamp."""
        day = self.day()
        return datetime(day.year(), day.month(), day.day()).timestamp()
