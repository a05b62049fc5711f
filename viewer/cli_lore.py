"""The lore part of the `hunkwise` command: thread URLs and Message-IDs as sources, `fetch`
and `search`.

Offline first (see :mod:`viewer.core.library`): a thread already in the library opens
without the network; ``--refresh`` asks the server for new mail (and falls back to the
library copy, with a one-line note on stderr, when the server cannot be had); ``--offline``
never touches the network. ``fetch`` and ``search`` always ask the server, since asking is
what they are for; a failed search still falls back to the copy of the same search.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from viewer.core.errors import HunkwiseError

if TYPE_CHECKING:
    from viewer.core.library import Obtained
    from viewer.core.lore import SearchRef, ThreadRef

# The lore and library modules are imported where a command needs them: every command
# resolves its PATH here, and a local file (nearly always) needs neither.

COMMANDS = ("fetch", "search")
_LORE_FORMS = ("http://", "https://", "<", "id:")
"""How a thread URL or a Message-ID starts (viewer.core.lore.parse_source), even when a file
of that name exists."""
SOURCE_HELP = (
    "mbox, mbox.gz, Maildir folder, .eml/.patch, a public-inbox thread URL "
    "(https://lore.kernel.org/LIST/MSGID/) or a Message-ID (<id>, id:ID)"
)


def add_source_options(p: argparse.ArgumentParser) -> None:
    """Options of every command that takes a PATH, for when PATH names a lore thread."""
    group = p.add_argument_group("lore sources")
    group.add_argument("--server", metavar="URL",
                       help="public-inbox inbox for bare Message-IDs "
                            "(default: $HUNKWISE_LORE_SERVER, lore.toml, lore's /all/)")
    mode = group.add_mutually_exclusive_group()
    mode.add_argument("--refresh", action="store_true",
                      help="fetch the thread again and add new mail to the library copy")
    mode.add_argument("--offline", action="store_true",
                      help="use only the library copy, never the network")


def add_commands(sub: argparse._SubParsersAction) -> None:
    fetch = sub.add_parser(
        "fetch", help="save a lore thread in the library (and as an mbox with --out)",
        description="Fetch a thread's t.mbox.gz into the offline library; again later, "
                    "only new messages are added.")
    fetch.add_argument("source", metavar="URL|MSGID", help="a thread URL or a Message-ID")
    fetch.add_argument("--out", metavar="FILE", type=Path, help="also save the mbox here")
    fetch.add_argument("--json", action="store_true", help="print JSON for scripts")
    add_source_options(fetch)

    search = sub.add_parser(
        "search", help="search a public-inbox server and list what it found",
        description="Search with public-inbox query syntax (s:subject f:from b:body "
                    "dfn:file d:2024-01-01..2024-02-01 ...); results load as a mailbox.")
    search.add_argument("query", metavar="QUERY", help="quote it as one argument")
    search.add_argument("--server", metavar="URL", help="inbox to search (default as fetch)")
    search.add_argument("--threads", action="store_true",
                        help="whole threads of every match, not only the matching mails")
    search.add_argument("--out", metavar="FILE", type=Path, help="also save the mbox here")
    search.add_argument("--json", action="store_true", help="print JSON for scripts")
    search.add_argument("--offline", action="store_true",
                        help="show the library copy of this same search, never the network")


class _Progress:
    """Bytes received on a terminal's stderr; silent when stderr is a file or a pipe."""

    def __init__(self) -> None:
        self.shown = False
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.tty:
            return
        of = f" of {total / 1024:.0f}" if total else ""
        sys.stderr.write(f"\rhunkwise: fetching {done / 1024:.0f}{of} KiB ")
        sys.stderr.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            self.shown = False


def _obtain(source: ThreadRef | SearchRef, *, refresh: bool, offline: bool) -> Obtained:
    from viewer.core.library import obtain

    progress = _Progress()
    try:
        got = obtain(source, refresh=refresh, offline=offline, progress=progress)
    finally:
        progress.end()
    if got.note:
        hint = "" if refresh or offline else "; --refresh fetches new mail"
        print(f"hunkwise: note: {got.note}{hint}", file=sys.stderr)
    return got


def resolve_path(args: argparse.Namespace) -> str:
    """The mailbox a command's PATH names: itself, or the library copy of a lore thread."""
    if (not args.path.strip()[:8].lower().startswith(_LORE_FORMS)
            and Path(args.path).expanduser().exists()):
        return args.path  # as parse_source decides for an existing file, without importing it
    from viewer.core.lore import parse_source

    ref = parse_source(args.path, server=getattr(args, "server", None))
    if ref is None:
        return args.path
    return str(_obtain(ref, refresh=args.refresh, offline=args.offline).path)


def _obtained_json(got: Obtained) -> dict[str, Any]:
    from viewer.core.lore import ThreadRef

    source = got.source
    data: dict[str, Any] = {"path": str(got.path), "inbox": source.inbox}
    if isinstance(source, ThreadRef):
        data["message_id"] = source.msgid
        data["url"] = source.page_url
    else:
        data["query"] = source.query
        data["whole_threads"] = source.threads
        data["url"] = source.url
    data.update(messages=got.total, added=got.added, fetched=got.fetched, note=got.note)
    return data


def run(args: argparse.Namespace) -> int:
    from viewer.cli import _print_json
    from viewer.core.library import export
    from viewer.core.lore import SearchRef, default_server, normalise_server, parse_source

    if args.command == "fetch":
        ref = parse_source(args.source, server=args.server)
        if ref is None:
            raise HunkwiseError(f"{args.source!r} is neither a thread URL nor a Message-ID")
        got = _obtain(ref, refresh=args.refresh, offline=args.offline)
        if args.out:
            export(got.path, args.out)
        if args.json:
            _print_json(_obtained_json(got))
        else:
            where = f" (saved as {args.out})" if args.out else ""
            print(f"{got.path}: {got.total} messages, {got.added} new{where}")
        return 0

    server = normalise_server(args.server) if args.server else default_server()
    ref = SearchRef(server, args.query, threads=args.threads)
    got = _obtain(ref, refresh=not args.offline, offline=args.offline)
    if args.out:
        export(got.path, args.out)
    from viewer.core.archive import Archive
    from viewer.core.report import threads_json

    archive = Archive.open(got.path)
    data = threads_json(archive)
    if args.json:
        data.update(_obtained_json(got))
        _print_json(data)
    else:
        from viewer.terminal import print_threads

        print(f"{got.total} messages ({got.added} new) for {ref.describe()}: {got.path}")
        print_threads(data)
    return 0
