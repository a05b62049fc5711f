"""Run every hostile input (tests/hostile_mail.py) as the `hunkwise` command a user runs.

    .venv/bin/python bench/hostile.py [--only NAME ...] [--timeout 20] [--memory-gb 2]

Each case is written to a temporary folder and run through ``hunkwise index --json``,
``threads --json`` and ``review --json`` in a fresh process limited to ``--timeout`` seconds
and ``--memory-gb`` of address space (RLIMIT_AS), with a private index cache, then once more
from that cache. A case passes when every command exits 0 with valid JSON listing exactly the
expected number of mails (and no ``errors`` recorded by the review), or, for input that is not
mail, when every command exits 2 with one line saying why. Exit status 3 (an internal error),
a timeout or a memory failure is always a failure. The time limit is wall time; the CPU time
of the slowest command is printed beside it (on a loaded machine the two differ a lot).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.hostile_mail import CASES, HostileCase  # noqa: E402


@dataclass
class Run:
    command: str
    status: int | None
    seconds: float
    cpu: float
    rss_mb: float
    stdout: bytes
    stderr: bytes


def run_command(args: list[str], env: dict, timeout: float, memory: int) -> Run:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env, preexec_fn=limit)
        status: int | None
        deadline = started + timeout
        rusage = None
        while True:
            pid, wait_status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(wait_status)
                proc.returncode = status
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, _, rusage = os.wait4(proc.pid, 0)
                proc.returncode = status = None
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        cpu = rusage.ru_utime + rusage.ru_stime if rusage else 0.0
        return Run(args[3], status, seconds, cpu, rusage.ru_maxrss / 1024 if rusage else 0.0,
                   out.read(), err.read())


def judge(case: HostileCase, run: Run) -> str | None:
    """None when the run did what the case demands, else why not."""
    if run.status is None:
        return f"{run.command}: still running after the time limit"
    if run.status == 3 or b"internal error" in run.stderr:
        return f"{run.command}: internal error: {run.stderr.decode(errors='replace')[:300]}"
    if case.messages is None:
        message = run.stderr.decode(errors="replace").strip()
        if run.status != 2:
            return f"{run.command}: accepted (exit {run.status}), should be refused"
        if "\n" in message or case.refused not in message:
            return f"{run.command}: refused with {message[:200]!r}, wanted {case.refused!r}"
        return None
    if run.status != 0:
        return f"{run.command}: exit {run.status}: {run.stderr.decode(errors='replace')[:300]}"
    try:
        data = json.loads(run.stdout)
    except ValueError as error:
        return f"{run.command}: output is not JSON ({error})"
    if run.command == "index" and data["messages"] != case.messages:
        return f"index: {data['messages']} messages, expected {case.messages}"
    if run.command == "threads":
        listed = sum(t["count"] for t in data["threads"])
        if listed != case.messages:
            return f"threads: {listed} messages listed, expected {case.messages}"
    if run.command == "review" and data.get("errors"):
        return f"review: errors recorded: {data['errors'][:3]}"
    return None


def run_case(case: HostileCase, folder: Path, timeout: float, memory: int) -> tuple[list, list]:
    path = folder / case.name / case.filename
    path.parent.mkdir(parents=True)
    path.write_bytes(case.make())
    env = dict(os.environ, HUNKWISE_CACHE_DIR=str(folder / case.name / "cache"),
               PYTHONPATH=str(REPO))
    commands = ["index", "threads", "review", "threads"]  # the last one answers from the cache
    if not case.review:
        commands.remove("review")
    runs, problems = [], []
    for command in commands:
        run = run_command([sys.executable, "-m", "viewer", command, str(path), "--json"],
                          env, timeout, memory)
        runs.append(run)
        problem = judge(case, run)
        if problem:
            problems.append(problem)
    return runs, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="case names to run (default: all)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per command")
    parser.add_argument("--memory-gb", type=float, default=2.0, help="address space per command")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if not args.only or c.name in args.only]
    memory = int(args.memory_gb * (1 << 30))
    failed = 0
    with tempfile.TemporaryDirectory(prefix="hunkwise-hostile-") as tmp:
        for case in cases:
            runs, problems = run_case(case, Path(tmp), args.timeout, memory)
            worst = max(runs, key=lambda r: r.seconds)
            rss = max(r.rss_mb for r in runs)
            verdict = "FAIL" if problems else "ok"
            failed += bool(problems)
            print(f"{verdict:4} {case.name:34} slowest {worst.command:8} {worst.seconds:6.2f} s"
                  f" ({worst.cpu:5.2f} s CPU)  peak RSS {rss:6.0f} MB", flush=True)
            for problem in problems:
                print(f"     {problem}", flush=True)
    print(f"{len(cases) - failed} of {len(cases)} cases pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
