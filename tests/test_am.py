""""Save for git am" and "Apply with git am" on a hand-made series, with real git repos."""

from __future__ import annotations

import subprocess

import pytest

from tests.triage_mail import mailbox_text, write_mailbox
from viewer.core.am import AmError, AmFailed, IncompleteSeries, export_series, git_am
from viewer.core.archive import Archive
from viewer.core.errors import HunkwiseError

_FILE = "\n".join(
    [f"/* filler {n} */" for n in range(1, 14)]
    + ["\tint a;", "\tint b;", "\treturn a;"]
    + [f"/* more {n} */" for n in range(17, 44)]
    + ["\tfrob_init();", "\tfrob_go(1);", "}"]
) + "\n"


@pytest.fixture
def archive(tmp_path):
    return Archive.open(write_mailbox(tmp_path), use_cache=False)


def git(repo, *args, check=True):
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if check:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def repo(tmp_path, monkeypatch):
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Maintainer Me\n\temail = me@example.org\n"
                      "[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    path = tmp_path / "linux"
    (path / "drivers" / "gpio").mkdir(parents=True)
    (path / "drivers" / "gpio" / "frob.c").write_text(_FILE)
    git(tmp_path, "init", "-q", str(path))
    git(path, "add", "-A")
    git(path, "commit", "-qm", "base")
    return path


def test_export_adds_collected_trailers_and_leaves_the_cover_out(archive):
    export = export_series(archive, "c2@x", link_base="https://lore.kernel.org/r")
    text = export.mbox.decode()
    assert text.count("\nFrom git@z ") + text.startswith("From git@z ") == 2
    assert "Message-Id: <c2@x>" not in text
    assert export.patches == ["p1v2@x", "p2v2@x"]
    second = text.split("From git@z ")[2]
    block = second.split("\n\n")[2].split("\n---\n")[0].splitlines()
    assert block == [
        "Signed-off-by: Jane Dev <jane@example.org>",
        "Acked-by: Rev Iewer <rev@example.org>",
        "Tested-by: Test Er <test@example.org>",  # given in a reply to v2 2/2
        "Link: https://lore.kernel.org/r/p2v2@x",
    ]
    assert [str(t) for t in export.added["p2v2@x"]] == block[2:]
    assert "Subject: [PATCH v2 2/2] gpio: frob: go faster" in second
    assert "Date: Mon, 12 Jan 2026 10:12:00 +0000" in second


def test_a_reply_or_patch_finds_its_series(archive):
    assert export_series(archive, "r3@x").patches == ["p1v2@x", "p2v2@x"]
    with pytest.raises(HunkwiseError, match="no message"):
        export_series(archive, "nope@x")


def test_missing_patches_stop_the_export_unless_forced(tmp_path):
    text = mailbox_text()
    # Drop v2 1/2 from the mailbox.
    chunks = text.split("From mboxrd@z ")
    kept = [c for c in chunks if "Message-ID: <p1v2@x>" not in c]
    path = tmp_path / "partial.mbox"
    path.write_text("From mboxrd@z ".join(kept))
    archive = Archive.open(path, use_cache=False)
    with pytest.raises(IncompleteSeries, match=r"patch 1 of 2 .* --force"):
        export_series(archive, "c2@x")
    forced = export_series(archive, "c2@x", force=True)
    assert forced.patches == ["p2v2@x"] and forced.missing == [1]


def test_git_am_applies_the_series_on_a_new_branch(archive, repo):
    export = export_series(archive, "c2@x")
    git_am(repo, export.mbox, branch="frob-v2")
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip() == "frob-v2"
    log = git(repo, "log", "--format=%s%n%b%n--", "main..HEAD").stdout
    assert "gpio: frob: go faster" in log and "gpio: frob: init b" in log
    assert "Tested-by: Test Er <test@example.org>" in log
    assert "frob_go(3);" in (repo / "drivers" / "gpio" / "frob.c").read_text()
    author = git(repo, "log", "-1", "--format=%an <%ae> %ad", "--date=iso").stdout
    assert author.startswith("Jane Dev <jane@example.org> 2026-01-12 10:12:00")


def test_git_am_failure_reports_gits_message_and_aborts(archive, repo):
    (repo / "drivers" / "gpio" / "frob.c").write_text(_FILE.replace("frob_go(1)", "frob_stop()"))
    git(repo, "commit", "-qam", "diverge")
    before = git(repo, "rev-parse", "HEAD").stdout
    export = export_series(archive, "c2@x")
    with pytest.raises(AmFailed) as failure:
        git_am(repo, export.mbox)
    assert "patch failed" in str(failure.value) or "does not apply" in str(failure.value)
    assert git(repo, "rev-parse", "HEAD").stdout == before
    assert git(repo, "status", "--porcelain").stdout == ""
    assert not (repo / ".git" / "rebase-apply").exists()


def test_not_a_repository(archive, tmp_path):
    with pytest.raises(AmError, match="not a git repository"):
        git_am(tmp_path / "nowhere", b"")
