"""The facts a thread listing reads from mail, read for a whole archive on both cores.

A first `hunkwise threads` of a list archive reads every patch (its diff fingerprint and own
trailers, for "unchanged from the previous revision" and the carried A/R/T) and every reply
that may give a trailer: seconds of pure Python per 10,000 mails, on one core while the
other idles. Each fact depends on one mail's bytes alone, so half of the patches are read in
a forked child, which hands back only the facts it learnt (marshalled tuples, what the
facts file holds anyway). Everything else stays as it was: the listing then finds the facts
where it would have put them itself, and a child that fails costs nothing but its half of
the speed-up (the listing reads what is missing, as without this).

Only where forking is safe and worth it: Linux with two CPUs (the same test as the index
scan's), a process that runs no other thread (the command line; the GUI has its own
workers), and enough patches to pay for the fork.
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import os
import threading
from collections.abc import Sequence

from viewer.core.scan import fork_allowed, read_all, write_all
from viewer.core.triage import Triage

log = logging.getLogger(__name__)

MIN_PATCHES = 2000
"""Below this a listing reads its facts in well under a second: not worth a process."""


def _read(triage: Triage, patches: Sequence[str]) -> None:
    archive = triage.archive
    for msgid in patches:
        triage.patch_facts(msgid)
        archive.followup_trailers(msgid)  # every reply under it and its cover


def read_listing_facts(triage: Triage, *, min_patches: int = MIN_PATCHES) -> int:
    """Read the listing's facts of every patch not known yet, half of them in a child
    process; returns how many facts the child gave (0 when nothing was split)."""
    archive = triage.archive
    facts = archive.facts
    todo = [m for m in archive.patch_ids() if ("patch", m) not in facts]
    if (len(todo) < min_patches or threading.active_count() > 1 or not fork_allowed()):
        return 0
    half = len(todo) // 2
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError as error:
        log.info("not reading facts in two processes: %s", error)
        return 0
    if pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
        status = 1
        try:
            os.close(read_end)
            before = set(facts)
            _read(triage, todo[half:])
            learnt = {k: v for k, v in archive.facts.items() if k not in before}
            write_all(write_end, marshal.dumps(learnt))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        _read(triage, todo[:half])
        payload = read_all(read_end)
    finally:
        os.close(read_end)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    try:
        learnt = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        log.info("the second process gave no facts; the listing reads them itself")
        return 0
    if not isinstance(learnt, dict):
        return 0
    for key, value in learnt.items():
        if key not in archive.facts:
            archive.remember_fact(key, value)
    return len(learnt)
