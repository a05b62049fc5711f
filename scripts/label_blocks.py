#!/usr/bin/env python3
"""Cut the replies of a mailbox into own-text blocks, so a person only has to decide labels.

The blocks follow the convention of ``../shared/tools/LABELS.md``; the labels themselves are
never computed here. They are written by hand into a decisions file after reading the mail::

    label_blocks.py show MBOX                  # every reply, its blocks numbered [R3.B2]
    label_blocks.py build MBOX DECISIONS OUT   # blocks + hand-written labels -> labels JSON

A decisions file holds, per reply, ``R<n>: <index>=<label>[!] ...`` (``!`` marks a debatable
call), optional ``note R<n>.<index> text`` lines and ``alt R<n>.<index> first line`` lines, and
``answers R<n>.<index> <message-id or R<m>> [block]`` when the mail an answer answers is not the
one a content search finds. Labels: ``line`` (line_comment), ``answer``, ``general``,
``trailer``, ``noise``; ``noise`` may carry ``:tail`` (a wrapped quote tail) or ``:mangled``
(a quoted line with a broken prefix). For an answer, the mail and block it answers are looked
up by content (the last quoted prose line above it, inside an own-text block of another mail of
the thread); the person checks the result printed by ``build``.

Only the stdlib reads the mail (``mailbox``/``email``), never ``viewer.core``: the labels must
not depend on the engine they judge.
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

CONVENTION = (
    "One record per block of a replier's own text, for every reply mail (Subject Re:/AW:/SV:; "
    "patch mails and cover letters are not replies; a message archived twice is labelled once). "
    "Body = first text/plain part, transfer- and charset-decoded, CRLF->LF, format=flowed NOT "
    "unwrapped. A line is quoted when it starts with '>' after optional spaces/tabs; all other "
    "lines are own text. A block is a maximal run of non-blank own-text lines; in addition a line "
    "that is only a snip marker ('[...]', '<snip>', '...', '(...)') is a block by itself, and a "
    "signature separator line '-- ' (or '--') starts a new block. See ../shared/tools/LABELS.md."
)
LABELS = {"line": "line_comment", "answer": "answer", "general": "general",
          "trailer": "trailer", "noise": "noise"}
_REPLY = re.compile(r"^\s*(re|aw|sv)\s*:", re.IGNORECASE)
_QUOTED = re.compile(r"^[ \t]*>")
_MARKERS = re.compile(r"^[ \t]*((?:>[ \t]*)+)")
_SNIP = re.compile(r"^\s*(\[\s*\.{2,}\s*\]|\[\s*…\s*\]|<\s*snip\s*>|\.{3,}|…|\(\s*\.{2,}\s*\))\s*$",
                   re.IGNORECASE)


def mid(value: str | None) -> str:
    return (value or "").strip().strip("<>").strip()


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip().lower()


def body_of(msg: email.message.Message) -> str:
    part = next((p for p in msg.walk() if p.get_content_type() == "text/plain"), None)
    if part is None:
        return ""
    raw = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = raw.decode(charset, errors="replace")
    except LookupError:
        text = raw.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class Block:
    index: int
    lines: list[str]
    continues: bool
    quote_above: dict | None
    quoted_before: list[tuple[int, str]] = field(default_factory=list)
    """Non-blank quoted lines (depth, text) between the previous block and this one."""
    start: int = 0
    """Line number of the block's first line in the body."""
    first_line: str = ""

    def __post_init__(self) -> None:
        self.first_line = self.lines[0].strip()


@dataclass
class Reply:
    number: int
    msgid: str
    author: str
    subject: str
    parent: str
    references: list[str]
    body: str
    blocks: list[Block] = field(default_factory=list)


def unquote(line: str) -> tuple[int, str]:
    match = _MARKERS.match(line)
    if not match:
        return 0, line
    return match.group(1).count(">"), line[match.end():].strip()


def cut_blocks(body: str) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    quoted_since = True  # no block before the first: "continues" is false for block 0
    last_quote: dict | None = None
    between: list[tuple[int, str]] = []

    def close() -> None:
        nonlocal current, quoted_since, between
        if current:
            blocks.append(Block(len(blocks), current, bool(blocks) and not quoted_since,
                                last_quote, between, start))
            current = []
            quoted_since = False
            between = []

    for number, line in enumerate(body.split("\n")):
        if _QUOTED.match(line):
            close()
            depth, text = unquote(line)
            if text:
                last_quote = {"depth": depth, "line": text}
                between.append((depth, text))
            quoted_since = True
            continue
        if not line.strip():
            close()
            continue
        if _SNIP.match(line) or (line.rstrip() in ("--", "-- ") and current):
            close()
        if not current:
            start = number
        current.append(line.rstrip())
        if _SNIP.match(line):
            close()
    close()
    return blocks


