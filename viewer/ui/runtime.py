"""The interpreter tuned for a GUI thread that shares the GIL with background jobs.

Two things in CPython freeze the window without any of our code running long:

- The GIL switch interval. A background job (matching a filter, counting the views, reading
  mail) runs pure Python; the GUI thread needs the GIL back every time Qt calls into Python
  (``data()`` for each painted cell, every timer slot) and waits up to the switch interval
  each time. At the default 5 ms a repaint of the thread list took 200 ms–7 s beside a busy
  worker instead of 30 ms; at 0.2 ms it takes about twice its idle time (the GIL is shared).
- The cycle collector's full collections. With a 58 MB archive open (hundreds of thousands
  of long-lived index entries, thread nodes, strings) every generation-2 collection walks all
  of them: 80–120 ms with the GIL held, wherever it happens to run, a dozen times while a
  background job reads mail. Everything the archive holds lives as long as the archive, so
  once it is open it is moved out of the collector's sight (``gc.freeze``); later collections
  walk only what was made since. A background job fills the archive's caches the same way: it
  runs with the collector paused, and what a big one leaves is frozen too. (Measured on the 58 MB
  archive after reading every mail: no unreachable cycle at all, so nothing is kept that a
  collection would have freed; a new mailbox hands everything back first anyway.)
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from viewer.core.bulk import collector_paused

log = logging.getLogger(__name__)

SWITCH_INTERVAL = 0.0002
"""Seconds a thread may hold the GIL while another waits for it (CPython's default: 0.005)."""


def share_gil_finely() -> None:
    """Let the GUI thread have the GIL back quickly from a busy worker (process-wide)."""
    if sys.getswitchinterval() > SWITCH_INTERVAL:
        sys.setswitchinterval(SWITCH_INTERVAL)


def settle_long_lived(*, replacing: bool) -> None:
    """Keep everything alive now out of later collections; first collect once if a mailbox
    was just replaced in this window.

    The new archive is long-lived. The one it replaced (frozen with the objects of its day)
    has to be handed back to the collector, or its reference cycles (thread nodes know their
    parents) would be kept for ever; that collection walks every object once (~50 ms with
    the 58 MB archive open), so a window's first mailbox, with nothing to free, skips it.
    """
    found = 0
    if replacing:
        gc.unfreeze()
        found = gc.collect()
    gc.freeze()
    if log.isEnabledFor(logging.DEBUG):  # the count walks every frozen object: 35 ms at 50k
        log.debug("collector: %d unreachable objects freed, %d frozen", found,
                  gc.get_freeze_count())


FREEZE_AFTER = 20_000
"""A job that left at least this many new objects built a cache (the index, the facts of
every mail): those are frozen. A smaller job's objects are left to the collector, so what
little garbage a GUI makes meanwhile is not frozen with them."""


@contextmanager
def background_job() -> Iterator[None]:
    """Around a worker thread's job: no collection while it fills caches, and what a big one
    built frozen before the collector resumes (else the first collection after it walks it
    all, with the GIL held)."""
    with collector_paused():
        try:
            yield
        finally:
            if gc.get_count()[0] >= FREEZE_AFTER:
                gc.freeze()
