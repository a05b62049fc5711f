"""Where log records go: one plain line each on stderr, at the level the command line asked for.

Every module logs through ``log = logging.getLogger(__name__)``; nothing below configures a
logger of its own. Without ``-v``/``--debug`` only warnings and errors are shown, which is what
a user of the command line or the app wants to see on stderr. Tests never call this: their
records are checked by the ``logfail`` fixture in tests/conftest.py instead.
"""

from __future__ import annotations

import logging
import sys

FORMAT = "%(levelname)s %(name)s: %(message)s"
DEBUG_FORMAT = "%(asctime)s %(levelname)s %(name)s:%(lineno)d [%(threadName)s] %(message)s"

# Third-party loggers that are chatty below ERROR and say nothing a user can act on: mail-parser
# warns about every MIME part it does not "manage" (text/x-patch is one). Shown with --debug.
_NOISY = ("mailparser",)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is *now*: a test's capture, or a stream swapped by a
    caller, is honoured, and a closed old stream is never written to."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


VERBOSITY_FLAGS = frozenset({"-v", "-vv", "--verbose", "--debug"})
"""Accepted before a subcommand as well as after it (viewer.__main__ skips them to dispatch)."""


def add_arguments(parser, *, default=0) -> None:
    """The ``-v``/``--debug`` options, the same on the command line and the app."""
    parser.add_argument("-v", "--verbose", action="count", default=default,
                        help="log more on stderr (-v: what is done, -vv: debugging detail)")
    parser.add_argument("--debug", action="store_const", const=2, dest="verbose",
                        default=default, help="log debugging detail on stderr (same as -vv)")


def level_for(verbosity: int) -> int:
    """0 → WARNING, 1 (``-v``) → INFO, 2 or more (``-vv``, ``--debug``) → DEBUG."""
    return (logging.WARNING, logging.INFO)[verbosity] if verbosity < 2 else logging.DEBUG


def configure(verbosity: int = 0) -> None:
    """Send records of the chosen level and above to stderr, replacing an earlier set-up.

    Calling it twice (a test running ``main`` twice) leaves one handler, not two.
    """
    level = level_for(verbosity)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _StderrHandler):
            root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(DEBUG_FORMAT if level <= logging.DEBUG else FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.NOTSET if level <= logging.DEBUG
                                         else logging.ERROR)