def read_replies(path: Path) -> tuple[list[Reply], dict[str, str]]:
    """The reply mails in file order (each Message-ID once), and every mail's body by id."""
    replies: list[Reply] = []
    bodies: dict[str, str] = {}
    seen: set[str] = set()
    # mailbox.mbox keeps the file open (read-write when it may) until closed: close it.
    box = mailbox.mbox(str(path), factory=lambda f: email.message_from_binary_file(
        f, policy=email.policy.compat32), create=False)
    try:
        messages = list(box)
    finally:
        box.close()
    for msg in messages:
        msgid = mid(msg.get("Message-ID"))
        if not msgid or msgid in seen:
            continue
        seen.add(msgid)
        body = body_of(msg)
        bodies[msgid] = body
        subject = re.sub(r"\s+", " ", str(msg.get("Subject", "")))
        if not _REPLY.match(subject):
            continue
        refs = re.findall(r"<([^>]+)>", str(msg.get("References", "")))
        parent = mid(str(msg.get("In-Reply-To", "")).split(">")[0]) or (refs[-1] if refs else "")
        reply = Reply(len(replies), msgid, str(msg.get("From", "")), subject, parent, refs, body)
        reply.blocks = cut_blocks(body)
        replies.append(reply)
    return replies, bodies


def _print_quote(run: list[str]) -> None:
    """Long quotes are shortened: the lines right above a block are what decide its label."""
    if len(run) > 10:
        run[2:-4] = [f"> ... {len(run) - 6} quoted lines"]
    for text in run:
        print(f"       {text}")
    run.clear()


def show(path: Path) -> None:
    replies, _ = read_replies(path)
    by_id = {r.msgid: r for r in replies}
    for reply in replies:
        parent = by_id.get(reply.parent)
        print(f"\n==== R{reply.number} <{reply.msgid}>")
        print(f"     From: {reply.author}   Subject: {reply.subject[:90]}")
        print(f"     parent: {f'R{parent.number}' if parent else reply.parent}")
        starts = {block.start: block.index for block in reply.blocks}
        lines = reply.body.split("\n")
        run: list[str] = []
        for number, line in enumerate(lines):
            if _QUOTED.match(line):
                run.append(line)
                continue
            _print_quote(run)
            tag = f"[B{starts[number]}]" if number in starts else ""
            print(f"{tag:>6} {line}")
        _print_quote(run)


