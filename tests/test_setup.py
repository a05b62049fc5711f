"""The set-up helpers behind `make run` / `make test` (scripts/) and the CI entry point."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"


def load_checker():
    spec = importlib.util.spec_from_file_location("check_qt_libs", SCRIPTS / "check_qt_libs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


checker = load_checker()

LDD_SAMPLE = """\
\tlinux-vdso.so.1 (0x00007ffd5a9e5000)
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007f1d0)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibGL.so.1 => /lib/x86_64-linux-gnu/libGL.so.1 (0x00007f1d2)
"""


def test_not_found_reads_ldd_output():
    assert checker.not_found(LDD_SAMPLE) == {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    assert checker.not_found("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == set()


def test_every_library_qt_links_against_has_a_debian_package():
    # A new PySide6 that links a library the table lacks would leave users with a soname and
    # no package name: list what this one links and make sure each maps to a package.
    base = checker.pyside_dir(sys.executable)
    files = [base / f for f in checker.TEST_FILES + checker.RUN_FILES + checker.RUN_OPTIONAL]
    linked: set[str] = set()
    for path in files:
        if not path.exists():
            continue
        output = subprocess.run(["ldd", str(path)], capture_output=True, text=True).stdout
        for name, target in re.findall(r"^\s*(\S+) => (\S+)", output, re.M):
            if "PySide6" not in target and "shiboken6" not in target:
                linked.add(name)
    assert linked, "ldd listed nothing"
    assert sorted(linked - checker.PACKAGE_OF.keys()) == []


def test_packages_named_in_the_readme_are_mapped():
    packages = set(checker.PACKAGE_OF.values())
    for package in ("libgl1", "libegl1", "libxkbcommon0", "libfontconfig1", "libdbus-1-3",
                    "libglib2.0-0", "libxkbcommon-x11-0", "libxcb-cursor0"):
        assert package in packages


def test_qt_starts_offscreen_here():
    # What `make test` relies on: with the libraries present the check passes and Qt starts.
    done = subprocess.run([sys.executable, str(SCRIPTS / "check_qt_libs.py"), "--for", "test"],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("script", [".ci/run", "scripts/bootstrap.sh",
                                    "packaging/build_bundle.sh"])
def test_shell_scripts_are_executable_bash(script):
    path = REPO / script
    assert os.access(path, os.X_OK), f"{script} is not executable"
    assert path.read_text().startswith("#!/usr/bin/env bash\n")
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_ci_runs_make_test():
    lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert lines[-1] == "exec make test"


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_make_test_runs_pytest_offscreen_and_ruff():
    done = subprocess.run(["make", "-n", "test"], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "QT_QPA_PLATFORM=offscreen" in done.stdout and "-m pytest" in done.stdout
    assert "ruff check viewer tests bench" in done.stdout


def test_tests_write_only_into_the_session_home(session_home):
    # tests/conftest.py points every user folder at a throwaway directory before any import.
    import platformdirs

    for name in ("HUNKWISE_CACHE_DIR", "HUNKWISE_DATA_DIR", "HUNKWISE_CONFIG_DIR",
                 "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR"):
        assert Path(os.environ[name]).is_relative_to(session_home), name
    for folder in (platformdirs.user_cache_dir("hunkwise"), platformdirs.user_data_dir("hunkwise"),
                   platformdirs.user_config_dir("hunkwise")):
        assert Path(folder).is_relative_to(session_home), folder
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"


def test_qsettings_land_in_the_session_home(qapp, session_home):
    from PySide6.QtCore import QSettings

    settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "hunkwise",
                         "hunkwise")
    assert Path(settings.fileName()).is_relative_to(session_home), settings.fileName()
