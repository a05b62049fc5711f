"""One plain mail for thread-list tests: a subject, an author, a day of January 2024, and
optionally the mail it answers. Enough to thread, sort and filter; no body worth reading."""

from __future__ import annotations


def list_mail(msgid: str, subject: str, author: str, day: int, parent: str | None = None) -> str:
    reply = f"In-Reply-To: <{parent}>\nReferences: <{parent}>\n" if parent else ""
    return (
        f"From x@y Mon Jan  1 00:00:00 2024\nFrom: {author} <{author.lower()}@example.org>\n"
        f"Subject: {subject}\nMessage-ID: <{msgid}>\n{reply}"
        f"Date: Mon, {day:02d} Jan 2024 10:00:00 +0000\n\nbody of {msgid}\n\n"
    )
