"""`hunkwise triage` and `hunkwise am`: the triage and apply commands of viewer.cli.

Kept apart from cli.py so the argument table stays readable; errors are HunkwiseErrors, which
cli.main prints as one line with exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from viewer.core.archive import Archive
from viewer.core.errors import HunkwiseError
from viewer.core.identity import git_identity
from viewer.core.output_file import write_output
from viewer.core.store import Store
from viewer.core.triage import Triage, sent_from_hunkwise

log = logging.getLogger(__name__)


def open_triage(archive: Archive, store: Store) -> Triage:
    """The mailbox's triage with the automatic transitions applied (as the GUI does at open);
    the caller owns ``store`` and closes it."""
    triage = Triage(archive, store, git_identity(str(archive.path.parent)))
    triage.apply_transitions(sent_from_hunkwise(archive))
    return triage


def _snooze_date(text: str) -> float | None:
    if text.lower() in ("off", "none", ""):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").timestamp()
    except ValueError:
        message = f"--snooze wants a date as YYYY-MM-DD (or 'off'), not {text!r}"
        raise HunkwiseError(message) from None


def run_triage(
    archive: Archive, args: argparse.Namespace, msgid: str, print_json: Callable[[Any], None]
) -> int:
    archive.entry(msgid)  # a clear error for an unknown id
    with Store() as store:
        return _triage(archive, open_triage(archive, store), args, msgid, print_json)


def _triage(archive: Archive, triage: Triage, args: argparse.Namespace, msgid: str,
            print_json: Callable[[Any], None]) -> int:
    key = triage.key_of(msgid)
    if args.state is not None or args.snooze is not None:
        current = triage.view(key)
        state = args.state or current.state
        # A new state keeps the snooze date unless --snooze says otherwise.
        until = _snooze_date(args.snooze) if args.snooze is not None else current.snoozed_until
        triage.set_state([key], state, snoozed_until=until)
    if args.flag or args.unflag:
        triage.set_flagged([msgid], flagged=args.flag)
    if args.read or args.unread:
        triage.set_read([msgid], read=args.read)
    if args.mark is not None or args.note is not None:
        if not archive.is_patch(msgid):
            raise HunkwiseError(f"<{msgid}> is not a patch mail: marks and notes are per patch")
        if args.mark is not None:
            triage.set_mark([msgid], None if args.mark == "none" else args.mark)
        if args.note is not None:
            triage.set_note(msgid, args.note)
    view = triage.view(key)
    data = {
        "message_id": msgid,
        "series": key,
        "state": view.state,
        "snoozed_until": view.snoozed_until if view.snoozed else None,
        "superseded_by": view.superseded_by,
        "newer_revision": triage.newer(key),
        **triage.message_fields(msgid),
    }
    if args.json:
        print_json(data)
    else:
        marks = [view.label]
        marks += [word for word in ("flagged", "unread") if data[word]]
        if data.get("mark"):
            marks.append(data["mark"])
        note = f" — note: {data['note']}" if data.get("note") else ""
        print(f"<{msgid}>: {', '.join(marks)}{note}")
    return 0


def run_am(archive: Archive, args: argparse.Namespace, msgid: str) -> int:
    from viewer.core.am import export_series, git_am

    if not args.out and not args.apply:
        raise HunkwiseError("say where the series goes: --out FILE.mbox (or '-'), or --apply REPO")
    export = export_series(archive, msgid, link_base=args.link_base, force=args.force)
    series = export.series
    if args.out == "-":
        sys.stdout.buffer.write(export.mbox)
        sys.stdout.flush()
    elif args.out:
        write_output(args.out, [export.mbox], sources=[archive.path])
    report = sys.stderr if args.out == "-" else sys.stdout
    added = sum(len(v) for v in export.added.values())
    print(
        f"{len(export.patches)} patches of \"{series.subject}\" (v{series.version}), "
        f"{added} trailers added" + (f" -> {args.out}" if args.out and args.out != "-" else ""),
        file=report,
    )
    if export.missing:
        print(f"warning: patches {', '.join(map(str, export.missing))} missing (--force)",
              file=sys.stderr)
    if args.apply:
        summary = git_am(args.apply, export.mbox, branch=args.branch)
        print(summary or "applied", file=report)
    return 0
