"""`python -m viewer` and the `hunkwise` command.

A subcommand runs headless; anything else opens the app.
"""

from __future__ import annotations

import sys

from viewer.cli import COMMANDS
from viewer.log_setup import VERBOSITY_FLAGS


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    # `hunkwise -v review X` is the command line, `hunkwise -v X` the app.
    first = next((arg for arg in args if arg not in VERBOSITY_FLAGS), None)
    if first in COMMANDS or first in {"-h", "--help", "--version", "help"}:
        from viewer.cli import main as cli_main

        return cli_main(args)
    # Qt is imported only here, so the command line works on machines without a display stack.
    from viewer.ui.app import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
