"""What a thread-list row stands for when its mail is not in the mailbox.

A placeholder is a Message-ID that replies reference but that the mailbox lacks (the cover
letter of a series mailed to another list, a message cut off when the archive was split). Its
children say what it was: patches numbered n/N answer their cover letter 0/N, and "Re: X"
answers X. Judged from headers only, like the rest of the list.
"""

from __future__ import annotations

from collections.abc import Callable

from viewer.core.subject import SubjectInfo, strip_reply
from viewer.core.threader import ThreadNode

MISSING = "(not in this mailbox)"
"""The subject of a placeholder whose children say nothing (none of them is a real mail)."""


def implied_subject(node: ThreadNode, info_of: Callable[[str], SubjectInfo]) -> str:
    """The subject a placeholder's replies imply, saying that the mail itself is missing.

    ``info_of`` parses a real child's subject (Archive.subject_info). A patch child n/N gives
    "[PATCH v2 0/N] …, cover letter not in this mailbox": the cover's own words are unknown,
    only its prefix and count are. A reply child "Re: [PATCH 3/5] foo" gives
    "[PATCH 3/5] foo, not in this mailbox". Patches win over replies because a cover letter
    is what a series' patches hang under; among replies the earliest listed decides.
    """
    children = [c for c in node.children if c.entry is not None]
    for child in children:
        info = info_of(child.msgid)
        if info.is_patch and not info.is_reply and info.counter and info.total:
            words = [w.upper() if w in ("patch", "rfc", "resend") else w for w in info.prefixes]
            if info.version > 1:
                words.append(f"v{info.version}")
            width = len(str(info.total))
            words.append(f"{0:0{width}d}/{info.total}")
            return f"[{' '.join(words)}] …, cover letter not in this mailbox"
    for child in children:
        assert child.entry is not None
        subject, is_reply = strip_reply(child.entry.subject)
        if is_reply and subject:
            return f"{subject}, not in this mailbox"
    return MISSING
