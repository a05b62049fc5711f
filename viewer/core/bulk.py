"""Building tens of thousands of small objects at once, without the cycle collector's help.

Opening a 50,000-message archive creates some 300,000 tuples, strings, entries and thread
nodes that all live as long as the archive. CPython's cycle collector runs every 700 new
container objects and, as the heap grows, repeatedly walks everything built so far: a
quarter of a second of a cold open and more of threading, for not one byte freed (nothing
built here is garbage yet). So the bulk builders pause it, and it resumes where it was.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the block; leaves it off if it was off already.

    Nesting is harmless (the inner block sees it disabled and leaves it so). The setting
    is process-wide, so another thread building at the same time merely runs a moment
    without collection too: garbage cycles wait, they are not lost.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
