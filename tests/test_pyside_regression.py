"""PySide6 regressions we depend on staying fixed, and the Qt strictness of the test suite.

PySide6 6.12.0 on Python 3.11 drops one reference to ``None`` on every call of a void Qt
method (QSyntaxHighlighter.setFormat, the call our highlighter makes for every token). On 3.11
``None`` is not immortal, so after a few thousand calls its count reaches zero and the process
dies with "Fatal Python error: none_dealloc". 6.11.x is fine; pyproject.toml pins below 6.12.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
CALLS = 200_000

HIGHLIGHTER = textwrap.dedent(
    """
    import sys
    from PySide6.QtGui import QSyntaxHighlighter, QTextCharFormat, QTextDocument
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    fmt = QTextCharFormat()
    calls = int(sys.argv[1])
    done = []

    class Highlighter(QSyntaxHighlighter):
        def highlightBlock(self, text):
            for _ in range(calls):
                self.setFormat(0, 1, fmt)  # a void Qt method: returns None every time
            done.append(calls)

    document = QTextDocument()
    highlighter = Highlighter(document)
    before = sys.getrefcount(None)
    document.setPlainText("x")
    after = sys.getrefcount(None)
    print(before, after, sum(done))
    """
)


def test_void_qt_calls_do_not_leak_references_to_none():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", HIGHLIGHTER, str(CALLS)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert "none_dealloc" not in done.stderr, "PySide6 loses references to None (6.12.0 bug)"
    assert done.returncode == 0, done.stderr
    before, after, calls = (int(v) for v in done.stdout.split())
    assert calls == CALLS  # highlightBlock really ran, with every call
    # A handful of references come and go with the document; the bug loses one per call.
    assert before - after < CALLS // 100, (before, after)


def pyside_requirement() -> Requirement:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for line in project["dependencies"]:
        requirement = Requirement(line)
        if requirement.name.lower().startswith("pyside6"):
            return requirement
    pytest.fail("pyproject.toml does not depend on PySide6")


def test_installed_pyside_satisfies_the_pin():
    import PySide6

    requirement = pyside_requirement()
    installed = Version(PySide6.__version__)
    assert requirement.specifier.contains(installed), (
        f"PySide6 {installed} installed, pyproject.toml wants {requirement}"
    )
    # The distribution pip installed is the one pinned (not a stray full PySide6 beside it).
    assert Version(importlib.metadata.version(requirement.name)) == installed


def test_pin_excludes_the_broken_release():
    assert not pyside_requirement().specifier.contains(Version("6.12.0"))


STRICT_SAMPLE = """
from PySide6.QtCore import qWarning


def test_warns(qapp):
    qWarning("something is off")
"""


def test_qt_warnings_fail_tests(tmp_path):
    # qt_log_level_fail in pyproject.toml is what makes a Qt warning fail a test; run a test
    # that only warns under the project's own pytest settings and expect it to fail.
    (tmp_path / "test_sample.py").write_text(STRICT_SAMPLE)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-c", str(REPO / "pyproject.toml"), "--rootdir", str(tmp_path),
         str(tmp_path / "test_sample.py")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert done.returncode == 1, done.stdout
    assert "something is off" in done.stdout
    assert "1 failed" in done.stdout
