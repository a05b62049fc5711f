"""Test session set-up: headless Qt and a private, throwaway home for everything we write.

This runs before any test module is imported, so before anything imports Qt: the platform
plugin and the folders Qt and the engine read from the environment must be settled here.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

# Unexpected log records fail the test; tests/logfail.py says how a test expects one.
pytest_plugins = ("tests.logfail", "tests.windows")

# Headless even on a desktop: a test that needs a real display is a test CI cannot run.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="hunkwise-tests-"))

# Every folder the engine, platformdirs and Qt would write to, pointed at the temp home: a test
# run must never read the developer's real index cache, triage state or window layout (and
# never leave anything in them).
_FOLDERS = {
    "HUNKWISE_CACHE_DIR": "cache/hunkwise",
    "HUNKWISE_DATA_DIR": "data/hunkwise",
    "HUNKWISE_CONFIG_DIR": "config/hunkwise",
    "XDG_CACHE_HOME": "cache",
    "XDG_DATA_HOME": "data",
    "XDG_CONFIG_HOME": "config",
    "XDG_STATE_HOME": "state",
    # Qt warns (and a warning fails the test) when this is unset or not private to the user.
    "XDG_RUNTIME_DIR": "runtime",
}
for _name, _relative in _FOLDERS.items():
    _folder = _SESSION_HOME / _relative
    _folder.mkdir(parents=True, exist_ok=True)
    os.environ[_name] = str(_folder)
(_SESSION_HOME / "runtime").chmod(0o700)


@pytest.fixture(scope="session")
def session_home() -> Path:
    """The per-session folder that stands in for the user's cache, data and config folders."""
    return _SESSION_HOME


def pytest_collection_finish(session: pytest.Session) -> None:
    # QSettings reads XDG_CONFIG_HOME once, when first used; also point it explicitly, in case
    # a module created a QSettings before this hook (both formats, both scopes).
    if "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, os.environ["XDG_CONFIG_HOME"])


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_SESSION_HOME, ignore_errors=True)

