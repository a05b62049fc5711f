"""Make real patch series with git: a throwaway repository, revisions as branches, format-patch.

Tests of the range-diff compare our output with what ``git range-diff`` prints for the same
commits, and tests of the revision tracking need series whose every line is known; both come
from here rather than from hand-written patch text, so the mails are exactly what git sends.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

AUTHOR = ("Ada Lovelace", "ada@example.org")
_ENV = {
    "GIT_AUTHOR_NAME": AUTHOR[0], "GIT_AUTHOR_EMAIL": AUTHOR[1],
    "GIT_COMMITTER_NAME": AUTHOR[0], "GIT_COMMITTER_EMAIL": AUTHOR[1],
    # Fixed dates: equal commits of two revisions get equal ids, as when a patch is unchanged.
    "GIT_AUTHOR_DATE": "2026-01-12T10:00:00+0100",
    "GIT_COMMITTER_DATE": "2026-01-12T10:00:00+0100",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}

Step = Callable[["Repo"], str]
"""Changes the work tree and returns the commit message."""


@dataclass
class Repo:
    path: Path

    def git(self, *args: str) -> str:
        env = {**os.environ, **_ENV}
        done = subprocess.run(["git", *args], cwd=self.path, env=env, check=True,
                              capture_output=True, text=True)
        return done.stdout

    def write(self, name: str, text: str) -> None:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)


def make_repo(path: Path, base: dict[str, str]) -> Repo:
    path.mkdir(parents=True, exist_ok=True)
    repo = Repo(path)
    repo.git("init", "-q", "-b", "main", ".")
    for name, text in base.items():
        repo.write(name, text)
    repo.commit("base")
    repo.git("tag", "base")
    return repo


def add_revision(repo: Repo, name: str, steps: list[Step]) -> None:
    """A branch ``name`` from base with one commit per step."""
    repo.git("checkout", "-q", "-b", name, "base")
    for step in steps:
        repo.commit(step(repo))


def format_series(repo: Repo, branch: str, version: int, *, cover: str = "") -> str:
    """The branch as git send-email would mail it: cover letter, [PATCH vN i/n], threaded.

    format-patch names mails by commit id and the current second; two revisions made in the
    same second would share a cover's Message-ID, so each gets its version in the id.
    """
    text = repo.git("format-patch", "--stdout", "--thread", "--cover-letter",
                    f"-v{version}", f"base..{branch}")
    text = text.replace(".git.ada@", f".git.v{version}.ada@")
    if cover:
        text = text.replace("*** BLURB HERE ***", cover, 1)
    return text


def range_diff(repo: Repo, old: str, new: str, *, creation_factor: int = 60) -> list[str]:
    """git's own range-diff of base..old and base..new (60 is git's default factor: raise it
    where git's size-based pairing gives up on a small patch that our subject pairing keeps)."""
    return repo.git("range-diff", "--no-color", f"--creation-factor={creation_factor}",
                    "base", old, new).splitlines()
