"""The thread list's filter language: free words plus a few prefixes, as in a mail client.

    from:jane subject:"pwm: fix" is:unread has:comments -is:patch gpio

Terms are ANDed; ``-`` negates one. ``from:`` and ``subject:`` and free words match substrings
case-insensitively (free words search subject and author both). A word with a colon that is not
one of our prefixes ("net:" in "net: fix") is plain text, because kernel subjects are full of
them. ``is:`` and ``has:`` ask yes/no questions the list answers lazily, so a query that never
asks about comments never pays for decoding bodies.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

IS_FLAGS: dict[str, str] = {
    "unread": "not read yet",
    "read": "read",
    "patch": "a patch mail of a series",
    "cover": "a cover letter (0/N)",
    "reply": "a reply",
    "rfc": "marked RFC",
    "new": "triage: a series not looked at yet (not snoozed, not superseded)",
    "reviewing": "triage: a series being reviewed",
    "replied": "triage: a series I answered",
    "waiting": "triage: a series waiting for a new revision",
    "accepted": "triage: a series applied",
    "archived": "triage: a series put away",
    "snoozed": "triage: snoozed until a later date",
    "todo": "triage: new or reviewing, not snoozed, not superseded (waiting on me)",
    "superseded": "a newer revision of the series is in the mailbox",
    "flagged": "flagged",
    "mine": "a reply I wrote (git config user.email)",
    "unchanged": "a patch whose diff equals the previous revision's (line numbers aside)",
    "done": "a patch marked done, or with my Reviewed-by/Acked-by",
}
HAS_FLAGS: dict[str, str] = {
    "comments": "review comments anchored on it (or replies by someone else)",
    "replies": "any reply",
    "reviewed-by": "a Reviewed-by trailer",
    "acked-by": "an Acked-by trailer",
    "tested-by": "a Tested-by trailer",
    "newer": "a newer revision of its series is in the mailbox",
}
NEEDS_FLAGS: dict[str, str] = {
    "review": "a patch (or series) with no Reviewed-by or Acked-by from anyone",
}
_FLAG_PREFIXES = {"is": IS_FLAGS, "has": HAS_FLAGS, "needs": NEEDS_FLAGS}
TEXT_PREFIXES = ("from", "subject")

_TOKEN = re.compile(r'(-?)(?:([A-Za-z-]+):)?(?:"([^"]*)"?|(\S+))')


@dataclass(frozen=True, slots=True)
class Term:
    kind: str
    """"text", "from", "subject", "is", "has" or "needs"."""
    value: str
    """Lower-cased; for is/has the flag name ("unread", "reviewed-by")."""
    negated: bool = False

    @property
    def flag(self) -> str:
        """The key a :class:`Candidate`'s ``flag`` callback is asked for: "is:unread"."""
        return f"{self.kind}:{self.value}"


@dataclass(slots=True)
class Candidate:
    """One message as the filter sees it; flags are computed only when a term asks."""

    subject: str
    author: str
    """Name and address together, so ``from:`` matches either."""
    flag: Callable[[str], bool] = field(default=lambda _key: False)


@dataclass(frozen=True, slots=True)
class Query:
    terms: tuple[Term, ...] = ()
    errors: tuple[str, ...] = ()
    """Human-readable problems (unknown is:/has: values); such terms are left out."""

    @property
    def is_empty(self) -> bool:
        return not self.terms

    @property
    def flags(self) -> frozenset[str]:
        """Every is:/has:/needs: flag the query asks about."""
        return frozenset(t.flag for t in self.terms if t.kind in _FLAG_PREFIXES)

    def matches(self, candidate: Candidate) -> bool:
        return all(_term_matches(term, candidate) != term.negated for term in self.terms)


def _term_matches(term: Term, candidate: Candidate) -> bool:
    if term.kind == "text":
        return term.value in candidate.subject.lower() or term.value in candidate.author.lower()
    if term.kind == "from":
        return term.value in candidate.author.lower()
    if term.kind == "subject":
        return term.value in candidate.subject.lower()
    return bool(candidate.flag(term.flag))


def parse_query(text: str) -> Query:
    """Read what was typed in the filter box; never raises, problems land in ``errors``."""
    terms: list[Term] = []
    errors: list[str] = []
    for match in _TOKEN.finditer(text):
        minus, prefix, quoted, bare = match.groups()
        value = quoted if quoted is not None else bare
        negated = bool(minus)
        key = (prefix or "").lower()
        if prefix and key in TEXT_PREFIXES:
            if value:
                terms.append(Term(key, value.lower(), negated))
            continue
        if prefix and key in _FLAG_PREFIXES:
            known = _FLAG_PREFIXES[key]
            flag = (value or "").lower()
            if flag in known:
                terms.append(Term(key, flag, negated))
            else:
                options = ", ".join(f"{key}:{k}" for k in known)
                errors.append(f"unknown {key}:{value} (try {options})")
            continue
        # Not a prefix we know ("net:", "Re:"): the whole token is text.
        word = match.group(0)[1:] if negated else match.group(0)
        word = word.replace('"', "")
        if word:
            terms.append(Term("text", word.lower(), negated))
    return Query(tuple(terms), tuple(errors))


def help_text() -> str:
    """The filter language in a few lines, for the filter box's tooltip and the ? overview."""
    lines = [
        "Words match subject and author; all terms must match; -term negates.",
        'from:NAME   subject:"TEXT"',
    ]
    lines += [f"is:{name}  — {what}" for name, what in IS_FLAGS.items()]
    lines += [f"has:{name}  — {what}" for name, what in HAS_FLAGS.items()]
    lines += [f"needs:{name}  — {what}" for name, what in NEEDS_FLAGS.items()]
    return "\n".join(lines)
