"""The big-archive table of issue 12: the disk floor, the stdlib, and `hunkwise` as a user runs it.

    .venv/bin/python bench/bench_archive.py [--repeat 3] [--tracemalloc] MBOX ...

Rows, each in a fresh process (peak RSS from wait4, so nothing mixes), best of ``--repeat``:

  floor            an mmap loop finding every ``\\nFrom `` of the file: what reading it costs
  stdlib           ``mailbox.mbox``, reading Message-ID, In-Reply-To, References, Subject,
                   From and Date of every message (the baseline every ratio is against)
  index cold       ``hunkwise index PATH`` with an empty cache folder, process start included
  index cached     the same again, answered from the cache
  index in-process ``Archive.open`` + the index summary from the cache, imports done first
                   (floor, stdlib and this row are timed inside their process, after imports)
  threads cold     ``hunkwise threads PATH --json`` (A/R/T counts included) to /dev/null,
                   empty cache
  threads cached   the same again, after one such run wrote its facts beside the index

The file is read once first so every row finds it in the page cache. Wall and CPU time
(user + system of the process and its reaped children, from wait4) are both shown, each
with its ratios: on a machine shared with other work, wall time mostly measures the wait
for a core, CPU time what the row costs. ``--tracemalloc`` adds
the Python heap peak of the in-process rows (slower: tracing every allocation).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADERS = ("message-id", "in-reply-to", "references", "subject", "from", "date")


def child(variant: str, path: str, trace: bool) -> dict:
    """Runs inside the measured process for the in-process rows."""
    sys.path.insert(0, str(ROOT))
    import mailbox
    import mmap
    import tracemalloc

    from viewer.core.archive import Archive
    from viewer.core.report import index_summary

    if trace:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    if variant == "floor":
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            count, pos, find = 0, 0, data.find
            while (pos := find(b"\nFrom ", pos) + 1) > 0:
                count += 1
            count += data[:5] == b"From "
    elif variant == "stdlib":
        count = 0
        for count, message in enumerate(mailbox.mbox(path, create=False), 1):  # noqa: B007
            for name in HEADERS:
                message.get(name)
    else:  # "in-process": a cached open and the summary `hunkwise index` prints
        archive = Archive.open(path, eager_threads=False)  # as the command opens it
        count = index_summary(archive)["messages"]
        if not archive.source.from_cache:
            raise SystemExit("in-process: the cache was not used")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    heap = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    # Measured inside the process after its imports: these rows replace wall and CPU.
    return {"wall": seconds, "seconds": seconds, "cpu": cpu, "count": count, "heap_mib": heap}


def run(args: list[str], env: dict) -> tuple[float, float, float, bytes]:
    """Wall seconds, CPU seconds (user + system, its reaped children included), peak RSS
    (MiB) of the process, stdout."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read() if proc.stderr else b""
        if proc.returncode != 0:
            raise SystemExit(f"{args}: exit {proc.returncode}: {err.decode()[:500]}")
        out.seek(0)
        return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read()


def bench(path: Path, repeat: int, trace: bool, wanted: tuple[str, ...] = ("threads",)
          ) -> list[dict]:
    with path.open("rb") as f:
        while f.read(1 << 24):
            pass
    rows = []
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory(prefix="hunkwise-bench-") as tmp:
        def best(name: str, make_args, *, cold: bool, parse=None) -> dict:
            runs = []
            for attempt in range(repeat):
                cache = Path(tmp) / (f"cold-{name}-{attempt}" if cold else "warm")
                run_env = dict(env, HUNKWISE_CACHE_DIR=str(cache))
                seconds, cpu, rss, out = run(make_args(), run_env)
                extra = parse(out) if parse else {}
                runs.append({"row": name, "wall": seconds, "seconds": seconds, "cpu": cpu,
                             "rss_mib": rss, **extra})  # in-process rows: their own clock
            return min(runs, key=lambda r: r["seconds"])

        def inproc(variant: str):
            return lambda: [sys.executable, __file__, "--child", variant, str(path)] + (
                ["--tracemalloc"] if trace else [])

        def hunkwise(*words: str):
            return lambda: [sys.executable, "-m", "viewer", *words]

        parse_child = json.loads
        rows.append(best("floor", inproc("floor"), cold=False, parse=parse_child))
        rows.append(best("stdlib", inproc("stdlib"), cold=False, parse=parse_child))
        rows.append(best("index cold", hunkwise("index", str(path)), cold=True))
        run(hunkwise("index", str(path))(), dict(env, HUNKWISE_CACHE_DIR=str(Path(tmp) / "warm")))
        rows.append(best("index cached", hunkwise("index", str(path)), cold=False))
        rows.append(best("index in-process", inproc("in-process"), cold=False,
                         parse=parse_child))
        threads = hunkwise("threads", str(path), "--json")
        if "threads" in wanted:
            rows.append(best("threads cold", threads, cold=True))
            run(threads(), dict(env, HUNKWISE_CACHE_DIR=str(Path(tmp) / "warm")))  # its facts
            rows.append(best("threads cached", threads, cold=False))
    base = next(r for r in rows if r["row"] == "stdlib")
    floor = next(r for r in rows if r["row"] == "floor")
    print(f"\n{path.name}: {path.stat().st_size / 1e6:.0f} MB, best of {repeat}")
    print(f"  {'row':18} {'wall s':>8} {'stdlib/x':>9} {'x/floor':>8} {'CPU s':>8} "
          f"{'stdlib/x':>9} {'x/floor':>8} {'peak RSS MiB':>13}" + ("  heap MiB" if trace else ""))
    for r in rows:
        heap = f"  {r['heap_mib']:8.1f}" if trace and r.get("heap_mib") is not None else ""
        print(f"  {r['row']:18} {r['wall']:8.3f} {base['wall'] / r['wall']:8.1f}× "
              f"{r['wall'] / floor['wall']:7.1f}× {r['cpu']:8.3f} "
              f"{base['cpu'] / r['cpu']:8.1f}× {r['cpu'] / floor['cpu']:7.1f}× "
              f"{r['rss_mib']:13.0f}{heap}")
    return rows


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(argv[1], argv[2], "--tracemalloc" in argv)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--no-threads", action="store_true", help="skip the threads rows")
    args = parser.parse_args(argv)
    for path in args.paths:
        bench(path, args.repeat, args.tracemalloc, () if args.no_threads else ("threads",))


if __name__ == "__main__":
    main(sys.argv[1:])
