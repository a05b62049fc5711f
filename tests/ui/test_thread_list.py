"""The thread list's own rules: how its columns are sized."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from viewer.ui.thread_list import _percentile_width

pytestmark = pytest.mark.gui


def test_the_from_column_is_sized_to_nine_in_ten_authors_each_measured_once(qtbot):
    metrics = QFontMetrics(QApplication.font())
    names = (["Al"] * 50 + ["Bartholomew Longname"] * 5 + ["Christine Medium"] * 44
             + ["Dr. Extraordinarily Long Name-Doublebarrel (Company)"])
    every = sorted(metrics.horizontalAdvance(n) for n in names)
    assert _percentile_width(metrics, names, 0.9) == every[int(len(names) * 0.9)]
    assert _percentile_width(metrics, names, 0.9) == metrics.horizontalAdvance("Christine Medium")
    assert _percentile_width(metrics, names, 0.999) == every[-1]
    assert _percentile_width(metrics, [], 0.9) is None
