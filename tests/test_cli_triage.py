"""`hunkwise triage`, `threads --json --query` and `am`, run as a user runs them (subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import check_clean_failure
from tests.triage_mail import write_mailbox

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(tmp_path):
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Maintainer Me\n\temail = me@example.org\n")
    return dict(
        os.environ,
        HUNKWISE_DATA_DIR=str(tmp_path / "data"),
        HUNKWISE_CACHE_DIR=str(tmp_path / "cache"),
        GIT_CONFIG_GLOBAL=str(config),
        GIT_CONFIG_NOSYSTEM="1",
    )


@pytest.fixture
def mbox(tmp_path):
    return write_mailbox(tmp_path)


def run(env, *args):
    return subprocess.run([sys.executable, "-m", "viewer", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


def threads(env, mbox, query=None):
    args = ["threads", str(mbox), "--json"] + (["--query", query] if query else [])
    done = run(env, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_threads_json_gains_triage_keys_and_keeps_old_ones(env, mbox):
    data = threads(env, mbox)
    by_root = {t["message_id"]: t for t in data["threads"]}
    v1, v2 = by_root["c1@x"], by_root["c2@x"]
    for key in ("message_id", "subject", "author", "date", "count", "messages", "state",
                "flagged", "unread", "newer_revision", "unchanged_from_previous",
                "reviewed_by_me"):
        assert key in v1, key
    assert v1["newer_revision"] == "c2@x" and v2["newer_revision"] is None
    assert v2["unchanged_from_previous"] == ["p1v2@x"]
    assert v1["reviewed_by_me"] == ["p1v1@x"] and v2["reviewed_by_me"] == ["p1v2@x"]
    assert v1["state"] == "new" and v1["unread"] and not v1["flagged"]
    series = {s["key"]: s for s in data["series"]}
    assert series["c2@x"]["trailers_carried"] == {"A": 2, "R": 1, "T": 0}
    assert series["c2@x"]["trailers"]["T"] == 1  # given in a reply, counted apart


def test_triage_changes_state_and_the_query_sees_it(env, mbox):
    done = run(env, "triage", str(mbox), "<p2v2@x>", "--state", "reviewing", "--flag",
               "--read", "--mark", "done", "--note", "check the DT binding", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["series"], result["state"]) == ("c2@x", "reviewing")
    assert result["flagged"] and not result["unread"] and result["mark"] == "done"
    assert [t["message_id"] for t in threads(env, mbox, "is:reviewing")["threads"]] == ["c2@x"]
    assert [t["message_id"] for t in threads(env, mbox, "is:flagged")["threads"]] == ["c2@x"]
    needs = {t["message_id"] for t in threads(env, mbox, "needs:review")["threads"]}
    assert needs == {"lone@x"}
    assert {t["message_id"] for t in threads(env, mbox, "has:newer")["threads"]} == {"c1@x"}
    assert {t["message_id"] for t in threads(env, mbox, "is:mine")["threads"]} == {"c1@x"}
    unchanged = threads(env, mbox, "is:unchanged -is:flagged")["threads"]
    assert [t["message_id"] for t in unchanged] == ["c2@x"]  # p1v2 matches, p2v2 is flagged
    done = run(env, "triage", str(mbox), "p2v2@x", "--unflag", "--state", "waiting")
    assert done.returncode == 0 and "waiting" in done.stdout
    assert threads(env, mbox, "is:flagged")["threads"] == []


def test_new_revision_brings_the_series_back_to_new(env, mbox, tmp_path):
    assert run(env, "triage", str(mbox), "c1@x", "--state", "waiting").returncode == 0
    # The next command sees v2 supersede the v1 the maintainer was waiting on.
    assert threads(env, mbox, "is:waiting")["threads"] == []
    data = threads(env, mbox)
    series = {s["key"]: s for s in data["series"]}
    assert series["c1@x"]["superseded_by"] == "c2@x"
    assert series["c2@x"]["state"] == "new"


def test_triage_errors_are_one_line(env, mbox):
    check_clean_failure(run(env, "triage", str(mbox), "nope@x", "--flag"), "nope@x")
    check_clean_failure(run(env, "triage", str(mbox), "c2@x", "--mark", "done"), "not a patch")
    check_clean_failure(run(env, "triage", str(mbox), "c2@x", "--snooze", "tomorrow"), "date")
    check_clean_failure(run(env, "threads", str(mbox), "--json", "--query", "is:bogus"), "bogus")
    bad = run(env, "triage", str(mbox), "c2@x", "--state", "pondering")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_am_writes_the_series(env, mbox, tmp_path):
    out = tmp_path / "ready.mbox"
    done = run(env, "am", str(mbox), "p1v2@x", "--out", str(out), "--link-base",
               "https://lore.kernel.org/r/")
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert text.count("From git@z") == 2 and "Message-Id: <c2@x>" not in text
    assert "Link: https://lore.kernel.org/r/p1v2@x" in text
    assert "Tested-by: Test Er <test@example.org>" in text
    assert "2 patches" in done.stdout
    check_clean_failure(run(env, "am", str(mbox), "c2@x"), "--out")
    check_clean_failure(run(env, "am", str(mbox), "c2@x", "--out", str(mbox)), "overwrite")
    assert mbox.read_text().count("From mboxrd@z") == 10  # the source is never written


def test_am_refuses_an_incomplete_series(env, tmp_path):
    path = tmp_path / "partial.mbox"
    text = write_mailbox(tmp_path).read_text()
    path.write_text("From mboxrd@z ".join(
        c for c in text.split("From mboxrd@z ") if "Message-ID: <p1v2@x>" not in c
    ))
    check_clean_failure(run(env, "am", str(path), "c2@x", "--out", str(tmp_path / "o")),
                        "patch 1 of 2", "--force")
    assert not (tmp_path / "o").exists()
    forced = run(env, "am", str(path), "c2@x", "--out", str(tmp_path / "o"), "--force")
    assert forced.returncode == 0 and "missing" in forced.stderr


def test_a_new_state_keeps_the_snooze_date(env, mbox):
    done = run(env, "triage", str(mbox), "c2@x", "--snooze", "2099-01-31", "--json")
    assert done.returncode == 0, done.stderr
    until = json.loads(done.stdout)["snoozed_until"]
    assert until is not None
    done = run(env, "triage", str(mbox), "c2@x", "--state", "reviewing", "--json")
    result = json.loads(done.stdout)
    assert (result["state"], result["snoozed_until"]) == ("reviewing", until)
    done = run(env, "triage", str(mbox), "c2@x", "--snooze", "off", "--json")
    assert json.loads(done.stdout)["snoozed_until"] is None
