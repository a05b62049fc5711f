"""A review model laid out as the GUI's review page: one row per displayed line, cards under
their line.

What goes where (which comment sits under which row, what is doubtful) is the review model's
(viewer.core.review_model); this adds what a page shows around it: headings, the file list,
card heads and wrapped card text, and which rows belong to a hunk or a discussion. The view
renders ``ReviewPage.rows`` one row per text block and keeps this list beside its document: it
never reads anything back out of widget text. Styled parts of a row (a card's author, the
"approximate" badge, a hunk's function name) travel with it as ``Row.spans``.

Rows carry a single line each. Comment text is split into one row per line, and characters Qt
takes as block separators are replaced, so row ``i`` is always block ``i`` of the document.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from viewer.core.annotation import Annotation
from viewer.core.card_text import CONTINUATION_INDENT, card_room, split_long, wrap_prose
from viewer.core.drafts import is_draft_card
from viewer.core.message import Person
from viewer.core.patch import DiffLine, FileDiff, Patch
from viewer.core.review_model import Discussion, ReviewModel, build_model, is_doubtful, place
from viewer.core.review_model import with_drafts as _with_drafts
from viewer.core.syntax import lexer_name_for
from viewer.core.tag_chips import card_chips, tags_line
from viewer.core.trailers import Trailer

if TYPE_CHECKING:
    from viewer.core.archive import Archive
    from viewer.core.revisions import CarriedComment

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

# Qt ends a text block at these; in a row they would shift every later row by one.
_BLOCK_BREAKS = str.maketrans(
    {"\r": " ", "\n": " ", "\u2029": " ", "\u2028": " ", "\x0b": " ", "\x0c": " ",
     "\ufdd0": " ", "\ufdd1": " ", "\ufdd2": " "}
)


def one_line(text: str) -> str:
    """Text safe to be exactly one QTextDocument block."""
    return text.translate(_BLOCK_BREAKS)


DRAFT_BADGE = "draft"  # on a draft card's head row where the date would be; the view outlines it

SpanStyle = Literal[
    "author",  # a card's author, in the reviewer's colour
    "date",  # the rest of a card head
    "doubtful",  # the "≈ approximate" badge
    "hunk",  # "@@ -a,b +c,d @@"
    "hunk_section",  # the function name after it
    "trailer_name",  # "Reviewed-by"
    "summary",  # the comment count and names
    "hint",  # the key hint after them
    "carried_unchanged",  # a previous revision's comment whose line is as it was
    "carried_changed",  # … whose line or its neighbours changed
    "carried_gone",  # … whose line is gone, or could not be placed
    "draft",  # the "draft" badge on the user's own card
    "trailer_chip",  # "Reviewed-by": a tag given in a reply, on its card or on the patch
]


@dataclass(frozen=True, slots=True)
class Span:
    """A styled stretch of a row's text, in code points (the view converts to UTF-16): made
    where the text is made, so the highlighter never searches the text for it."""

    start: int
    length: int
    style: SpanStyle


@dataclass(slots=True)
class Row:
    kind: RowKind
    text: str
    spans: tuple[Span, ...] = ()
    """Styled parts of ``text`` beyond what ``kind`` says (diff tokens come from the lexer)."""
    model_row: int | None = None
    """Index into ``ReviewModel.rows`` of the patch row this page row shows."""
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
    carried: CarriedComment | None = None
    """On a card of the previous revision's comment shown on this one (drawn faded)."""


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
    carried_rows: list[int] = field(default_factory=list)
    """Head rows of the previous revision's comments shown on this page, in page order."""
    width: int | None = None
    """The characters a row had room for when the cards were laid out (None: the fixed
    defaults); the view lays the page out again when its pane's width changes."""

    def row_of_file(self, index: int) -> int:
        return self.files[index].row

    def head_row(self, annotation_id: str) -> int | None:
        """The card head row of one annotation, None when it is not on this page."""
        for index in self.comment_rows:
            found = self.rows[index].annotation
            if found is not None and found.id == annotation_id:
                return index
        return None


