"""The interpreter settings that keep the GUI thread responsive beside background jobs."""

from __future__ import annotations

import gc
import sys
import threading
import weakref

from viewer.ui import runtime


class _Node:
    def __init__(self) -> None:
        self.parent = self
        """A reference cycle, as thread nodes and their parents make."""


def test_settling_frees_old_cycles_and_freezes_what_lives(monkeypatch):
    before = gc.get_freeze_count()
    try:
        kept = _Node()
        dropped = _Node()
        gone = weakref.ref(dropped)
        del dropped
        gc.freeze()  # as if an earlier mailbox's objects had been frozen with it
        runtime.settle_long_lived(replacing=True)
        assert gone() is None  # the earlier mailbox's cycles were handed back and freed
        assert gc.get_freeze_count() > 0
        assert kept.parent is kept
    finally:
        gc.unfreeze()
        if before:
            gc.freeze()


def test_the_gil_is_shared_finely(monkeypatch):
    monkeypatch.setattr(sys, "getswitchinterval", lambda: 0.005)
    set_to = []
    monkeypatch.setattr(sys, "setswitchinterval", set_to.append)
    runtime.share_gil_finely()
    assert set_to == [runtime.SWITCH_INTERVAL]
    assert runtime.SWITCH_INTERVAL < 0.005


def test_a_background_job_runs_without_collections_and_a_big_one_is_frozen(monkeypatch):
    """Asked of this thread's jobs only: another test's worker still finishing may freeze
    too, and the process-wide freeze count would count it."""
    monkeypatch.setattr(runtime, "FREEZE_AFTER", 1000)
    me, real_freeze, frozen = threading.get_ident(), gc.freeze, []

    def freeze() -> None:
        if threading.get_ident() == me:
            frozen.append(gc.get_count()[0])  # the new objects the job left
        real_freeze()

    monkeypatch.setattr(gc, "freeze", freeze)
    before = gc.get_freeze_count()
    try:
        gc.collect()
        with runtime.background_job():
            assert not gc.isenabled()
            small = [_Node() for _ in range(10)]
        assert gc.isenabled()
        assert frozen == [] and len(small) == 10  # a small job's objects stay collectable
        with runtime.background_job():
            built = [_Node() for _ in range(2000)]  # a cache
        assert len(frozen) == 1 and frozen[0] >= len(built)
        assert gc.get_freeze_count() >= before + len(built)
    finally:
        gc.unfreeze()
        if before:
            real_freeze()


def test_a_first_mailbox_freezes_without_collecting(monkeypatch):
    collected = []
    monkeypatch.setattr(gc, "collect", lambda *a: collected.append(a) or 0)
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    runtime.settle_long_lived(replacing=False)
    assert collected == [] and frozen == [True]
    runtime.settle_long_lived(replacing=True)
    assert len(collected) == 1
