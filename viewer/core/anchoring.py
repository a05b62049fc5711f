"""A thread's replies → annotations: each comment of each reply, on the patch line it is about.

The orchestration: the quote splitter (viewer.core.quotes) cuts a reply into own text, quotes and
snips; matching (viewer.core.matching) places the quoted lines on the patch's rows; courtesy
(viewer.core.courtesy) trims greetings and sign-offs from each stretch of own text; a comment then
sits under the last line quoted above it, or joins the earlier comment it answers
(viewer.core.discussions).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from viewer.core.annotation import AnalysisError, Anchor, Annotation
from viewer.core.courtesy import comment_text, is_trailer_lead_in, pleasantries
from viewer.core.discussions import CommentKeys, join, line_under_quoted_comment, quoted_comment
from viewer.core.matching import Match, MatchDoc, line_key, match_quotes, prepare
from viewer.core.message import Message
from viewer.core.quotes import ReplyLine, Segment, split_reply
from viewer.core.trailers import person_trailer_line

if TYPE_CHECKING:
    from viewer.core.archive import Archive

log = logging.getLogger(__name__)


# -- the thread ----------------------------------------------------------------------------


@dataclass(slots=True)
class ThreadAnalysis:
    """What anchoring made of a set of mails: every comment, and the replies it could not
    analyse (each still listed whole as a general comment)."""

    annotations: list[Annotation]
    errors: list[AnalysisError]


_NEAREST = 64
"""Ancestors a reply's quotes are looked up in: nobody nests quotes 64 deep."""


class _Run:
    """One anchoring pass: the mails looked at, their patches prepared for matching once, and
    the comments found so far. Threading is the archive's (viewer.core.threader), parsing too."""

    def __init__(self, archive: Archive, msgids: Sequence[str]) -> None:
        self.archive = archive
        self.msgids = list(dict.fromkeys(msgids))  # a duplicated Message-ID is one mail here
        self.present = set(self.msgids)
        self.docs: dict[str, MatchDoc] = {}
        self.comments = CommentKeys()
        self._ancestors: dict[str, list[str]] = {}
        self._ups: dict[str, list[str]] = {}
        self._targets: dict[str, str | None] = {}
        self._depths: dict[str, int] = {}
        for msgid in self.msgids:
            if archive.is_review_target(msgid):
                self.docs[msgid] = prepare(archive.parsed(msgid))

    def parent(self, msgid: str) -> str | None:
        # None for an id the archive does not know (a parent's placeholder id is known).
        return self.archive.parent_id(msgid) if self.archive.has_node(msgid) else None

    # A 5,000-mail flame war (each reply answering the one before) is 5,000 levels deep: each
    # of these is remembered per mail and built from its parent's answer, so all of them
    # together cost one walk up the tree instead of one per reply (which was cubic, with the
    # list lookups in it). bench/bench_chain.py measures it.

    def ancestors(self, msgid: str) -> list[str]:
        """Where a reply's quoted comments are looked for, nearest first: its parents in the
        thread tree, then References the tree does not pass through; at most
        :data:`_NEAREST` of each (a comment quoted d levels deep was written d mails up)."""
        chain = self._ancestors.get(msgid)
        if chain is None:
            up = [m for m in self._up(msgid) if m != msgid]
            seen = {msgid, *up}
            entry = self.archive.entry(msgid) if msgid in self.archive else None
            refs = entry.references[-_NEAREST:] if entry is not None else ()
            chain = up + list(dict.fromkeys(r for r in reversed(refs) if r not in seen))
            self._ancestors[msgid] = chain
        return chain

    def _up(self, msgid: str) -> list[str]:
        for mail in reversed(self._climb(msgid, self._ups)):  # top down: the parent's is known
            parent = self.parent(mail)
            if parent is None:
                self._ups[mail] = []
            else:
                self._ups[mail] = [parent, *self._ups.get(parent, [])[: _NEAREST - 1]]
        return self._ups[msgid]

    def _climb(self, msgid: str, known: dict) -> list[str]:
        """``msgid`` and its tree parents up to the first one ``known`` holds (not included),
        or to the root; a loop (never made by the threader, but cheap to guard) ends it."""
        path: list[str] = []
        seen: set[str] = set()
        current: str | None = msgid
        while current is not None and current not in known and current not in seen:
            path.append(current)
            seen.add(current)
            current = self.parent(current)
        return path

    def target_of(self, msgid: str) -> str | None:
        """The nearest patch or cover up the tree (however far), else the newest References
        names."""
        for mail in reversed(self._climb(msgid, self._targets)):
            parent = self.parent(mail)
            if parent is None:
                self._targets[mail] = None
            elif parent in self.docs:
                self._targets[mail] = parent
            else:
                self._targets[mail] = self._targets.get(parent)
        found = self._targets[msgid]
        if found is None and msgid in self.archive:
            refs = self.archive.entry(msgid).references
            found = next((r for r in reversed(refs) if r in self.docs and r != msgid), None)
        return found

    def depth(self, msgid: str) -> int:
        """Mails of this pass above this one in the tree (placeholders not counted)."""
        for mail in reversed(self._climb(msgid, self._depths)):
            parent = self.parent(mail)
            if parent is None:
                self._depths[mail] = 0
            else:
                self._depths[mail] = self._depths.get(parent, 0) + (parent in self.present)
        return self._depths[msgid]


