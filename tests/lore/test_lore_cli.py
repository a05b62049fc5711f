"""`hunkwise review|index|threads|fetch|search` with lore sources, as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.corpus_paths import corpus_file
from tests.lore.conftest import CORPUS_THREADS, DEMO, REPO, split_mbox
from tests.test_cli import check_clean_failure, hunkwise
from viewer.core.library import Library
from viewer.core.lore import ThreadRef

V1_COVER = "20260112081403.2231-1-ilse.marten@lumora.example"
V1_PATCH = "20260112081403.2231-3-ilse.marten@lumora.example"


def review_json(*args: str) -> dict:
    result = hunkwise("review", *args, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    data.pop("path", None)
    return data


def test_review_from_a_url_anchors_exactly_as_from_the_file(public_inbox, library_dir, tmp_path):
    local = tmp_path / "v1.mbox"
    local.write_bytes(b"".join(split_mbox(DEMO.read_bytes())[:10]))  # the v1 thread
    url = f"{public_inbox.inbox('demo')}{V1_PATCH}/T/#u"
    from_url = review_json(url)
    assert from_url == review_json(str(local))
    assert from_url["patches"] and any(p["annotations"] for p in from_url["patches"])
    # one patch, by Message-ID, the same way
    assert review_json(url, V1_PATCH) == review_json(str(local), V1_PATCH)


def test_review_real_kernel_thread_from_the_server(public_inbox, library_dir):
    local = corpus_file(f"threads/{CORPUS_THREADS[0]}")
    if "corpus" not in public_inbox.inboxes:
        pytest.skip("the corpus inbox was not made")
    first = next(line for line in local.read_bytes().splitlines()
                 if line.lower().startswith(b"message-id:"))
    msgid = first.split(b"<", 1)[1].split(b">", 1)[0].decode()
    from_url = review_json(f"<{msgid}>", "--server", public_inbox.inbox("corpus"))
    assert from_url == review_json(str(local))
    assert sum(len(p["annotations"]) for p in from_url["patches"]) > 0


def test_index_and_threads_take_a_message_id(public_inbox, library_dir):
    server = ["--server", public_inbox.inbox("demo")]
    result = hunkwise("index", f"id:{V1_COVER}", *server, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["messages"] == 10
    result = hunkwise("threads", f"<{V1_COVER}>", *server, "--json")
    assert result.returncode == 0, result.stderr
    [thread] = json.loads(result.stdout)["threads"]
    assert thread["message_id"] == V1_COVER and thread["count"] == 10
    assert "from the library" in result.stderr  # the second use did not fetch


def test_fetch_out_saves_an_mbox(public_inbox, library_dir, tmp_path):
    out = tmp_path / "saved.mbox"
    result = hunkwise("fetch", f"{public_inbox.inbox('demo')}{V1_COVER}/", "--out", str(out),
                      "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["messages"] == data["added"] == 10 and data["fetched"] is True
    assert out.read_bytes() == Path(data["path"]).read_bytes()
    again = json.loads(hunkwise("fetch", f"<{V1_COVER}>", "--server",
                                public_inbox.inbox("demo"), "--refresh", "--json").stdout)
    assert again["added"] == 0 and again["fetched"] is True


def test_search_command(public_inbox, library_dir, tmp_path):
    out = tmp_path / "hits.mbox"
    result = hunkwise("search", "s:LM3200", "--server", public_inbox.inbox("demo"),
                      "--threads", "--json", "--out", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["query"] == "s:LM3200" and data["whole_threads"] is True
    assert {t["message_id"] for t in data["threads"]} >= {
        "20260209100247.7781-1-ilse.marten@lumora.example"}
    assert out.stat().st_size > 0
    plain = hunkwise("search", "s:LM3200", "--server", public_inbox.inbox("demo"))
    assert plain.returncode == 0 and "LM3200" in plain.stdout


def test_library_copy_opens_without_the_network(library_dir):
    dead = ThreadRef("http://127.0.0.1:1/list/", V1_COVER)  # nothing listens on port 1
    Library().store(dead, DEMO.read_bytes())
    result = hunkwise("index", f"{dead.page_url}T/", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["messages"] == 18
    assert result.stderr.count("\n") == 1 and "from the library" in result.stderr
    refreshed = hunkwise("index", dead.page_url, "--refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    assert "could not refresh" in refreshed.stderr and "refused" in refreshed.stderr
    assert refreshed.stderr.count("\n") == 1
    offline = hunkwise("index", dead.page_url, "--offline")
    assert offline.returncode == 0, offline.stderr


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("no-such-message@hunkwise.test", ["no message", "404"]),
        (V1_COVER[:-1], ["did you mean", "300", V1_COVER]),
    ],
)
def test_server_errors_are_one_line(public_inbox, library_dir, source, words):
    result = hunkwise("review", source, "--server", public_inbox.inbox("demo"))
    check_clean_failure(result, *words)


def test_network_errors_are_one_line(bad_server, library_dir):
    check_clean_failure(hunkwise("fetch", "http://hunkwise-test.invalid/l/a@b/"), "unknown host")
    check_clean_failure(hunkwise("fetch", f"{bad_server.url}html@test/"), "web page")
    check_clean_failure(hunkwise("fetch", f"{bad_server.url}junk@test/"), "not mail")
    check_clean_failure(hunkwise("index", "--offline", f"{bad_server.url}x@test/"),
                        "not in the library")
    assert not library_dir.exists() or not any(library_dir.rglob("*.mbox"))


def test_timeout_is_one_line(bad_server, library_dir):
    env = dict(os.environ, HUNKWISE_LORE_TIMEOUT="0.5")
    result = subprocess.run(
        [sys.executable, "-m", "viewer", "fetch", f"{bad_server.silent_url}a@b/"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=60,
    )
    check_clean_failure(result, "did not answer")


def test_kill_during_download_leaves_no_library_file(bad_server, library_dir):
    bad_server.trickle_started.clear()
    process = subprocess.Popen(
        [sys.executable, "-m", "viewer", "fetch", f"{bad_server.url}slow@test/"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        assert bad_server.trickle_started.wait(30)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert process.returncode == -signal.SIGKILL
    assert not library_dir.exists() or not [p for p in library_dir.rglob("*") if p.is_file()]
