"""A patch laid out as a review page: one row per displayed line, comments under their line.

The page is built here, without Qt, so what goes where (which comment sits under which diff
line, which rows belong to a hunk or a thread) is decided and tested without a display. The
view renders ``ReviewPage.rows`` one row per text block and keeps this list beside its document:
it never reads anything back out of widget text.

Rows carry a single line each. Comment text is split into one row per line, and characters Qt
takes as block separators are replaced, so row ``i`` is always block ``i`` of the document.
"""

from __future__ import annotations

import datetime as _dt
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import TYPE_CHECKING, Literal

from viewer.core.annotation import Annotation
from viewer.core.patch import DiffLine, FileDiff, Patch
from viewer.core.syntax import lexer_name_for
from viewer.core.trailers import Trailer

if TYPE_CHECKING:
    from viewer.core.archive import Archive

RowKind = Literal[
    "title",  # the subject
    "meta",  # author, date, Message-ID
    "summary",  # who commented and how to get there, on the first screen
    "heading",  # "Commit message", "Files", a section title
    "message",  # a commit message line
    "trailer",  # Signed-off-by & co., the patch's own or collected from replies
    "notes",  # changelog notes below "---"
    "diffstat",  # the diffstat as sent
    "file_link",  # one line of the file list
    "file",  # a file's header in the diff
    "hunk",  # "@@ -a,b +c,d @@ section"
    "diff",  # one diff line with its +/-/space prefix
    "comment_head",  # a comment card's first row: author, date, anchor badge
    "comment",  # a line of a comment card's text
    "blank",  # spacing
]
Side = Literal["old", "new"]

CARD_INDENT = 3
"""Spaces before a card's text per nesting level (the view paints the card in that margin)."""
MAX_INDENT_LEVEL = 4
"""Deeper replies are drawn at this level: a 12-mail back-and-forth must stay readable."""


def indent_level(depth: int) -> int:
    return min(depth, MAX_INDENT_LEVEL)


def card_indent(depth: int) -> int:
    """Column where the text of a card at this nesting starts."""
    return CARD_INDENT + CARD_INDENT * indent_level(depth)

# Lexers whose block comments ("/* … */") a hunk may start inside of.
_C_LIKE = frozenset({"c", "cpp", "rust", "devicetree", "gas", "java", "go", "javascript"})

DOUBTFUL_CONFIDENCE = 0.8
"""Below this (or with any method but "exact") an anchor is shown as approximate."""

# Qt ends a text block at these; in a row they would shift every later row by one.
_BLOCK_BREAKS = str.maketrans(
    {"\r": " ", "\n": " ", "\u2029": " ", "\u2028": " ", "\x0b": " ", "\x0c": " ",
     "\ufdd0": " ", "\ufdd1": " ", "\ufdd2": " "}
)


def one_line(text: str) -> str:
    """Text safe to be exactly one QTextDocument block."""
    return text.translate(_BLOCK_BREAKS)


@dataclass(slots=True)
class Row:
    kind: RowKind
    text: str
    file_index: int | None = None
    """Index into ``ReviewPage.files`` for file, hunk, diff rows and cards under them."""
    hunk_index: int | None = None
    """Hunk number inside the file (diff and hunk rows, cards under diff rows)."""
    line: DiffLine | None = None
    """The patch line a "diff" row shows."""
    side: Side | None = None
    """Which side's lexed text ``side_line`` indexes, for syntax highlighting."""
    side_line: int | None = None
    annotation: Annotation | None = None
    """The comment a card row belongs to."""
    depth: int = 0
    """Nesting of a card in its discussion: 0 for the first comment, 1 for a reply, …"""
    thread: str | None = None
    """Id of the discussion's first annotation, shared by all rows of its cards."""
    message_line: int | None = None
    """Index into ``Patch.commit_message`` for "message" rows."""
    continued: bool = False
    """A card row that goes on with the line above, split to keep the card narrow; its text
    starts with ``CONTINUATION_INDENT`` more spaces than the card's (copy joins them back)."""


@dataclass(slots=True)
class PageFile:
    path: str
    status: str
    lexer: str
    """pygments lexer alias chosen from the path."""
    old_text: str
    """Context and removed lines of all hunks, for lexing the pre-image once."""
    new_text: str
    """Context and added lines of all hunks, for lexing the post-image once."""
    row: int
    """The file's header row."""
    end_row: int = 0
    """One past the file's last row."""
    added: int = 0
    removed: int = 0


@dataclass(slots=True)
class PageHunk:
    file_index: int
    row: int
    """The "@@" row."""
    end_row: int
    """One past the hunk's last row (its cards included)."""
    commented: bool