def anchor_mails(archive: Archive, msgids: Sequence[str]) -> ThreadAnalysis:
    """Every comment of every reply among ``msgids`` (a thread, or several: v1 and v2)."""
    run = _Run(archive, msgids)
    replies = [archive.message(m) for m in run.msgids if m not in run.docs]
    replies = [m for m in replies if m.in_reply_to or m.references]
    # Parents before children, so a reply quoting a comment finds that comment's annotation;
    # depth counts only links through mails we have (References may hold junk).
    depth = {m.msgid: run.depth(m.msgid) for m in replies}
    replies.sort(key=lambda m: (depth[m.msgid], m.date or 0.0, m.msgid))
    found: list[Annotation] = []
    errors: list[AnalysisError] = []
    by_reply: dict[str, list[Annotation]] = {}
    for reply in replies:
        target = run.target_of(reply.msgid)
        patch_id = target or run.parent(reply.msgid) or ""
        try:
            made = analyse_reply(run, reply, target, by_reply)
        except Exception as error:  # a bug; one odd reply must not cost the thread its comments
            log.exception("could not analyse reply <%s>", reply.msgid)
            errors.append(AnalysisError(reply.msgid, patch_id, f"{type(error).__name__}: {error}"))
            made = _general(reply, patch_id, reply.body.strip())
        by_reply[reply.msgid] = made
        found.extend(made)
    return ThreadAnalysis(found, errors)


def analyse_thread(messages: Sequence[Message]) -> ThreadAnalysis:
    """:func:`anchor_mails` over mails held in memory (tests, tools): threaded and parsed by
    an :class:`~viewer.core.archive.Archive` of just these mails."""
    from viewer.core.archive import Archive

    archive = Archive.of_messages(messages)
    return anchor_mails(archive, [m.msgid for m in messages])


def anchor_thread(messages: Sequence[Message]) -> list[Annotation]:
    """The annotations of :func:`analyse_thread`."""
    return analyse_thread(messages).annotations


def _general(reply: Message, target: str, text: str) -> list[Annotation]:
    if not text:
        return []
    return [
        Annotation(
            id=f"{reply.msgid}#0",
            reply_message_id=reply.msgid,
            author=reply.author,
            date=reply.date,
            comment=text,
            anchor=Anchor("unanchored", target),
            confidence=0.3,
            method="fallback",
            quote_depth=0,
        )
    ]


