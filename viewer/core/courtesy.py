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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from viewer.core.message import Person

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
# Claws Mail and Sylpheed put the date after the verb: "Jane <jane@example.org> wrote on Mon,
# 4 Mar 2024 10:00:00 +0100:"; the line may be wrapped before the colon (see
# attribution_continues).
_WROTE_ON = re.compile(r"\b(wrote|writes|said)\s+on\b.*\d.*:\s*$", re.IGNORECASE)
_WROTE_ON_OPEN = re.compile(r"\b(wrote|writes|said)\s+on\b.*\d", re.IGNORECASE)
# alot and other notmuch front ends: "Quoting Jane Doe (2023-11-03 16:34:27)", no colon.
_QUOTING_DATE = re.compile(r"^Quoting\b.+\(\d{4}-\d\d-\d\d[^)]*\)\s*:?\s*$")
# Outlook's separator above the original mail, which it does not quote.
_OUTLOOK = re.compile(r"^-{3,}\s*Original Message\s*-{3,}\s*$", re.IGNORECASE)
# "On …, X wrote:>>> +foo": a client lost the line break after the attribution.
_GLUED = re.compile(r"^(\S.*\bwrote:)\s*(>.*)$")


def is_attribution(text: str) -> bool:
    """An "X wrote:" line (see :func:`attribution_continues` for one wrapped in two)."""
    stripped = text.strip()
    if not stripped or len(stripped) > 300:
        return False
    if _QUOTING.match(stripped) or _MUTT.match(stripped) or _OUTLOOK.match(stripped):
        return True
    if _QUOTING_DATE.match(stripped) or (_WROTE_ON.search(stripped) and len(stripped) < 200):
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


def attribution_continues(first: str, second: str) -> bool:
    """Whether ``second`` ends an attribution the client wrapped after ``first``: Claws Mail's
    "Jane <jane@example.org> wrote on Mon, 4 Mar 2024" / "10:00:00 +0100:" (the second half
    is the rest of the date and the colon)."""
    tail = second.strip()
    return (
        bool(_WROTE_ON_OPEN.search(first.strip()))
        and not first.rstrip().endswith(":")
        and len(tail) <= 40
        and tail.endswith(":")
        and any(c.isdigit() for c in tail)
    )


def is_outlook_separator(text: str) -> bool:
    """"-----Original Message-----"."""
    return bool(_OUTLOOK.match(text.strip()))


def split_glued_attribution(line: str) -> tuple[str, str] | None:
    """``"On …, X wrote:> +foo"`` → ``("On …, X wrote:", "> +foo")``; None for other lines."""
    glued = _GLUED.match(line)
    return (glued.group(1), glued.group(2)) if glued else None


# Outlook pasting the original's header block without its separator, one field a line
# ("From: Jane Doe <…>" / "Sent: Monday, March 4, 2024 10:00 AM" / "To: …" / "Subject: …") or run
# together on one or two lines when the text was re-flowed. "Sent:" (or its German and French
# words) is what tells it from a git patch pasted into a comment, which has "From:/Date:".
_HEADER_FROM = re.compile(r"^(From|Von|De)\s?:\s*\S", re.IGNORECASE)
_HEADER_SENT = re.compile(r"(^|\s)(Sent|Gesendet|Envoyé)\s?:\s*\S", re.IGNORECASE)
_HEADER_REST = re.compile(r"(^|\s)(To|An|À|Subject|Betreff|Objet|Cc)\s?:\s*\S", re.IGNORECASE)


