"""Discussions: which earlier comment a reply's words answer, so answers join that comment.

A reviewer answering a comment quotes it ("> > +foo" / "> Why?" / "Because…"); the answer sits
where that comment sits and belongs to its discussion. The quoted comment is found by its text
among the annotations of the mails above (parents first), because nothing in a mail says which
earlier remark a quote comes from.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from viewer.core.annotation import Anchor, Annotation
from viewer.core.matching import Match, line_key
from viewer.core.quotes import ReplyLine


class CommentKeys:
    """Comments with whitespace removed, computed once per annotation (a long thread looks
    each one up for every reply below it)."""

    def __init__(self) -> None:
        self._comment_keys: dict[str, str] = {}
        self._line_keys: dict[str, frozenset[str]] = {}

    def comment_key(self, annotation: Annotation) -> str:
        """The comment with whitespace removed."""
        key = self._comment_keys.get(annotation.id)
        if key is None:
            key = self._comment_keys[annotation.id] = line_key(annotation.comment)
        return key

    def comment_line_keys(self, annotation: Annotation) -> frozenset[str]:
        """The whole comment and each of its lines, whitespace removed."""
        keys = self._line_keys.get(annotation.id)
        if keys is None:
            keys = frozenset(line_key(line) for line in annotation.comment.split("\n"))
            keys = self._line_keys[annotation.id] = keys | {self.comment_key(annotation)}
        return keys


def join(annotation: Annotation, parent: Annotation, depth: int, *, doubtful: bool) -> None:
    """Make ``annotation`` an answer to ``parent``: same anchor, one discussion. A parent
    picked among several that nothing told apart makes the placement a guess."""
    annotation.anchor = parent.anchor
    annotation.in_reply_to = parent.id
    annotation.method = parent.method
    annotation.confidence = parent.confidence
    if doubtful and parent.anchor.kind != "unanchored":
        annotation.method, annotation.confidence = "nearest", min(parent.confidence, 0.6)
    annotation.quote_depth = depth
    parent.children.append(annotation)


def line_under_quoted_comment(
    block: list[ReplyLine], index_of: dict[int, int], matches: Sequence[Match | None], depth: int
) -> tuple[ReplyLine, Match] | None:
    """The matched patch line a quoted comment (the lines at ``depth`` ending the block) sat
    under: the last of the deeper-quoted lines right above it."""
    k = len(block) - 1
    while k >= 0 and (block[k].depth == depth or not block[k].text.strip()):
        k -= 1
    if k < 0 or block[k].depth < depth:
        return None
    deeper = block[k].depth
    while k >= 0 and block[k].depth == deeper:
        match = matches[index_of[id(block[k])]]
        if match is not None:
            return block[k], match
        if block[k].text.strip():
            return None  # the line right above the comment is not one we placed
        k -= 1
    return None


def quoted_comment(
    block: list[ReplyLine],
    keys: CommentKeys,
    ancestors: list[str],
    earlier: dict[str, list[Annotation]],
    hint: Anchor | None = None,
    doubtful: list[Annotation] | None = None,
) -> Annotation | None:
    """The earlier comment the end of this quote comes from: parents' first, then anyone's.
    The last few lines at the deepest-last depth are tried, because a comment often ends in a
    line too short to recognise ("}" closing a code suggestion, "Thanks"). When several
    comments fit ("Ditto." five times in one review), ``hint``, the anchor of the patch line
    quoted above the comment, tells them apart. A comment picked among several that nothing
    tells apart is also put in ``doubtful``."""
    if doubtful is None:
        doubtful = []
    depth = next((line.depth for line in reversed(block) if line.text.strip()), 0)
    tried = 0
    several: list[Annotation] = []
    for line in reversed(block):
        if line.depth != depth and line.text.strip():
            break
        key = line_key(line.text)
        if not key:
            continue
        if len(key) < 8:
            # "ENODEV?", "Ditto.", "Why OF?": too short to look for inside comments, but it
            # may be the whole of one, or a whole line of one, in a mail above this one.
            above = [a for msgid in ancestors for a in earlier.get(msgid, ())]
            found = [a for a in above if key == keys.comment_key(a)]
            pick = _pick(found, hint)
            if pick is not None or len(found) > 1:
                return pick  # several and no hint: better no parent than the wrong one
            if sum(c.isalnum() for c in key) >= 4:
                # A line of a longer comment; "*/" or "}" would be found anywhere.
                found = [a for a in above if key in keys.comment_line_keys(a)]
                pick = _pick(found, hint)
                if pick is not None:
                    return pick
            continue
        found = []
        for msgid in _search_order(ancestors, earlier):
            found = [a for a in earlier[msgid] if key in keys.comment_key(a)]
            if found:
                break
        if found:
            if several:
                # Lines further up tell apart comments that share this one ("Fix it in v5.").
                found = [a for a in found if any(a is b for b in several)] or several
            pick = _pick(found, hint)
            if pick is not None or len({a.anchor for a in found}) == 1:
                return pick or found[-1]
            several = found
        tried += 1
        if tried == 3:
            break
    if several:
        # Still several comments at different lines: join the last, but say it is a guess.
        doubtful.append(several[-1])
        return several[-1]
    return None


def _search_order(ancestors: list[str], earlier: dict[str, list[Annotation]]) -> Iterator[str]:
    """Replies whose comments may be quoted: the ancestors first, then anyone's. Lazy, as the
    first hit ends the search: listing every earlier reply for each quoted comment made a
    long thread cubic."""
    seen: set[str] = set()
    for msgid in ancestors:
        if msgid in earlier and msgid not in seen:
            seen.add(msgid)
            yield msgid
    for msgid in earlier:
        if msgid not in seen:
            yield msgid


def _pick(found: list[Annotation], hint: Anchor | None) -> Annotation | None:
    """The one annotation of ``found``, or the last one at ``hint``."""
    if len(found) == 1:
        return found[0]
    at_hint = [a for a in found if hint is not None and a.anchor == hint]
    return at_hint[-1] if at_hint else None
