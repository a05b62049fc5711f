"""How soon does the thread list of a big archive show, and does the GUI stall meanwhile?

Issue 12's GUI target: on a cached open of a 1 GB archive the first screen of the thread
list is there within 1 s, and the event loop never stalls more than 100 ms while the rest
loads. Measured the way a user opens a file (``MainWindow.open_path``, as File > Open does),
offscreen at 1600×1000, each archive twice in a fresh window: first with no cache (the
cold open builds and saves the index and the threads), then cached.

* first screen: from open_path until the thread list's viewport has painted rows;
* settled: until the background jobs (counts, facts) are done;
* stall: the longest gap of a 5 ms heartbeat timer over that whole time, beyond its tick.

Baseline, in the same process: the heartbeat over an idle second with the archive open
(timer jitter alone). Ratios: first screen / 1 s budget, stall / 100 ms budget (both must
stay below 1.0), stall / idle.

    .venv/bin/python bench/bench_gui_open.py MBOX [MBOX ...]

Not a test: nothing here asserts, it prints the figures (see bench/README.md for a run).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_SCRATCH = Path(tempfile.mkdtemp(prefix="hunkwise-bench-open-"))
for _name in ("HUNKWISE_DATA_DIR", "HUNKWISE_CONFIG_DIR", "HUNKWISE_CACHE_DIR"):
    os.environ.setdefault(_name, str(_SCRATCH / _name.lower()))

from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_triage_views import Heartbeat, pump, run_until, settle  # noqa: E402

from viewer.ui.mainwindow import MainWindow  # noqa: E402
from viewer.ui.settings import Settings  # noqa: E402

FIRST_SCREEN_BUDGET_S = 1.0
STALL_BUDGET_MS = 100.0


class FirstPaint(QObject):
    """Notes when the thread list's viewport first paints with rows in the model."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.at: float | None = None
        window.tree.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if (self.at is None and event.type() == QEvent.Type.Paint
                and self.window.model.rowCount() > 0):
            self.at = time.perf_counter()
        return False


def measure(app: QApplication, path: Path, label: str) -> dict:
    window = MainWindow(Settings.at(_SCRATCH / f"{label}.ini"))
    window.resize(1600, 1000)
    window.show()
    run_until(app, lambda: settle(app, window))
    paint = FirstPaint(window)
    beat = Heartbeat()
    beat.start()
    started = time.perf_counter()
    window.open_path(path)
    run_until(app, lambda: paint.at is not None, timeout=600)
    first = paint.at - started
    run_until(app, lambda: window.archive is not None and settle(app, window), timeout=600)
    settled = time.perf_counter() - started
    pump(app, 0.03)  # the gap spanning the last step ends at a tick
    figures = beat.stop()
    beat.start()
    pump(app, 1.0)
    idle = beat.stop()
    archive = window.archive
    assert archive is not None
    result = {
        "label": label, "first": first, "settled": settled, "stall": figures["max_stall_ms"],
        "over16": figures["over_16ms"], "idle": idle["max_stall_ms"],
        "cached": archive.source.from_cache, "rows": window.model.rowCount(),
        "messages": len(archive.entries),
    }
    window.close()
    window.deleteLater()
    app.processEvents()
    return result


def main() -> int:
    paths = [Path(p) for p in sys.argv[1:]]
    if not paths or not all(p.exists() for p in paths):
        print("usage: bench_gui_open.py MBOX [MBOX ...]", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication([])
    print(f"{'archive / open':34} {'first s':>8} {'/1s':>5} {'settled s':>9} "
          f"{'stall ms':>9} {'/100ms':>7} {'/idle':>6} {'>16ms':>6}  rows")
    for path in paths:
        for label in ("cold", "cached"):
            r = measure(app, path, label)
            idle = max(r["idle"], 1.0)
            print(f"{path.name[:24] + ' ' + label:34} {r['first']:8.2f} "
                  f"{r['first'] / FIRST_SCREEN_BUDGET_S:5.2f} {r['settled']:9.2f} "
                  f"{r['stall']:9.1f} {r['stall'] / STALL_BUDGET_MS:7.2f} "
                  f"{r['stall'] / idle:6.1f} {r['over16']:6d}  {r['rows']} "
                  f"({r['messages']} mails, idle {r['idle']:.1f} ms"
                  f"{', from cache' if r['cached'] else ''})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