def parse_decisions(text: str) -> dict:
    labels: dict[int, dict[int, tuple[str, bool, str]]] = {}
    notes: dict[tuple[int, int], str] = {}
    alts: dict[tuple[int, int], list[str]] = {}
    answers: dict[tuple[int, int], str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word in ("note", "alt", "answers"):
            where, _, value = rest.partition(" ")
            r, b = where.lstrip("R").split(".B") if ".B" in where else where.lstrip("R").split(".")
            key = (int(r), int(b))
            if word == "note":
                notes[key] = value.strip()
            elif word == "alt":
                alts.setdefault(key, []).append(value.strip())
            else:
                target, _, index = value.strip().partition(" ")
                answers[key] = (mid(target), int(index) if index else None)
            continue
        r, _, items = line.partition(":")
        reply_labels = labels.setdefault(int(r.strip().lstrip("R")), {})
        for item in items.split():
            index, _, label = item.partition("=")
            debatable = label.endswith("!")
            label = label.rstrip("!")
            name, _, flag = label.partition(":")
            reply_labels[int(index)] = (LABELS[name], debatable, flag)
    return {"labels": labels, "notes": notes, "alts": alts, "answers": answers}


def _ancestors_first(replies: list[Reply], reply: Reply) -> list[Reply]:
    by_id = {r.msgid: r for r in replies}
    chain: list[Reply] = []
    current = reply
    while current.parent in by_id and by_id[current.parent] not in chain:
        current = by_id[current.parent]
        chain.append(current)
    return chain + [r for r in replies if r not in chain and r is not reply]


def find_answered(replies: list[Reply], records: dict[str, list[dict]], reply: Reply,
                  block: Block, forced: tuple[str, int | None] | None) -> dict:
    """The block of another mail holding the last quoted prose line above ``block``.

    A continuing paragraph answers what the paragraph it continues answers. The quoted line is
    looked for inside the text of prose blocks (noise and trailers skipped), whitespace folded,
    so a quote the client re-wrapped is still found; the parent chain is searched first.
    """
    k = block.index
    while k > 0 and reply.blocks[k].continues:
        k -= 1
    quoted = reply.blocks[k].quoted_before
    for _depth, text in reversed(quoted):
        want = fold(text)
        if not want:
            continue
        for other in _ancestors_first(replies, reply):
            if forced and other.msgid != forced[0]:
                continue
            for rec in records.get(other.msgid, []):
                if rec["label"] in ("noise", "trailer"):
                    continue
                if forced and forced[1] is not None and rec["index"] != forced[1]:
                    continue
                whole = fold(rec["text"])
                if want == whole or (len(want) >= 12 and want in whole) or any(
                        fold(x) == want for x in rec["text"].split("\n")):
                    return {"answers_reply_message_id": other.msgid,
                            "answers_block_index": rec["index"],
                            "answers_occurrence": rec["occurrence"],
                            "answers_first_line": rec["block_first_line"],
                            "answers_quoted_line": text}
    if forced and forced[1] is not None:
        # The quoted line was mangled (a URL rewriter, a re-wrap mid-word): the person said which.
        rec = records[forced[0]][forced[1]]
        return {"answers_reply_message_id": forced[0], "answers_block_index": rec["index"],
                "answers_occurrence": rec["occurrence"],
                "answers_first_line": rec["block_first_line"],
                "answers_quoted_line": quoted[-1][1] if quoted else ""}
    paragraph = [t for d, t in quoted if d == (quoted[-1][0] if quoted else 0)]
    return {"answers_mail_absent": True,
            "answers_first_line": paragraph[0] if paragraph else "",
            "answers_quoted_line": quoted[-1][1] if quoted else ""}


def build(path: Path, decisions_path: Path, out_path: Path) -> None:
    replies, _ = read_replies(path)
    decisions = parse_decisions(decisions_path.read_text())
    records: dict[str, list[dict]] = {}
    problems = []
    for reply in replies:
        chosen = decisions["labels"].get(reply.number, {})
        recs = []
        for block in reply.blocks:
            if block.index not in chosen:
                problems.append(f"R{reply.number}.B{block.index} unlabelled: {block.first_line!r}")
                continue
            label, debatable, flag = chosen[block.index]
            occurrence = sum(1 for b in reply.blocks[: block.index]
                             if b.first_line == block.first_line)
            rec: dict = {
                "reply_message_id": reply.msgid,
                "block_first_line": block.first_line,
                "label": label,
                "index": block.index,
                "occurrence": occurrence,
                "n_lines": len(block.lines),
                "text": "\n".join(block.lines),
                "continues": block.continues,
                "quote_above": block.quote_above,
            }
            key = (reply.number, block.index)
            if key in decisions["alts"]:
                rec["alt_first_lines"] = decisions["alts"][key]
            if flag == "tail":
                rec["wrapped_quote_tail"] = True
            if flag == "mangled":
                rec["mangled_quote"] = True
            if debatable:
                rec["debatable"] = True
            if key in decisions["notes"]:
                rec["note"] = decisions["notes"][key]
            if label == "answer":
                forced = decisions["answers"].get(key)
                if forced and re.fullmatch(r"R\d+", forced[0]):
                    forced = (replies[int(forced[0][1:])].msgid, forced[1])
                if block.continues and recs and recs[-1]["label"] == "answer" and not forced:
                    # A further paragraph answers what the paragraph it continues answers.
                    rec.update({k: v for k, v in recs[-1].items() if k.startswith("answers_")})
                else:
                    rec.update(find_answered(replies, records, reply, block, forced))
                print(f"R{reply.number}.B{block.index} {block.first_line[:40]!r} answers "
                      f"{rec.get('answers_reply_message_id', 'ABSENT')[:40]} "
                      f"B{rec.get('answers_block_index')} {rec['answers_first_line'][:40]!r} "
                      f"via {rec['answers_quoted_line'][:40]!r}")
            recs.append(rec)
        extra = set(chosen) - {b.index for b in reply.blocks}
        if extra:
            problems.append(f"R{reply.number}: no such blocks: {sorted(extra)}")
        records[reply.msgid] = recs
    if problems:
        sys.exit("\n".join(problems))
    doc = {"thread": path.stem, "mbox": path.name, "convention": CONVENTION,
           "blocks": [r for reply in replies for r in records[reply.msgid]]}
    out_path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for rec in doc["blocks"]:
        counts[rec["label"]] = counts.get(rec["label"], 0) + 1
    print(f"{out_path.name}: {len(doc['blocks'])} blocks {counts}")


def main(argv: list[str]) -> None:
    if len(argv) >= 2 and argv[0] == "show":
        show(Path(argv[1]))
    elif len(argv) == 4 and argv[0] == "build":
        build(Path(argv[1]), Path(argv[2]), Path(argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
