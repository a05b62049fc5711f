"""The app's own diagnosis when Qt cannot load its platform plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from viewer.qt_libs import PACKAGE_OF, diagnose

FIXTURE = Path(__file__).parent / "fixtures" / "ui" / "two-revisions.mbox"


def test_the_issue_case_gives_the_packages_really_missing():
    # Qt blamed xcb-cursor0; these three were what was missing
    found = diagnose({"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libwayland-cursor.so.0"})
    assert found.install_command(root=True) == (
        "apt-get install -y libwayland-cursor0 libxcb-icccm4 libxcb-keysyms1")
    assert found.install_command(root=False).startswith("sudo apt-get install -y ")
    assert not found.ok and found.unknown == ()


def test_unknown_libraries_and_missing_fonts_are_named():
    found = diagnose({"libnothing.so.9"}, fonts=False)
    assert found.unknown == ("libnothing.so.9",)
    assert found.packages == ("fonts-dejavu-core",)
    assert diagnose(set()).ok and diagnose(set()).install_command() == ""
    assert "libxcb-cursor.so.0" in PACKAGE_OF


def test_a_platform_that_cannot_load_gets_the_library_check_not_a_core_dump(tmp_path):
    # xcb with a display that is not there: Qt's fatal "no Qt platform plugin could be
    # initialized" path, whatever this machine lacks
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY",)}
    env.update(QT_QPA_PLATFORM="xcb", DISPLAY=":77", HUNKWISE_CONFIG_DIR=str(tmp_path),
               HUNKWISE_DATA_DIR=str(tmp_path))
    root = Path(__file__).resolve().parents[1]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-m", "viewer", str(FIXTURE)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # not -6 (SIGABRT) with a core dump
    assert "hunkwise: Qt could not start its display platform" in done.stderr
    assert ("install them with:\n    " in done.stderr and "apt-get install -y lib"
            in done.stderr) or "the libraries Qt needs are all present" in done.stderr