def analyse_reply(
    run: _Run, reply: Message, target: str | None, earlier: dict[str, list[Annotation]]
) -> list[Annotation]:
    """The comments of one reply (``earlier``: those of the replies above it, by reply)."""
    split = split_reply(reply.body)
    segments = split.segments
    patch_id = target or run.parent(reply.msgid) or ""
    doc = run.docs.get(target) if target else None
    if doc is not None:
        _join_wrapped_tails(segments, doc)

    quoted: list[ReplyLine] = []
    breaks: set[int] = set()
    snips: set[int] = set()
    index_of: dict[int, int] = {}  # id(ReplyLine) -> index in quoted
    pending_break = pending_snip = False
    for seg in segments:
        if seg.kind == "quote":
            for line in seg.lines:
                if pending_break:
                    breaks.add(len(quoted))
                if pending_snip:
                    snips.add(len(quoted))
                pending_break = pending_snip = False
                index_of[id(line)] = len(quoted)
                quoted.append(line)
        elif seg.kind == "snip" or not seg.is_blank:
            pending_break = True
            pending_snip = pending_snip or seg.kind == "snip"
    matches = (
        match_quotes(doc, quoted, breaks, snips) if doc and quoted else [None] * len(quoted)
    )

    author = reply.author
    own = [i for i, seg in enumerate(segments) if seg.kind == "own" and not seg.is_blank]
    made: list[Annotation] = []
    ancestors = run.ancestors(reply.msgid)
    pending: list[str] = []  # tags given above the reply's first comment
    for n, seg_index in enumerate(own):
        seg = segments[seg_index]
        last = n == len(own) - 1
        text = comment_text([line.text for line in seg.lines], author, first=n == 0, last=last)
        text, trailers = _take_trailers(text, reply)
        if trailers:
            text = comment_text(text.split("\n"), author, first=False, last=last)
        if not text or all(pleasantries(text.split("\n"), author, at_end=last)):
            # A bare "Reviewed-by:" stretch: a tag on the patch, not a comment. When the reply
            # has comments too, the tag shows on the one written before it.
            if trailers and made:
                made[-1].trailers.extend(trailers)
            elif trailers:
                pending.extend(trailers)
            continue
        trailers = pending + trailers
        pending = []
        block, snipped = _block_above(segments, own, n)
        annotation = Annotation(
            id=f"{reply.msgid}#{len(made)}",
            reply_message_id=reply.msgid,
            author=author,
            date=reply.date,
            comment=text,
            anchor=Anchor("unanchored", patch_id),
            quote_depth=0,
            confidence=1.0,
            method="none",
            trailers=trailers,
        )
        if block and snipped:
            # "> +foo / ... / remark": the remark does not sit under a quoted line; the snip
            # says something was left out in between, so do not guess which line it means.
            annotation.method, annotation.confidence = "fallback", 0.5
            annotation.quote_depth = block[-1].depth
        else:
            _place(annotation, block, index_of, matches, doc, patch_id, run, ancestors, earlier,
                   (breaks, snips))
        made.append(annotation)
    return made


def _given_tag(lines: list[str], i: int, reply: Message) -> bool:
    """Whether line i is a tag the reply gives: a person trailer ending its paragraph or
    followed only by more tags and the sign-off. "Signed-off-by: Jane" shown as an example of
    the wanted layout, with "---" and a changelog under it, is part of a remark. Whose name it
    carries does not matter here (people tag from another address, "Nuno Sa" for "Nuno Sá"):
    the trailer collection judges that and marks the tag; a card would not be right either way."""
    if person_trailer_line(lines[i]) is None:
        return False
    for line in lines[i + 1 :]:
        if not line.strip():
            return True
        if person_trailer_line(line) is None and not pleasantries([line], reply.author,
                                                                  at_end=True)[0]:
            return False
    return True