# Build and test bots: their reports are long (a whole compiler log) and are not review.
_ROBOT_ADDRESSES = ("lkp@intel.com", "bot@kernelci.org")
_ROBOT_PATTERNS = ("syzbot", "patchwork-bot", "-bot@", "+bot@")


def is_robot(author: Person) -> bool:
    """A report from the kernel test robot, syzbot, a patchwork bot or the like: the page
    shows it folded (one line: who and what), so the reviewers' words come first."""
    email = author.email.lower()
    name = author_name(author).lower()
    return (email in _ROBOT_ADDRESSES or any(p in email for p in _ROBOT_PATTERNS)
            or name.endswith((" robot", " bot")))


def author_name(author: Person) -> str:
    return author.name or author.email


def format_date(date: float | None) -> str:
    if date is None:
        return "no date"
    try:
        return _dt.datetime.fromtimestamp(date).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):  # fuzzed Date headers
        return "bad date"


def comment_summary(model: ReviewModel, *, names: int = 4) -> str:
    """One line saying how many comments a page carries and from whom, for the first screen:
    a card 400 lines down is invisible until one knows it is there (and which key finds it)."""
    counts = model.counts
    if not counts.comments:
        return ""
    people: list[str] = []
    for person in counts.people:
        name = author_name(person)
        if name not in people:
            people.append(name)
    shown = ", ".join(people[:names])
    if len(people) > names:
        shown += f" and {len(people) - names} more"
    noun = "comment" if counts.comments == 1 else "comments"
    return f"{counts.comments} {noun} by {shown} — press . for the next, , for the previous"


# -- building --------------------------------------------------------------------------------


