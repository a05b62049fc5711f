"""Typed errors worded for humans.

The command line prints ``str(error)`` as its one-line message and the GUI shows the same text
in its message bar, so every message must make sense to a user without a traceback.
"""

from __future__ import annotations


class HunkwiseError(Exception):
    """Base of every error the engine raises on purpose."""


class MailboxError(HunkwiseError):
    """The input is not readable as mail at all (missing, unreadable, not a mailbox, truncated)."""


class NotAMailbox(MailboxError):
    """The file is readable but holds no mail: an image, JSON, a config file, one stray byte.

    Its message says what the file seems to be, so a user who picked the wrong file sees why.
    """


class MessageNotFound(HunkwiseError):
    """A Message-ID asked for is not in the mailbox."""


class LoadCancelled(HunkwiseError):
    """The user cancelled loading a mailbox; not an error to report, just stop quietly."""


class NotASeries(HunkwiseError):
    """A range-diff or revision report was asked of mails that belong to no patch series."""


# -- lore / public-inbox ------------------------------------------------------------------------


class LoreError(HunkwiseError):
    """Fetching from a public-inbox server failed; the message names the server and the cause."""


class LoreNotFound(LoreError):
    """The server has no message with that Message-ID (HTTP 404), or a search found nothing."""


class LoreAmbiguous(LoreError):
    """HTTP 300: the id is unknown but close to others, or it lives in several inboxes."""

    def __init__(self, message: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.candidates = candidates
        """URLs the server suggested, in its order (partial matches or other inboxes)."""


class LoreUnreachable(LoreError):
    """No answer at all: unknown host name, connection refused, TLS verification failed."""


class LoreTimeout(LoreError):
    """The server accepted the connection but did not answer in time."""


class LoreBadBody(LoreError):
    """The server answered, but not with a gzipped mailbox (an HTML page, plain text, junk)."""
