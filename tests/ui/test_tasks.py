"""The background task runner's cancelled(): it also makes room for the GUI thread."""

from __future__ import annotations

import threading

import viewer.ui.tasks as tasks


def test_cancelled_pauses_once_per_slice_of_work_and_reports_the_stop():
    clock = [100.0]
    slept: list[float] = []
    stop = threading.Event()
    cancelled = tasks._Cancelled(stop, clock=lambda: clock[0], sleep=slept.append)
    assert cancelled() is False and slept == []  # within the first slice: no pause
    clock[0] += tasks._WORK_SLICE / 2
    assert cancelled() is False and slept == []
    clock[0] += tasks._WORK_SLICE  # the slice is used up: one pause, then a new slice
    assert cancelled() is False and slept == [tasks._GUI_SLICE]
    assert cancelled() is False and slept == [tasks._GUI_SLICE]
    stop.set()
    assert cancelled() is True
