"""A reply mail composed from drafts, the way a careful kernel reviewer writes it in mutt.

One reply goes to each patch (or cover letter) the user commented on, and one to each other
reviewer's mail the user answered inside: ``Re: <subject>``, ``In-Reply-To`` and the full
``References`` chain, ``To`` the author, ``Cc`` the original To and Cc minus the user, a fresh
``Message-ID`` and ``Date``. How the body quotes is viewer.core.quoting's.

The mail is UTF-8 plain text (8bit, as git send-email sends it; quoted-printable only for a
line too long for SMTP), no format=flowed (it would let clients re-flow the quoted diff), no
HTML.

The round trip is the contract: a reply composed here, read back by viewer.core.anchoring,
puts each comment on the line it was written on (tests/test_reply_roundtrip.py checks it on
real mail).
"""

from __future__ import annotations

import email.policy
import email.utils
import logging
import os
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from viewer import __version__
from viewer.core.drafts import Draft
from viewer.core.errors import HunkwiseError
from viewer.core.headers import parse_people
from viewer.core.identity import Identity
from viewer.core.message import Message, Person
from viewer.core.quoting import answer_body, patch_body

log = logging.getLogger(__name__)

_SMTP_LINE = 998  # RFC 5322's hard limit for a line; longer ones need quoted-printable
# Long lines rather than RFC 2047: a Message-ID longer than 78 columns must not be encoded.
_POLICY = email.policy.default.clone(linesep="\n", max_line_length=_SMTP_LINE)
_REPLY_PREFIX = re.compile(r"^\s*re\s*:", re.IGNORECASE)


class MailSource(Protocol):
    """What composing needs of an opened mailbox (viewer.core.archive.Archive has it)."""

    def message(self, msgid: str) -> Message: ...

    def __contains__(self, msgid: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class ComposedReply:
    """One reply, ready to save or send; :meth:`as_bytes` is the mail."""

    msgid: str
    """The fresh Message-ID, without angle brackets."""
    in_reply_to: str
    """The mail answered: the patch, the cover letter, or another reviewer's reply."""
    patch_msgid: str
    """The patch or cover letter the drafts are on."""
    sender: Identity
    to: tuple[Person, ...]
    cc: tuple[Person, ...]
    subject: str
    date: str
    """The Date header, RFC 5322."""
    references: tuple[str, ...]
    body: str
    draft_ids: tuple[int, ...] = ()
    """Store ids of the drafts it carries (archived when it is sent)."""
    unplaced: tuple[int, ...] = field(default=(), compare=False)
    """Drafts whose line is no longer in the patch, sent as general comments instead."""

    def message(self) -> EmailMessage:
        mail = EmailMessage(policy=_POLICY)
        mail["From"] = _address(Person(self.sender.name, self.sender.email))
        mail["To"] = [_address(p) for p in self.to]
        if self.cc:
            mail["Cc"] = [_address(p) for p in self.cc]
        mail["Subject"] = self.subject
        mail["Date"] = self.date
        mail["Message-ID"] = f"<{self.msgid}>"
        mail["In-Reply-To"] = f"<{self.in_reply_to}>"
        mail["References"] = " ".join(f"<{ref}>" for ref in self.references)
        mail["User-Agent"] = f"Hunkwise/{__version__}"
        mail.set_content(self.body, charset="utf-8", cte=_transfer_encoding(self.body))
        return mail

    def as_bytes(self) -> bytes:
        return self.message().as_bytes()


def _address(person: Person) -> Address:
    user, _, domain = person.email.rpartition("@")
    return Address(display_name=person.name, username=user or person.email, domain=domain)


def _transfer_encoding(body: str) -> str:
    """7bit for ASCII, 8bit for UTF-8 (what git send-email sends), quoted-printable only when a
    line is too long for SMTP: quoted lines must arrive as they were, not re-encoded."""
    if any(len(line.encode("utf-8")) > _SMTP_LINE for line in body.split("\n")):
        return "quoted-printable"
    return "7bit" if body.isascii() else "8bit"


# -- composing --------------------------------------------------------------------------------


def reply_subject(subject: str) -> str:
    return subject if _REPLY_PREFIX.match(subject) else f"Re: {subject}"


def _recipients(original: Message, me: Identity) -> tuple[tuple[Person, ...], tuple[Person, ...]]:
    """To the author; Cc everyone on the original's To and Cc, minus the user and the author."""
    mine = me.email.lower()
    to = (original.author,) if original.author.email.lower() != mine else ()
    seen = {mine, original.author.email.lower()}
    cc: list[Person] = []
    for person in (*original.to, *original.cc):
        address = person.email.lower()
        if not address or address in seen or "@" not in address:
            continue
        seen.add(address)
        cc.append(person)
    if not to and cc:  # replying to one's own patch: the list gets it
        to, cc = (cc[0],), cc[1:]
    return to, tuple(cc)


def _references(original: Message) -> tuple[str, ...]:
    refs = list(original.references)
    if original.in_reply_to and original.in_reply_to not in refs:
        refs.append(original.in_reply_to)
    refs.append(original.msgid)
    return tuple(dict.fromkeys(refs))


def _domain(identity: Identity) -> str:
    return identity.email.rpartition("@")[2] or "hunkwise.invalid"


def new_msgid(identity: Identity) -> str:
    return email.utils.make_msgid("hunkwise", domain=_domain(identity)).strip("<>")


def compose(
    source: MailSource,
    drafts: Sequence[Draft],
    identity: Identity,
    *,
    signoff: str | None = None,
    now: float | None = None,
) -> list[ComposedReply]:
    """Every reply the drafts call for: one per patch or cover letter with comments, one per
    other reviewer's mail answered. Drafts on mail not in ``source`` are skipped (logged)."""
    require_sender(identity)
    if signoff is None:
        signoff = default_signoff(identity)
    stamp = email.utils.format_datetime(
        email.utils.localtime(None if now is None else _datetime(now))
    )
    groups: dict[tuple[str, str], list[Draft]] = {}
    for draft in drafts:
        if draft.state != "draft":
            continue
        target = draft.quote_msgid if draft.mode == "answer" and draft.quote_msgid else None
        key = (draft.patch_msgid, target or draft.patch_msgid)
        groups.setdefault(key, []).append(draft)
    replies: list[ComposedReply] = []
    for (patch_msgid, answered), group in groups.items():
        if answered not in source:
            log.warning("%d drafts answer <%s>, which is not in the mailbox", len(group), answered)
            continue
        original = source.message(answered)
        if answered == patch_msgid:
            body, unplaced = patch_body(original, group, signoff, identity)
        else:
            body, unplaced = answer_body(original, group, signoff), ()
        to, cc = _recipients(original, identity)
        replies.append(
            ComposedReply(
                msgid=new_msgid(identity),
                in_reply_to=answered,
                patch_msgid=patch_msgid,
                sender=identity,
                to=to,
                cc=cc,
                subject=reply_subject(original.subject),
                date=stamp,
                references=_references(original),
                body=body,
                draft_ids=tuple(d.id for d in group if d.id is not None),
                unplaced=unplaced,
            )
        )
    return replies


class NoIdentity(HunkwiseError):
    """A reply needs a From: address and git has none configured."""


def require_sender(identity: Identity) -> Identity:
    """The identity, or an error saying how to give one (a reply cannot go out without)."""
    if not identity.email:
        raise NoIdentity(
            "who are you? set it with: git config --global user.name 'Your Name' && "
            "git config --global user.email you@example.org (or in Hunkwise's settings)"
        )
    return identity


def default_signoff(identity: Identity) -> str:
    """"Thanks," and the first name: the closing most kernel reviewers type."""
    first = identity.name.split()[0] if identity.name.split() else identity.email.split("@")[0]
    return f"Thanks,\n{first}"


def _datetime(epoch: float):
    import datetime

    return datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)


