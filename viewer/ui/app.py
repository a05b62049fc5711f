"""Starting the desktop app: options, the QApplication, the demo mailbox, screenshot mode.

``hunkwise [FILE] [--screenshot OUT.png [--select MSGID] [--size WxH]]``: the screenshot mode
loads the mailbox, shows it as a user would see it, saves the window as a PNG and exits. It
is how the README pictures are made and how a change to the look is checked without a display
(it picks the offscreen platform by itself when there is no display).
"""

from __future__ import annotations

import argparse
import atexit
import importlib.resources
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from viewer import APP_ID, __version__, log_setup

DEMO_NAME = "demo.mbox"

log = logging.getLogger(__name__)


def resource(relative: str) -> Path | None:
    """A file of resources/ the app needs at run time, wherever this copy was installed.

    In order: a PyInstaller bundle's unpack folder; the installed package's own copy
    (``viewer/resources``, put there by setup.py when a wheel is built) through
    importlib.resources; the source checkout's ``resources/`` (an editable install or a run
    from the checkout, where the package has no copy).
    """
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller's unpack folder
    if frozen and (Path(frozen) / "resources" / relative).is_file():
        return Path(frozen) / "resources" / relative
    packaged = importlib.resources.files("viewer").joinpath("resources", *relative.split("/"))
    if packaged.is_file():
        # a wheel installs as plain files, so the Traversable is a real path
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "resources" / relative
    return checkout if checkout.is_file() else None


def demo_mailbox() -> Path | None:
    """The bundled demo mailbox, opened when no file is given."""
    return resource(DEMO_NAME)


def _quiet_offscreen_noise() -> None:
    """Drop the one warning the offscreen platform prints for every top-level window.

    "This plugin does not support propagateSizeHints()" says nothing to a user of
    --screenshot; every other Qt message goes to the log (stderr) at its own level.
    """
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING}
    qt_log = logging.getLogger("viewer.ui.qt")

    def handler(mode, _context, text: str) -> None:
        if "propagateSizeHints" not in text:
            qt_log.log(levels.get(mode, logging.ERROR), "%s", text)

    qInstallMessageHandler(handler)


def _explain_platform_failure() -> None:
    """When Qt cannot load its platform plugin it aborts, naming a library that is often not
    the one missing. Catch that fatal message, run the project's own library check
    (viewer.qt_libs: ldd over the plugins) and print the exact apt-get line instead, then
    exit with status 1 rather than a core dump."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(mode, _context, text: str) -> None:
        if mode == QtMsgType.QtFatalMsg and "platform plugin" in text:
            from viewer.qt_libs import platform_failure_report

            print(platform_failure_report(text.split("\n")[0]), file=sys.stderr, flush=True)
            sys.stdout.flush()
            os._exit(1)  # Qt aborts after a fatal message returns; leave first, cleanly
        print(text, file=sys.stderr)

    qInstallMessageHandler(handler)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT like 1400x900, got {text!r}"
        ) from None
    if not (200 <= width <= 10000 and 200 <= height <= 10000):
        raise argparse.ArgumentTypeError(f"size out of range: {text}")
    return width, height


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hunkwise",
        description="Open a mailbox of patch review mail in the Hunkwise desktop app.",
    )
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="mbox, mbox.gz, Maildir or .eml (default: the demo mailbox)")
    p.add_argument("--select", metavar="MSGID", help="show this message first")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="save the window as a PNG once loaded, then exit")
    p.add_argument("--size", type=_size, metavar="WxH", help="window size, e.g. 1400x900")
    p.add_argument("--theme", choices=("system", "light", "dark"),
                   help="colour theme for this run (not saved)")
    p.add_argument("--version", action="version", version=f"hunkwise {__version__}")
    log_setup.add_arguments(p)
    p.add_argument("--gui-help", action="help", help="show this help and exit")
    return p


def run_gui(argv: list[str]) -> int:
    """Entry from viewer.__main__ for anything that is not a command-line subcommand."""
    args = parser().parse_args(argv)
    log_setup.configure(args.verbose)
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if headless and args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif headless and not os.environ.get("QT_QPA_PLATFORM"):
        # Qt would abort with a core dump; say what is wrong instead.
        print("hunkwise: no display (DISPLAY/WAYLAND_DISPLAY unset); use a subcommand such as "
              "`hunkwise review FILE`, or --screenshot OUT.png", file=sys.stderr)
        return 2

    from PySide6.QtCore import QTimer, qInstallMessageHandler
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from viewer.ui.mainwindow import MainWindow
    from viewer.ui.style import install as install_style

    if QApplication.instance() is None:
        _explain_platform_failure()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    qInstallMessageHandler(None)  # Qt's own handler again, now that a platform is loaded
    app.setApplicationName("Hunkwise")
    app.setOrganizationName("hunkwise")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    install_style(app)  # Fusion: one look on every desktop; the palette follows our themes
    icon = resource(f"icons/{APP_ID}.svg")
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        _quiet_offscreen_noise()

    if args.screenshot:
        _private_state()
    window = MainWindow()
    if args.theme:
        window.apply_theme(args.theme)
    if args.size:
        window.resize(*args.size)
    window.show()

    path = Path(args.file) if args.file else demo_mailbox()
    log.info("opening %s", path)
    status = {"code": 0}
    if args.screenshot:
        out = Path(args.screenshot)

        def shoot(*_args: object) -> None:
            # The saved views' counts first (a background job), so the picture has numbers.
            counting = getattr(window, "counts_job", None)
            if counting is not None and counting.running:
                counting.running_changed.connect(lambda running: running or shoot())
                return
            # Let the lazy columns and the review page finish their first paint (and the cards
            # their reflow to the laid-out pane) first.
            QTimer.singleShot(700, lambda: _save(window, out, status, app))

        def failed(text: str) -> None:
            print(f"hunkwise: {text}", file=sys.stderr)
            status["code"] = 2
            shoot()

        window.loaded.connect(shoot)
        window.load_failed.connect(failed)
        QTimer.singleShot(120_000, app.quit)  # a screenshot run never hangs a build
    if path is None:
        window.messages.warning("No file given and no demo mailbox found: File → Open a mailbox.")
        if args.screenshot:
            QTimer.singleShot(200, lambda: _save(window, Path(args.screenshot), status, app))
    else:
        window.open_path(path, select=args.select)
    app.exec()
    if not args.screenshot:
        window.close()
    return status["code"]


def _private_state() -> None:
    """A screenshot starts from the default layout and leaves no trace: it neither reads nor
    writes the user's window layout, recent files or read marks (so the same command gives
    the same picture on every machine, and a build's pictures mark nothing read)."""
    scratch = tempfile.mkdtemp(prefix="hunkwise-shot-")
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    for name in ("HUNKWISE_CONFIG_DIR", "HUNKWISE_DATA_DIR"):
        os.environ.setdefault(name, os.path.join(scratch, name.lower()))


def _save(window, out: Path, status: dict, app) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(out)):
        print(f"hunkwise: could not write {out}", file=sys.stderr)
        status["code"] = 2
    window.close()
    app.quit()
