"""kill -9 while saving: everything the writer reported saved is there, the file always opens.

A child process saves triage state as fast as it can and prints each change's number once the
call returned (the moment the GUI would show it as saved). The parent kills it with SIGKILL at
random moments, in the middle of a transaction as often as not, then opens the store.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

from viewer.core.store import Store

_WRITER = textwrap.dedent(
    """
    import sys
    from viewer.core.store import SeriesState, Store

    store = Store(sys.argv[1])
    n = int(sys.argv[2])
    while True:
        n += 1
        ids = [f"m{n}-{i}@x" for i in range(20)]
        store.set_flagged("box", ids)
        store.set_series_states("box", {f"s{n}@x": SeriesState("reviewing")})
        store.set_note("box", ids[0], f"note {n} " * 20)
        print(n, flush=True)
    """
)


def test_kill_9_while_saving_loses_nothing_shown_saved(tmp_path):
    path = tmp_path / "state.sqlite3"
    rng = random.Random(int(os.environ.get("HUNKWISE_KILL_SEED", "0")) or None)
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    start = 0
    confirmed: list[int] = []
    for _round in range(6):
        # `with` closes the pipe: a leaked one is a ResourceWarning, and warnings are errors.
        with subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), str(start)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        ) as child:
            assert child.stdout is not None
            first = child.stdout.readline()  # the writer is saving: kill it at a random moment
            assert first.strip(), "writer died before saving anything"
            time.sleep(rng.uniform(0.0, 0.15))
            child.send_signal(signal.SIGKILL)
            out = first + child.stdout.read()
        numbers = [int(line) for line in out.split()]
        confirmed += numbers
        start = numbers[-1] + 1000  # the next round writes fresh ids
        with Store(path) as store:
            assert store.recovered_from is None, "the database was left unreadable"
            assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            flagged = store.flagged_ids("box")
            series = store.series_states("box")
            notes = store.patch_states("box")
        for n in confirmed:
            assert {f"m{n}-{i}@x" for i in range(20)} <= flagged, n
            assert series[f"s{n}@x"].state == "reviewing"
            assert notes[f"m{n}-0@x"].note == f"note {n} " * 20
    assert len(confirmed) > 6
