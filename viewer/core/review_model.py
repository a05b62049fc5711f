"""One patch as rows with its comments placed: what every view of a review reads.

The GUI review page (viewer.core.review_page, drawn by viewer.ui.patch_view), the terminal
(viewer.terminal), ``hunkwise review --json`` (viewer.core.report) and the thread list's comment
counts all read this model, so a comment sits on the same line everywhere and is "approximate"
by the same rule everywhere.

API::

    model = archive.review(msgid)         # a patch, a cover letter or any other mail
    model.rows                            # list[Row], in display order (below)
    model.discussions                     # list[Discussion]: trees of comments, in row order
    model.at(row_index)                   # the discussions under one row
    model.general                         # the discussions that sit on no row
    model.row_of(annotation_id)           # the one row an annotation is on (None: general)
    model.annotations                     # every comment, flat, in the order anchoring made them
    model.errors                          # replies that could not be analysed (AnalysisError)
    model.counts                          # CommentCounts: comments, discussions, people, …
    is_doubtful(annotation)               # the one "approximate anchor" rule

Rows, in display order: the subject; the commit message lines; the trailers (the patch's own,
then those given in replies); the changelog notes and the diffstat; per file its header, then
per hunk its ``@@`` header and diff lines. A cover letter has the same rows without files; a mail
that is neither patch nor cover has its body lines. ``Row.key`` names a row stably across
reloads (patch Message-ID, kind, file, line numbers, text, and which copy of equal rows), for
anything that is kept beside a row, like the user's own draft comments.

Placement happens once, in :func:`place`: anchoring records the row it matched
(``Anchor.row``), which this model maps onto its own rows; an anchor made by hand (no row) is
found by its file, line numbers and text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from viewer.core.annotation import AnalysisError, Anchor, Annotation
from viewer.core.drafts import is_draft_card
from viewer.core.message import Person
from viewer.core.patch import DiffLine, FileDiff, Patch
from viewer.core.trailers import Trailer

if TYPE_CHECKING:
    from viewer.core.archive import Archive

RowKind = Literal[
    "subject", "commit", "trailer", "notes", "diffstat", "file", "hunk", "line", "body"
]

DOUBTFUL_CONFIDENCE = 0.8
"""Below this (or with any method but "exact") an anchor is shown as approximate."""


def is_doubtful(annotation: Annotation) -> bool:
    """An anchor worth a second look; general comments have none to doubt."""
    if annotation.anchor.kind == "unanchored":
        return False
    return annotation.confidence < DOUBTFUL_CONFIDENCE or annotation.method != "exact"


def describe_errors(errors: list[AnalysisError]) -> str:
    """One sentence for the message bar: "1 reply could not be analysed: <id>: Error: …"."""
    count = len(errors)
    noun = "reply" if count == 1 else "replies"
    shown = "; ".join(e.describe() for e in errors[:3]) + ("; …" if count > 3 else "")
    return (f"{count} {noun} could not be analysed: {shown} (shown as general comments; "
            "please report this with the mailbox)")


@dataclass(frozen=True, slots=True)
class RowKey:
    """A row's name that survives reloading the mailbox (row numbers need not)."""

    patch: str
    """Message-ID of the patch (or mail) the row belongs to."""
    kind: RowKind
    file: str | None
    old_line: int | None
    new_line: int | None
    text: str
    copy: int = 0
    """0 for the first row with this kind, file, numbers and text, 1 for the next, …"""


@dataclass(frozen=True, slots=True)
class Row:
    """One displayed line of a patch mail."""

    kind: RowKind
    text: str
    """As sent: diff lines with their +/-/space prefix, ``@@`` lines whole, a file row's path,
    a trailer as "Name: value"."""
    key: RowKey
    file_index: int | None = None
    """Index into ``Patch.files`` (file, hunk and line rows)."""
    hunk_index: int | None = None
    """Index into ``FileDiff.hunks`` (hunk and line rows)."""
    line: DiffLine | None = None
    """The diff line a "line" row shows."""
    trailer: Trailer | None = None
    """The trailer a "trailer" row shows (``source_msgid`` set when a reply gave it)."""
    number: int | None = None
    """Index into ``Patch.commit_message`` for "commit" rows, into the body for "body" rows."""

    @property
    def file(self) -> str | None:
        return self.key.file

    @property
    def old_line(self) -> int | None:
        return self.key.old_line

    @property
    def new_line(self) -> int | None:
        return self.key.new_line