def edited(reply: ComposedReply, *, to: str, cc: str, subject: str, body: str) -> ComposedReply:
    """The reply as the user edited it in the compose window (threading headers stay)."""
    def people(text: str) -> tuple[Person, ...]:
        # headers.parse_people keeps an unquoted "Hawkins, Nick <nick@x>" one person
        found = parse_people(text)
        return tuple(Person(name, address) for name, address in found if "@" in address)

    recipients = people(to)
    if not recipients:
        raise HunkwiseError("the reply needs at least one address in To:")
    text = body.replace("\r\n", "\n")
    return replace(reply, to=recipients, cc=people(cc), subject=subject.strip() or reply.subject,
                   body=text if text.endswith("\n") else text + "\n")


def append_to_mbox(
    path: str | os.PathLike[str], reply: ComposedReply, *, protected: Iterable[Path] = ()
) -> None:
    """Append the reply to an mbox (for ``git send-email`` or ``mutt -H``); never to one of
    ``protected`` (the mailbox under review: it is never written)."""
    target = Path(path).expanduser().resolve()
    if any(target == Path(p).expanduser().resolve() for p in protected):
        raise HunkwiseError(f"{target.name} is the mailbox being reviewed, which Hunkwise "
                            "never writes; choose another file")
    try:
        with target.open("ab") as out:
            out.write(mbox_entry(reply.as_bytes()))
    except OSError as error:
        raise HunkwiseError(f"cannot append to {target}: {error.strerror}") from error


def mbox_entry(raw: bytes, *, sender: str = "hunkwise", when: float | None = None) -> bytes:
    """The mail as an mbox entry (mboxrd: body lines starting with ``>*From `` get one more
    ``>``), for appending to a mailbox that git send-email or ``mutt -H`` reads."""
    stamp = time.asctime(time.gmtime(when if when is not None else time.time()))
    escaped = re.sub(rb"(?m)^(>*From )", rb">\1", raw)
    if not escaped.endswith(b"\n"):
        escaped += b"\n"
    return f"From {sender} {stamp}\n".encode() + escaped + b"\n"