def outlook_header_at(marked: list[tuple[int, str]], i: int) -> bool:
    """Whether line i starts a mail header block pasted by Outlook ("From: … Sent: …") without
    the "-----Original Message-----" line above it: a "From:" line with "Sent:" on it or on the
    next line, and "To:" or "Subject:" before the block's blank line."""
    depth, text = marked[i]
    if not _HEADER_FROM.match(text.strip()):
        return False
    block = []
    for d, line in marked[i : i + 8]:
        if d != depth or not line.strip():
            break
        block.append(line.strip())
    return bool(_HEADER_SENT.search(" ".join(block[:2]))) and bool(
        _HEADER_REST.search(" ".join(block))
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
            # What follows it up to the next quote: a signature put above the quoted mail
            # (Outlook starts the cursor there) has the answers under the quote after it.
            rest = []
            for d, t in lines[i + 1 :]:
                if d:
                    break
                if t.strip():
                    rest.append(t)
            if len(rest) <= 15:
                return i
    return None


# -- greetings, sign-offs and names around a comment ------------------------------------------

# "Hi Jane,", "Hello all", "Dear Uwe,", "Good morning!": the opening line of a mail.
_GREETING = re.compile(
    r"^(hi|hello|hey|heya|hiya|howdy|yo|dear|hallo|hej|hei|moin|servus|salut|bonjour|hola|"
    r"ahoj|ciao|greetings|(good )?(morning|afternoon|evening))\b"
    r"[^.?!]{0,40}[,!.:]?$",
    re.IGNORECASE,
)
# "Thanks,", "Best regards,", "Cheers, Jane", "Viele Grüße": the closing above a name.
_SIGNOFF = re.compile(
    r"^(thanks|thank you|many thanks|thanks a lot|thx|tia|ta|cheers|regards|best regards|"
    r"kind regards|warm regards|best wishes|with best wishes|br|best|bests|sincerely|yours|bye|"
    r"hth|take care|all the best|ciao|pozdrawiam|groetjes|saludos|mvh|"
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
    r"^(many |and )?(thanks|thank you)( again)?( (guys|all|both|everyone|folks))?"
    r"( (so|very) much| a lot)?( again)?"
    r",? for "
    r"((the|your)( (quick|fast|detailed|careful|thorough|valuable|helpful|kind))*"
    r" (review|reviews|feedback|comments?|patch(es)?|series|input|suggestions?|help|time|concern|"
    r"analysis|review/help|"
    r"testing|work|reply|response|explanation|clarification|update|info|information|"
    r"pointers?|heads[- ]up|catch|rephrasing)"
    r"|(spotting|catching|noticing) (this|that|it)"
    # Thanks for doing the review, whatever it was run on: "Thanks for testing this on the
    # odroid board!", "Thanks for looking at this." — the process, not the patch's content.
    r"|(testing|reviewing|looking( at| into)?|checking|trying)\b[^.?!]{0,40})[\s.!:)]*$",
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

# -- whole paragraphs that say nothing about the patch ----------------------------------------

# A greeting standing alone as a sentence: the greeting word and at most two more ("Hi Ming Yu,",
# "Hello all", "Yo,"). Stricter than _GREETING because it is used in the middle of a review too,
# where "Hey, this leaks memory." must stay a remark.
_GREETING_FILLER = r"(?i:all|everyone|everybody|folks|guys|there|team|et|and|&|again|both)"
_GREETING_ALONE = re.compile(
    r"^(?i:hi|hello|hey|heya|hiya|howdy|yo|dear|hallo|hej|hei|moin|servus|salut|bonjour|hola|"
    r"ahoj|ciao|greetings|(good )?(morning|afternoon|evening))\b,?"
    # "Hi Uwe et all,", "Hi Evan and Julius,", "Hi Guenter/Wim," end like a greeting, with names
    # (capitalised) and fillers ("all", "and"); with a full stop or nothing after them only two
    # words may follow ("Hello Jane."). "Hi, this is wrong!" is a remark.
    r"((\s+(" + _GREETING_FILLER + r"|[^\W\d_a-z][\w.'/&-]*),?){0,5}\s*[,!:]+"
    r"|(\s+(" + _GREETING_FILLER + r"|[^\W\d_a-z][\w.'-]*),?){0,2}\s*[.]?)\s*$"
)
# The sentence announcing a review rather than making a remark: "Nits:", "A few comments
# below:", "Some initial comments inline.", "I only took a very quick look.", "… see below."
# Code-like text (brackets, underscores, "->", "=") is never taken for one.
_LEAD_IN = re.compile(
    r"""^(
        # "A few other comments inline.", "Just a few really quick comments as I'm out of time."
        (just\ |only\ |and\ |also\ )?(a\ few|some|several|a\ couple\ of|few|more|other|minor|
            small|initial|quick|various|two|three|my|a\ bunch\ of)
        (\ (really|very|more|other|minor|small|quick|initial|random|further|additional|trivial|
            nit|style|cosmetic|general|few|last|final))*
        \ (comments?|nits?|nitpicks?|remarks?|things|notes|questions|suggestions|points|
            observations)
        (\ (below|inline|in-line|in\ line|follow(ing)?|as\ (i|i'm|i\ am|well)|to\ add|from\ me|
            on\ (this|the)\ (patch|series|version|revision|driver)|for\ (this|the|now)|here|then)
            [^.!?:,]{0,60})?
        # "Comments inline.", "My comments below:"
        |((my|more|some|other|various|minor|further|additional|few|just|only|a\ few)\ )*
            (comments?|nits?|nitpicks?|notes|questions|remarks|things|feedback)\ (are\ )?
            (below|inline|in-line|in\ line|follow)
        # "I have some notes and some questions, see below."
        |.*\b(comments?|notes|questions|nits|remarks|thoughts)\b[^.!?]*\bsee\ (below|inline)
        |see\ (my\ )?(comments?\ )?(below|inline)
        # "I only took a very quick look and one thing jumped out at me."
        |.*\b(took|had|did|have|having|taking)\s+(only\s+)?a\s+(very\s+|really\s+)?
            (quick|brief|short|first|cursory|superficial)\s+(look|glance|pass|scan|review)\b.*
        # a heading alone: "Nits:", "A few nits:", "Minor:"
        |(nits?|nitpicks?|comments?|minor|review|questions?|a\ few\ nits|some\ nits|more\ nits|
            one\ more\ thing|a\ few\ things|some\ things|general\ comments?|(minor|small)\ nits?)
    )\s*[:.…!]*$""",
    re.IGNORECASE | re.VERBOSE,
)
# Excuses for the time it took: "Sorry for the late reply.", "I was OoO last week so just getting
# to this now."
_DELAY = re.compile(
    r"\b(sorry|apologies)\s+(for|about)\s+(the|my)\s+(late|delayed|slow)\s+"
    r"(reply|response|answer|review)"
    r"|\b(sorry|apologies)\s+for\s+the\s+delay\b"
    r"|\b(was|been|am)\s+(ooo|out\s+of\s+(the\s+)?office|on\s+(vacation|holiday|leave|pto)|"
    r"away|travell?ing)\b"
    r"|\bjust\s+getting\s+(back\s+)?to\s+this\b",
    re.IGNORECASE,
)
_CODE_LIKE = re.compile(r"[()\[\]{}_=<>/\\|;]|->")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _courtesy_sentence(sentence: str) -> bool:
    text = sentence.strip()
    if not text:
        return True
    if len(text) > 120 or _CODE_LIKE.search(text):
        return False
    return bool(
        _GREETING_ALONE.match(text) or _THANKS.match(text) or _is_closing(text)
        or _LEAD_IN.match(text) or _DELAY.search(text)
    )


def is_courtesy_paragraph(lines: list[str]) -> bool:
    """Whether a paragraph is only greetings, thanks, a lead-in announcing the review or an
    excuse for its delay, sentence by sentence ("Hi Jonathan, Krzysztof,", "Thank you guys so
    much for your review.", "A few other comments inline.", "Thanks for the review. I was OoO
    last week so just getting to this now."). One sentence with a remark in it keeps it all:
    "Some initial comments inline. I didn't do a thorough review yet as …" is a remark."""
    text = " ".join(line.strip() for line in lines if line.strip())
    if not text:
        return False
    return all(_courtesy_sentence(s) for s in _SENTENCE_END.split(text))


# The line a reviewer writes above a trailer to say on what terms it is given: "With that
# fixed,", "Other than that:", "Looks good to me." A question or a request is a remark instead:
# "Why b? Otherwise fine." keeps its card.
_TRAILER_LEAD_IN = re.compile(
    r"^((with|after)\s+(that|this|these|those|the\s+above|the\s+nits?|the\s+comments?)\b.*"
    r"|(other\s+than|apart\s+from|except\s+for|besides)\s+(that|this|these|the)\b.*"
    r"|(otherwise|if\s+so|fwiw|for\s+what\s+it'?s\s+worth|for\s+(this|the)\s+(patch|series|"
    r"whole\s+series)|feel\s+free\s+to\s+add|you\s+can\s+add|please\s+add|"
    r"(and|also)\s+for\s+(this|the)\s+\w+)\b.*"
    # "All patches of this series:", "For the whole set,"
    r"|(for\s+)?(all|both|each|every|the\s+whole|the\s+entire)\s+(\w+\s+)?(patch|patches|"
    r"series|set)\b.*[:,]"
    # A condition the tag is given on: "With a filename matching a compatible,", "Once the
    # binding is fixed:", "For sort order and dtbs_check:".
    r"|(with|after|once|provided|assuming|given|if|when|for)\b.*[:,]"
    r"|.*\b(looks?|seems?)\s+(\w+\s+)?(good|fine|ok|okay|sane|sensible|reasonable|correct|great|"
    r"right)\b.*|.*\b(lgtm|makes\s+sense|fine\s+(by|with)\s+me)\b.*)$",
    re.IGNORECASE,
)


_CODE_IN_LEAD_IN = re.compile(r"[()\[\]{}=;]|->")


def is_trailer_lead_in(line: str) -> bool:
    """Whether one line written right above a Reviewed-by (same paragraph) only says on what
    terms the tag is given, so it goes with the tag rather than making a card of its own."""
    text = line.strip()
    return (
        0 < len(text) <= 100 and "?" not in text and not _CODE_IN_LEAD_IN.search(text)
        and bool(_TRAILER_LEAD_IN.match(text))
    )


def _name_words(author: Person) -> set[str]:
    """Words of the sender's display name and mailbox ("Wei Liu <wei.liu@…>" → wei, liu)."""
    return {w.lower() for w in _WORD.findall(f"{author.name} {author.email.split('@')[0]}")}


def _is_closing(text: str) -> bool:
    return len(text) <= 60 and bool(_SIGNOFF.match(text))


# What phones and webmail put under the text: "Sent from my iPhone", "Get Outlook for Android".
_SENT_FROM = re.compile(
    r"^(sent from my\b.{0,40}|sent from (outlook|yahoo mail|mail for windows|proton mail)\b.{0,40}"
    r"|get outlook for (ios|android)|sent with proton ?mail.{0,40})$",
    re.IGNORECASE,
)
# The legal notice corporate mail servers append below the text, without a "-- " above it.
# Two of its usual phrases must be there: a remark about confidential data has one at most.
_DISCLAIMER_PHRASES = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"\bconfidential",
    r"\bintended (solely |only )?for the (use of the )?(individual|addressee|named recipient|"
    r"recipient)|\bintended recipient",
    r"\bif you (are not|have received this)",
    r"\b(notify|inform) the sender\b|\b(delete|destroy) (it|this|the)\b",
    r"\b(disclos|distribut|copying|dissemination)",
))


