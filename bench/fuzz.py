"""The long fuzz run: generated and mutated mailboxes through the whole path.

    .venv/bin/python bench/fuzz.py --count 100000 [--seed 1] [--workers 2]

Input ``i`` is made from ``(seed, i)`` alone (a seed thread, our own or a window of a corpus
thread, mutated one to three times; one in eight is a mail generated from random header and
body text), so any input can be made again from its number. Worker processes (2 GB of address
space each) run :func:`tests.fuzz_mail.check_mailbox` on it, and on every fourth input the
grown-mbox check. The report counts:

- crashes: an exception out of the engine (a MailboxError refusal is a right answer);
- invariant failures: what check_mailbox returns (counts, cache, annotations, logged errors);
- hangs: more than ``--hang`` seconds (2 s) of CPU for one mailbox, or a worker that
  stopped answering (killed after ``--kill`` seconds of wall time and restarted). CPU time,
  not wall time: on a machine shared with other work a worker waits for a core, and wall
  time then says more about the machine than about Hunkwise;
- memory spikes: a worker's peak RSS grown by more than ``--spike-mb`` for one input.

Each failing input is written to ``bench/fuzz-out/`` (git-ignored) with a ``.txt`` saying why.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fuzz_mail import (  # noqa: E402
    check_grown,
    check_mailbox,
    corpus_seeds,
    mutate,
    own_seeds,
)
from tests.hostile_mail import SEP  # noqa: E402

OUT = REPO / "bench" / "fuzz-out"
_ALPHABET = "abc xyz<>@:;=?\"'()[],.\t\n\r\0\u00e9\u2603-_/+>|\\"


def _random_text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, size)))


def _generated(rng: random.Random) -> bytes:
    """One thread of mail made of random header and body text."""
    out = []
    ids = [f"{k}@x" for k in "abcd"]
    for n in range(rng.randint(1, 4)):
        head = [f"From: {_random_text(rng, 40)}", f"Subject: {_random_text(rng, 60)}",
                f"Message-ID: <{ids[n]}>", f"Date: {_random_text(rng, 30)}"]
        if n:
            head.append(f"In-Reply-To: <{rng.choice(ids)}>")
            head.append("References: " + " ".join(f"<{rng.choice(ids)}>" for _ in range(3)))
        if rng.random() < 0.3:
            kind = rng.choice(["text/plain", "multipart/mixed", "text/x-patch"])
            charset = rng.choice(["utf-8", "bogus", "utf-16", ""])
            head.append(f"Content-Type: {kind}; charset={charset}")
        if rng.random() < 0.2:
            head.append(f"Content-Transfer-Encoding: {rng.choice(['base64', 'quoted-printable'])}")
        body = _random_text(rng, 600)
        if rng.random() < 0.5:
            body = "---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n" + body
        out.append(SEP + ("\n".join(head) + "\n\n" + body + "\n\n").encode("utf-8", "replace"))
    return b"".join(out)


class Inputs:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.seeds = own_seeds() + corpus_seeds()

    def make(self, i: int) -> bytes:
        rng = random.Random(self.seed * 1_000_003 + i)
        if i % 8 == 7:
            return _generated(rng)
        return mutate(rng, rng.choice(self.seeds))


def _worker(conn, seed: int, folder: str) -> None:  # pragma: no cover - a child process
    memory = 2 << 30
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    os.environ["HUNKWISE_CACHE_DIR"] = os.path.join(folder, "cache")
    inputs = Inputs(seed)
    while True:
        i = conn.recv()
        if i is None:
            return
        data = inputs.make(i)
        path = Path(folder) / f"in-{i}.mbox"
        path.write_bytes(data)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.process_time()
        crash = None
        problems: list[str] = []
        try:
            problems = check_mailbox(path)
            if i % 4 == 0:
                problems += check_grown(Path(folder) / f"grown-{i}.mbox", data)
        except BaseException:
            crash = traceback.format_exc(limit=12)
        seconds = time.process_time() - started
        grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        for leftover in (path, Path(folder) / f"grown-{i}.mbox"):
            leftover.unlink(missing_ok=True)
        conn.send((i, seconds, problems, crash, grown_kb / 1024))


class Worker:
    def __init__(self, seed: int, folder: str) -> None:
        self.seed, self.folder = seed, folder
        self._start()

    def _start(self) -> None:
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, self.seed, self.folder),
                                   daemon=True)
        self.process.start()
        self.current: int | None = None
        self.sent_at = 0.0

    def send(self, i: int) -> None:
        self.current, self.sent_at = i, time.perf_counter()
        self.conn.send(i)

    def restart(self) -> None:
        self.process.kill()
        self.process.join()
        self._start()


def save(inputs: Inputs, i: int, kind: str, why: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{kind}-{i}.mbox").write_bytes(inputs.make(i))
    (OUT / f"{kind}-{i}.txt").write_text(why)


def recheck(paths: list[Path], hang: float) -> int:
    """Run saved inputs again, alone, in this process: is a hang still a hang?"""
    failed = 0
    with tempfile.TemporaryDirectory(prefix="hunkwise-fuzz-") as folder:
        os.environ["HUNKWISE_CACHE_DIR"] = os.path.join(folder, "cache")
        for n, path in enumerate(paths):
            copy = Path(folder) / f"re-{n}.mbox"
            copy.write_bytes(path.read_bytes())
            started = time.process_time()
            problems = check_mailbox(copy)
            seconds = time.process_time() - started
            bad = bool(problems) or seconds > hang
            failed += bad
            print(f"{'FAIL' if bad else 'ok':4} {path.name}: {seconds:.2f} s of CPU "
                  f"{problems[:1] if problems else ''}", flush=True)
    print(f"{len(paths) - failed} of {len(paths)} pass")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="first input number")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--hang", type=float, default=2.0, help="seconds that make a hang")
    parser.add_argument("--kill", type=float, default=30.0, help="seconds before a worker is "
                        "killed and its input counted as a hang")
    parser.add_argument("--spike-mb", type=float, default=200.0)
    parser.add_argument("--recheck", nargs="*", type=Path, metavar="MBOX",
                        help="check saved inputs one by one (CPU seconds each) and stop")
    args = parser.parse_args(argv)
    if args.recheck is not None:
        return recheck(args.recheck, args.hang)

    inputs = Inputs(args.seed)
    print(f"{len(inputs.seeds)} seed mailboxes; {args.count} inputs from number {args.start}",
          flush=True)
    tally = {"ran": 0, "crashes": 0, "invariants": 0, "hangs": 0, "spikes": 0}
    slowest = (0.0, -1)
    started = time.perf_counter()
    todo = iter(range(args.start, args.start + args.count))
    with tempfile.TemporaryDirectory(prefix="hunkwise-fuzz-") as folder:
        workers = [Worker(args.seed, folder) for _ in range(args.workers)]
        busy: list[Worker] = []
        for worker in workers:
            i = next(todo, None)
            if i is not None:
                worker.send(i)
                busy.append(worker)
        while busy:
            ready = mp.connection.wait([w.conn for w in busy], timeout=0.5)
            now = time.perf_counter()
            for worker in list(busy):
                result = None
                if worker.conn in ready:
                    try:
                        result = worker.conn.recv()
                    except EOFError:  # the worker died (memory limit, a segfault)
                        tally["crashes"] += 1
                        save(inputs, worker.current, "crash", "the worker process died")
                        worker.restart()
                elif now - worker.sent_at > args.kill:
                    tally["hangs"] += 1
                    save(inputs, worker.current, "hang", f"no answer after {args.kill} s")
                    print(f"hang: input {worker.current} (killed)", flush=True)
                    worker.restart()
                else:
                    continue
                tally["ran"] += 1
                if result is not None:
                    i, seconds, problems, crash, grown_mb = result
                    slowest = max(slowest, (seconds, i))
                    if crash:
                        tally["crashes"] += 1
                        save(inputs, i, "crash", crash)
                        print(f"crash: input {i}: {crash.splitlines()[-1]}", flush=True)
                    if problems:
                        tally["invariants"] += 1
                        save(inputs, i, "invariant", "\n".join(problems))
                        print(f"invariant: input {i}: {problems[0]}", flush=True)
                    if seconds > args.hang:
                        tally["hangs"] += 1
                        save(inputs, i, "hang", f"{seconds:.2f} s of CPU")
                        print(f"hang: input {i}: {seconds:.2f} s of CPU", flush=True)
                    if grown_mb > args.spike_mb:
                        tally["spikes"] += 1
                        save(inputs, i, "spike", f"peak RSS grew {grown_mb:.0f} MB")
                        print(f"memory spike: input {i}: +{grown_mb:.0f} MB", flush=True)
                if tally["ran"] % 1000 == 0:
                    rate = tally["ran"] / (time.perf_counter() - started)
                    print(f"... {tally['ran']} ran ({rate:.0f}/s) {tally}", flush=True)
                i = next(todo, None)
                if i is None:
                    busy.remove(worker)
                    worker.conn.send(None)
                else:
                    worker.send(i)
        for worker in workers:
            worker.process.join(timeout=5)
    elapsed = time.perf_counter() - started
    print(f"done: {tally} in {elapsed:.0f} s; slowest input {slowest[1]} "
          f"({slowest[0]:.2f} s of CPU)", flush=True)
    return 1 if tally["crashes"] or tally["hangs"] or tally["invariants"] else 0


if __name__ == "__main__":
    sys.exit(main())
