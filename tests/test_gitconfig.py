"""git config read through git itself: GIT_CONFIG_GLOBAL, a repository's own config, identity."""

from __future__ import annotations

import subprocess

import pytest

from viewer.core.gitconfig import git_config
from viewer.core.identity import git_identity
from viewer.core.reply import NoIdentity, require_sender


@pytest.fixture
def global_config(tmp_path, monkeypatch):
    path = tmp_path / "gitconfig"
    path.write_text("[user]\n\tname = Rita Reviewer\n\temail = rita@example.org\n"
                    "[sendemail]\n\tsmtpServer = smtp.example.org\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return path


def test_identity_comes_from_the_global_file(global_config):
    identity = git_identity()
    assert (identity.name, identity.email) == ("Rita Reviewer", "rita@example.org")
    assert str(identity) == "Rita Reviewer <rita@example.org>"


def test_a_repository_overrides_the_global_file(global_config, tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.email", "rita@work.example"],
                   check=True)
    assert git_identity(str(repo)).email == "rita@work.example"
    assert git_identity().email == "rita@example.org"
    # Keys are matched without regard to case, as git does.
    assert git_config(("sendemail.smtpserver",), repo) == {
        "sendemail.smtpserver": "smtp.example.org"}


def test_no_identity_says_how_to_set_it(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    with pytest.raises(NoIdentity, match=r"git config --global user\.email"):
        require_sender(git_identity(str(tmp_path)))
