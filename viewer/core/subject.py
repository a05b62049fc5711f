"""Kernel subject prefixes: "[PATCH net-next v4 03/12] foo: bar" → version, counters, flags.

This runs on every subject of the mailbox when it is opened (50,000 on a list archive), so it
is a handful of precompiled regexes and a memoised token loop: 4-13 µs a new subject on a
slow machine, and repeated subjects (every "Re: [PATCH ...]") come from a cache.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class SubjectInfo:
    subject: str
    """The subject with reply markers and bracketed prefixes removed ("foo: bar")."""
    prefixes: tuple[str, ...]
    """Bracket words other than version/counter, lower-cased: ("patch", "net-next", "rfc")."""
    is_reply: bool
    """Started with Re:/Aw:/Sv: and the like."""
    is_patch: bool
    is_rfc: bool
    is_resend: bool
    version: int
    """1 when no vN is given."""
    counter: int | None
    """3 in "03/12"; None for a lone patch."""
    total: int | None
    """12 in "03/12"."""

    @property
    def is_cover(self) -> bool:
        return self.counter == 0 and (self.total or 0) > 0

    @property
    def is_pull_request(self) -> bool:
        """[GIT PULL], [PULL], [PULL REQUEST]: a merge request, not a patch to apply."""
        return "pull" in self.prefixes


# Reply and forward markers as mail clients write them in many languages: Re, RE, Aw (de),
# Sv (sv/da/no), Vs (fi), Antw (nl), Odp (pl), R/Rif (it), Fw/Fwd; Outlook's "Re[2]:" too.
# Deliberately NOT "Res:" or a bare word without colon, which are real subject words.
_REPLY = re.compile(
    r"(?:(?:re|aw|sv|vs|antw|odp|rif|r|fwd?|tr|wg)(?:\[\d+\])?[ \t]*:[ \t]*)+", re.I
)
# After a bracket group only the common markers count: "[PATCH] fw: load..." and
# "[PATCH] r: ..." are subsystem names there, while "[ovs-dev] Re: [PATCH]" is a reply.
_REPLY_INNER = re.compile(r"(?:(?:re|aw|sv|antw)(?:\[\d+\])?[ \t]*:[ \t]*)+", re.I)
_GROUP = re.compile(r"\[([^\[\]]*)\][ \t]*")
_REPLY_INITIALS = frozenset("rRaAsSvVoOfFtTwW")
# "v4", "V4", "v2.1" and glued forms "PATCHv3", "RFCv2", "RESENDv2".
_VERSION = re.compile(r"(patch|rfc|resend)?v(\d+)(?:\.\d+)?", re.I)
_COUNTER = re.compile(r"(\d+)/(\d+)")

_FLAG_WORDS = {"patch": "patch", "rfc": "rfc", "resend": "resend"}


def strip_reply(subject: str) -> tuple[str, bool]:
    """The subject without leading reply markers, and whether there were any."""
    match = _REPLY.match(subject.lstrip())
    if match is None:
        return subject.strip(), False
    return subject.lstrip()[match.end() :].strip(), True


@lru_cache(maxsize=4096)
def _token(token: str) -> tuple[str, object, object]:
    """("word", lower-cased, None), ("version", glued word or None, N) or ("counter", n, N).

    Memoised: a mailbox uses a few hundred distinct bracket words ("PATCH", "v2", "3/12").
    """
    low = token.lower()
    if low in _FLAG_WORDS:
        return "word", low, None
    found = _VERSION.fullmatch(token)
    if found:
        glued = found.group(1)
        return "version", glued.lower() if glued else None, int(found.group(2))
    found = _COUNTER.fullmatch(token)
    if found:
        return "counter", int(found.group(1)), int(found.group(2))
    return "word", low, None


# Replies repeat their patch's subject many times over ("Re: [PATCH v3 2/7] ..."), and the
# result is immutable, so remembering recent subjects is both safe and a large saving.
@lru_cache(maxsize=16384)
def parse_subject(subject: str) -> SubjectInfo:
    """Read the bracket groups at the start of a subject, the way git send-email and people
    write them.

    Groups are read as long as they come first, so "[RFC][PATCH 00/10]" and list tags such as
    "[linux-pwm]" are all prefixes; a reply marker may sit before or between them
    ("Re: [PATCH]", "[ovs-dev] Re: [PATCH]"). A counter is only trusted when n <= N.
    """
    # "Re: X" reads as X, as a reply: X is usually known already (the patch came first).
    # Exactly what _parse gives, whose loop starts afresh after leading reply markers.
    stripped = subject.lstrip() if subject else ""
    if stripped[:1] in _REPLY_INITIALS:
        match = _REPLY.match(stripped)
        if match:
            return replace(parse_subject(stripped[match.end() :]), is_reply=True)
    return _parse(subject)


def _parse(subject: str) -> SubjectInfo:
    rest = subject or ""
    is_reply = False
    words: list[str] = []
    version = 0
    counter = total = None
    is_patch = is_rfc = is_resend = seen_group = False
    while True:
        rest = rest.lstrip()
        # Cheap first-letter test before the regex: most subjects start with "[" or a word.
        match = rest[:1] in _REPLY_INITIALS and (_REPLY_INNER if seen_group else _REPLY).match(rest)
        if match:
            is_reply = True
            rest = rest[match.end() :]
            continue
        if rest[:1] != "[":
            break
        match = _GROUP.match(rest)
        if match is None:
            break
        rest = rest[match.end() :]
        seen_group = True
        for token in match.group(1).replace(",", " ").split():
            kind, a, b = _token(token)
            if kind == "version":
                if a:
                    words.append(a)
                version = version or b
            elif kind == "counter" and counter is None and a <= b:
                counter, total = a, b
            elif kind == "counter":
                words.append(token)
            else:
                words.append(a)
    for word in words:
        if word == "patch":
            is_patch = True
        elif word == "rfc":
            is_rfc = True
        elif word == "resend":
            is_resend = True
    if counter is not None and "pull" not in words:
        # "[RFC 2/5]" and "[net-next 1/3]" are patches even without the word PATCH.
        is_patch = True
    return SubjectInfo(
        subject=" ".join(rest.split()),
        prefixes=tuple(words),
        is_reply=is_reply,
        is_patch=is_patch,
        is_rfc=is_rfc,
        is_resend=is_resend,
        version=version or 1,
        counter=counter,
        total=total,
    )