def is_disclaimer(lines: list[str]) -> bool:
    """A paragraph of the legal notice some company mail servers append to every mail."""
    text = " ".join(line.strip() for line in lines if line.strip())
    return len(text) >= 60 and sum(bool(p.search(text)) for p in _DISCLAIMER_PHRASES) >= 2


_THANKS_WORD = re.compile(r"\b(thanks|thank|thx)\b", re.IGNORECASE)


def _is_greeting(text: str) -> bool:
    """"Hi Jane,", "Hello all!", or a greeting with thanks on the same line ("Hi, many thanks
    for the quick review"); "Hey, this leaks memory." is a remark that opens with "Hey"."""
    text = text.strip()
    if _GREETING_ALONE.match(text):
        return True
    # "Hi dee Ho peeps,", "Hi heiko,": a looser greeting still ends like one.
    return bool(_GREETING.match(text)) and "?" not in text and (
        text.endswith((",", "!", ":")) or bool(_THANKS_WORD.search(text))
    )


def _is_pleasantry(line: str, author: Person, *, at_end: bool = False,
                   after_closing: bool = False) -> bool:
    """A greeting, a sign-off or a lone name: not a comment a human would count.

    A lone capitalised word is taken for the replier's name only when it is the sender's, ends
    the mail (``at_end``) or follows "Thanks," (``after_closing``): under a quoted line "Ditto",
    "TODO" or "DIV_ROUND_UP_ULL" is a whole remark. "Jane." with a full stop is a name only
    after a closing; all-caps words, digits and underscores never are."""
    text = line.strip()
    if not text:
        return True
    if _is_closing(text) or (len(text) <= 60 and (_is_greeting(text) or _THANKS.match(text))):
        return True
    if _SENT_FROM.match(text):
        return True
    if len(text.rstrip(".")) == 1 and text[0].isalpha() and text[0].lower() in {
        w[0] for w in _name_words(author)
    }:
        return True  # "J" or "J.": the sender signing with an initial
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


