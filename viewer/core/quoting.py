"""How a reply quotes: the body of a reply to a patch, and of an answer to a reviewer.

The rules (see viewer.core.reply for the mail around them): general comments above the
attribution; per file its ``diff --git`` header lines once; up to :data:`CONTEXT` lines above
each comment (a selected range whole), never reaching back past the previous comment or out of
its hunk; the ``@@`` line when the context starts at the top of the hunk; ``[...]`` wherever
something was left out; each comment unquoted under its line between blank lines; an adopted
point of another reviewer as ``| `` lines (b4's marker: not a quote, so it reads as the user's
own); trailers, then the sign-off. An answer to another reviewer quotes their mail with one
more ``>``: their comment at ``> ``, the patch lines they quoted above it at ``> > ``.

Quoted lines are the patch's lines byte for byte (``> `` + the line, ``>`` for an empty one);
only the user's own text is wrapped, at :data:`WIDTH` columns, and never so that a wrapped line
starts with ``>`` (it would read back as a quote).
"""

from __future__ import annotations

import email.utils
import logging
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from viewer.core.anchoring import anchor_thread
from viewer.core.drafts import Draft, locate
from viewer.core.identity import Identity
from viewer.core.matching import PatchRow, patch_rows
from viewer.core.message import Message, Person
from viewer.core.patch import parse_patch
from viewer.core.quotes import split_reply

log = logging.getLogger(__name__)

CONTEXT = 5
"""Lines quoted above a comment, at most (a selected range is quoted whole)."""
WIDTH = 72
"""Own text is wrapped here; quoted lines never are."""
SNIP = "[...]"


def wrap(text: str, width: int = WIDTH) -> list[str]:
    """The user's text wrapped paragraph by paragraph.

    Indented lines (a code suggestion), lines the user quoted or marked themselves (``>``,
    ``|``) and trailers are kept as typed: re-flowing code would change what it says.
    """
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.extend(_fill(" ".join(part.strip() for part in paragraph), width))
            paragraph.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.rstrip()
        if not line:
            flush()
            out.append("")
        elif line[0] in " \t>|" or _is_trailer(line) or line.startswith(("- ", "* ")):
            flush()
            if line.startswith(("- ", "* ")) and len(line) > width:
                out.extend(_fill(line, width, indent="  "))
            else:
                out.append(line)
        else:
            paragraph.append(line)
    flush()
    while out and not out[-1]:
        out.pop()
    while out and not out[0]:
        out.pop(0)
    return out


def _fill(text: str, width: int, indent: str = "") -> list[str]:
    lines = textwrap.wrap(text, width, subsequent_indent=indent, break_long_words=False,
                          break_on_hyphens=False) or [""]
    # A wrapped line starting with ">" would read back as a quote: keep it on the line above.
    merged: list[str] = []
    for line in lines:
        if merged and line.lstrip().startswith(">"):
            merged[-1] += " " + line.lstrip()
        else:
            merged.append(line)
    return merged


_TRAILER = re.compile(r"^[A-Z][A-Za-z0-9-]*-by:\s*\S|^(Fixes|Link|Closes|Cc):\s*\S")


def _is_trailer(line: str) -> bool:
    return bool(_TRAILER.match(line))


def quote_line(text: str, prefix: str = ">") -> str:
    """One line quoted: ``> `` + the line as it was, ``>`` alone for an empty line."""
    return f"{prefix} {text}" if text else prefix


def attribution(message: Message) -> str:
    """``On Mon, 12 Jan 2026 10:00:00 +0100, Jane Doe wrote:``, in the sender's own zone."""
    who = message.author.name or message.author.email or "you"
    raw = message.header("Date")
    when = None
    if raw:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            when = None
    if when is None:
        return f"{who} wrote:"
    stamp = when.strftime("%a, %d %b %Y %H:%M:%S")
    zone = when.strftime("%z") or "+0000"
    return f"On {stamp} {zone}, {who} wrote:"


@dataclass(slots=True)
class _Body:
    """Lines of a reply body being written; ``cursor`` is the row after the last one quoted."""

    lines: list[str] = field(default_factory=list)
    cursor: int = 0

    def quote_rows(self, rows: Sequence[PatchRow], start: int, end: int) -> None:
        """Quote rows[start..end] (inclusive), with ``[...]`` when rows were skipped."""
        if start > self.cursor:
            self.snip()
        self.lines.extend(quote_line(rows[i].text) for i in range(start, end + 1))
        self.cursor = end + 1

    def snip(self) -> None:
        if self.lines and self.lines[-1] == quote_line(SNIP):
            return
        self.lines.append(quote_line(SNIP))

    def own(self, text_lines: Iterable[str]) -> None:
        block = list(text_lines)
        if not block:
            return
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.lines.extend(block)
        self.lines.append("")


