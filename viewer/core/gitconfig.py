"""Reading git's configuration the way git itself resolves it, by asking ``git config``.

(The user's name and address are viewer.core.identity's; this is for the sendemail.* keys.)

Reading ~/.gitconfig ourselves would miss includes, ``GIT_CONFIG_GLOBAL``, the system file and a
repository's own config; the ``git`` program gets all of them right. Without a repository the
command runs in a folder that is not one (the temp folder), so the current directory of the app
never leaks a random repository's settings into a reply.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from viewer.core.errors import HunkwiseError

log = logging.getLogger(__name__)


class GitConfigError(HunkwiseError):
    """git is missing, or its configuration cannot be read."""


def git_config(
    keys: tuple[str, ...], repo: str | os.PathLike[str] | None = None
) -> dict[str, str]:
    """The values of ``keys`` (lower-cased names, e.g. ``sendemail.smtpserver``) that are set.

    One ``git config --list`` call reads everything at once; the last value of a key wins,
    as it does for git (a repository's config after the global one)."""
    git = shutil.which("git")
    if git is None:
        raise GitConfigError("git is not installed; it is needed to read sendemail and user "
                             "settings (apt-get install git)")
    cwd = Path(repo) if repo is not None else Path(tempfile.gettempdir())
    env = dict(os.environ)
    if repo is None:
        # The temp folder might sit inside a repository in odd set-ups: never look upwards.
        env["GIT_CEILING_DIRECTORIES"] = str(cwd.parent)
    try:
        done = subprocess.run(
            [git, "config", "--includes", "--null", "--list"],
            cwd=cwd, env=env, capture_output=True, check=False, timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitConfigError(f"could not run git config: {error}") from error
    if done.returncode not in (0, 1):  # 1: nothing configured at all
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GitConfigError(f"git config failed: {message}")
    wanted = {key.lower() for key in keys}
    found: dict[str, str] = {}
    for item in done.stdout.decode("utf-8", "replace").split("\0"):
        name, _, value = item.partition("\n")
        if name.lower() in wanted:
            found[name.lower()] = value
    return found
