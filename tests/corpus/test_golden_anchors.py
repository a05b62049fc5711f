"""Anchoring judged against hand-checked keys: ours (tests/golden/anchors) and the five shared
ones (../shared/corpus/keys).

The keys were written by reading the mails, never by running the engine, and
scripts/check_golden_keys.py verifies every entry against the mbox with the stdlib alone; so a
miss here is the engine's, not the key's. Scoring follows ../shared/tools/score_anchors.py (imported
from there when present, else the copy of its matching rules below). `pytest -s` prints the misses
of every key: what the comment is, where the key puts it, and where the engine put it.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared").resolve()
THREADS = SHARED / "corpus" / "threads"
SHARED_KEYS = SHARED / "corpus" / "keys"
GOLDEN_KEYS = REPO / "tests" / "golden" / "anchors"
SCORER = SHARED / "tools" / "score_anchors.py"

pytestmark = pytest.mark.corpus

# `pytest` run as a script does not put the repo root on sys.path (there is no root conftest yet).
if importlib.util.find_spec("viewer") is None:
    sys.path.insert(0, str(REPO))

# Hits each key must keep, set from what the engine reaches (never above it, never 0 where it
# does better): a drop is a regression; raise a number when the engine improves.
MINIMUM_HITS = {
    # tests/golden/anchors
    "linux-pwm-archive__20190813_v2_dt-bindings-pwm-sprd-add-spreadtrum-pwm-documentation": 15,
    "linux-pwm-archive__20201016_v5_qualcomm-light-pulse-generator": 18,
    "linux-pwm-archive__20220209_v3_drm-add-driver-for-solomon-ssd130x-oled-displays": 19,
    "linux-pwm-archive__20241101_v1_add-support-for-ad485x-das-family": 40,
    "linux-pwm-archive__20250610_v2_rust-abstractions-for-pwm-subsystem-with-th1520-pwm-driver": 33,
    "linux-pwm-archive__20260220_v1_add-support-for-ad5706r-dac": 30,
    "linux-watchdog-archive__20200214_v1_add-a-watchdog-driver-that-uses-arm-secure-monitor-calls":
    21,
    "linux-watchdog-archive__20210425_v2_arm64-dts-rockchip-add-basic-dtsi-dts-files-for-rk3568-soc":
    24,
    "linux-watchdog-archive__20211013_v1_add-realtek-otto-wdt-support": 7,
    "linux-watchdog-archive__20220118_v3_watchdog-sp5100-tco-replace-cd6h-cd7h-port-i-o-accesses-with":
    25,
    "linux-watchdog-archive__20230308_v4_add-watchdog-driver-for-starfive-jh7100-jh7110-risc-v-socs":
    23,
    "linux-watchdog-archive__20250903_v1_add-support-for-gunyah-watchdog": 10,
    # ../shared/corpus/keys
    "linux-pwm-archive__20201205_v1_pwm-pwm-gpio-new-driver": 26,
    "linux-watchdog-archive__20211028_v1_watchdog-s3c2410-add-exynos850-support": 12,
    "linux-watchdog-archive__20230503_v5_dt-bindings-watchdog-marvell-gti-system-watchdog-driver":
    6,
    "linux-watchdog-archive__20240202_v3_add-regmap-support-to-exynos-pmu-for-protected-pmu-regs":
    10,
    "linux-watchdog-archive__20240605_v11_turris-omnia-mcu-driver": 6,
}
# Share of all entries of all keys the engine must anchor exactly (measured: 325/325 = 100%).
MINIMUM_GLOBAL_RATE = 0.995


def _key_paths() -> dict[str, Path]:
    found = {}
    for folder in (GOLDEN_KEYS, SHARED_KEYS):
        for path in sorted(folder.glob("*.key.json")):
            found[path.name.removesuffix(".key.json")] = path
    return found


class _FallbackScorer:
    """The matching rules of score_anchors.py, for when ../shared/tools is not there."""

    @staticmethod
    def _fold(s):
        return re.sub(r"\s+", " ", s or "").strip().lower()

    @staticmethod
    def _mid(m):
        return (m or "").strip().strip("<>").lower()

    @staticmethod
    def _unprefix(path):
        return re.sub(r"^[ab]/", "", path or "")

    def hit(self, e, ann):
        if self._mid(ann.get("reply_message_id")) != self._mid(e["reply_message_id"]):
            return False
        if not self._fold(ann.get("comment")).startswith(self._fold(e["comment_first_line"])[:60]):
            return False
        a = ann.get("anchor") or {}
        if (e.get("patch_message_id") and a.get("patch_message_id")
                and self._mid(a["patch_message_id"]) != self._mid(e["patch_message_id"])):
            return False
        if e.get("file") is None:
            return (a.get("kind") == "commit_message"
                    and self._fold(e["quoted_last_line"])[:50] in self._fold(a.get("text")))
        if self._unprefix(a.get("file")) != self._unprefix(e["file"]):
            return False
        lines = [("new_line", e.get("new_line")), ("old_line", e.get("old_line")),
                 ("new_line", e.get("last_nonblank_new_line")),
                 ("old_line", e.get("last_nonblank_old_line"))]
        return any(v is not None and a.get(k) == v for k, v in lines)

    def score(self, out_doc, key_doc):
        entries = key_doc["entries"]
        anns = out_doc["annotations"]
        misses = [e for e in entries if not any(self.hit(e, a) for a in anns)]
        return len(entries) - len(misses), len(entries), misses, len(anns)


@cache
def _scorer():
    if not SCORER.is_file():
        return _FallbackScorer()
    spec = importlib.util.spec_from_file_location("score_anchors", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _mbox_for(key_path: Path, key: dict) -> Path:
    # Keys name their mbox by file name (ours) or relative to the key (the shared ones).
    named = (key_path.parent / key["mbox"]).resolve()
    return named if named.is_file() else THREADS / Path(key["mbox"]).name


@cache
def _run(thread: str) -> tuple[int, int, list[dict], list[dict]]:
    from viewer.core.anchoring import anchor_thread
    from viewer.core.mbox import open_mailbox

    key_path = _key_paths()[thread]
    key = json.loads(key_path.read_text())
    source = open_mailbox(_mbox_for(key_path, key), use_cache=False)
    annotations = [a.to_json() for a in
                   anchor_thread([source.message(e.number) for e in source.entries])]
    hits, total, misses, _ = _scorer().score({"annotations": annotations}, key)
    return hits, total, misses, annotations


def _mid(value: str | None) -> str:
    return (value or "").strip().strip("<>").lower()


def _engine_placement(entry: dict, annotations: list[dict]) -> str:
    """Where the engine put this comment, for the miss report."""
    want = re.sub(r"\s+", " ", entry["comment_first_line"]).strip().lower()[:60]
    for ann in annotations:
        comment = re.sub(r"\s+", " ", ann.get("comment") or "").strip().lower()
        if _mid(ann.get("reply_message_id")) == _mid(entry["reply_message_id"]) \
                and comment.startswith(want):
            a = ann.get("anchor") or {}
            if a.get("kind") == "diff":
                return f"{a.get('file')}:{a.get('new_line')}/{a.get('old_line')}"
            return str(a.get("kind"))
    return "no annotation starting with that comment"


def _report(thread: str, hits: int, total: int, misses: list[dict], annotations) -> str:
    lines = [f"{thread}: anchored {hits}/{total}"]
    for e in misses:
        where = (f"{e['file']}:{e.get('new_line')}/{e.get('old_line')}" if e.get("file")
                 else "commit_message")
        lines.append(f"  miss {e['comment_first_line'][:50]!r}: key {where} "
                     f"{e['quoted_last_line'][:40]!r}; engine {_engine_placement(e, annotations)}")
    return "\n".join(lines)


def _skip_without_corpus() -> None:
    if not THREADS.is_dir():
        pytest.skip("no ../shared/corpus")


def test_every_key_has_a_threshold():
    _skip_without_corpus()
    keys = _key_paths()
    assert set(keys) == set(MINIMUM_HITS), "add new keys to MINIMUM_HITS (and drop gone ones)"
    for thread, path in keys.items():
        key = json.loads(path.read_text())
        assert key["thread"] == thread
        assert _mbox_for(path, key).is_file(), thread
        assert 0 < MINIMUM_HITS[thread] <= len(key["entries"])


@pytest.mark.parametrize("thread", sorted(set(MINIMUM_HITS) | set(_key_paths())))
def test_key(thread):
    _skip_without_corpus()
    if thread not in _key_paths():
        pytest.skip(f"no key for {thread}")
    hits, total, misses, annotations = _run(thread)
    print("\n" + _report(thread, hits, total, misses, annotations))
    assert thread in MINIMUM_HITS, "add this key to MINIMUM_HITS"
    assert hits >= MINIMUM_HITS[thread], _report(thread, hits, total, misses, annotations)


def test_global_rate():
    _skip_without_corpus()
    threads = sorted(_key_paths())
    results = [_run(t) for t in threads]
    hits = sum(r[0] for r in results)
    total = sum(r[1] for r in results)
    print(f"\nall keys: anchored {hits}/{total} ({100.0 * hits / max(total, 1):.1f}%)")
    assert total >= 60
    assert hits / total >= MINIMUM_GLOBAL_RATE


def test_golden_keys_pass_the_independent_checker():
    """Every key entry still matches the mail it describes (stdlib-only hunk counting)."""
    _skip_without_corpus()
    spec = importlib.util.spec_from_file_location(
        "check_golden_keys", REPO / "scripts" / "check_golden_keys.py")
    checker = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up in sys.modules while being created.
    sys.modules.setdefault("check_golden_keys", checker)
    spec.loader.exec_module(checker)
    for path in sorted(GOLDEN_KEYS.glob("*.key.json")) + sorted(SHARED_KEYS.glob("*.key.json")):
        count, problems = checker.check_key(path)
        assert count > 0, path.name
        assert problems == [], problems
