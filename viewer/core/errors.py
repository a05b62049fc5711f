"""Typed errors worded for humans.

The command line prints ``str(error)`` as its one-line message and the GUI shows the same text
in its message bar, so every message must make sense to a user without a traceback.
"""

from __future__ import annotations


class HunkwiseError(Exception):
    """Base of every error the engine raises on purpose."""


class MailboxError(HunkwiseError):
    """The input is not readable as mail at all (missing, unreadable, not a mailbox, truncated)."""


class MessageNotFound(HunkwiseError):
    """A Message-ID asked for is not in the mailbox."""


class LoadCancelled(HunkwiseError):
    """The user cancelled loading a mailbox; not an error to report, just stop quietly."""


class NotASeries(HunkwiseError):
    """A range-diff or revision report was asked of mails that belong to no patch series."""