@dataclass(slots=True)
class Thread:
    root: Annotation
    rows: list[int] = field(default_factory=list)
    """Every row of every card of the discussion, the root's head row first."""
    size: int = 1
    """Number of comments in the discussion."""


@dataclass(slots=True)
class ReviewPage:
    msgid: str
    subject: str
    author: str
    date: float | None
    rows: list[Row]
    files: list[PageFile]
    hunks: list[PageHunk]
    threads: dict[str, Thread]
    """Discussions by their root annotation id, in page order."""
    comment_rows: list[int]
    """Head rows of every card, in page order (for next/previous comment)."""
    trailer_counts: dict[str, int] = field(default_factory=dict)

    def row_of_file(self, index: int) -> int:
        return self.files[index].row

    def head_row(self, annotation_id: str) -> int | None:
        """The card head row of one annotation, None when it is not on this page."""
        for index in self.comment_rows:
            found = self.rows[index].annotation
            if found is not None and found.id == annotation_id:
                return index
        return None


def is_doubtful(annotation: Annotation) -> bool:
    """An anchor worth a second look; general comments have none to doubt."""
    if annotation.anchor.kind == "unanchored":
        return False
    return annotation.confidence < DOUBTFUL_CONFIDENCE or annotation.method != "exact"


def _split_author(author: str) -> tuple[str, str]:
    """(name, address) of "Name <addr>". The name may hold an unquoted comma ("Tanwar, Rahul
    <r@x>", as a decoded From: is printed back), which ``parseaddr`` takes for a list."""
    text = author.strip()
    if text.endswith(">") and "<" in text:
        cut = text.rindex("<")
        return text[:cut].strip().strip('"').strip(), text[cut + 1 : -1].strip()
    return parseaddr(text)


# Build and test bots: their reports are long (a whole compiler log) and are not review.
_ROBOT_ADDRESSES = ("lkp@intel.com", "bot@kernelci.org")
_ROBOT_PATTERNS = ("syzbot", "patchwork-bot", "-bot@", "+bot@")


def is_robot(author: str) -> bool:
    """A report from the kernel test robot, syzbot, a patchwork bot or the like: the page
    shows it folded (one line: who and what), so the reviewers' words come first."""
    email = author_email(author)
    name = author_name(author).lower()
    return (email in _ROBOT_ADDRESSES or any(p in email for p in _ROBOT_PATTERNS)
            or name.endswith((" robot", " bot")))


def author_email(author: str) -> str:
    """The lower-cased address of "Name <addr>" (or the text itself when there is none)."""
    _, address = _split_author(author)
    return (address or author).strip().lower()


def author_name(author: str) -> str:
    name, address = _split_author(author)
    return name or address or author


def format_date(date: float | None) -> str:
    if date is None:
        return "no date"
    try:
        return _dt.datetime.fromtimestamp(date).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):  # fuzzed Date headers
        return "bad date"


# -- discussions -----------------------------------------------------------------------------


def _flatten(annotations: Iterable[Annotation]) -> list[Annotation]:
    seen: dict[str, Annotation] = {}
    stack = list(annotations)
    while stack:
        item = stack.pop(0)
        if item.id in seen:
            continue
        seen[item.id] = item
        stack.extend(item.children)
    return list(seen.values())


def _discussions(annotations: Iterable[Annotation]) -> list[tuple[Annotation, list]]:
    """Roots with their reply trees as (annotation, children) pairs, both sorted by date.

    Replies are found through ``in_reply_to`` and through ``children``; a reply whose parent
    is not on this page becomes a root of its own rather than vanishing.
    """
    flat = _flatten(annotations)
    by_id = {a.id: a for a in flat}
    parent_of: dict[str, str] = {}
    for item in flat:
        for child in item.children:
            parent_of.setdefault(child.id, item.id)
    for item in flat:
        if item.in_reply_to in by_id and item.in_reply_to != item.id:
            parent_of.setdefault(item.id, item.in_reply_to)
    # A cycle in in_reply_to (damaged data) must not hide its members: break it at its start.
    for item in flat:
        seen = {item.id}
        cursor = parent_of.get(item.id)
        while cursor is not None:
            if cursor in seen:
                parent_of.pop(item.id, None)
                break
            seen.add(cursor)
            cursor = parent_of.get(cursor)
    kids: dict[str | None, list[Annotation]] = {}
    for item in flat:
        kids.setdefault(parent_of.get(item.id), []).append(item)

    def order(items: list[Annotation]) -> list[Annotation]:
        return sorted(items, key=lambda a: (a.date is None, a.date or 0.0))

    def tree(item: Annotation) -> tuple[Annotation, list]:
        return item, [tree(child) for child in order(kids.get(item.id, []))]

    return [tree(root) for root in order(kids.get(None, []))]


