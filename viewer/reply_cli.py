"""`hunkwise reply` and `hunkwise send`: writing a review from the command line, and sending it.

``reply`` takes the comments as JSON (or, without ``--comments``, the drafts written in the app)
and writes the reply as an .eml (several replies: an mbox); ``send`` hands such a file to the
server git send-email would use, after showing the envelope and asking (``--yes`` skips that).
Exit status: 0 sent (or written), 1 the user said no, 2 a HunkwiseError (printed as one line by
viewer.cli.main; the file is kept, so the same command can be run again).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Callable
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from viewer.core.archive import Archive
from viewer.core.drafts import Draft, DraftStore, draft_on_row
from viewer.core.errors import HunkwiseError
from viewer.core.identity import Identity, git_identity
from viewer.core.matching import PatchRow, patch_rows
from viewer.core.mbox import open_mailbox
from viewer.core.message import strip_from_line
from viewer.core.output_file import write_output
from viewer.core.patch import parse_patch
from viewer.core.reply import ComposedReply, compose, mbox_entry, require_sender
from viewer.core.send import SendError, envelope, read_config, send

log = logging.getLogger(__name__)


# -- reply ------------------------------------------------------------------------------------


def _identity(args: argparse.Namespace) -> Identity:
    if args.sender:
        name, address = parseaddr(args.sender)
        if "@" not in address:
            raise HunkwiseError(f"--from wants 'Name <email>', not {args.sender!r}")
        return Identity(name, address.lower())
    return require_sender(git_identity(args.repo))


def _load_comments(path: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise HunkwiseError(f"cannot read {path}: {error.strerror}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise HunkwiseError(f"{path} is not JSON: {error}") from error
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise HunkwiseError(f"{path}: expected a list of objects like "
                            '{"file": "foo.c", "new_line": 12, "text": "..."}')
    return data


def _draft_from_json(msgid: str, rows: list[PatchRow], item: dict[str, Any], n: int) -> Draft:
    where = f"comment {n + 1}"
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise HunkwiseError(f"{where}: no text")
    if "commit_message_line" in item:
        number = item["commit_message_line"]
        message = [i for i, row in enumerate(rows) if row.kind in ("commit", "trailer")]
        if not isinstance(number, int) or not 1 <= number <= len(message):
            raise HunkwiseError(f"{where}: commit_message_line must be 1..{len(message)}")
        return draft_on_row(msgid, rows, message[number - 1], text)
    file = item.get("file")
    new, old = item.get("new_line"), item.get("old_line")
    if file is None and new is None and old is None:
        return Draft(msgid, "general", text)
    if not isinstance(file, str) or (new is None) == (old is None):
        raise HunkwiseError(f"{where}: give \"file\" and one of \"new_line\"/\"old_line\"")
    side = "new_line" if new is not None else "old_line"
    number = new if new is not None else old
    candidates = [i for i, row in enumerate(rows) if row.kind == "line" and row.file == file
                  and getattr(row, side) == number]
    # An old line number names the removed line before the context line that kept it.
    candidates.sort(key=lambda i: not rows[i].text.startswith("-" if side == "old_line" else "+"))
    if not candidates:
        raise HunkwiseError(f"{where}: {file} has no {side.replace('_', ' ')} {number} "
                            "in this patch's diff")
    return draft_on_row(msgid, rows, candidates[0], text)


def _trailer_drafts(msgid: str, trailers: list[str], identity: Identity) -> list[Draft]:
    drafts = []
    for trailer in trailers:
        name, _, value = trailer.partition(":")
        if not name.strip().endswith("-by") and not value.strip():
            raise HunkwiseError(f"--trailer {trailer!r}: expected e.g. 'Reviewed-by: Name <mail>'")
        text = f"{name.strip()}: {value.strip() or identity}"
        drafts.append(Draft(msgid, "trailer", text))
    return drafts


def run_reply(args: argparse.Namespace, normalise: Callable[[str], str],
              print_json: Callable[[Any], None]) -> int:
    archive = Archive.open(args.path, use_cache=not args.no_cache)
    msgid = normalise(args.msgid)
    archive.entry(msgid)
    identity = _identity(args)
    with DraftStore() as store:
        if args.comments:
            rows = patch_rows(parse_patch(archive.message(msgid).body))
            drafts = [_draft_from_json(msgid, rows, item, n)
                      for n, item in enumerate(_load_comments(args.comments))]
        else:
            drafts = store.drafts(msgid)
        drafts += _trailer_drafts(msgid, args.trailer, identity)
        if not drafts:
            raise HunkwiseError(f"nothing to say about <{msgid}>: give --comments or --trailer "
                                "(or write drafts in the app)")
        signoff = args.signoff.replace("\\n", "\n") if args.signoff is not None else None
        replies = compose(archive, drafts, identity, signoff=signoff)
        out = Path(args.out)
        data = _write(out, replies, archive.path)
        for reply in replies:
            store.record_composed(reply.msgid, patch_msgid=reply.patch_msgid,
                                  in_reply_to=reply.in_reply_to, subject=reply.subject,
                                  raw=reply.as_bytes(), draft_ids=reply.draft_ids)
    if args.json:
        print_json({"out": str(out), "bytes": len(data), "replies": [
            {"message_id": r.msgid, "in_reply_to": r.in_reply_to,
             "patch_message_id": r.patch_msgid, "subject": r.subject,
             "to": [str(p) for p in r.to], "cc": [str(p) for p in r.cc],
             "drafts": list(r.draft_ids), "unplaced": list(r.unplaced)} for r in replies]})
    else:
        what = "a reply" if len(replies) == 1 else f"{len(replies)} replies (mbox)"
        print(f"wrote {what} to {out}; send with: hunkwise send {out}")
    return 0


def _write(out: Path, replies: list[ComposedReply], source: Path) -> bytes:
    if len(replies) == 1:
        data = replies[0].as_bytes()
    else:
        data = b"".join(mbox_entry(r.as_bytes()) for r in replies)
    write_output(out, [data], sources=[source])  # never a half-written reply, never the mailbox
    return data


# -- send -------------------------------------------------------------------------------------


def read_replies(path: Path) -> list[bytes]:
    """The mails in a reply file: one .eml, or an mbox of several."""
    try:
        head = path.read_bytes()[:5]
    except OSError as error:
        raise HunkwiseError(f"cannot read {path}: {error.strerror}") from error
    if head != b"From ":
        return [path.read_bytes()]
    source = open_mailbox(path, use_cache=False)
    try:
        return [strip_from_line(source.raw(entry.number)) for entry in source.entries]
    finally:
        source.close()


def _ask(question: str) -> bool:
    print(question, end=" ", flush=True)
    try:
        answer = sys.stdin.readline()
    except (OSError, KeyboardInterrupt):
        return False
    return answer.strip().lower() in ("y", "yes")


def _prompt(what: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(f"{what}: ")


def run_send(args: argparse.Namespace, print_json: Callable[[Any], None]) -> int:
    path = Path(args.path)
    mails = read_replies(path)
    config = read_config(args.repo)
    envelopes = [envelope(raw, config) for raw in mails]
    if not args.yes:
        print(f"Sending {len(mails)} mail{'s' if len(mails) > 1 else ''} through "
              f"{config.describe()}:")
        for env in envelopes:
            print(f"  From:     {env.sender}")
            print(f"  To:       {', '.join(env.recipients)}")
            print(f"  Subject:  {env.subject}")
            print(f"  Reply to: <{env.in_reply_to}>" if env.in_reply_to else "  (not a reply)")
        if not _ask("Send? [y/N]"):
            print("nothing sent")
            return 1
    sent = []
    with DraftStore() as store:
        for raw, env in zip(mails, envelopes, strict=True):
            if env.msgid and store.was_sent(env.msgid):
                # Sent by an earlier run that failed on a later mail of the same file.
                if not args.json:
                    print(f"already sent <{env.msgid}>: not sent again")
                continue
            try:
                result = send(raw, config, prompt=_prompt)
            except SendError as error:
                done = f" ({len(sent)} of {len(mails)} sent)" if sent else ""
                raise SendError(error.reason, f"{error}; nothing lost: {path} is kept, send "
                                              f"it again with: hunkwise send {path}{done}"
                                ) from error
            archived = []
            if env.in_reply_to and env.msgid:
                archived = store.record_sent(env.msgid, in_reply_to=env.in_reply_to,
                                             subject=env.subject, raw=raw)
            sent.append({"message_id": env.msgid, "in_reply_to": env.in_reply_to,
                         "recipients": list(env.recipients), "drafts_archived": archived,
                         "refused": sorted(result.refused)})
            if not args.json:
                print(f"sent <{env.msgid}> to {len(env.recipients) - len(result.refused)} "
                      f"recipients through {config.describe()}")
                for who in sorted(result.refused):
                    print(f"  refused by the server: {who}", file=sys.stderr)
    if args.json:
        print_json({"server": config.describe(), "sent": sent})
    return 0