def _comment_lines(drafts: Sequence[Draft]) -> list[str]:
    """The texts of the drafts on one line, each adopted point first as ``| `` lines."""
    out: list[str] = []
    for draft in drafts:
        if out:
            out.append("")
        if draft.mode == "adopt" and draft.quote_text.strip():
            out.extend(quote_line(line, "|") for line in draft.quote_text.strip().split("\n"))
            if draft.text.strip():
                out.append("")
        out.extend(wrap(draft.text))
    return out


def _section_bounds(rows: Sequence[PatchRow], index: int) -> int:
    """The first row a comment's context may reach: the top of its hunk, or of the message."""
    kind = rows[index].kind
    i = index
    if kind == "line":
        while i > 0 and rows[i - 1].kind == "line":
            i -= 1
        return i
    while i > 0 and rows[i - 1].kind in ("commit", "trailer"):
        i -= 1
    return i


def patch_body(
    original: Message, drafts: Sequence[Draft], signoff: str, identity: Identity
) -> tuple[str, tuple[int, ...]]:
    """The body of the reply to a patch or cover letter, and the drafts left unplaced.

    The body is read back through the anchoring before it is used: when 5 lines of context
    do not say which copy of a repeated block a comment is on (``};`` closing five nested
    nodes of a DT example), that comment gets more, up to the top of its hunk. A reply is
    for people, but the list's tools (and Hunkwise) must find each remark where it was put."""
    rows = patch_rows(parse_patch(original.body))
    extra: dict[int, int] = {}
    for _attempt in range(4):
        body, unplaced, placed = _layout(original, rows, drafts, signoff, extra)
        wrong = _misread(original, rows, body, placed, identity)
        if not wrong:
            break
        for at in wrong:
            extra[at] = extra.get(at, CONTEXT) + CONTEXT
        log.debug("%s: more context for rows %s", original.msgid, sorted(wrong))
    return body, unplaced


def _misread(
    original: Message,
    rows: Sequence[PatchRow],
    body: str,
    placed: dict[int, list[str]],
    identity: Identity,
) -> set[int]:
    """Rows whose comment the anchoring would put somewhere else in this body."""
    check = Message(
        msgid="hunkwise-check@invalid", subject=f"Re: {original.subject}",
        author=Person(identity.name, identity.email), date=original.date,
        in_reply_to=original.msgid, references=(original.msgid,), body=body,
    )
    found = [a for a in anchor_thread([original, check]) if a.reply_message_id == check.msgid]
    wrong = set()
    for at, lines in placed.items():
        first = next((line for line in lines if line.strip()), "")
        annotation = next((a for a in found if first and first.strip() in a.comment), None)
        row = rows[at]
        anchor = annotation.anchor if annotation is not None else None
        if anchor is None:
            wrong.add(at)
        elif row.kind == "line":
            if (anchor.kind, anchor.file, anchor.old_line, anchor.new_line) != (
                "diff", row.file, row.old_line, row.new_line
            ):
                wrong.add(at)
        elif (anchor.kind, anchor.text) != ("commit_message", row.text):
            wrong.add(at)
    return wrong