def comment_summary(annotations: Iterable[Annotation], *, names: int = 4) -> str:
    """One line saying how many comments a page carries and from whom, for the first screen:
    a card 400 lines down is invisible until one knows it is there (and which key finds it)."""
    flat = sorted(_flatten(annotations), key=lambda a: (a.date is None, a.date or 0.0))
    if not flat:
        return ""
    people: list[str] = []
    for item in flat:
        name = author_name(item.author)
        if name not in people:
            people.append(name)
    shown = ", ".join(people[:names])
    if len(people) > names:
        shown += f" and {len(people) - names} more"
    count = len(flat)
    noun = "comment" if count == 1 else "comments"
    return f"{count} {noun} by {shown} — press . for the next, , for the previous"


# -- building --------------------------------------------------------------------------------


class _Builder:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.threads: dict[str, Thread] = {}
        self.comment_rows: list[int] = []

    def add(self, kind: RowKind, text: str, **extra) -> int:
        self.rows.append(Row(kind, one_line(text), **extra))
        return len(self.rows) - 1

    def cards(self, discussions: list[tuple[Annotation, list]], **place) -> None:
        for root, replies in discussions:
            thread = Thread(root)
            self.threads[root.id] = thread
            self._card(thread, root, replies, 0, place)

    def _card(self, thread: Thread, item: Annotation, replies: list, depth: int, place) -> None:
        indent = " " * card_indent(depth)
        name = author_name(item.author)
        if len(name) > 60:  # a broken From: must not stretch the card either
            name = name[:59] + "…"
        head = f"{indent}{name} · {format_date(item.date)}"
        if is_doubtful(item) and depth == 0:
            head += f"  ≈ approximate ({item.method}, {item.confidence:.0%})"
        row = self.add("comment_head", head, annotation=item, depth=depth, thread=thread.root.id,
                       **place)
        self.comment_rows.append(row)
        thread.rows.append(row)
        lines = item.comment.replace("\r\n", "\n").rstrip("\n").split("\n")
        for text in _wrapped(lines):
            for n, piece in enumerate(split_long(text)):
                prefix = indent + " " * CONTINUATION_INDENT if n else indent
                thread.rows.append(
                    self.add("comment", prefix + piece, annotation=item, depth=depth,
                             thread=thread.root.id, continued=bool(n), **place)
                )
        for child, grandchildren in replies:
            thread.size += 1
            self._card(thread, child, grandchildren, depth + 1, place)


COMMENT_WIDTH = 90
"""Comment prose longer than this is wrapped (Gmail and Outlook send whole paragraphs as one
line); indented lines are left alone, they are usually code or a quoted log."""


CARD_MAX_CHARS = 110
"""No card line is wider than this: a pasted build log or a long URL is split into continued
rows (marked in the view, joined again on copy) rather than run past the window's edge."""
CONTINUATION_INDENT = 2


