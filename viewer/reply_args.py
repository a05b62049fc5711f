"""The command-line arguments of `hunkwise reply` and `hunkwise send` (run by
:mod:`viewer.reply_cli`).

Apart from the commands themselves because every `hunkwise` command builds the whole parser,
and the commands' modules (mail composing, SMTP, keyring) are most of the import time of a
cached `hunkwise index`.
"""

from __future__ import annotations

import argparse


def add_arguments(sub: argparse._SubParsersAction) -> None:
    """The two subcommands, on cli.py's subparsers."""
    text = "compose a reply to a patch or cover letter from comments (JSON) or saved drafts"
    reply = sub.add_parser("reply", help=text, description=text)
    reply.add_argument("path", metavar="PATH", help="the mailbox holding the patch")
    reply.add_argument("msgid", metavar="MSGID", help="the patch or cover letter to answer")
    reply.add_argument(
        "--comments", metavar="FILE.json",
        help='a list of {"file", "new_line" or "old_line", "text"}; {"file": null, "text"} is '
             'a general comment; {"commit_message_line": N, "text"} comments on line N '
             "(from 1) of the commit message. Without it, the drafts saved in the app are used")
    reply.add_argument("--trailer", action="append", default=[], metavar="TRAILER",
                       help='e.g. "Reviewed-by: Jane Doe <jane@example.org>"; a bare '
                            '"Reviewed-by" gets your git identity (repeatable)')
    reply.add_argument("--out", metavar="FILE.eml", required=True,
                       help="where to write the reply (an mbox when there are several)")
    reply.add_argument("--from", dest="sender", metavar="'NAME <EMAIL>'",
                       help="who you are (default: git config user.name/user.email)")
    reply.add_argument("--repo", metavar="DIR", help="read git config of this repository too")
    reply.add_argument("--signoff", metavar="TEXT",
                       help='the closing (default "Thanks,\\n<first name>"; "" for none)')
    reply.add_argument("--json", action="store_true", help="print what was written as JSON")
    reply.add_argument("--no-cache", action="store_true",
                       help="ignore and do not write the index cache")

    text = "send a reply (.eml or mbox) with git send-email's configuration"
    send_p = sub.add_parser("send", help=text, description=text)
    send_p.add_argument("path", metavar="FILE", help="a reply written by `hunkwise reply`")
    send_p.add_argument("--yes", action="store_true", help="send without asking")
    send_p.add_argument("--repo", metavar="DIR", help="read git config of this repository too")
    send_p.add_argument("--json", action="store_true", help="print what was sent as JSON")
