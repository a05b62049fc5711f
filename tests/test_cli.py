"""The `hunkwise` command end to end, as scripts and users call it (a real subprocess)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo.mbox"


def hunkwise(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def check_clean_failure(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """A user error: non-zero exit, exactly one line on stderr, no traceback."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("hunkwise: ")
    for word in words:
        assert word.lower() in lines[0].lower(), lines[0]


def test_index_json_counts_the_demo():
    result = hunkwise("index", str(DEMO), "--json", "--no-cache")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("messages", "threads", "series", "patches", "seconds"):
        assert key in data
    raw = DEMO.read_bytes()
    assert data["messages"] == raw.count(b"\nFrom ") + raw.startswith(b"From ")
    assert data["patches"] >= 3
    assert data["series"] >= 2  # two revisions of the demo series
    assert data["threads"] >= 1


def test_threads_json_lists_series_with_versions_and_trailers():
    result = hunkwise("threads", str(DEMO), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    versions = sorted(s["version"] for s in data["series"])
    assert len(set(versions)) >= 2
    newest = max(data["series"], key=lambda s: s["version"])
    assert set(newest["revisions"]) >= {s["key"] for s in data["series"] if s["subject"] ==
                                        newest["subject"]}
    assert sum(newest["trailers"].values()) > 0
    ids = {m["message_id"] for t in data["threads"] for m in t["messages"]}
    for series in data["series"]:
        assert set(series["patches"].values()) <= ids
        if series["cover"]:
            assert series["cover"] in ids


def test_review_json_annotations_follow_the_contract():
    result = hunkwise("review", str(DEMO), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    annotations = [a for p in data["patches"] for a in p["annotations"]]
    assert annotations, "the demo has review comments"
    ids = {a["id"] for a in annotations}
    for a in annotations:
        assert set(a) >= {"id", "reply_message_id", "author", "date", "comment", "in_reply_to",
                          "confidence", "anchor"}
        anchor = a["anchor"]
        assert anchor["kind"] in {"diff", "commit_message", "unanchored"}
        assert set(anchor) >= {"kind", "patch_message_id", "file", "old_line", "new_line", "text"}
        assert a["in_reply_to"] is None or a["in_reply_to"] in ids
        if anchor["kind"] == "diff":
            assert not anchor["file"].startswith(("a/", "b/"))
            assert anchor["old_line"] is not None or anchor["new_line"] is not None
    assert any(a["anchor"]["kind"] == "diff" for a in annotations)
    # Every diff anchor names a line that really is in that patch, with that text.
    patches = {p["message_id"]: p for p in data["patches"]}
    for a in annotations:
        anchor = a["anchor"]
        if anchor["kind"] != "diff":
            continue
        patch = patches[anchor["patch_message_id"]]
        lines = [
            (f["path"], line["old_line"], line["new_line"], line["kind"] + line["text"])
            for f in patch["files"]
            for h in f["hunks"]
            for line in h["lines"]
        ]
        assert (anchor["file"], anchor["old_line"], anchor["new_line"], anchor["text"]) in lines


def test_review_text_shows_comments_boxed_under_lines():
    result = hunkwise("review", str(DEMO), "--color", "never")
    assert result.returncode == 0, result.stderr
    assert "┌─" in result.stdout and "\033[" not in result.stdout
    colour = hunkwise("review", str(DEMO), "--color", "always")
    assert "\033[32m" in colour.stdout


def test_review_of_unknown_message_id_is_a_clear_error():
    check_clean_failure(hunkwise("review", str(DEMO), "<nope@example.org>"), "nope@example.org")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("junk.mbox", bytes(range(256)) * 64),
        ("empty.mbox", b""),
        ("truncated.mbox.gz", gzip.compress(DEMO.read_bytes())[:4000]),
    ],
)
def test_bad_input_gets_one_line_and_non_zero_exit(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    check_clean_failure(hunkwise("index", str(path), "--json", "--no-cache"))


def test_missing_file_and_unreadable_file(tmp_path):
    check_clean_failure(hunkwise("index", str(tmp_path / "absent.mbox")), "absent.mbox")
    plain_dir = tmp_path / "folder"
    plain_dir.mkdir()
    check_clean_failure(hunkwise("threads", str(plain_dir), "--json"))
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.mbox"
        locked.write_bytes(DEMO.read_bytes())
        locked.chmod(0)
        check_clean_failure(hunkwise("index", str(locked)), "locked.mbox")


def test_source_mailbox_is_never_written(tmp_path):
    copy = tmp_path / "demo.mbox"
    copy.write_bytes(DEMO.read_bytes())
    before = (copy.stat().st_mtime_ns, copy.read_bytes())
    for command in ("index", "threads", "review"):
        assert hunkwise(command, str(copy), "--json").returncode == 0
    assert (copy.stat().st_mtime_ns, copy.read_bytes()) == before


def test_threads_json_written_a_thread_at_a_time_is_the_whole_structure(tmp_path, monkeypatch):
    """To a pipe the listing is streamed; it must be exactly the compact JSON of the
    structure threads_json builds (what a terminal, or a script importing it, gets)."""
    from viewer.core.archive import Archive
    from viewer.core.report import threads_json
    from viewer.core.store import Store
    from viewer.triage_cli import open_triage

    monkeypatch.setenv("HUNKWISE_DATA_DIR", str(tmp_path / "data"))
    result = hunkwise("threads", str(DEMO), "--json", "--no-cache")
    assert result.returncode == 0, result.stderr
    archive = Archive.open(DEMO, use_cache=False)
    with Store() as store:
        whole = threads_json(archive, open_triage(archive, store))
    assert result.stdout == json.dumps(whole, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert whole["threads"] and whole["series"]
