"""The thread list's rows and columns: what each row is, the roles and the columns it shows.

Shared by the model (viewer.ui.thread_model) and the cell texts (viewer.ui.thread_cells).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from viewer.core.threader import ThreadNode

MSGID_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
UNREAD_ROLE = Qt.ItemDataRole.UserRole + 3

# data() runs thousands of times a repaint: compare roles as plain ints, not enum members.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_MSGID, _KIND, _UNREAD = int(MSGID_ROLE), int(KIND_ROLE), int(UNREAD_ROLE)
_ROLES = frozenset({_DISPLAY, _FONT, _FOREGROUND, _ALIGN, _TOOLTIP, _MSGID, _KIND, _UNREAD})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

GROUP, MESSAGE = "group", "message"

COLUMNS = ("Subject", "From", "Date", "Ver", "Msgs", "A/R/T", "Cmts", "Marks")
_COLUMN_TIPS = (
    "Subject as sent",
    "Author",
    "Date sent (local time)",
    "Series version (revisions for a group row)",
    "Messages in the thread below",
    "Acked-by / Reviewed-by / Tested-by given (cover: whole series)",
    "Review comments anchored on the patch (replies: comments they make)",
    "Triage: state, flag ⚑, newer revision ⇡, unchanged ≡, done ✓, no review yet ∅ (hover)",
)
(COL_SUBJECT, COL_FROM, COL_DATE, COL_VERSION, COL_COUNT, COL_TRAILERS, COL_COMMENTS,
 COL_MARKS) = range(8)
DEFAULT_SORT = ("date", True)
"""The mailbox's own order: newest thread first."""
_LAZY_COLUMNS = (COL_TRAILERS, COL_COMMENTS, COL_MARKS)
_PENDING = "…"

Index = QModelIndex | QPersistentModelIndex


class _Row:
    """One row of the tree; ``children`` is None until somebody asks for them."""

    __slots__ = (
        "children", "count", "kind", "label", "msgid", "node", "parent", "row", "subject",
        "tip", "versions",
    )

    def __init__(
        self,
        kind: str,
        parent: _Row | None,
        row: int,
        node: ThreadNode | None = None,
        *,
        label: str = "",
        versions: str = "",
    ) -> None:
        self.kind = kind
        self.parent = parent
        self.row = row
        self.node = node
        self.msgid = node.msgid if node is not None else None
        self.children: list[_Row] | None = None
        self.label = label
        self.versions = versions
        self.count: str | None = None
        """The Msgs column, computed on first paint (a walk of the subtree)."""
        self.subject: str | None = None
        """The Subject column as shown (compact for replies), computed on first paint."""
        self.tip = ""
        """A group row's tooltip: why its revisions were linked."""

    def child_nodes(self) -> list[ThreadNode]:
        return self.node.children if self.node is not None else []
