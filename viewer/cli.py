"""The `hunkwise` command line: every engine capability, headless, with JSON for scripts.

Errors the engine raises on purpose are printed as one line on stderr with exit status 2; a
traceback here would be a bug, so anything unexpected is reported the same way plus a hint.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from viewer import __version__, log_setup
from viewer.cli_lore import COMMANDS as LORE_COMMANDS  # lore: URLs and Message-IDs, fetch, search
from viewer.cli_lore import SOURCE_HELP, add_source_options, resolve_path
from viewer.cli_lore import add_commands as add_lore_commands
from viewer.cli_lore import run as run_lore
from viewer.core.archive import Archive
from viewer.core.errors import HunkwiseError
from viewer.core.report import ThreadListing, index_summary, review_json
from viewer.core.store import SERIES_STATES

COMMANDS = ("index", "threads", "review", "revisions", "range-diff", "triage", "am",
            "reply", "send", *LORE_COMMANDS)

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hunkwise",
        description="Read kernel-style patch review mail with every comment on the line it quotes.",
        epilog="Without a subcommand, `hunkwise [FILE]` opens the desktop app "
        "(`hunkwise --gui-help` lists its options).",
    )
    parser.add_argument("--version", action="version", version=f"hunkwise {__version__}")
    log_setup.add_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        # Also after the subcommand; SUPPRESS keeps a flag given before it from being reset.
        log_setup.add_arguments(p, default=argparse.SUPPRESS)
        p.add_argument("path", metavar="PATH", help=SOURCE_HELP)
        p.add_argument("--json", action="store_true", help="print JSON for scripts")
        p.add_argument(
            "--no-cache", action="store_true", help="ignore and do not write the index cache"
        )
        add_source_options(p)  # lore
        return p

    add("index", "index a mailbox and print what it holds")
    threads = add("threads", "list threads and patch series")
    threads.add_argument("--query", "-q", metavar="Q", default=None,
                         help='only threads with a mail matching Q, e.g. "is:new needs:review"')
    review = add("review", "show patches with every review comment inline")
    review.add_argument("msgid", nargs="?", metavar="MSGID",
                        help="a patch, cover letter or any mail of the thread to show")
    review.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    revisions = add("revisions", "the revisions of a series and where each comment went")
    revisions.add_argument("msgid", metavar="MSGID", help="any mail of the series")
    revisions.add_argument("--addressed", metavar="ANNOTATION_ID", action="append", default=[],
                           help="tick an older revision's comment as addressed (repeatable)")
    revisions.add_argument("--not-addressed", metavar="ANNOTATION_ID", action="append",
                           default=[], help="untick it again")
    range_diff = add("range-diff", "what changed between two revisions, as git range-diff shows it")
    range_diff.add_argument("old", metavar="OLD_MSGID", help="a patch or cover letter of v(N)")
    range_diff.add_argument("new", metavar="NEW_MSGID", help="its counterpart in v(N+1)")
    range_diff.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    range_diff.add_argument("--numbers", action="store_true",
                            help="a gutter with the line numbers in both revisions")

    triage = add("triage", "show or change the triage state of a series, message or patch")
    triage.add_argument("msgid", metavar="MSGID", help="any mail of the series or thread")
    triage.add_argument("--state", choices=SERIES_STATES,
                        help="the series' state (of the series MSGID belongs to)")
    triage.add_argument("--snooze", metavar="DATE",
                        help="hide the series until DATE (YYYY-MM-DD); 'off' wakes it")
    flag = triage.add_mutually_exclusive_group()
    flag.add_argument("--flag", action="store_true", help="flag the message")
    flag.add_argument("--unflag", action="store_true")
    read = triage.add_mutually_exclusive_group()
    read.add_argument("--read", action="store_true", help="mark the message read")
    read.add_argument("--unread", action="store_true")
    triage.add_argument("--mark", choices=("done", "skip", "none"),
                        help="the patch's done ✓ / skip mark ('none' clears it)")
    triage.add_argument("--note", metavar="TEXT", help="a private note on the patch ('' clears)")

    am = add("am", "save a series for git am with every collected trailer (cover left out)")
    am.add_argument("msgid", metavar="MSGID", help="the cover letter, a patch or any reply")
    am.add_argument("--out", metavar="FILE.mbox", help="where to write the mbox ('-': stdout)")
    am.add_argument("--link-base", metavar="URL",
                    help="add 'Link: URL/<Message-ID>' (e.g. https://lore.kernel.org/r)")
    am.add_argument("--force", action="store_true",
                    help="export even when patches of the series are missing")
    am.add_argument("--apply", metavar="REPO", help="also run git am in this repository")
    am.add_argument("--branch", metavar="BRANCH",
                    help="with --apply: the branch to apply on (made from HEAD if new)")
    add_lore_commands(sub)

    from viewer.reply_args import add_arguments

    add_arguments(sub)
    return parser


def _print_json(data: Any) -> None:
    """One write of compact JSON for a pipe; indented for a person at a terminal.

    ``json.dump`` with ``indent`` runs the pure-Python encoder and writes in thousands of
    small pieces: 11 s for the thread list of a 50,000-mail archive. ``dumps`` without
    indent is the C encoder, one string, one write.
    """
    if sys.stdout.isatty():
        text = json.dumps(data, ensure_ascii=False, indent=1)
    else:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write(text)
    sys.stdout.write("\n")


def _print_listing(listing: ThreadListing) -> None:
    """The thread list as compact JSON, written a thread at a time: exactly the text
    :func:`_print_json` makes of the whole structure, without holding it (a 1 GB archive's
    listing is a dict per mail, 1 GB of memory at once). An error half-way leaves half a
    document on stdout, with the one-line error on stderr and a non-zero exit status."""
    write, dumps = sys.stdout.write, json.dumps
    write('{"path":' + dumps(listing.path, ensure_ascii=False) + ',"threads":[')
    for n, thread in enumerate(listing.threads()):
        write(("," if n else "") + dumps(thread, ensure_ascii=False, separators=(",", ":")))
    write('],"series":' + dumps(listing.series(), ensure_ascii=False, separators=(",", ":"))
          + "}\n")


def _normalise_msgid(msgid: str) -> str:
    return msgid.strip().removeprefix("<").removesuffix(">").removeprefix("id:")


def run(args: argparse.Namespace) -> int:
    if args.command in LORE_COMMANDS:
        return run_lore(args)
    if args.command in ("reply", "send"):
        from viewer.reply_cli import run_reply, run_send

        if args.command == "send":
            return run_send(args, _print_json)
        return run_reply(args, _normalise_msgid, _print_json)
    archive = Archive.open(resolve_path(args), use_cache=not args.no_cache, eager_threads=False)
    if args.command == "index":
        summary = index_summary(archive)
        archive.save_facts()
        if args.json:
            _print_json(summary)
        else:
            print(
                f"{summary['messages']} messages, {summary['threads']} threads, "
                f"{summary['series']} series, {summary['patches']} patches "
                f"({summary['broken']} broken) in {summary['seconds']:.3f} s"
            )
        return 0
    if args.command == "triage":
        from viewer.triage_cli import run_triage

        return run_triage(archive, args, _normalise_msgid(args.msgid), _print_json)
    if args.command == "am":
        from viewer.triage_cli import run_am

        return run_am(archive, args, _normalise_msgid(args.msgid))
    if args.command == "threads":
        from viewer.triage_cli import open_triage

        query = None
        if args.query is not None:
            from viewer.core.query import parse_query

            query = parse_query(args.query)
            if query.errors:
                raise HunkwiseError("; ".join(query.errors))
        from viewer.core.store import Store

        streamed = args.json and not sys.stdout.isatty()  # to a pipe: see _print_listing
        with Store() as store:
            triage = open_triage(archive, store)
            from viewer.core.listing_facts import read_listing_facts

            read_listing_facts(triage)  # on both cores, for a big archive read the first time
            listing = ThreadListing(archive, triage, query)
            if streamed:
                _print_listing(listing)
            else:
                data = {"path": listing.path, "threads": list(listing.threads()),
                        "series": listing.series()}
        archive.save_facts()  # trailer counts and patch facts: the next listing reads none
        if args.json and not streamed:
            _print_json(data)
        elif not args.json:
            from viewer.terminal import print_threads

            print_threads(data)
        return 0
    if args.command in ("revisions", "range-diff"):
        return _run_revisions(archive, args)
    msgid = _normalise_msgid(args.msgid) if args.msgid else None
    if msgid is not None:
        archive.entry(msgid)  # a clear error for an unknown id
    if args.json:
        data = review_json(archive, msgid)
        archive.save_facts()
        _print_json(data)
        return 0
    from viewer.terminal import print_review, wants_colour

    print_review(archive, msgid, colour=wants_colour(args.color))
    return 0


def _run_revisions(archive: Archive, args: argparse.Namespace) -> int:
    from viewer.core import revisions

    if args.command == "revisions":
        msgid = _normalise_msgid(args.msgid)
        archive.entry(msgid)  # a clear error for an unknown id
        from viewer.core.drafts import DraftStore
        from viewer.core.store import Store

        with Store() as store:
            if args.addressed or args.not_addressed:
                revisions.set_addressed(archive, store, args.addressed, args.not_addressed)
            ticked = store.addressed(archive.path)
        with DraftStore() as drafts:
            report = revisions.revision_report(archive, msgid, drafts=drafts, addressed=ticked)
        if args.json:
            _print_json(revisions.report_json(report))
        else:
            from viewer.terminal_revisions import print_revisions

            print_revisions(report)
        return 0
    old, new = _normalise_msgid(args.old), _normalise_msgid(args.new)
    archive.entry(old)
    archive.entry(new)
    entries = revisions.series_range_diff(archive, old, new)
    if args.json:
        _print_json(revisions.range_diff_json(entries))
        return 0
    from viewer.terminal import wants_colour
    from viewer.terminal_revisions import print_range_diff

    print_range_diff(entries, colour=wants_colour(args.color), numbers=args.numbers)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    log_setup.configure(args.verbose)
    try:
        return run(args)
    except HunkwiseError as error:
        print(f"hunkwise: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug, not the user's fault: still one line, and how to report
        log.debug("internal error", exc_info=True)  # the traceback, for -vv
        print(f"hunkwise: internal error: {type(error).__name__}: {error} "
              "(please report this with the mailbox that caused it)", file=sys.stderr)
        return 3
