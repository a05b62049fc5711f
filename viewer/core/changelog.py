"""The changelog a new revision carries, and which review comments its notes may answer.

Kernel authors list what changed since the last revision in the cover letter or below a patch's
``---``: "Changes in v3:", "v2 -> v3:", "Changes since v2", "v3:", then bullets ("- use devm_ as
suggested by Guenter"). A note that names the reviewer or repeats the comment's own words is
*evidence* that the comment was answered, never proof: "address Uwe's comments" names him for
every comment he made, and a shared identifier can be a coincidence. So we collect the notes
and report the overlap; deciding stays with the reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A heading that opens a changelog: "Changes in v3:", "Changes since v2:", "Changelog:",
# "v2 -> v3:", "v1..v2:", "V3:", "Since v2:", "Changes from v1 to v2", b4's "Changes in v3:".
_HEADING = re.compile(
    r"^\s*(?:"
    r"(?:changes|change\s*log|changelog|revision\s+history|history)\b[^\n]{0,40}"
    r"|(?:since|from)\s+v\d+\b[^\n]{0,30}"
    r"|v\d+(?:\.\d+)?\s*(?:->|→|=>|-+>|\.\.|to|vs\.?)\s*v\d+(?:\.\d+)?\b[^\n]{0,30}"
    r"|v\d+(?:\.\d+)?\s*:"
    r")\s*:?\s*$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(\s*)(?:[-*+•o]|\d+[.)]|\(\d+\))\s+(.*)$")
_VERSIONS = re.compile(r"v(\d+)", re.IGNORECASE)
_URL_ONLY = re.compile(r"^(?:v\d+\s*:\s*)?(?:<?https?://\S+>?\s*)+$", re.IGNORECASE)
# Addresses and links share host names and ids with everything; they are not words.
_NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+")


@dataclass(frozen=True, slots=True)
class ChangelogItem:
    """One note of a revision's changelog."""

    message_id: str
    """The mail it was written in (the cover letter or a patch)."""
    text: str
    """The note, continuation lines joined with spaces."""
    heading: str
    """The heading it stands under ("Changes in v3:"), empty when the notes had none."""


def changelog_items(message_id: str, lines: Sequence[str], *, whole: bool = False
                    ) -> list[ChangelogItem]:
    """The notes under every changelog heading of ``lines``.

    ``whole`` says that every line is changelog already (the notes below a patch's ``---``):
    then bullets count even without a heading, since many authors write just "- fix typo".
    """
    items: list[ChangelogItem] = []
    heading = ""
    inside = whole
    current: list[str] = []
    indent = 0
    after_blank = False

    def flush() -> None:
        if current:
            text = " ".join(part.strip() for part in current).strip()
            if text and not _URL_ONLY.match(text):
                items.append(ChangelogItem(message_id, text, heading))
            current.clear()

    for line in lines:
        if not line.strip():
            flush()
            after_blank = True
            continue
        was_blank, after_blank = after_blank, False
        if _HEADING.match(line):
            flush()
            heading, inside = line.strip(), True
            continue
        if not inside:
            continue
        bullet = _BULLET.match(line)
        if bullet:
            flush()
            indent = len(bullet.group(1))
            current.append(bullet.group(2))
        elif was_blank and not whole:
            # A paragraph of prose after the list ("v1: https://…", the shortlog) ends it.
            inside = False
        elif current and (len(line) - len(line.lstrip()) > indent or not whole):
            current.append(line)  # a wrapped bullet, or a plain-prose changelog line
        else:
            flush()
            current.append(line)
    flush()
    return items


def heading_versions(heading: str) -> tuple[int, ...]:
    """The version numbers a heading names ("v2 -> v3" → (2, 3)), to tell which step it is."""
    return tuple(int(v) for v in _VERSIONS.findall(heading))


# -- evidence -------------------------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\(\))?")
# Words every review and every changelog uses: sharing them says nothing.
_STOP = frozenset(
    """
    about above after again also because been before being below between both could does
    doing done down during each every from have having here into just like make more most
    much must need only other over same should since some such than that their them then
    there these they this those through under until very were what when where which while
    will with would your patch patches comment comments review reviewed suggested thanks
    thank please maybe think change changes changed instead using use used line lines code
    version fixed fix added add removed remove drop dropped update updated still well sure
    right case
    """.split()  # noqa: SIM905 - a word list reads better as words
)


def _tokens(text: str) -> set[str]:
    found = set()
    for token in _IDENT.findall(_NOT_WORDS.sub(" ", text)):
        bare = token.removesuffix("()")
        lowered = bare.lower()
        if lowered in _STOP:
            continue
        if "_" in bare or token.endswith("()") or any(c.isdigit() for c in bare[1:]) or (
            bare[:1].islower() and any(c.isupper() for c in bare)
        ):
            found.add(lowered)  # an identifier: devm_clk_get, of_match_ptr(), regmapBits
        elif len(bare) >= 5:
            found.add(lowered)
    return found


def _is_identifier(token: str) -> bool:
    return "_" in token or any(c.isdigit() for c in token)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a changelog note may answer a comment."""

    item: ChangelogItem
    names_reviewer: bool
    shared_words: tuple[str, ...]


def reviewer_names(name: str, email: str) -> set[str]:
    """Words by which a changelog may name a reviewer: first and last name, the address' local
    part ("Uwe Kleine-König <u.kleine-koenig@…>" → uwe, kleine-könig, u.kleine-koenig)."""
    words = {part.lower() for part in re.split(r"[\s,()\"]+", name) if len(part) >= 3}
    local = email.split("@", 1)[0].lower()
    if len(local) >= 3:
        words.add(local)
    return words


def _names(text: str, names: Iterable[str]) -> bool:
    lowered = text.lower()
    return any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", lowered) for n in names)


def evidence_for(
    comment: str, names: set[str], items: Sequence[ChangelogItem], *, local: bool
) -> list[Evidence]:
    """The notes that name the reviewer or echo the comment.

    ``local`` is true for notes written in the commented patch itself: there naming the reviewer
    is enough; a cover letter's note must also share a word with the comment, or share an
    identifier, or several words, since it speaks of the whole series.
    """
    words = _tokens(comment)
    found: list[Evidence] = []
    for item in items:
        named = _names(item.text, names)
        shared = tuple(sorted(words & _tokens(item.text)))
        identifiers = [w for w in shared if _is_identifier(w)]
        strong = bool(identifiers) or len(shared) >= 2
        if (local and (named or strong)) or (not local and ((named and shared) or strong)):
            found.append(Evidence(item, named, shared))
    return found
