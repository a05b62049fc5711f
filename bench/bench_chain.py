"""A reply chain (each mail answering the previous one): how review time grows with its length.

    .venv/bin/python bench/bench_chain.py [--lengths 500 1000 2000 5000]

For each length, in one process: the floor (decoding every mail of the chain, which any
review pays) and ``review_json`` over the whole mailbox (threading, anchoring every reply,
the JSON), both after the index is built. Linear work keeps review/floor about constant as
the chain grows; the exponent printed is log2 of the time ratio per doubling of the length
(1.0 linear, 2.0 quadratic).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.setrecursionlimit(10_000)

from tests.hostile_mail import reply_chain  # noqa: E402
from viewer.core.archive import Archive  # noqa: E402
from viewer.core.report import review_json  # noqa: E402


def measure(length: int, folder: Path) -> tuple[float, float]:
    path = folder / f"chain-{length}.mbox"
    path.write_bytes(reply_chain(length))
    archive = Archive.open(path, use_cache=False)
    started = time.perf_counter()
    for entry in archive.entries:
        archive.source.message(entry.number)
    floor = time.perf_counter() - started
    archive = Archive.open(path, use_cache=False)
    started = time.perf_counter()
    review_json(archive, None)
    return floor, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", type=int, nargs="*", default=[500, 1000, 2000, 5000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HUNKWISE_CACHE_DIR"] = tmp
        previous = None
        print("length   floor(decode)   review --json   review/floor   exponent")
        for length in args.lengths:
            floor, review = measure(length, Path(tmp))
            exponent = ""
            if previous is not None:
                exponent = f"{math.log(review / previous[1]) / math.log(length / previous[0]):.2f}"
            print(f"{length:6}   {floor:11.3f} s   {review:11.3f} s   {review / floor:10.1f}×"
                  f"   {exponent}", flush=True)
            previous = (length, review)


if __name__ == "__main__":
    main()
