"""What the mail itself says about a patch's review: computed, never stored.

A newer revision exists; the patch is unchanged from the previous revision (same diff, line
numbers aside); A/R/T given in replies and carried in the commit message, counted apart; I
(the ``git config`` identity) already gave a Reviewed-by or Acked-by. Each is a pure function
of the mail, so it can be cached with the index; :class:`viewer.core.triage.Triage` memoises
them per mailbox.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from viewer.core.identity import Identity
from viewer.core.message import simple_body
from viewer.core.patch import parse_patch
from viewer.core.trailers import Trailer, count_letters

if TYPE_CHECKING:
    from viewer.core.archive import Archive
    from viewer.core.series import Series

_REVIEW_NAMES = ("Reviewed-by", "Acked-by")


@dataclass(frozen=True, slots=True)
class ReviewCounts:
    """A/R/T of one patch, given in replies and carried in its commit message, kept apart."""

    given: dict[str, int]
    """Trailers given in follow-ups (the cover letter's included)."""
    carried: dict[str, int]
    """Trailers already in the patch (carried from an earlier revision), not given again."""

    def total(self, letter: str) -> int:
        return self.given.get(letter, 0) + self.carried.get(letter, 0)

    @property
    def reviewed(self) -> bool:
        """Someone gave a Reviewed-by or an Acked-by, in a reply or in an earlier revision."""
        return self.total("R") + self.total("A") > 0


def newer_revision(archive: Archive, series: Series) -> str | None:
    """Key of the newest revision with a higher version than ``series``, if one is there."""
    newer = None
    for key in series.revisions:
        other = archive.series_by_key(key)
        if other is not None and other.version > series.version:
            newer = key  # revisions are oldest first: the last one wins
    return newer


def _norm(subject: str) -> str:
    return " ".join(subject.lower().split()).rstrip(".")


def previous_patch(archive: Archive, msgid: str) -> str | None:
    """The same patch in the nearest earlier revision: by subject, else by position.

    Position only when both postings have the same number of patches: in a series that grew,
    "3/8" of v2 and "3/9" of v3 are usually different patches.
    """
    series = archive.series_of(msgid)
    if series is None or msgid not in series.patches.values():
        return None
    counter = next(n for n, m in series.patches.items() if m == msgid)
    subject = _norm(archive.subject_info(msgid).subject)
    earlier = [archive.series_by_key(k) for k in series.revisions]
    earlier = [s for s in earlier if s is not None and s.version < series.version]
    for older in sorted(earlier, key=lambda s: s.version, reverse=True):
        for other in older.patches.values():
            if _norm(archive.subject_info(other).subject) == subject:
                return other
        if older.total == series.total and counter in older.patches:
            return older.patches[counter]
    return None


_DIFF_START = re.compile(r"^diff --git |^Index: |^--- a/|^--- /dev/null", re.M)
# After a newline, not re.M's "^" (tried at every character: 2 s over an archive's patches);
# a diff never starts with either line, so the first line needs no care.
_INDEX_LINE = re.compile(r"\nindex [^\n]*(?=\n)")
_HUNK_LINE = re.compile(r"\n@@[^\n]*")


def _diff_start(body: str) -> int | None:
    """Where the diff begins; str.find first, the regex only for non-git diffs (5x faster)."""
    if body.startswith("diff --git "):
        return 0
    found = body.find("\ndiff --git ")
    if found >= 0:
        return found + 1
    match = _DIFF_START.search(body)
    return match.start() if match else None


def diff_fingerprint(body: str, start: int | None = None) -> str | None:
    """A hash of what a patch mail changes, line numbers and blob ids aside; None: no diff.

    A rebase moves hunks (new ``@@`` numbers, and maybe the function name after them) and
    changes the ``index abc..def`` line without changing the patch. Read from the body's
    text rather than the parsed diff: the same for every patch, and cheap enough to run on
    every patch of a list archive. ``start`` is where the diff begins, if already known.
    """
    start = _diff_start(body) if start is None else start
    if start is None:
        return None
    diff = body[start:].replace("\r\n", "\n")
    signature = diff.find("\n-- \n")
    if signature >= 0:
        diff = diff[: signature + 1]  # "2.43.0" below says which git, not what changed
    diff = _HUNK_LINE.sub("\n@@", _INDEX_LINE.sub("", diff))
    return hashlib.blake2b(diff.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class PatchFacts:
    """What triage needs of one patch mail's body, small enough to keep for every patch."""

    fingerprint: str | None
    """:func:`diff_fingerprint`; None when the mail carries no diff."""
    trailers: tuple[Trailer, ...]
    """The trailers written in the patch itself."""


def patch_facts(archive: Archive, msgid: str) -> PatchFacts:
    """Fingerprint and own trailers of a patch mail.

    Most patch mail is one text part, whose body is the bytes after the headers (undone
    base64 or quoted-printable at most): reading those skips the MIME decoder (~2 ms a mail,
    seconds on a list archive). Multipart mail is decoded. Only the text above the diff is
    parsed.
    """
    body = simple_body(archive.raw(msgid))
    if body is None:
        body = archive.message(msgid).body
    start = _diff_start(body)
    if start is None:
        return PatchFacts(None, ())
    preamble = parse_patch(body[:start])
    return PatchFacts(diff_fingerprint(body, start), tuple(preamble.trailers))


def unchanged_from_previous(
    archive: Archive, msgid: str, facts: Callable[[str], PatchFacts] | None = None
) -> bool:
    """This patch changes exactly what the same patch did in the previous revision."""
    before = previous_patch(archive, msgid)
    if before is None:
        return False
    facts_of = facts or (lambda m: patch_facts(archive, m))
    mine, theirs = facts_of(msgid).fingerprint, facts_of(before).fingerprint
    return mine is not None and mine == theirs


def review_counts(
    archive: Archive, msgid: str, facts: PatchFacts | None = None
) -> ReviewCounts:
    """A/R/T of a patch: from replies, and carried in the commit message (not counted twice)."""
    given_trailers = archive.followup_trailers(msgid)
    own = (facts or patch_facts(archive, msgid)).trailers
    given_keys = {(t.name.lower(), t.value.lower()) for t in given_trailers}
    carried = [t for t in own if (t.name.lower(), t.value.lower()) not in given_keys]
    return ReviewCounts(count_letters(given_trailers), count_letters(carried))


def reviewed_by_me(
    archive: Archive, msgid: str, identity: Identity, facts: PatchFacts | None = None
) -> bool:
    """I gave a Reviewed-by or Acked-by on this patch, in a reply or carried in the patch."""
    if not identity.known:
        return False
    own = (facts or patch_facts(archive, msgid)).trailers
    for trailer in [*own, *archive.followup_trailers(msgid)]:
        if trailer.name in _REVIEW_NAMES:
            name = trailer.value.split("<", 1)[0].strip().strip('"')
            if identity.is_me(name, trailer.email or ""):
                return True
    return False