def pleasantries(texts: list[str], author: Person, *, at_end: bool) -> list[bool]:
    """_is_pleasantry for each line of one stretch of own text, knowing what came before."""
    flags = []
    previous = ""
    for text in texts:
        flags.append(_is_pleasantry(text, author, at_end=at_end,
                                    after_closing=bool(previous) and _is_closing(previous)))
        if text.strip():
            previous = text.strip()
    return flags


def _paragraphs(texts: list[str]) -> list[list[str]]:
    """Lines grouped by the blank lines between them (the blank lines kept with the group
    before them, so joining the groups gives the lines back)."""
    groups: list[list[str]] = []
    for text in texts:
        if groups and (not text.strip() or groups[-1][-1].strip()):
            groups[-1].append(text)
        else:
            groups.append([text])
    return groups


def _trim_closing(texts: list[str], author: Person) -> list[str]:
    """Drop a sign-off ending a stretch of own text in the middle of a mail: "Why b?" /
    "Thanks," / "Guenter" above the next quote. Only a run that holds a closing goes, so a
    last one-word remark ("Rename.") stays."""
    while texts and not texts[-1].strip():
        texts.pop()
    flags = pleasantries(texts, author, at_end=False)
    k = len(texts)
    while k and flags[k - 1]:
        k -= 1
    if k < len(texts) and any(_is_closing(t.strip()) for t in texts[k:]) and any(
        t.strip() for t in texts[:k]
    ):
        return texts[:k]
    return texts