class _Builder:
    def __init__(self, width: int | None = None) -> None:
        self.width = width
        """Characters a row may take on screen; cards are wrapped and split to fit."""
        self.rows: list[Row] = []
        self.threads: dict[str, Thread] = {}
        self.comment_rows: list[int] = []
        self.carried_rows: list[int] = []

    def add(self, kind: RowKind, text: str, *, spans: tuple[Span, ...] = (), **extra) -> int:
        self.rows.append(Row(kind, one_line(text), spans=spans, **extra))
        return len(self.rows) - 1

    def cards(self, discussions: Iterable[Discussion], **place) -> None:
        for discussion in discussions:
            thread = Thread(discussion.annotation)
            self.threads[discussion.annotation.id] = thread
            self._card(thread, discussion, 0, place)

    def _card(self, thread: Thread, item: Discussion, depth: int, place) -> None:
        annotation = item.annotation
        indent = " " * card_indent(depth)
        name = author_name(annotation.author)
        if len(name) > 60:  # a broken From: must not stretch the card either
            name = name[:59] + "…"
        head = f"{indent}{name} · {format_date(annotation.date)}"
        spans = [Span(len(indent), len(name), "author"),
                 Span(len(indent) + len(name), len(head) - len(indent) - len(name), "date")]
        if is_draft_card(annotation.id):  # the user's own: "draft" where the date would be
            at, size = len(indent) + len(name) + 3, len(DRAFT_BADGE)
            head = f"{indent}{name} · {DRAFT_BADGE} · not sent yet — e edits it, Del deletes it"
            spans = [spans[0], Span(at, size, "draft"), Span(at + size, len(head) - at - size,
                                                             "date")]
        elif is_doubtful(annotation) and depth == 0:
            badge = f"  ≈ approximate ({annotation.method}, {annotation.confidence:.0%})"
            spans.append(Span(len(head) + 2, len(badge) - 2, "doubtful"))
            head += badge
        chips, places = card_chips(annotation.trailers, annotation.author, len(head))  # tags
        head, spans = head + chips, spans + [Span(a, n, "trailer_chip") for a, n in places]
        row = self.add("comment_head", head, annotation=annotation, depth=depth,
                       thread=thread.root.id, spans=tuple(spans), **place)
        self.comment_rows.append(row)
        thread.rows.append(row)
        lines = annotation.comment.replace("\r\n", "\n").rstrip("\n").split("\n")
        wrap, split = card_room(self.width, len(indent))
        for text in wrap_prose(lines, wrap):
            for n, piece in enumerate(split_long(text, split)):
                prefix = indent + " " * CONTINUATION_INDENT if n else indent
                thread.rows.append(
                    self.add("comment", prefix + piece, annotation=annotation, depth=depth,
                             thread=thread.root.id, continued=bool(n), **place)
                )
        for reply in item.replies:
            thread.size += 1
            self._card(thread, reply, depth + 1, place)

    def carried(self, items: Iterable[CarriedComment], *, unplaced: bool = False,
                **place) -> None:
        """Faded cards of the previous revision's comments: "v1 · Name · unchanged"."""
        for item in items:
            annotation = item.annotation
            thread = Thread(annotation)
            thread_id = f"carried:{annotation.id}"
            self.threads[thread_id] = thread
            indent = " " * card_indent(0)
            name = author_name(annotation.author)[:60]
            label = _CARRIED_LABEL[item.status]
            prefix = f"{indent}v{item.from_version} · "
            head = f"{prefix}{name} · {label}"
            style: SpanStyle = _CARRIED_STYLE[item.status]
            spans = [Span(len(prefix), len(name), "author"),
                     Span(len(prefix) + len(name) + 3, len(label), style)]
            if item.addressed:
                head += " · addressed ✓"
            extra = dict(annotation=annotation, thread=thread_id, carried=item, **place)
            row = self.add("comment_head", head, spans=tuple(spans), **extra)
            self.carried_rows.append(row)
            thread.rows.append(row)
            lines = annotation.comment.replace("\r\n", "\n").rstrip("\n").split("\n")
            if unplaced and annotation.anchor.text:
                lines = [f"(was on: {annotation.anchor.text.strip()})", *lines]
            wrap, split = card_room(self.width, len(indent))
            for text in wrap_prose(lines, wrap):
                for n, piece in enumerate(split_long(text, split)):
                    lead = indent + " " * CONTINUATION_INDENT if n else indent
                    thread.rows.append(self.add("comment", lead + piece, continued=bool(n),
                                                **extra))


_CARRIED_LABEL = {"unchanged": "unchanged: probably not addressed", "changed": "changed",
                  "removed": "line gone", "unknown": "not on a line"}
_CARRIED_STYLE: dict[str, SpanStyle] = {"unchanged": "carried_unchanged",
                                        "changed": "carried_changed",
                                        "removed": "carried_gone", "unknown": "carried_gone"}


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
    author: Person | None = None,
    date: float | None = None,
    trailers: Iterable[Trailer] | None = None,
    trailer_counts: dict[str, int] | None = None,
    body: str | None = None,
) -> ReviewPage:
    """The page of one patch (or, with ``patch=None``, a plain mail ``body``) and comments
    given by hand: :func:`lay_out` of :func:`~viewer.core.review_model.build_model`."""
    return lay_out(build_model(patch, annotations, msgid=msgid, subject=subject, author=author,
                               date=date, trailers=trailers, trailer_counts=trailer_counts,
                               body=body))