def _layout(
    original: Message,
    rows: Sequence[PatchRow],
    drafts: Sequence[Draft],
    signoff: str,
    extra: dict[int, int],
) -> tuple[str, tuple[int, ...], dict[int, list[str]]]:
    general = [d for d in drafts if d.kind == "general"]
    trailers = [d for d in drafts if d.kind == "trailer"]
    placed: dict[int, list[Draft]] = {}
    spans: dict[int, int] = {}
    unplaced: list[int] = []
    for draft in drafts:
        if not draft.is_line or draft.mode == "answer":
            continue
        at = locate(draft, rows)
        if at is None:
            log.warning("draft %s: its line %r is not in %s any more; sent as a general "
                        "comment", draft.id, draft.line_text, original.msgid)
            general.append(draft)
            if draft.id is not None:
                unplaced.append(draft.id)
            continue
        placed.setdefault(at, []).append(draft)
        spans[at] = max(spans.get(at, 1), draft.span)

    body = _Body()
    for draft in general:
        text = wrap(draft.text)
        if draft.kind != "general":  # a line that is gone: say which one it was about
            text = [f"About {draft.line_text.strip()!r}:", "", *text]
        body.own(text)
    body.lines.append(attribution(original))
    written: dict[int, list[str]] = {}
    if placed:
        last_file: int | None = None
        for at in sorted(placed):
            row = rows[at]
            top = _section_bounds(rows, at)
            context = extra.get(at, CONTEXT)
            start = max(top, body.cursor, min(at - context, at - spans[at] + 1))
            if row.kind == "line" and row.file_index != last_file:
                header = [i for i, r in enumerate(rows) if r.kind == "file"
                          and r.file_index == row.file_index]
                if header and header[0] >= body.cursor:
                    body.quote_rows(rows, header[0], header[-1])
                last_file = row.file_index
            if row.kind == "line" and start == top and top - 1 >= body.cursor:
                start = top - 1  # the @@ line: the context reaches the top of the hunk
            body.quote_rows(rows, start, at)
            comment = _comment_lines(placed[at])
            written[at] = comment
            body.own(comment)
    else:
        # Nothing on a line: quote the message itself, so the reply says what it is about.
        message_rows = [i for i, r in enumerate(rows) if r.kind == "commit"]
        if message_rows:
            body.quote_rows(rows, message_rows[0], message_rows[-1])
        if any(r.kind in ("file", "hunk", "line") for r in rows):
            body.snip()
    closing = [d.text.strip() for d in trailers if d.text.strip()]
    if closing:
        if placed:
            # Blank lines alone do not end a comment: without a snip in between, the trailers
            # would read back as more of the last remark, on its line.
            body.snip()
        body.own(closing)
    body.own(signoff.split("\n") if signoff else [])
    return _finish(body.lines), tuple(unplaced), written


def _finish(lines: list[str]) -> str:
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def answer_body(original: Message, drafts: Sequence[Draft], signoff: str) -> str:
    """The body of a reply to another reviewer's mail: each answered comment quoted from their
    mail with one more ``>`` (the patch lines they quoted above it too, up to CONTEXT), and the
    answer under it."""
    raw_lines = original.body.replace("\r\n", "\n").split("\n")
    split = split_reply(original.body)
    segments = split.segments
    located: list[tuple[int, int, int, Draft]] = []  # (comment start, end, quote start, draft)
    loose: list[Draft] = []
    for draft in drafts:
        spot = _find_comment(segments, draft.quote_text)
        if spot is None:
            loose.append(draft)
        else:
            located.append((*spot, draft))
    located.sort(key=lambda item: item[0])
    body = _Body()
    body.lines.append(attribution(original))
    # Their attribution line and greeting go without a "[...]"; anything they quoted or
    # wrote that is left out gets one.
    cursor = min((seg.lines[0].lineno for seg in segments if seg.kind == "quote"), default=0)
    for _first, end, quote_start, draft in located:
        begin = max(quote_start, cursor)
        if begin > cursor:
            body.lines.append(quote_line(SNIP))
        if begin <= end:
            body.lines.extend(quote_line(raw_lines[i]) for i in range(begin, end + 1))
        cursor = end + 1
        body.own(wrap(draft.text))
    for draft in loose:
        # Their mail is not in this mailbox (or was edited): quote the comment as kept.
        body.lines.extend(quote_line(line) for line in draft.quote_text.strip().split("\n"))
        body.own(wrap(draft.text))
    body.own(signoff.split("\n") if signoff else [])
    return _finish(body.lines)


def _find_comment(segments, comment: str) -> tuple[int, int, int] | None:
    """Body line numbers of a reviewer's comment in their mail, as (first, last, first quoted
    line to show above it)."""
    wanted = [line.strip() for line in comment.strip().split("\n") if line.strip()]
    if not wanted:
        return None
    for n, seg in enumerate(segments):
        if seg.kind != "own":
            continue
        texts = [line.text.strip() for line in seg.lines]
        if wanted[0] not in texts:
            continue
        first = seg.lines[texts.index(wanted[0])].lineno
        last_text = wanted[-1]
        last_lines = [line.lineno for line in seg.lines if line.text.strip() == last_text]
        last = max((no for no in last_lines if no >= first), default=first)
        # The quoted patch lines right above the comment (their context, as they trimmed it).
        quoted: list[int] = []
        for prev in reversed(segments[:n]):
            if prev.kind == "own" and not prev.is_blank:
                break
            if prev.kind == "quote":
                quoted = [line.lineno for line in prev.lines] + quoted
        content = [no for no in quoted if no < first]
        top = content[-CONTEXT] if len(content) >= CONTEXT else (content[0] if content else first)
        return first, last, top
    return None