def comment_text(lines: list[str], author: Person, *, first: bool, last: bool) -> str:
    """One stretch of the replier's own text without the greeting opening the mail (``first``),
    the courtesy paragraphs opening any stretch (greetings, thanks, lead-ins such as "A few
    comments below:") and the closing and name ending it (``last``, or a closing above the
    next quote)."""
    texts = [line.rstrip() for line in lines]
    if first:
        # "Hi Jane," opening the mail; stop at the first real line.
        while texts and _is_pleasantry(texts[0], author) and (
            _GREETING.match(texts[0].strip()) or not _NAME.match(texts[0].strip())
        ):
            texts.pop(0)
    # "Hi Ming Yu," in the middle of a review, "Thank you guys so much for your review." or
    # "Nits:" above the remarks: whole paragraphs only, so "Nits:\n- foo" keeps its heading.
    while texts and not texts[0].strip():
        texts.pop(0)
    groups = _paragraphs(texts)
    while len(groups) > 1 and is_courtesy_paragraph(groups[0]):
        groups.pop(0)
    if len(groups) == 1 and is_courtesy_paragraph(groups[0]):
        return ""
    texts = [text for group in groups for text in group]
    if last:
        # "This e-mail and any attachments are confidential …" under the last remark.
        groups = _paragraphs(texts)
        while len(groups) > 1 and is_disclaimer(groups[-1]):
            groups.pop()
        texts = [text for group in groups for text in group]
        flags = pleasantries(texts, author, at_end=True)
        while texts and flags[len(texts) - 1]:
            texts.pop()
    else:
        texts = _trim_closing(texts, author)
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
