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
import re
import shutil
import subprocess
import sys
from pathlib import Path

# Library soname → Debian (bookworm and later) package. Covers everything the PySide6 6.x
# QtCore/QtGui/QtWidgets/QtSvg modules and the offscreen/xcb/wayland plugins link against.
PACKAGE_OF = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libXext.so.6": "libxext6",
    "libXrender.so.1": "libxrender1",
    "libXi.so.6": "libxi6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libdrm.so.2": "libdrm2",
    "libpng16.so.16": "libpng16-16",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
    "libexpat.so.1": "libexpat1",
    "libpcre2-8.so.0": "libpcre2-8-0",
    "libpcre2-16.so.0": "libpcre2-16-0",
    "libbrotlidec.so.1": "libbrotli1",
    "libbrotlicommon.so.1": "libbrotli1",
    "libffi.so.8": "libffi8",
    "libsystemd.so.0": "libsystemd0",
    "libgssapi_krb5.so.2": "libgssapi-krb5-2",
    "libkrb5.so.3": "libkrb5-3",
    "libxshmfence.so.1": "libxshmfence1",
    # Part of every Debian system; listed so that a stripped-down image still gets an answer.
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
    "libdl.so.2": "libc6",
    "libpthread.so.0": "libc6",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libbsd.so.0": "libbsd0",
    "libmd.so.0": "libmd0",
    "libcap.so.2": "libcap2",
    "libgcrypt.so.20": "libgcrypt20",
    "libgpg-error.so.0": "libgpg-error0",
    "liblz4.so.1": "liblz4-1",
    "liblzma.so.5": "liblzma5",
}
FONT_PACKAGE = "fonts-dejavu-core"  # Qt ships no fonts; with none, every text widget warns

# What each use loads, relative to site-packages/PySide6.
TEST_FILES = [
    "QtCore.abi3.so",
    "QtGui.abi3.so",
    "QtWidgets.abi3.so",
    "QtSvg.abi3.so",
    "Qt/plugins/platforms/libqoffscreen.so",
    "Qt/plugins/imageformats/libqsvg.so",
]
RUN_FILES = ["Qt/plugins/platforms/libqxcb.so", "Qt/lib/libQt6XcbQpa.so.6"]
# Qt falls back to X11 (XWayland) when the Wayland plugin cannot load, so these only warn.
RUN_OPTIONAL = ["Qt/plugins/platforms/libqwayland.so"]


def pyside_dir(python: str) -> Path | None:
    code = "import importlib.util as u; s = u.find_spec('PySide6'); print(s.origin if s else '')"
    done = subprocess.run([python, "-c", code], capture_output=True, text=True)
    origin = done.stdout.strip()
    return Path(origin).parent if done.returncode == 0 and origin else None


def not_found(ldd_output: str) -> set[str]:
    """Sonames in `ldd` output that the loader could not resolve."""
    return set(re.findall(r"^\s*(\S+) => not found", ldd_output, re.M))


def missing_libraries(files: list[Path]) -> set[str]:
    """Sonames `ldd` reports as "not found" for any of these files."""
    missing: set[str] = set()
    for path in files:
        if not path.exists():
            continue  # a PySide6 build without this module: nothing to load, nothing to check
        done = subprocess.run(["ldd", str(path)], capture_output=True, text=True)
        missing |= not_found(done.stdout)
    return missing


def have_fonts() -> bool:
    if shutil.which("fc-list"):
        done = subprocess.run(["fc-list"], capture_output=True, text=True)
        return bool(done.stdout.strip())
    roots = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"]
    return any(any(root.rglob("*.[ot]tf")) for root in roots if root.is_dir())


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
