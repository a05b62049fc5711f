"""The main window's side of writing a review: the drafts store, who replies are from.

Mixed into MainWindow (like viewer.ui.window_actions), so the window file keeps to opening,
showing and moving; viewer.ui.drafting does the work on the review page.
"""

from __future__ import annotations

import sqlite3
from email.utils import parseaddr

from PySide6.QtWidgets import QInputDialog

from viewer.core.drafts import DraftStore
from viewer.core.identity import Identity, git_identity
from viewer.ui.drafting import Drafting


class WindowDrafting:
    """Builds ``self.drafting`` and answers :meth:`user_identity` for it."""

    def _build_drafting(self) -> None:
        """The user's own review (drafts on the page, the compose window), when the page can
        show it; a drafts file that cannot be opened costs drafting, never the window."""
        self.drafting: Drafting | None = None
        self._git_identity: Identity | None = None
        if not hasattr(self.patch_view, "editor"):  # the plain fallback view
            return
        try:
            drafts = DraftStore()
        except (sqlite3.Error, OSError) as error:
            self.messages.warning(f"Drafts cannot be written: {error}")
            return
        if drafts.recovered_from is not None:
            self.messages.warning(f"The drafts file was damaged and has been set aside "
                                  f"({drafts.recovered_from.name}); starting afresh.")
        self.drafting = Drafting(self.patch_view, drafts, self.user_identity, self.messages,
                                 self)
        self.drafting.replied.connect(self._on_replied)

    def user_identity(self) -> Identity:
        """Who replies are from: the identity set in the settings, else git config user.*."""
        name, email = self.settings.identity
        if email:
            return Identity(name, email.lower())
        if self._git_identity is None:
            where = str(self.archive.path.parent) if self.archive is not None else None
            self._git_identity = git_identity(where)
        return Identity(name or self._git_identity.name, self._git_identity.email)

    def set_identity_dialog(self) -> None:
        current = self.user_identity()
        text, ok = QInputDialog.getText(
            self, "Identity for replies",
            "Name <email> your replies are from (empty: git config user.name/user.email):",
            text=str(current) if self.settings.identity[1] else "")
        if not ok:
            return
        name, email = parseaddr(text)
        if text.strip() and "@" not in email:
            self.messages.error(f"Not an address: {text!r}; expected 'Name <you@example.org>'.")
            return
        self.settings.identity = (name, email) if text.strip() else ("", "")
        self.messages.info(f"Replies are from {self.user_identity()}.")

    def _on_replied(self, msgid: str) -> None:
        if self.triage is not None and self.archive is not None:
            from viewer.core.triage import sent_from_hunkwise

            changed = self.triage.apply_transitions(sent_from_hunkwise(self.archive,
                                                                       self.drafting.store))
            if changed and hasattr(self.model, "triage_changed"):
                self.model.triage_changed()  # the list shows the series as replied