def _take_trailers(text: str, reply: Message) -> tuple[str, list[str]]:
    """The comment without the tags written in it, and the tags. A tag is collected for the
    patch anyway (viewer.core.trailers); as a card it would be a remark nobody wrote. A one-line
    lead-in right above it ("With that fixed,", "Looks good to me.") goes with it, in the same
    paragraph or as a paragraph of its own; a real remark above it stays: "Why b? Otherwise
    fine." / "Reviewed-by: …" keeps "Why b? Otherwise fine."."""
    lines = text.split("\n")
    tags = [i for i in range(len(lines)) if _given_tag(lines, i, reply)]
    if not tags:
        return text, []
    gone = set(tags)
    for i in tags:
        above = i - 1
        while above in gone:
            above -= 1
        if above >= 0 and not lines[above].strip():
            above -= 1  # "With that fixed," / "" / "Reviewed-by: …": its own paragraph
        # A lead-in that is a paragraph by itself (the start, or a blank line above it), or the
        # last line of a remark ending in "," or ":" right above the tag ("… can be dropped." /
        # "With that fixed:"); any other last line of a longer remark is part of the remark.
        if (
            above >= 0 and above not in gone and is_trailer_lead_in(lines[above])
            and (above == 0 or not lines[above - 1].strip()
                 or lines[above].rstrip().endswith((",", ":")))
        ):
            gone.add(above)
    # The blank line that set a removed paragraph apart goes with it; other blank lines (in a
    # code sketch, say) stay as written.
    for i in sorted(gone):
        if i > 0 and not lines[i - 1].strip() and (
            i + 1 >= len(lines) or not lines[i + 1].strip() or i + 1 in gone
        ):
            gone.add(i - 1)
    kept = [line for i, line in enumerate(lines) if i not in gone]
    while kept and not kept[-1].strip():
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    tidy = kept
    return "\n".join(tidy), [str(person_trailer_line(lines[i])) for i in tags]


def _join_wrapped_tails(segments: list[Segment], doc: MatchDoc) -> None:
    """Give a quoted line back the tail its sender's client wrapped onto an unquoted line:
    "> +\tpr_err("frobnicator failed: %d\\n"," / "ret);" is one patch line, not a remark
    "ret);". It is a tail when it stands right under the quoted line (no blank line) and the
    two together, whitespace ignored, are a line of the patch that the quoted part alone is
    not. A remark under a complete quoted line is never joined."""
    for k in range(1, len(segments)):
        quote, own = segments[k - 1], segments[k]
        if quote.kind != "quote" or own.kind != "own" or not own.lines or not quote.lines:
            continue
        head = quote.lines[-1]
        if not head.text.strip() or own.lines[0].lineno != head.lineno + 1:
            continue
        if line_key(head.text) in doc.where:
            continue
        for j in range(1, min(3, len(own.lines)) + 1):
            if not own.lines[j - 1].text.strip():
                break
            joined = head.text + " " + " ".join(line.text.strip() for line in own.lines[:j])
            if line_key(joined) in doc.where:
                quote.lines[-1] = ReplyLine(head.depth, joined, head.lineno)
                del own.lines[:j]
                break


def _block_above(segments: list[Segment], own: list[int], n: int) -> tuple[list[ReplyLine], bool]:
    """Quoted lines between the previous own words and these (snips left out), and whether a
    snip ("...", "[...]") comes after the last of them."""
    start = own[n - 1] + 1 if n else 0
    lines: list[ReplyLine] = []
    snipped = False
    for seg in segments[start : own[n]]:
        if seg.kind == "quote":
            lines.extend(seg.lines)
            snipped = snipped and seg.is_blank
        elif seg.kind == "snip":
            snipped = True
    return lines, snipped


