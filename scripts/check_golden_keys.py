#!/usr/bin/env python3
"""Check hand-made anchor keys (*.key.json) against the mail they describe.

The keys are the yardstick the anchoring engine is measured with, so this checker must not lean on
the engine: it reads the mbox with the stdlib `mailbox`/`email` modules and counts hunk lines
itself. For every entry it checks that

* the reply exists, its In-Reply-To/References chain leads up to `patch_message_id`, and
  `comment_first_line` is an unquoted line of the reply body;
* a diff entry's (file, new_line or old_line), counted from the patch mail's own hunk headers,
  holds `quoted_last_line` (whitespace ignored: Gmail turns tabs into spaces), and both numbers
  agree with the line's kind (`+` has no old line, `-` no new line, context has both);
* a blank-line entry's `last_nonblank_*` fields point at `last_nonblank_quoted_line`;
* a commit-message entry's `quoted_last_line` is in the patch's commit message;
* the reply quotes that line with `quote_depth` '>' somewhere above the comment.

Usage: check_golden_keys.py [KEY.json | DIR ...]   (default: tests/golden/anchors)
Exit status 0 when every entry passes.
"""

from __future__ import annotations

import email
import email.policy
import json
import mailbox
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_KEYS = REPO / "tests" / "golden" / "anchors"
THREADS = (REPO / ".." / "shared" / "corpus" / "threads").resolve()

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
QUOTE_PREFIX = re.compile(r"^((?:[ \t]*>)+)[ ]?")
# mboxrd escapes every '>*From ' body line with one more '>'; the stdlib reader leaves it.
MBOXRD_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def msgid(value: str | None) -> str:
    return (value or "").strip().strip("<>").strip().lower()


def squash(text: str | None) -> str:
    """Text with every whitespace character removed: how quoted and patch lines are compared."""
    return re.sub(r"\s+", "", text or "")


