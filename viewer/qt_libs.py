"""Which system libraries PySide6's Qt cannot find, and the Debian packages that ship them.

The PySide6 wheels bundle Qt but not the X11/Wayland/OpenGL/font libraries under it. A missing
one shows up late, and Qt's own message then names the wrong library (it blames
``xcb-cursor0`` when ``libxcb-icccm4``, ``libxcb-keysyms1`` and ``libwayland-cursor0`` are
what is missing). ``ldd`` over the pieces the app loads tells the truth. Used by
scripts/check_qt_libs.py before anything is installed (so: standard library only, no Qt) and
by the app itself when Qt cannot load its platform plugin (viewer.ui.app).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
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



@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What is missing for one use of Qt and how to install it."""

    missing: tuple[str, ...]
    """Sonames ldd could not resolve (required and optional alike), sorted."""
    packages: tuple[str, ...]
    """Debian packages shipping them (and a font package when there is no font)."""
    unknown: tuple[str, ...] = ()
    """Missing sonames no package is known for."""
    fonts: bool = True

    @property
    def ok(self) -> bool:
        return not self.missing and self.fonts

    def install_command(self, *, root: bool | None = None) -> str:
        """The exact line to run: ``sudo apt-get install -y …`` unless already root."""
        if not self.packages:
            return ""
        root = os.geteuid() == 0 if root is None else root
        return ("" if root else "sudo ") + "apt-get install -y " + " ".join(self.packages)


def diagnose(missing: set[str], *, fonts: bool = True) -> Diagnosis:
    """Map missing sonames to packages (pure: the tests feed it the issue's example)."""
    packages = {PACKAGE_OF[lib] for lib in missing if lib in PACKAGE_OF}
    if not fonts:
        packages.add(FONT_PACKAGE)
    return Diagnosis(
        missing=tuple(sorted(missing)),
        packages=tuple(sorted(packages)),
        unknown=tuple(sorted(lib for lib in missing if lib not in PACKAGE_OF)),
        fonts=fonts,
    )


def check(pyside: Path, *, use: str = "run") -> Diagnosis:
    """ldd over what ``use`` ("test": offscreen; "run": X11 and Wayland too) loads."""
    files = TEST_FILES + (RUN_FILES + RUN_OPTIONAL if use == "run" else [])
    return diagnose(missing_libraries([pyside / f for f in files]), fonts=have_fonts())


def installed_pyside() -> Path | None:
    """This interpreter's PySide6 folder, found without importing it (Qt may not load)."""
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    return Path(spec.origin).parent if spec is not None and spec.origin else None


def platform_failure_report(qt_message: str) -> str:
    """What to tell the user when Qt could not load its platform plugin: the libraries
    really missing and the apt-get line, or that none are (then it is the display)."""
    lines = [f"hunkwise: Qt could not start its display platform ({qt_message.strip()})"]
    pyside = installed_pyside()
    if pyside is None:
        return "\n".join([*lines, "hunkwise: PySide6 is not installed"])
    found = check(pyside, use="run")
    if found.ok:
        lines.append("hunkwise: the libraries Qt needs are all present: check that the display "
                     "(DISPLAY / WAYLAND_DISPLAY) can be reached, or use --screenshot / a "
                     "subcommand without one")
        return "\n".join(lines)
    lines.append("hunkwise: missing system libraries: "
                 + ", ".join([*found.missing, *([] if found.fonts else ["(any font)"])]))
    if found.unknown:
        lines.append("hunkwise: no package known for " + ", ".join(found.unknown)
                     + " (apt-file search <name> finds it)")
    if found.packages:
        lines.append("hunkwise: install them with:\n    " + found.install_command())
    return "\n".join(lines)