def _place(
    annotation: Annotation,
    block: list[ReplyLine],
    index_of: dict[int, int],
    matches: list[Match | None],
    doc: MatchDoc | None,
    patch_id: str,
    run: _Run,
    ancestors: list[str],
    earlier: dict[str, list[Annotation]],
    pieces: tuple[set[int], set[int]] = (set(), set()),
) -> None:
    content = [line for line in block if line.text.strip()]
    blank = _quoted_blank_context(block, content, index_of, matches, doc, pieces)
    if blank is not None and doc is not None:
        _set_row_anchor(annotation, doc, blank[0], patch_id, blank[1])
        return
    if not content:
        return  # text before any quote: a general comment on the patch
    last = content[-1]
    match = matches[index_of[id(last)]]
    if match is not None and doc is not None:
        _set_row_anchor(annotation, doc, match, patch_id, last.depth)
        return
    below = line_under_quoted_comment(block, index_of, matches, last.depth) if doc else None
    hint = _row_anchor(doc, below[1].row, patch_id) if doc and below else None
    doubtful: list[Annotation] = []
    parent = quoted_comment(block, run.comments, ancestors, earlier, hint, doubtful)
    if parent is not None:
        join(annotation, parent, last.depth, doubtful=bool(doubtful))
        return
    # "> +	  driver for a software PWM toggling a GPIO / >> a software PWM / Nit: …": a piece
    # of the line above quoted again to point at it; the remark is about that line.
    fragment = line_key(last.text)
    above = next((line for line in reversed(block[:-1]) if line.text.strip()), None)
    placed_above = matches[index_of[id(above)]] if above is not None else None
    if (
        doc is not None and placed_above is not None and len(fragment) >= 8
        and doc.rows[placed_above.row].kind == "line"
        and fragment.casefold() in doc.keys[placed_above.row].casefold()
    ):
        _set_row_anchor(annotation, doc, placed_above, patch_id, above.depth)
        annotation.method, annotation.confidence = "nearest", 0.7
        return
    # A patch line the client mangled beyond recognition, right under lines we did place.
    run = []
    for line in reversed(block):
        if not line.text.strip() or line.depth != last.depth:
            break
        run.append(line)
    placed = next(
        (matches[index_of[id(line)]] for line in run if matches[index_of[id(line)]]), None
    )
    if placed is not None and doc is not None and doc.rows[placed.row].kind == "line":
        _set_row_anchor(annotation, doc, placed, patch_id, last.depth)
        annotation.method, annotation.confidence = "nearest", 0.5
        return
    if below is not None and doc is not None:
        # "> > +foo / > Why? / Because…": an answer to a comment we do not have (its mail
        # is not in the mbox, or too short to recognise), about the line that comment was on.
        line, match = below
        _set_row_anchor(annotation, doc, match, patch_id, line.depth)
        annotation.method, annotation.confidence = "nearest", 0.7
        return
    annotation.method, annotation.confidence = "fallback", 0.4
    annotation.quote_depth = last.depth


def _quoted_blank_context(
    block: list[ReplyLine],
    content: list[ReplyLine],
    index_of: dict[int, int],
    matches: list[Match | None],
    doc: MatchDoc | None,
    pieces: tuple[set[int], set[int]],
) -> tuple[Match, int] | None:
    """A blank context line quoted whole (``">  "``: the marker, then the line's own space)
    as the last line above a comment: the comment is on that blank line. An empty ``">"``
    trailing a quote is only the end of the quote and says nothing.

    Alone, a blank line matches nothing; it is the row after the quoted line before it, in
    the same piece of quote or across a remark (no snip), the way a reviewer commenting on
    consecutive lines quotes them."""
    if doc is None:
        return None
    _breaks, snips = pieces
    last = content[-1] if content else None
    for line in reversed(block):
        if line is last or line.text.strip():
            return None
        if line.text == "" or (last is not None and line.depth != last.depth):
            continue
        i = index_of[id(line)]
        match = matches[i]
        if match is None and i > 0 and i not in snips and matches[i - 1] is not None:
            above = matches[i - 1]
            if above.row + 1 < len(doc.rows):
                match = Match(above.row + 1, "nearest", min(above.confidence, 0.7))
        if match is None:
            return None
        row = doc.rows[match.row]
        blank_context = row.kind == "line" and row.text.startswith(" ") and not row.text.strip()
        return (match, line.depth) if blank_context else None
    return None


def _set_row_anchor(
    annotation: Annotation, doc: MatchDoc, match: Match, patch_id: str, depth: int
) -> None:
    annotation.quote_depth = depth
    annotation.method = match.method
    annotation.confidence = match.confidence
    annotation.anchor = _row_anchor(doc, match.row, patch_id)


def _row_anchor(doc: MatchDoc, index: int, patch_id: str) -> Anchor:
    row = doc.rows[index]
    if row.kind in ("commit", "trailer"):
        return Anchor("commit_message", patch_id, text=row.text, row=index)
    if row.kind in ("line", "file", "hunk"):
        return Anchor("diff", patch_id, row.file, row.old_line, row.new_line, row.text, index)
    # Under the diffstat or the changelog notes: about the mail, not about a line.
    return Anchor("unanchored", patch_id, text=row.text)
