#!/usr/bin/env python3
"""Check that the system libraries PySide6's Qt needs are present; install them on Debian as root.

The PySide6 wheels bundle Qt itself but not the X11/Wayland/OpenGL/font libraries under it, and
a missing one shows up late and cryptically ("could not load the Qt platform plugin xcb"). So
we run ``ldd`` over the Qt pieces the app really loads, map each "not found" library to the
Debian package that ships it, and either install those packages (root with apt-get) or print
the exact command. A final import of QtWidgets on the offscreen platform proves the result.

    check_qt_libs.py [--for test|run] [--install] [--python PY]

``--for test`` checks what the headless test suite needs (offscreen platform); ``--for run``
adds the X11 (required) and Wayland (recommended) platform plugins. Exit status 0 when Qt can
run, 1 when something is still missing. Stdlib only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

# The knowledge (sonames → packages, what each use loads, ldd parsing) lives in the package, so
# an installed app can run the same check when Qt fails to start (viewer/qt_libs.py). It is
# standard library only, and importable before the project is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from viewer.qt_libs import (
    FONT_PACKAGE,
    PACKAGE_OF,
    RUN_FILES,
    RUN_OPTIONAL,
    TEST_FILES,
    have_fonts,
    missing_libraries,
    not_found,
    pyside_dir,
)

__all__ = ["PACKAGE_OF", "not_found"]


def is_debian() -> bool:
    return Path("/etc/debian_version").exists() and shutil.which("apt-get") is not None


def apt_install(packages: list[str]) -> bool:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"check_qt_libs: installing {' '.join(packages)}", flush=True)
    # A fresh container often has empty package lists: update first, once.
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    done = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], env=env
    )
    return done.returncode == 0


def qt_starts(python: str) -> tuple[bool, str]:
    """Whether a QApplication comes up on the offscreen platform, and what Qt said if not."""
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication(sys.argv)\n"
        "label = QLabel('Hunkwise'); label.show(); app.processEvents()\n"
        "print('ok')\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120)
    return done.returncode == 0 and "ok" in done.stdout, (done.stderr or done.stdout).strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--for", dest="use", choices=("test", "run"), default="test")
    parser.add_argument("--install", action="store_true",
                        help="install missing Debian packages with apt-get when running as root")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter whose PySide6 to check (default: this one)")
    args = parser.parse_args(argv)

    base = pyside_dir(args.python)
    if base is None:
        print(f"check_qt_libs: PySide6 is not installed for {args.python}", file=sys.stderr)
        return 1
    required = [base / f for f in TEST_FILES + (RUN_FILES if args.use == "run" else [])]
    optional = [base / f for f in RUN_OPTIONAL] if args.use == "run" else []

    def survey() -> tuple[set[str], set[str], bool]:
        need = missing_libraries(required)
        nice = missing_libraries(optional) - need
        return need, nice, have_fonts()

    need, nice, fonts = survey()
    if need or nice or not fonts:
        unknown = sorted(lib for lib in need | nice if lib not in PACKAGE_OF)
        packages = sorted({PACKAGE_OF[lib] for lib in need | nice if lib in PACKAGE_OF}
                          | (set() if fonts else {FONT_PACKAGE}))
        print("check_qt_libs: Qt needs system libraries that are missing: "
              + ", ".join(sorted(need | nice) + ([] if fonts else ["(any font)"])))
        if unknown:
            print("check_qt_libs: no package known for " + ", ".join(unknown)
                  + " (apt-file search <name> finds it)")
        if packages and args.install and is_debian() and os.geteuid() == 0:
            if not apt_install(packages):
                print("check_qt_libs: apt-get failed", file=sys.stderr)
            need, nice, fonts = survey()
        elif packages:
            command = "apt-get install -y " + " ".join(packages)
            if os.geteuid() != 0:
                command = "sudo " + command
            where = "" if is_debian() else " (Debian/Ubuntu names; use your distribution's)"
            print(f"check_qt_libs: please run{where}:\n    {command}")

    if nice:
        print("check_qt_libs: the Wayland platform cannot load (missing "
              + ", ".join(sorted(nice)) + "); Qt will use X11/XWayland")
    if need:
        return 1
    ok, said = qt_starts(args.python)
    if not ok:
        print("check_qt_libs: Qt still fails to start offscreen:\n" + said, file=sys.stderr)
        return 1
    if not fonts:
        print("check_qt_libs: no fonts installed; text will not render (install "
              f"{FONT_PACKAGE})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
