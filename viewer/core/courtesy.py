"""Courtesy text: the lines of a reply that are not a comment on the patch.

Greetings ("Hi Jane,"), closings ("Thanks,", "Best regards"), the replier's name under them,
thanks for the review, the line saying who is quoted ("On Mon, … Jane wrote:", in many
languages and client formats) and the signature under "-- ". A reader does not count any of
them as a remark, so the quote splitter (viewer.core.quotes) sets attributions and signatures
aside and the anchoring (viewer.core.anchoring) trims greetings and sign-offs from each comment.
Every rule is a convention that is only usually kept, so each is kept narrow: dropping a real
remark is worse than showing a "Thanks," too many.
"""

from __future__ import annotations

import re

# -- "On …, X wrote:" and other attribution lines ------------------------------------------

# Attribution lines. Kept strict (a whole line, ending in the verb and a colon) so prose that
# merely mentions someone's words is never dropped.
_ATTRIBUTION = re.compile(
    r"""(
        \b(wrote|writes|said|a\ écrit|a\ ecrit|schrieb|escribió|escribio|ha\ scritto|schreef|
           napisał\(a\)|napisał|napisal|kirjoitti|skrev|scrisse|írta|escreveu|написал\(а\)|
           написал|napsal\(a\)|napsal|yazdı)\s*:?
        |寫道|写道|のメール|님이\ 작성
    )\s*[:：]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# The words an attribution opens with when the client wraps it: "On Mon, 1 Feb …, Jane Doe" /
# "<jane@example.org> wrote:" (English, French, German, Spanish, Italian, Dutch, Polish, …).
_ATTRIBUTION_START = re.compile(
    r"^(On|Le|Am|El|Il|Op|Em|W\ dniu|Dne|Den|Pe|Quoting|Citando|Zitat\ von|\*)\b", re.VERBOSE
)
# German and friends put the verb before the name: "Am 01.02.2021 um 10:00 schrieb Jane Doe:".
_ATTRIBUTION_MID = re.compile(
    r"^(Am|El|Il|Op|Em|Le|Den|Dne)\b.*\b(schrieb|escribió|ha scritto|schreef|escreveu|"
    r"a écrit|skrev|napsal)\b.*:\s*$"
)
# Horde/IMP and friends: "Quoting Jane Doe <jane@example.org>:".
_QUOTING = re.compile(r"^(Quoting|Citando|Zitat von|Excerpts from)\b.*:\s*$")
# mutt's "* Jane Doe <jane@example.org> [2021-01-01 10:00:00 +0100]:"
_MUTT = re.compile(r"^\* .+ \[[0-9][^\]]*\]:\s*$")
# Outlook's separator above the original mail, which it does not quote.
_OUTLOOK = re.compile(r"^-{3,}\s*Original Message\s*-{3,}\s*$", re.IGNORECASE)
# "On …, X wrote:>>> +foo": a client lost the line break after the attribution.
_GLUED = re.compile(r"^(\S.*\bwrote:)\s*(>.*)$")


def is_attribution(text: str, following: str | None = None) -> bool:
    """An "X wrote:" line; ``following`` is the next line, for the two-line wrapped form."""
    stripped = text.strip()
    if not stripped or len(stripped) > 300:
        return False
    if _QUOTING.match(stripped) or _MUTT.match(stripped) or _OUTLOOK.match(stripped):
        return True
    if _ATTRIBUTION_MID.match(stripped):
        return True
    return bool(_ATTRIBUTION.search(stripped)) and (
        bool(_ATTRIBUTION_START.match(stripped)) or len(stripped) < 120
    )


def starts_attribution(text: str) -> bool:
    """Whether a line opens like an attribution ("On Mon, …"): the first half of one the
    client wrapped in two."""
    return bool(_ATTRIBUTION_START.match(text.strip()))


def is_outlook_separator(text: str) -> bool:
    """"-----Original Message-----"."""
    return bool(_OUTLOOK.match(text.strip()))


def split_glued_attribution(line: str) -> tuple[str, str] | None:
    """``"On …, X wrote:> +foo"`` → ``("On …, X wrote:", "> +foo")``; None for other lines."""
    glued = _GLUED.match(line)
    return (glued.group(1), glued.group(2)) if glued else None


# Outlook pasting the original's header block "From: …" / "Sent: …" without its separator.
_HEADER_FROM = re.compile(r"^From:\s*\S")
# "Sent:" is Outlook's word; "From:/Date:" would also be a patch pasted into a comment.
_HEADER_NEXT = re.compile(r"^Sent:\s*\S")


def outlook_header_at(marked: list[tuple[int, str]], i: int) -> bool:
    """Whether line i starts a mail header block pasted by Outlook ("From: …" / "Sent: …")
    without the "-----Original Message-----" line above it."""
    return (
        bool(_HEADER_FROM.match(marked[i][1].strip()))
        and i + 1 < len(marked)
        and marked[i + 1][0] == marked[i][0]
        and bool(_HEADER_NEXT.match(marked[i + 1][1].strip()))
    )


# -- the signature ------------------------------------------------------------------------

# "Best regards, -- " / "Jane Doe": a closing with the signature separator glued to it.
_GLUED_SIGNATURE = re.compile(r"^(\S.{0,40},)\s+--\s*$")
# "____________" drawn by list servers and corporate clients above their footer.
_FOOTER = re.compile(r"^_{20,}\s*$")


def split_glued_signature(line: str) -> str | None:
    """``"Best regards, -- "`` → ``"Best regards,"`` (the "-- " then starts the signature)."""
    sig = _GLUED_SIGNATURE.match(line)
    return sig.group(1) if sig else None


def is_list_footer(text: str) -> bool:
    return bool(_FOOTER.match(text))


def signature_start(lines: list[tuple[int, str]]) -> int | None:
    """Index of the replier's "-- " line (or a list footer), when what follows is short enough
    to be a signature rather than a separator the replier drew mid-mail."""
    for i, (depth, text) in enumerate(lines):
        if depth:
            continue
        if text.rstrip() == "--" or _FOOTER.match(text):
            rest = [t for d, t in lines[i + 1 :] if d == 0 and t.strip()]
            if len(rest) <= 15:
                return i
    return None


# -- greetings, sign-offs and names around a comment ------------------------------------------

# "Hi Jane,", "Hello all", "Dear Uwe,", "Good morning!": the opening line of a mail.
_GREETING = re.compile(
    r"^(hi|hello|hey|dear|hallo|hej|hei|ciao|greetings|good (morning|afternoon|evening))\b"
    r"[^.?!]{0,40}[,!.:]?$",
    re.IGNORECASE,
)
# "Thanks,", "Best regards,", "Cheers, Jane", "Viele Grüße": the closing above a name.
_SIGNOFF = re.compile(
    r"^(thanks|thank you|many thanks|thanks a lot|thx|ta|cheers|regards|best regards|"
    r"kind regards|warm regards|best wishes|with best wishes|br|best|sincerely|yours|bye|"
    r"greetings|mit freundlichen grüßen|gruß|grüße|viele grüße|merci|cordialement|"
    r"thanks and regards|thanks & regards|gr\{oetje,eeting\}s)"
    # What follows is a name or a few more words of the closing ("Yours sincerely,", "Thanks
    # for checking.") — unless it starts an answer or a remark: "thanks will fix this.",
    # "Best to drop it.", "Thanks, but no."
    r"\b[\s,.!]*(?!(will|would|shall|i|i'll|i'd|i'm|we|we'll|to|but|not|it|it's|this|that|"
    r"please|should|can|could|must|no|yes)\b)([A-Z][\w.'-]*(\s+[A-Z][\w.'-]*){0,2})?"
    r"[\s,.!]*$",
    re.IGNORECASE,
)
# "Thanks for the review!", "Thank you very much for your feedback." — but not "Thanks for
# fixing the leak in foo_probe()", which says what was good.
_THANKS = re.compile(
    r"^(many |and )?(thanks|thank you)( (so|very) much| a lot)?,? for "
    r"((the|your)( (quick|fast|detailed|careful|thorough|valuable|helpful|kind))*"
    r" (review|reviews|feedback|comments?|patch(es)?|series|input|suggestions?|help|time|"
    r"testing|work|reply|response|explanation|clarification|update|info|information|"
    r"pointers?|heads[- ]up|catch|rephrasing)"
    r"|(spotting|catching|noticing) (this|that|it))[\s.!:)]*$",
    re.IGNORECASE,
)
# "Wei", "Jane Doe", "-George", "~ Jane".
_NAME = re.compile(r"^(?:-{1,2}|~)?\s?[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2}[.,]?$")
# A lone word shaped like a name: letters (any script), inner hyphens or apostrophes, an
# optional trailing comma. "Ditto.", "TODO", "DIV_ROUND_UP_ULL", "v2" are remarks, not names.
_NAME_WORD = re.compile(r"^(?:-{1,2}|~)?\s?([^\W\d_]+(?:['-][^\W\d_]+)*),?$")
# One-word remarks that are capitalised like a name but never one.
_NOT_NAMES = frozenset({
    "ditto", "dito", "same", "agreed", "indeed", "correct", "right", "yes", "no", "nope", "why",
    "done", "fixed", "ok", "okay", "sure", "good", "nice", "true", "typo", "here", "again",
    "likewise", "also", "this", "these", "that", "unused", "unneeded", "redundant", "nit",
    "nitpick", "huh", "hmm", "ack", "nack",
})
_WORD = re.compile(r"[^\W_]+")


def _name_words(author: str) -> set[str]:
    """Words of the sender's display name and mailbox ("Wei Liu <wei.liu@…>" → wei, liu)."""
    return {w.lower() for w in _WORD.findall(author.split("@")[0])}


def _is_closing(text: str) -> bool:
    return len(text) <= 60 and bool(_SIGNOFF.match(text))


def _is_pleasantry(line: str, author: str, *, at_end: bool = False,
                   after_closing: bool = False) -> bool:
    """A greeting, a sign-off or a lone name: not a comment a human would count.

    A lone capitalised word is taken for the replier's name only when it is the sender's, ends
    the mail (``at_end``) or follows "Thanks," (``after_closing``): under a quoted line "Ditto",
    "TODO" or "DIV_ROUND_UP_ULL" is a whole remark. "Jane." with a full stop is a name only
    after a closing; all-caps words, digits and underscores never are."""
    text = line.strip()
    if not text:
        return True
    if _is_closing(text) or (len(text) <= 60 and (_GREETING.match(text) or _THANKS.match(text))):
        return True
    if not _NAME.match(text) or len(text) > 30 or "_" in text or text.isupper():
        return False
    words = {w.lower() for w in _WORD.findall(text)}
    if words & _name_words(author):
        return True
    if len(words) > 1 and at_end and after_closing and not words & _NOT_NAMES:
        return True  # "Thanks,\nJane Doe" signed with a name other than the From: one
    if len(words) != 1 or not (at_end or after_closing) or words <= _NOT_NAMES:
        return False
    return bool(_NAME_WORD.match(text.removesuffix(".") if after_closing else text))


def pleasantries(texts: list[str], author: str, *, at_end: bool) -> list[bool]:
    """_is_pleasantry for each line of one stretch of own text, knowing what came before."""
    flags = []
    previous = ""
    for text in texts:
        flags.append(_is_pleasantry(text, author, at_end=at_end,
                                    after_closing=bool(previous) and _is_closing(previous)))
        if text.strip():
            previous = text.strip()
    return flags


def comment_text(lines: list[str], author: str, *, first: bool, last: bool) -> str:
    """One stretch of the replier's own text without the greeting opening the mail (``first``)
    and the closing and name ending it (``last``)."""
    texts = [line.rstrip() for line in lines]
    if first:
        # "Hi Jane," opening the mail; stop at the first real line.
        while texts and _is_pleasantry(texts[0], author) and (
            _GREETING.match(texts[0].strip()) or not _NAME.match(texts[0].strip())
        ):
            texts.pop(0)
    if last:
        flags = pleasantries(texts, author, at_end=True)
        while texts and flags[len(texts) - 1]:
            texts.pop()
    else:
        # "Trivial stuff inline.\n\nJonathan" above the first inline remark: the sender
        # signs the top of the mail; only the sender's own name, set apart by a blank line.
        while texts and not texts[-1].strip():
            texts.pop()
        if (
            len(texts) > 2 and not texts[-2].strip() and _NAME.match(texts[-1].strip())
            and {w.lower() for w in _WORD.findall(texts[-1])} <= _name_words(author)
        ):
            texts.pop()
    while texts and not texts[0].strip():
        texts.pop(0)
    while texts and not texts[-1].strip():
        texts.pop()
    return "\n".join(texts)