def split_long(line: str, width: int = CARD_MAX_CHARS) -> list[str]:
    """``line`` in pieces of at most ``width`` characters whose concatenation is ``line``
    exactly (so copying gives back what the reviewer wrote): cut after a space when there is
    one in the second half of the piece, else mid-word (URLs, hashes, paths)."""
    pieces: list[str] = []
    while len(line) > width:
        space = line.rfind(" ", width // 2, width)
        cut = space + 1 if space > 0 else width
        pieces.append(line[:cut])
        line = line[cut:]
    pieces.append(line)
    return pieces


def _wrapped(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if len(line) > COMMENT_WIDTH and not line[:1].isspace():
            out.extend(textwrap.wrap(line, COMMENT_WIDTH, break_on_hyphens=False,
                                       break_long_words=False) or [""])
        else:
            out.append(line)
    return out


def _file_matches(diff: FileDiff, path: str | None) -> bool:
    return path is not None and path in (diff.new_path, diff.old_path)


def _line_key(line: DiffLine) -> tuple[int | None, int | None]:
    return line.old_line, line.new_line


def _best_line(diff: FileDiff, annotation: Annotation) -> tuple[int, int] | None:
    """(hunk, line) positions the anchor names: exact numbers first, then either side alone,
    then the nearest line by number (anchors from damaged patches may point between hunks)."""
    anchor = annotation.anchor
    wanted = (anchor.old_line, anchor.new_line)
    if wanted == (None, None):
        return None
    prefix = anchor.text[:1] if anchor.text else ""
    exact = one_side = None
    best: tuple[int, tuple[int, int]] | None = None
    for h, hunk in enumerate(diff.hunks):
        for i, line in enumerate(hunk.lines):
            if _line_key(line) == wanted:
                exact = exact or (h, i)
            elif one_side is None and (
                (anchor.new_line is not None and line.new_line == anchor.new_line
                 and (not prefix or prefix == line.kind))
                or (anchor.old_line is not None and line.old_line == anchor.old_line
                    and (not prefix or prefix == line.kind))
            ):
                one_side = (h, i)
            number = line.new_line if anchor.new_line is not None else line.old_line
            target = anchor.new_line if anchor.new_line is not None else anchor.old_line
            if number is not None and target is not None:
                distance = abs(number - target)
                if best is None or distance < best[0]:
                    best = (distance, (h, i))
    if exact:
        return exact
    if one_side:
        return one_side
    return best[1] if best else None


def _message_line(patch: Patch, annotation: Annotation) -> int | None:
    """The commit message line a comment quotes, by its text (whitespace-insensitive)."""
    wanted = " ".join(annotation.anchor.text.split())
    if not wanted:
        return None
    matches = [i for i, line in enumerate(patch.commit_message) if " ".join(line.split()) == wanted]
    if matches:
        return matches[-1]
    # Reflowed by a mail client: take the last line that contains the quoted text or is in it.
    for i in range(len(patch.commit_message) - 1, -1, -1):
        line = " ".join(patch.commit_message[i].split())
        if line and (wanted in line or line in wanted):
            return i
    return None


def _opens_inside_comment(lines: Iterable[str]) -> bool:
    """True when "*/" closes a comment before any "/*" opens one in these lines."""
    for text in lines:
        close, open_ = text.find("*/"), text.find("/*")
        if close >= 0 and (open_ < 0 or close < open_):
            return True
        if open_ >= 0:
            return False
    return False


def build_page(
    patch: Patch | None,
    annotations: Iterable[Annotation] = (),
    *,
    msgid: str = "",
    subject: str = "",
    author: str = "",
    date: float | None = None,
    trailers: Iterable[Trailer] | None = None,
    trailer_counts: dict[str, int] | None = None,
    body: str | None = None,
) -> ReviewPage:
    """Lay out one patch (or, with ``patch=None``, a plain mail ``body``) with its comments.

    ``trailers`` defaults to the patch's own; pass the archive's (own + collected from replies)
    to show who reviewed it.
    """
    annotations = list(annotations)
    discussions = _discussions(annotations)
    files = patch.files if patch else []
    general: list[tuple[Annotation, list]] = []
    on_message: dict[int, list] = {}
    shown = list(patch.trailers if (trailers is None and patch) else (trailers or []))
    on_trailer: dict[int, list] = {}
    on_line: dict[tuple[int, int, int], list] = {}
    on_file: dict[int, list] = {}
    for item in discussions:
        anchor = item[0].anchor
        if anchor.kind == "commit_message" and patch is not None:
            index = _message_line(patch, item[0])
            if index is not None:
                on_message.setdefault(index, []).append(item)
                continue
            # Reviewers also quote a trailer ("> Fixes: …") to comment on it.
            wanted = " ".join(anchor.text.split())
            found = next((t for t, trailer in enumerate(shown)
                          if " ".join(f"{trailer.name}: {trailer.value}".split()) == wanted), None)
            if found is not None:
                on_trailer.setdefault(found, []).append(item)
                continue
        elif anchor.kind == "diff":
            found = next((f for f, diff in enumerate(files) if _file_matches(diff, anchor.file)),
                         None)
            if found is not None:
                position = _best_line(files[found], item[0])
                if position is None:
                    on_file.setdefault(found, []).append(item)
                else:
                    on_line.setdefault((found, *position), []).append(item)
                continue
        general.append(item)

    out = _Builder()
    out.add("title", subject or "(no subject)")
    out.add("meta", f"{author or 'unknown author'} · {format_date(date)}"
            + (f" · <{msgid}>" if msgid else ""))
    counts = dict(trailer_counts or {})
    if counts and any(counts.values()):
        names = {"R": "Reviewed-by", "A": "Acked-by", "T": "Tested-by"}
        summary = "   ".join(f"{names[k]} ×{v}" for k, v in counts.items() if v and k in names)
        out.add("meta", summary)
    summary = comment_summary(annotations)
    if summary or patch is not None:
        out.add("summary", summary or "No review comments on this patch.")
    if general:
        out.add("blank", "")
        out.add("heading", "General comments")
        out.cards(general)

    if patch is None:
        out.add("blank", "")
        for number, line in enumerate((body or "").split("\n")):
            out.add("message", line, message_line=number)
        return ReviewPage(msgid, subject, author, date, out.rows, [], [], out.threads,
                          out.comment_rows, counts)

    out.add("blank", "")
    out.add("heading", "Commit message")
    for number, line in enumerate(patch.commit_message):
        out.add("message", line, message_line=number)
        out.cards(on_message.get(number, []))
    if shown:
        out.add("blank", "")
        for number, trailer in enumerate(shown):
            tail = "   (from a reply)" if trailer.source_msgid else ""
            out.add("trailer", f"{trailer.name}: {trailer.value}{tail}")
            out.cards(on_trailer.get(number, []))
    if patch.notes:
        out.add("blank", "")
        out.add("heading", "Notes")
        for line in patch.notes:
            out.add("notes", line)
    if patch.diffstat:
        out.add("blank", "")
        for line in patch.diffstat:
            out.add("diffstat", line)
    if files:
        out.add("blank", "")
        out.add("heading", f"Files ({len(files)})")
        for f, diff in enumerate(files):
            letter = {"modified": "M", "added": "A", "deleted": "D", "renamed": "R",
                      "copied": "C"}.get(diff.status, "M")
            out.add("file_link", f"  {letter}  {diff.path}   +{diff.added} -{diff.removed}",
                    file_index=f)

    page_files: list[PageFile] = []
    page_hunks: list[PageHunk] = []
    for f, diff in enumerate(files):
        out.add("blank", "")
        label = diff.path
        if diff.status == "renamed" and diff.old_path and diff.new_path:
            label = f"{diff.old_path} → {diff.new_path}"
        extra = "" if diff.status == "modified" else f"  ({diff.status})"
        if diff.binary:
            extra += "  (binary)"
        header_row = out.add("file", f"{label}{extra}", file_index=f)
        old_text: list[str] = []
        new_text: list[str] = []
        page_file = PageFile(diff.path, diff.status, lexer_name_for(diff.path), "", "",
                             header_row, added=diff.added, removed=diff.removed)
        page_files.append(page_file)
        out.cards(on_file.get(f, []), file_index=f)
        for h, hunk in enumerate(diff.hunks):
            if h:
                # Lexed text of separate hunks is kept apart by a blank line so a lexer does
                # not read the end of one hunk and the start of the next as one statement.
                old_text.append("")
                new_text.append("")
            start = out.add("hunk", hunk.header, file_index=f, hunk_index=h)
            if page_file.lexer in _C_LIKE:
                # A hunk that starts inside a block comment (kernel-doc above a struct is the
                # usual case) would be lexed as code: open the comment in the lexed text.
                for kinds, side_text in ((" -", old_text), (" +", new_text)):
                    if _opens_inside_comment(line.text for line in hunk.lines
                                             if line.kind in kinds):
                        side_text.append("/*")
            before = len(out.comment_rows)
            for i, line in enumerate(hunk.lines):
                if line.kind == "-":
                    side: Side = "old"
                    old_text.append(line.text)
                    index = len(old_text) - 1
                else:
                    side = "new"
                    new_text.append(line.text)
                    index = len(new_text) - 1
                    if line.kind == " ":
                        old_text.append(line.text)
                out.add("diff", line.kind + line.text, file_index=f, hunk_index=h, line=line,
                        side=side, side_line=index)
                out.cards(on_line.get((f, h, i), []), file_index=f, hunk_index=h)
            page_hunks.append(
                PageHunk(f, start, len(out.rows), commented=len(out.comment_rows) > before)
            )
        page_file.old_text = "\n".join(old_text)
        page_file.new_text = "\n".join(new_text)
        page_file.end_row = len(out.rows)
    return ReviewPage(msgid, subject, author, date, out.rows, page_files, page_hunks,
                      out.threads, out.comment_rows, counts)


def page_from_archive(archive: Archive, msgid: str) -> ReviewPage:
    """The review page of one mail of an opened archive (a plain page for a non-patch)."""
    message = archive.message(msgid)
    patch = archive.patch(msgid)
    try:
        annotations = archive.annotations(msgid)
    except NotImplementedError:  # anchoring not there yet: show the patch without comments
        annotations = []
    try:
        trailers = archive.trailers(msgid)
        counts = archive.trailer_counts(msgid)
    except NotImplementedError:
        trailers, counts = None, None
    return build_page(
        patch,
        annotations,
        msgid=msgid,
        subject=message.subject,
        author=str(message.author),
        date=message.date,
        trailers=trailers,
        trailer_counts=counts,
        body=message.body,
    )
