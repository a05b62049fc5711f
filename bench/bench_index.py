"""How fast a mailbox lists: Python's mailbox module against our index, cold and cached.

Each variant runs in its own process so that peak memory (ru_maxrss) and warm-up do not mix:

  baseline  mailbox.mbox(path), iterating every message and reading the six threading headers
  cold      open_mailbox(path) with an empty cache folder (scan + writing the cache)
  cached    open_mailbox(path) again, answered from that cache
  threads-cold    Archive.open(path) with an empty cache: index, build_threads, find_series,
                  i.e. everything before the thread list can be shown
  threads-cached  Archive.open(path) again, the index answered from the cache

The file is read once first so every variant finds it in the OS page cache (what a user who
just downloaded it sees); the numbers are about parsing, not the disk.

    python bench/bench_index.py [--repeat N] [MBOX ...]
        default: bench/out/lkml-50k.mbox and ../shared/corpus/large/*.mbox when present;
        each variant runs N times (3) and the best run counts, since other work on the
        machine only ever adds time. Wall and CPU time are both shown.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADERS = ("message-id", "in-reply-to", "references", "subject", "from", "date")
VARIANTS = ("baseline", "cold", "cached", "threads-cold", "threads-cached")


def run_variant(variant: str, path: str) -> dict:
    """Inside the child process: do the work once and report time, count and peak memory."""
    sys.path.insert(0, str(ROOT))
    # Imports happen before the clock starts for every variant: an app has them loaded.
    import mailbox

    from viewer.core.archive import Archive
    from viewer.core.mbox import open_mailbox

    started, cpu = time.perf_counter(), time.process_time()
    if variant == "baseline":
        count = 0
        for count, message in enumerate(mailbox.mbox(path, create=False), 1):  # noqa: B007
            for name in HEADERS:
                message.get(name)
    else:
        threads = variant.startswith("threads")
        source = Archive.open(path).source if threads else open_mailbox(path)
        count = len(source.entries)
        if variant.endswith("cached") != source.from_cache:
            raise SystemExit(f"{variant}: from_cache={source.from_cache}, cache not as expected")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # A cold scan of a big file forks a helper for its second half: its CPU counts too, and
    # its peak is shown apart (the two share the file's pages, so a sum would overstate).
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"variant": variant, "seconds": seconds, "cpu": cpu + child.ru_utime + child.ru_stime,
            "count": count, "peak_mib": peak_kib / 1024, "child_mib": child.ru_maxrss / 1024}


def measure(variant: str, path: Path, cache: str, repeat: int) -> dict:
    """Best of ``repeat`` runs, each in a fresh process (the cold runs each get an empty cache)."""
    runs = []
    for _ in range(repeat):
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        with tempfile.TemporaryDirectory(prefix="hunkwise-cold-") as empty:
            env["HUNKWISE_CACHE_DIR"] = empty if variant.endswith("cold") else cache
            out = subprocess.run(
                [sys.executable, __file__, "--child", variant, str(path)],
                env=env, capture_output=True, text=True, check=True,
            )
        runs.append(json.loads(out.stdout))
    best = min(runs, key=lambda r: r["seconds"])
    best["cpu"] = min(r["cpu"] for r in runs)
    return best


def bench(path: Path, repeat: int) -> None:
    size = path.stat().st_size
    with path.open("rb") as f:  # warm the page cache
        while f.read(1 << 24):
            pass
    with tempfile.TemporaryDirectory(prefix="hunkwise-bench-") as cache:
        # The cached variant needs a cache written by a scan first.
        env = dict(os.environ, HUNKWISE_CACHE_DIR=cache, PYTHONPATH=str(ROOT))
        subprocess.run([sys.executable, __file__, "--child", "cold", str(path)],
                       env=env, capture_output=True, check=True)
        results = {v: measure(v, path, cache, repeat) for v in VARIANTS}
    counts = {r["count"] for r in results.values()}
    print(f"\n{path.name}: {size / 2**20:.1f} MiB, messages {sorted(counts)}, best of {repeat}")
    print(f"  {'variant':15} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9} {'helper MiB':>10} "
          f"{'baseline/x':>11}")
    base = results["baseline"]["seconds"]
    for r in results.values():
        print(f"  {r['variant']:15} {r['seconds']:8.3f} {r['cpu']:8.3f} {r['peak_mib']:9.1f} "
              f"{r['child_mib']:10.1f} {base / r['seconds']:10.1f}x")
    print("  targets: baseline/cold >= 7x, baseline/cached >= 50x; the issue asks the thread "
          "list of a 300 MB archive in about a second")
    print("  ratios are wall time; CPU s includes the forked helper of a cold scan")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        print(json.dumps(run_variant(argv[1], argv[2])))
        return
    repeat = 3
    if argv[:1] == ["--repeat"]:
        repeat, argv = int(argv[1]), argv[2:]
    paths = [Path(a) for a in argv]
    if not paths:
        generated = ROOT / "bench" / "out" / "lkml-50k.mbox"
        if not generated.exists():
            raise SystemExit(f"{generated} missing: run python bench/make_mbox.py first")
        paths = [generated, *sorted((ROOT.parent / "shared" / "corpus" / "large").glob("*.mbox"))]
    for path in paths:
        bench(path, repeat)


if __name__ == "__main__":
    main(sys.argv[1:])