def lay_out(model: ReviewModel, *, carried: Sequence[CarriedComment] = (),
            only_unchanged: bool = False, width: int | None = None) -> ReviewPage:
    """Lay out one review model: headings, the file list and cards under their rows.

    ``carried`` are the previous revision's comments with where their lines are now
    (viewer.core.revisions): shown faded under those rows, the rest in a section of their own;
    ``only_unchanged`` keeps just those whose line is as it was (likely not addressed yet).
    ``width``: the characters a row has room for in the view's pane; comment cards are
    wrapped and split to it (code rows are never touched: they scroll).
    """
    patch = model.patch
    files = model.files
    out = _Builder(width)
    carried_at: dict[int, list[CarriedComment]] = {}
    unplaced: list[CarriedComment] = []
    for item in carried:
        if only_unchanged and item.status != "unchanged":
            continue
        row = place(model, [], item.new_anchor) if item.new_anchor is not None else None
        if row is None:
            unplaced.append(item)
        else:
            carried_at.setdefault(row, []).append(item)
    out.add("title", model.subject or "(no subject)")
    author = str(model.author) if model.author.email or model.author.name else ""
    out.add("meta", f"{author or 'unknown author'} · {format_date(model.date)}"
            + (f" · <{model.msgid}>" if model.msgid else ""))
    if tags := tags_line(model.trailer_counts, model.rows):  # "Reviewed-by ×2" and tag chips
        out.add("meta", tags[0], spans=tuple(Span(*span) for span in tags[1]))
    summary = comment_summary(model)
    if summary or patch is not None:
        text = summary or "No review comments on this patch."
        dash = text.find(" — ")  # the count and the names stand out, the key hint stays quiet
        spans = ((Span(0, dash, "summary"), Span(dash, len(text) - dash, "hint")) if dash >= 0
                 else (Span(0, len(text), "summary"),))
        out.add("summary", text, spans=spans)
    if model.general:
        out.add("blank", "")
        out.add("heading", "General comments")
        out.cards(model.general)
    if unplaced:
        out.add("blank", "")
        out.add("heading", f"From v{unplaced[0].from_version}, not on a line of this revision "
                           f"({len(unplaced)})")
        out.carried(unplaced, unplaced=True)

    if patch is None:
        out.add("blank", "")
        for index, row in enumerate(model.rows):
            if row.kind == "body":
                out.add("message", row.text, message_line=row.number, model_row=index)
        return ReviewPage(model.msgid, model.subject, author, model.date, out.rows, [], [],
                          out.threads, out.comment_rows, dict(model.trailer_counts),
                          width=width)

    page_files: list[PageFile] = []
    page_hunks: list[PageHunk] = []
    old_text: list[str] = []
    new_text: list[str] = []
    hunk_start = 0
    comments_before = 0
    previous: str | None = None

    def close_hunk() -> None:
        if page_hunks and page_hunks[-1].end_row < 0:
            page_hunks[-1].end_row = len(out.rows)
            page_hunks[-1].commented = len(out.comment_rows) > comments_before

    def close_file() -> None:
        close_hunk()
        if page_files:
            page_files[-1].old_text = "\n".join(old_text)
            page_files[-1].new_text = "\n".join(new_text)
            page_files[-1].end_row = len(out.rows)

    for index, row in enumerate(model.rows):
        kind = row.kind
        cards = model.at(index)
        if kind == "subject":
            out.add("blank", "")
            out.add("heading", "Cover letter" if model.is_cover else "Commit message")
            previous = "commit"
            continue
        if kind != previous and kind in ("trailer", "notes", "diffstat"):
            out.add("blank", "")
            if kind == "notes":
                out.add("heading", "Notes")
        if kind == "commit":
            out.add("message", row.text, message_line=row.number, model_row=index)
        elif kind == "trailer":
            tail = "   (from a reply)" if row.trailer and row.trailer.source_msgid else ""
            name = row.text.split(":", 1)[0] if row.trailer is None else row.trailer.name
            out.add("trailer", row.text + tail, model_row=index,
                    spans=(Span(0, len(name), "trailer_name"),))
        elif kind == "notes":
            out.add("notes", row.text, model_row=index)
        elif kind == "diffstat":
            out.add("diffstat", row.text, model_row=index)
        elif kind == "file":
            if previous != "file" and row.file_index == 0:
                _file_list(out, files)
            close_file()
            f = row.file_index
            assert f is not None
            diff = files[f]
            out.add("blank", "")
            label = diff.path
            if diff.status == "renamed" and diff.old_path and diff.new_path:
                label = f"{diff.old_path} → {diff.new_path}"
            extra = "" if diff.status == "modified" else f"  ({diff.status})"
            if diff.binary:
                extra += "  (binary)"
            header_row = out.add("file", f"{label}{extra}", file_index=f, model_row=index)
            old_text, new_text = [], []
            page_files.append(PageFile(diff.path, diff.status, lexer_name_for(diff.path), "", "",
                                       header_row, added=diff.added, removed=diff.removed))
            out.cards(cards, file_index=f)
            out.carried(carried_at.get(index, ()), file_index=f)
            previous = kind
            continue
        elif kind == "hunk":
            close_hunk()
            f, h = row.file_index, row.hunk_index
            assert f is not None and h is not None
            hunk = files[f].hunks[h]
            if h:
                # Lexed text of separate hunks is kept apart by a blank line so a lexer does
                # not read the end of one hunk and the start of the next as one statement.
                old_text.append("")
                new_text.append("")
            end = row.text.find("@@", 2)
            split = end + 2 if end >= 0 else len(row.text)
            hunk_start = out.add("hunk", row.text, file_index=f, hunk_index=h, model_row=index,
                                 spans=(Span(0, split, "hunk"),
                                        Span(split, len(row.text) - split, "hunk_section")))
            if page_files[-1].lexer in _C_LIKE:
                # A hunk that starts inside a block comment (kernel-doc above a struct is the
                # usual case) would be lexed as code: open the comment in the lexed text.
                for kinds, side_text in ((" -", old_text), (" +", new_text)):
                    if _opens_inside_comment(line.text for line in hunk.lines
                                             if line.kind in kinds):
                        side_text.append("/*")
            comments_before = len(out.comment_rows)
            page_hunks.append(PageHunk(f, hunk_start, -1, commented=False))
        elif kind == "line":
            line = row.line
            assert line is not None
            if line.kind == "-":
                side: Side = "old"
                old_text.append(line.text)
                number = len(old_text) - 1
            else:
                side = "new"
                new_text.append(line.text)
                number = len(new_text) - 1
                if line.kind == " ":
                    old_text.append(line.text)
            out.add("diff", row.text, file_index=row.file_index, hunk_index=row.hunk_index,
                    line=line, side=side, side_line=number, model_row=index)
            out.cards(cards, file_index=row.file_index, hunk_index=row.hunk_index)
            out.carried(carried_at.get(index, ()), file_index=row.file_index,
                        hunk_index=row.hunk_index)
            previous = kind
            continue
        out.cards(cards)
        out.carried(carried_at.get(index, ()))
        previous = kind
    close_file()
    return ReviewPage(model.msgid, model.subject, author, model.date, out.rows, page_files,
                      page_hunks, out.threads, out.comment_rows, dict(model.trailer_counts),
                      out.carried_rows, width)


def _file_list(out: _Builder, files: list[FileDiff]) -> None:
    out.add("blank", "")
    out.add("heading", f"Files ({len(files)})")
    for f, diff in enumerate(files):
        letter = {"modified": "M", "added": "A", "deleted": "D", "renamed": "R",
                  "copied": "C"}.get(diff.status, "M")
        out.add("file_link", f"  {letter}  {diff.path}   +{diff.added} -{diff.removed}",
                file_index=f)


def page_from_archive(
    archive: Archive,
    msgid: str,
    drafts: Iterable = (),
    *,
    width: int | None = None,
    carried: Sequence[CarriedComment] = (),
    only_unchanged: bool = False,
) -> ReviewPage:
    """The review page of one mail (a plain page for a non-patch), with ``drafts`` as cards,
    the previous revision's ``carried`` comments, and cards laid out for ``width``
    characters (see :func:`lay_out`)."""
    return lay_out(_with_drafts(archive.review(msgid), drafts), carried=carried,
                   only_unchanged=only_unchanged, width=width)
