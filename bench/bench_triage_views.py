"""Does filtering and switching saved views stall the GUI? Measured on the real 58 MB archive.

The window runs offscreen with a heartbeat: a 5 ms QTimer notes when each tick really fired.
A gap between ticks longer than the interval is time the event loop could not run (the GUI
froze for that long). Each step below runs the way a user causes it (a click on a view in the
sidebar, text typed into the filter box and applied, a bulk action on a selection) and is
watched until its result is on screen, background jobs included.

Baseline, in the same process: the heartbeat over an idle second with the archive open (what
timer jitter alone gives on this machine). Reported per step: the longest stall, how it compares
with the 100 ms budget (stall / budget, must stay below 1.0), and with the idle baseline.

    .venv/bin/python bench/bench_triage_views.py [MBOX]

Not a test: nothing here asserts, it prints the figures (see bench/README.md for a run).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_SCRATCH = Path(tempfile.mkdtemp(prefix="hunkwise-bench-triage-"))
for _name in ("HUNKWISE_DATA_DIR", "HUNKWISE_CONFIG_DIR", "HUNKWISE_CACHE_DIR"):
    os.environ.setdefault(_name, str(_SCRATCH / _name.lower()))

from PySide6.QtCore import (  # noqa: E402
    QElapsedTimer,
    QItemSelection,
    QItemSelectionModel,
    QTimer,
)
from PySide6.QtWidgets import QApplication  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from viewer.core.views import SAVED_VIEWS  # noqa: E402
from viewer.ui.mainwindow import MainWindow  # noqa: E402
from viewer.ui.settings import Settings  # noqa: E402

LARGE = (ROOT.parent / "shared" / "corpus" / "large"
         / "linux-watchdog-archive__2019-04_to_2022-07.mbox")
BUDGET_MS = 100.0
TICK_MS = 5


class Heartbeat:
    """Records the gaps between timer ticks while a step runs."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.gaps: list[float] = []
        self._last = 0.0

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed() / 1e6
        self.gaps.append(now - self._last)
        self._last = now

    def start(self) -> None:
        self.gaps = []
        self.clock.start()
        self._last = 0.0
        self.timer.start()

    def stop(self) -> dict:
        self.timer.stop()
        gaps = self.gaps or [0.0]
        stall = max(0.0, max(gaps) - TICK_MS)
        return {
            "max_stall_ms": stall,
            "over_16ms": sum(1 for g in gaps if g - TICK_MS > 16),
            "ticks": len(gaps),
        }


def run_until(app: QApplication, done, timeout: float = 120.0) -> float:
    started = time.perf_counter()
    while not done():
        app.processEvents()
        time.sleep(0.001)
        if time.perf_counter() - started > timeout:
            raise TimeoutError("step did not finish")
    return time.perf_counter() - started


def pump(app: QApplication, seconds: float) -> None:
    """Run the event loop for ``seconds`` (the heartbeat ticks meanwhile)."""
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        app.processEvents()
        time.sleep(0.001)


def settle(app: QApplication, window: MainWindow) -> bool:
    """Every background job of the step done, its result on screen: the list filtered, the
    views counted, the counts of the rows on screen read, and the current row's mail shown
    (a filter that picks a new current row reads its mail on a worker first)."""
    return not window.facts_job.running and not window.counts_job.running and (
        not window.filter_job.running) and not window.page_job.running and (
        window._query_waiting is None and not window._count_timer.isActive()
    ) and window.model.pending_facts() == 0 and shown(window)


def shown(window: MainWindow) -> bool:
    msgid = window.model.mail_of(window.tree.currentIndex())
    if msgid is None or msgid == window.current_msgid or window.archive is None:
        return True
    return window.archive.node(msgid).entry is None  # a placeholder shows no mail


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else LARGE
    if not path.exists():
        print(f"no {path}: pass an mbox", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication([])
    window = MainWindow(Settings.at(_SCRATCH / "hunkwise.ini"))
    window.resize(1600, 1000)
    window.show()
    beat = Heartbeat()
    rows: list[tuple[str, dict, float]] = []

    def step(name: str, action, done=None) -> None:
        beat.start()
        started = time.perf_counter()
        action()
        run_until(app, done or (lambda: settle(app, window)))
        seconds = time.perf_counter() - started
        # A few more ticks: the gap that spans a synchronous action ends at the next tick.
        pump(app, 0.03)
        rows.append((name, beat.stop(), seconds))

    step("open the archive (index cached after the first run)", lambda: window.open_path(path),
         lambda: window.archive is not None and settle(app, window))
    archive = window.archive
    assert archive is not None

    beat.start()
    pump(app, 1.0)
    baseline = beat.stop()

    sidebar = window.views_sidebar
    for row, view in enumerate(SAVED_VIEWS):
        step(f"view: {view.name} (first time)", lambda r=row: sidebar.choose(r))
    for row, view in enumerate(SAVED_VIEWS):
        step(f"view: {view.name} (again)", lambda r=row: sidebar.choose(r))
    for text in ("watchdog", "is:unread from:guenter", "needs:review -is:superseded",
                 "has:newer", "is:unchanged", "has:reviewed-by is:patch", ""):
        step(f"filter typed: {text or '(cleared)'}",
             lambda t=text: (window.filter_box.setText(t), window.filter_box.apply()))

    def bulk() -> None:
        # Shift+click selects a range in one go: one selection change, the current row last.
        model, selection = window.model, window.tree.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        last = min(50, model.rowCount()) - 1
        selection.select(QItemSelection(model.index(0, 0), model.index(last, 0)), flags)
        selection.setCurrentIndex(model.index(last, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
        window.toggle_flag()

    step("bulk: flag 50 selected threads", bulk)
    step("view: Flagged after the bulk flag", lambda: sidebar.choose(4))

    print(f"{path.name}: {len(archive.entries)} messages, {len(archive.threads)} threads")
    print(f"idle baseline (1 s, archive open): longest gap over the {TICK_MS} ms tick "
          f"{baseline['max_stall_ms']:.1f} ms")
    print(f"{'step':58} {'stall ms':>9} {'/100ms':>7} {'/idle':>7} {'>16ms':>6} {'took s':>7}")
    idle = max(baseline["max_stall_ms"], 1.0)
    worst = 0.0
    for name, figures, seconds in rows:
        stall = figures["max_stall_ms"]
        if not name.startswith("open"):
            worst = max(worst, stall)
        print(f"{name[:58]:58} {stall:9.1f} {stall / BUDGET_MS:7.2f} {stall / idle:7.1f} "
              f"{figures['over_16ms']:6d} {seconds:7.2f}")
    print(f"worst stall while filtering and switching views: {worst:.1f} ms "
          f"({worst / BUDGET_MS:.2f} of the 100 ms budget)")
    print("counts:", window.view_counts, "flagged:", len(window.triage.flagged))
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