def fold(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


@dataclass
class Mail:
    message_id: str
    parent: str | None
    sender: str
    subject: str
    body: str


@dataclass
class PatchLine:
    file: str
    kind: str  # '+', '-' or ' '
    text: str  # with its prefix, as in the patch
    old_line: int | None
    new_line: int | None


@dataclass
class Patch:
    commit_message: list[str] = field(default_factory=list)
    lines: list[PatchLine] = field(default_factory=list)


def _text_body(message: email.message.EmailMessage) -> str:
    """The first text/plain part, decoded; patches are sometimes base64 or quoted-printable."""
    part = message.get_body(preferencelist=("plain",)) or message
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        text = payload.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_thread(path: Path) -> dict[str, Mail]:
    mails: dict[str, Mail] = {}
    # mailbox.mbox keeps the file open (read-write when it may) until closed: close it.
    box = mailbox.mbox(str(path), factory=None, create=False)
    try:
        raws = list(box)
    finally:
        box.close()
    for raw in raws:
        data = MBOXRD_FROM.sub(rb"\1", raw.as_bytes())
        message = email.message_from_bytes(data, policy=email.policy.default)
        mid = msgid(str(message.get("Message-ID", "")))
        parent = msgid(str(message.get("In-Reply-To", ""))) or None
        if parent is None:
            refs = re.findall(r"<[^>]+>", str(message.get("References", "")))
            parent = msgid(refs[-1]) if refs else None
        mails[mid] = Mail(mid, parent, str(message.get("From", "")),
                          str(message.get("Subject", "")), _text_body(message))
    return mails


def parse_patch(body: str) -> Patch:
    """Commit message lines and numbered diff lines, counted from the hunk headers alone."""
    patch = Patch()
    lines = body.split("\n")
    in_message = True
    current_file = ""
    old_from = old_left = new_from = new_left = 0
    for line in lines:
        if in_message:
            # The commit message ends at the '---' before the diffstat, or at the diff itself.
            if line.rstrip() == "---" or line.startswith("diff --git "):
                in_message = False
            else:
                patch.commit_message.append(line)
                continue
        if old_left > 0 or new_left > 0:
            # Some mailers drop the single space of an empty context line.
            kind = line[:1] if line[:1] in "+- \\" and line else " "
            if kind == "\\":
                continue
            if kind == "+":
                patch.lines.append(PatchLine(current_file, "+", line, None, new_from))
                new_from += 1
                new_left -= 1
            elif kind == "-":
                patch.lines.append(PatchLine(current_file, "-", line, old_from, None))
                old_from += 1
                old_left -= 1
            else:
                patch.lines.append(PatchLine(current_file, " ", line or " ", old_from, new_from))
                old_from += 1
                new_from += 1
                old_left -= 1
                new_left -= 1
            continue
        if line.startswith("diff --git "):
            found = re.match(r"diff --git a/(.*) b/(.*)$", line)
            current_file = found.group(2) if found else current_file
        elif line.startswith("+++ "):
            target = line[4:].split("\t")[0].strip()
            if target != "/dev/null":
                current_file = re.sub(r"^b/", "", target)
        elif (found := HUNK.match(line)) is not None:
            old_from = int(found.group(1))
            old_left = int(found.group(2)) if found.group(2) is not None else 1
            new_from = int(found.group(3))
            new_left = int(found.group(4)) if found.group(4) is not None else 1
    return patch


def quoted_lines(body: str) -> list[tuple[int, int, str]]:
    """(line index, depth, text without the '>' prefix) for every quoted line of a reply."""
    out = []
    for index, line in enumerate(body.split("\n")):
        found = QUOTE_PREFIX.match(line)
        if found:
            out.append((index, found.group(1).count(">"), line[found.end():]))
    return out


def find_patch_line(patch: Patch, file: str, new_line, old_line) -> PatchLine | None:
    for line in patch.lines:
        if line.file != file:
            continue
        if new_line is not None and line.new_line == new_line \
                and (old_line is None or line.old_line == old_line):
            return line
        if new_line is None and old_line is not None and line.old_line == old_line \
                and line.new_line is None:
            return line
    return None


def check_entry(entry: dict, mails: dict[str, Mail]) -> list[str]:
    problems: list[str] = []
    reply = mails.get(msgid(entry["reply_message_id"]))
    patch_mail = mails.get(msgid(entry["patch_message_id"]))
    if reply is None:
        return [f"reply {entry['reply_message_id']} not in the mbox"]
    if patch_mail is None:
        return [f"patch {entry['patch_message_id']} not in the mbox"]

    # The reply must descend from the patch mail, however many replies lie in between.
    seen, cursor = set(), reply.parent
    while cursor and cursor != patch_mail.message_id and cursor not in seen:
        seen.add(cursor)
        cursor = mails[cursor].parent if cursor in mails else None
    if cursor != patch_mail.message_id:
        problems.append("the reply's In-Reply-To chain does not reach the patch mail")

    body_lines = reply.body.split("\n")
    wanted = fold(entry["comment_first_line"])
    # The same short remark ("TODO", "Ditto.") may occur several times in one reply.
    comment_at = [i for i, line in enumerate(body_lines)
                  if not QUOTE_PREFIX.match(line) and fold(line).startswith(wanted)]
    if not wanted or not comment_at:
        problems.append("comment_first_line is not an unquoted line of the reply")

    patch = parse_patch(patch_mail.body)
    quoted = entry["quoted_last_line"]
    if entry["anchor"] == "commit_message":
        if entry.get("file") is not None or entry.get("new_line") is not None:
            problems.append("commit_message entries carry no file or line")
        message = squash("".join(patch.commit_message))
        if not squash(quoted) or squash(quoted) not in message:
            problems.append("quoted_last_line is not in the commit message")
    elif entry["anchor"] == "diff":
        line = find_patch_line(patch, entry["file"], entry.get("new_line"), entry.get("old_line"))
        if line is None:
            problems.append(f"no patch line {entry['file']}:{entry.get('new_line')}"
                            f"/{entry.get('old_line')}")
        else:
            if squash(line.text) != squash(quoted) or line.kind != quoted[:1]:
                problems.append(f"patch line is {line.text!r}, key says {quoted!r}")
            if (line.new_line, line.old_line) != (entry.get("new_line"), entry.get("old_line")):
                problems.append(f"line numbers should be new={line.new_line} old={line.old_line}")
        if entry.get("quoted_last_line_is_blank"):
            if squash(quoted[1:]):
                problems.append("quoted_last_line_is_blank but the line has text")
            above = find_patch_line(patch, entry["file"], entry.get("last_nonblank_new_line"),
                                    entry.get("last_nonblank_old_line"))
            if above is None or squash(above.text) != squash(entry["last_nonblank_quoted_line"]):
                problems.append("last_nonblank_* does not point at last_nonblank_quoted_line")
    else:
        problems.append(f"unknown anchor {entry['anchor']!r}")

    # The anchor must be the last quoted line above one occurrence of the comment.
    if comment_at and not any(_quoted_just_above(body_lines, at, entry) for at in comment_at):
        problems.append(f"the line just above the comment is not that line quoted at depth "
                        f"{entry.get('quote_depth')}")
    return problems


def _quoted_just_above(body_lines: list[str], at: int, entry: dict) -> bool:
    """Whether the nearest quoted line above line `at` (blank lines skipped) is the key's line."""
    want = squash(entry["quoted_last_line"])
    blank_anchor = bool(entry.get("quoted_last_line_is_blank"))
    for line in reversed(body_lines[:at]):
        found = QUOTE_PREFIX.match(line)
        if not found:
            if line.strip():
                return False  # other own text sits between the quote and the comment
            continue
        depth = found.group(1).count(">")
        text = line[found.end():]
        if not squash(text):
            if blank_anchor and squash(text) == squash(want[1:]) and depth == entry["quote_depth"]:
                return True  # the blank '+' or ' ' line itself, shown empty after the '>'
            continue  # an empty quoted line between the quote and the comment
        if depth != entry["quote_depth"]:
            return False
        got = squash(text)
        if entry["anchor"] == "commit_message":
            # A re-wrapped quote may hold the line's tail only, or more than the line.
            return bool(want) and (want in got or got in want)
        if blank_anchor:
            return got in (want, squash(entry["last_nonblank_quoted_line"]))
        return got == want
    return False


def mbox_path(key_path: Path, key: dict) -> Path:
    named = Path(key["mbox"])
    candidate = (key_path.parent / named).resolve()
    return candidate if candidate.is_file() else THREADS / named.name


def check_key(key_path: Path) -> tuple[int, list[str]]:
    key = json.loads(key_path.read_text())
    path = mbox_path(key_path, key)
    if not path.is_file():
        return 0, [f"{key_path.name}: mbox {path} not found"]
    mails = read_thread(path)
    failures = []
    for number, entry in enumerate(key["entries"]):
        for problem in check_entry(entry, mails):
            failures.append(f"{key_path.name} #{number} {entry['comment_first_line'][:50]!r}: "
                            f"{problem}")
    return len(key["entries"]), failures


def main(argv: list[str]) -> int:
    targets = [Path(a) for a in argv] or [DEFAULT_KEYS]
    keys = sorted(p for t in targets
                  for p in ([t] if t.is_file() else t.glob("*.key.json")))
    total = 0
    failures: list[str] = []
    for key_path in keys:
        count, problems = check_key(key_path)
        total += count
        failures += problems
        print(f"{key_path.name}: {count} entries, {len(problems)} problems")
    for problem in failures:
        print("FAIL", problem)
    print(f"{len(keys)} keys, {total} entries, {len(failures)} problems")
    return 1 if failures or not keys else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