@dataclass(slots=True)
class Discussion:
    """A comment and the answers to it, as a tree sorted by date."""

    annotation: Annotation
    replies: list[Discussion] = field(default_factory=list)
    row: int | None = None
    """The row the discussion sits under; None for a general comment."""

    def walk(self, depth: int = 0) -> Iterator[tuple[Annotation, int]]:
        """Every comment of the discussion with its nesting (0 for the first), in order."""
        stack = [(self, depth)]
        while stack:
            item, level = stack.pop()
            yield item.annotation, level
            stack.extend((reply, level + 1) for reply in reversed(item.replies))

    @property
    def size(self) -> int:
        return sum(1 for _ in self.walk())


@dataclass(frozen=True, slots=True)
class CommentCounts:
    comments: int
    """Every comment, answers included, each counted once."""
    discussions: int
    general: int
    """Discussions that sit on no row."""
    doubtful: int
    """Discussions whose anchor is approximate (see :func:`is_doubtful`)."""
    people: tuple[Person, ...]
    """Who commented, in order of their first comment."""


@dataclass(slots=True)
class ReviewModel:
    msgid: str
    subject: str
    author: Person
    date: float | None
    patch: Patch | None
    """The parsed mail when it is a patch or a cover letter; None for other mail."""
    is_cover: bool
    rows: list[Row]
    discussions: list[Discussion]
    """Roots, in row order (general ones first), each with its answers."""
    annotations: list[Annotation]
    errors: list[AnalysisError] = field(default_factory=list)
    """Replies of the thread that could not be analysed; each is still a general comment."""
    trailer_counts: dict[str, int] = field(default_factory=dict)
    """A/R/T given in replies (the thread list's counters)."""
    _at: dict[int | None, list[Discussion]] = field(default_factory=dict, repr=False)
    _row_of: dict[str, int | None] = field(default_factory=dict, repr=False)

    @property
    def files(self) -> list[FileDiff]:
        return self.patch.files if self.patch is not None else []

    @property
    def general(self) -> list[Discussion]:
        return self._at.get(None, [])

    def at(self, row: int) -> list[Discussion]:
        return self._at.get(row, [])

    def row_of(self, annotation_id: str) -> int | None:
        """The row an annotation of this model sits on, None for a general comment."""
        return self._row_of.get(annotation_id)

    @property
    def counts(self) -> CommentCounts:
        # The user's own draft cards (with_drafts) are not review comments received.
        flat = [a for d in self.discussions for a, _ in d.walk() if not is_draft_card(a.id)]
        people: list[Person] = []
        for item in sorted(flat, key=_by_date):
            if item.author not in people:
                people.append(item.author)
        return CommentCounts(
            comments=len(flat),
            discussions=len(self.discussions),
            general=len(self.general),
            doubtful=sum(1 for d in self.discussions if is_doubtful(d.annotation)),
            people=tuple(people),
        )


# -- building ----------------------------------------------------------------------------------


def review_model_of(archive: Archive, msgid: str) -> ReviewModel:
    """The model of one mail of an opened archive."""
    message = archive.message(msgid)
    target = archive.is_review_target(msgid)
    patch = archive.parsed(msgid) if target else None
    return build_model(
        patch,
        archive.annotations(msgid),
        msgid=msgid,
        subject=message.subject,
        # a patch sent on its author's behalf names them in the body, as git am reads it
        author=patch.author if patch is not None and patch.author else message.author,
        date=message.date,
        is_cover=target and not patch.files if patch is not None else False,
        trailers=archive.trailers(msgid) if patch is not None and patch.files else None,
        trailer_counts=archive.trailer_counts(msgid),
        body=message.body,
        errors=archive.analysis(msgid).errors,
    )


