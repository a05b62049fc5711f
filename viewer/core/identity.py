"""Who the user is, as git knows them: ``git config user.name`` and ``user.email``.

Read with the git command itself rather than by parsing ~/.gitconfig, so includes, ``XDG``
locations and ``GIT_CONFIG_GLOBAL`` (what the tests use) all work exactly as git does it.
No git, or no identity configured, is not an error: the marks that need it stay off.
"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    email: str
    """Lower-cased; empty when git has none."""

    @property
    def known(self) -> bool:
        return bool(self.email or self.name)

    def is_me(self, name: str, email: str) -> bool:
        """A sender or trailer person is me: the address first, the name when there is none."""
        if self.email and email:
            return email.strip().lower() == self.email
        return bool(self.name) and " ".join(name.split()).lower() == self.name.lower()

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name


def _git_config(key: str, cwd: str | None) -> str:
    try:
        done = subprocess.run(
            ["git", "config", "--get", key], capture_output=True, text=True, cwd=cwd, timeout=10
        )
    except (OSError, subprocess.SubprocessError) as error:
        log.info("git config %s: %s", key, error)
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def git_identity(cwd: str | None = None) -> Identity:
    """The user's identity from git config (two git calls: callers keep the result)."""
    return Identity(
        " ".join(_git_config("user.name", cwd).split()), _git_config("user.email", cwd).lower()
    )
