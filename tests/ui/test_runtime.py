"""The interpreter settings that keep the GUI thread responsive beside background jobs."""

from __future__ import annotations

import gc
import sys
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
        runtime.settle_long_lived()
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


def test_a_background_job_runs_without_collections_and_leaves_its_work_frozen():
    before = gc.get_freeze_count()
    try:
        with runtime.background_job():
            assert not gc.isenabled()
            built = [_Node() for _ in range(100)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= before + len(built)
    finally:
        gc.unfreeze()
        if before:
            gc.freeze()