def build_model(
    patch: Patch | None,
    annotations: Iterable[Annotation] = (),
    *,
    msgid: str = "",
    subject: str = "",
    author: Person | None = None,
    date: float | None = None,
    is_cover: bool = False,
    trailers: Iterable[Trailer] | None = None,
    trailer_counts: dict[str, int] | None = None,
    body: str | None = None,
    errors: Iterable[AnalysisError] = (),
) -> ReviewModel:
    """The model of one patch (``patch=None``: a plain mail ``body``) and its comments.

    ``trailers`` defaults to the patch's own; the archive passes own + given in replies.
    """
    annotations = list(annotations)
    rows: list[Row] = []
    copies: dict[tuple, int] = {}

    def add(kind: RowKind, text: str, **extra) -> int:
        line: DiffLine | None = extra.get("line")
        file = patch.files[extra["file_index"]].path if "file_index" in extra and patch else None
        old = line.old_line if line else None
        new = line.new_line if line else None
        name = (kind, file, old, new, text)
        copy = copies[name] = copies.get(name, -1) + 1
        rows.append(Row(kind, text, RowKey(msgid, kind, file, old, new, text, copy), **extra))
        return len(rows) - 1

    add("subject", subject)
    source: list[int | None] = []  # matching.patch_rows index -> row index here
    if patch is None:
        for number, text in enumerate((body or "").split("\n")):
            add("body", text, number=number)
    else:
        shown = list(patch.trailers if trailers is None else trailers)
        for number, text in enumerate(patch.commit_message):
            source.append(add("commit", text, number=number))
        trailer_rows = [add("trailer", f"{t.name}: {t.value}", trailer=t) for t in shown]
        for k, text in enumerate(patch.trailer_lines):
            source.append(_trailer_row(rows, trailer_rows, text, k))
        for text in patch.notes:
            source.append(add("notes", text))
        for text in patch.diffstat:
            source.append(add("diffstat", text))
        for f, diff in enumerate(patch.files):
            file_row = add("file", diff.path, file_index=f)
            source.extend([file_row] * len(diff.header))
            for h, hunk in enumerate(diff.hunks):
                source.append(add("hunk", hunk.header, file_index=f, hunk_index=h))
                for line in hunk.lines:
                    source.append(add("line", line.kind + line.text, file_index=f,
                                      hunk_index=h, line=line))

    model = ReviewModel(
        msgid, subject, author or Person("", ""), date, patch, is_cover, rows, [], annotations,
        list(errors), dict(trailer_counts or {}),
    )
    discussions = _discussions(annotations)
    for item in discussions:
        item.row = place(model, source, item.annotation.anchor)
        model._at.setdefault(item.row, []).append(item)
        for annotation, _ in item.walk():
            model._row_of.setdefault(annotation.id, item.row)
    model.discussions = sorted(discussions, key=lambda d: -1 if d.row is None else d.row)
    return model


def with_drafts(model: ReviewModel, cards: Iterable[Annotation]) -> ReviewModel:
    """The model with the user's drafts as one more card each (viewer.core.drafts
    .as_annotations): on the row of their anchor, or inside the discussion they answer. The
    model given (the archive caches it) is not changed."""
    cards = list(cards)
    if not cards:
        return model

    def copy(item: Discussion) -> Discussion:
        return Discussion(item.annotation, [copy(r) for r in item.replies], item.row)

    discussions = [copy(d) for d in model.discussions]
    nodes: dict[str, Discussion] = {}
    stack = list(discussions)
    while stack:
        node = stack.pop()
        nodes[node.annotation.id] = node
        stack.extend(node.replies)
    at: dict[int | None, list[Discussion]] = {}
    for item in discussions:
        at.setdefault(item.row, []).append(item)
    row_of = dict(model._row_of)
    for card in sorted(cards, key=_by_date):
        parent = nodes.get(card.in_reply_to or "")
        if parent is not None:
            parent.replies.append(Discussion(card, row=parent.row))
            row_of[card.id] = row_of.get(parent.annotation.id)
            continue
        item = Discussion(card, row=place(model, [], card.anchor))
        discussions.append(item)
        at.setdefault(item.row, []).append(item)
        row_of[card.id] = item.row
    discussions.sort(key=lambda d: -1 if d.row is None else d.row)
    return replace(model, discussions=discussions, _at=at, _row_of=row_of)


def _normal(text: str) -> str:
    return " ".join(text.split())


def _trailer_row(rows: list[Row], trailer_rows: list[int], text: str, k: int) -> int | None:
    """The shown trailer row of one of the patch's own trailer lines: by its text, else by its
    position (a trailer wrapped over two lines, "[jane: fixed typo]" notes in between)."""
    wanted = _normal(text)
    found = next((r for r in trailer_rows if _normal(rows[r].text) == wanted), None)
    if found is None and k < len(trailer_rows) and rows[trailer_rows[k]].trailer is not None:
        own = rows[trailer_rows[k]].trailer
        found = trailer_rows[k] if own is not None and own.source_msgid is None else None
    return found


def place(model: ReviewModel, source: list[int | None], anchor: Anchor) -> int | None:
    """The one row an anchor names (None: a general comment). ``source`` maps the rows
    anchoring matched against (``matching.patch_rows``) onto the model's rows."""
    if anchor.kind == "unanchored" or model.patch is None:
        return None
    if anchor.row is not None:
        return source[anchor.row] if 0 <= anchor.row < len(source) else None
    # An anchor made by hand (a test, a stored draft): by file, numbers and text.
    rows = model.rows
    if anchor.kind == "commit_message":
        wanted = _normal(anchor.text)
        commit = [i for i, row in enumerate(rows) if row.kind == "commit"
                  and _normal(row.text) == wanted]
        trailer = [i for i, row in enumerate(rows) if row.kind == "trailer"
                   and _normal(row.text) == wanted]
        return commit[-1] if commit else trailer[0] if trailer else None
    if anchor.file is None:
        return None
    file_index = next((f for f, diff in enumerate(model.files)
                       if anchor.file in (diff.new_path, diff.old_path)), None)
    if file_index is None:
        return None
    wanted = (anchor.old_line, anchor.new_line)
    file_row = None
    for i, row in enumerate(rows):
        if row.file_index != file_index:
            continue
        if row.kind == "file":
            file_row = i
        elif (row.kind == "hunk" and wanted == (None, None) and row.text == anchor.text) or (
            row.kind == "line" and (row.old_line, row.new_line) == wanted
        ):
            return i
    return file_row


def _by_date(annotation: Annotation) -> tuple[bool, float]:
    return annotation.date is None, annotation.date or 0.0


def _flatten(annotations: Iterable[Annotation]) -> list[Annotation]:
    """Each annotation once, answers (``children``) included."""
    seen: dict[str, Annotation] = {}
    stack = list(annotations)
    while stack:
        item = stack.pop(0)
        if item.id in seen:
            continue
        seen[item.id] = item
        stack.extend(item.children)
    return list(seen.values())


def _discussions(annotations: Iterable[Annotation]) -> list[Discussion]:
    """Roots with their answer trees, both sorted by date.

    Answers are found through ``in_reply_to`` and through ``children``; an answer whose parent
    is not in ``annotations`` becomes a root of its own rather than vanishing.
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

    def tree(root: Annotation) -> Discussion:
        made = Discussion(root)
        stack = [made]
        while stack:
            node = stack.pop()
            node.replies = [Discussion(c) for c in sorted(kids.get(node.annotation.id, []),
                                                          key=_by_date)]
            stack.extend(node.replies)
        return made

    return [tree(root) for root in sorted(kids.get(None, []), key=_by_date)]
