"""What each cell of the thread list shows: subject, author, date, counts, marks, fonts.

Mixed into :class:`~viewer.ui.thread_model.ThreadModel`: ``data()`` answers Qt from the row and
the archive, never from display text it made.
"""

from __future__ import annotations

import time

from PySide6.QtGui import QColor, QFont

from viewer.core.marks import Mark, marks_text, marks_tip, row_marks
from viewer.core.placeholder import implied_subject
from viewer.core.threader import ThreadNode
from viewer.ui.thread_rows import (
    _ALIGN,
    _DISPLAY,
    _FONT,
    _FOREGROUND,
    _KIND,
    _LAZY_COLUMNS,
    _MSGID,
    _PENDING,
    _RIGHT,
    _ROLES,
    _TOOLTIP,
    _UNREAD,
    COL_COUNT,
    COL_DATE,
    COL_FROM,
    COL_MARKS,
    COL_SUBJECT,
    COL_TRAILERS,
    COL_VERSION,
    GROUP,
    Index,
    _Row,
)


class ThreadCells:
    """The cells of a :class:`ThreadModel`."""

    def data(self, index: Index, role: int = _DISPLAY):
        role = int(role)
        if role not in _ROLES or not index.isValid() or self.archive is None:
            return None
        row: _Row = index.internalPointer()  # type: ignore[assignment]
        if role == _MSGID:
            return row.msgid
        if role == _KIND:
            return row.kind
        column = index.column()
        if row.kind == GROUP:
            return self._group_data(row, column, role)
        node = row.node
        assert node is not None
        entry = node.entry
        if role == _DISPLAY:
            return self._display(row, node, column)
        if role == _UNREAD:
            return entry is not None and row.msgid not in self._read
        if role == _FONT:
            return self._font(row)
        if role == _FOREGROUND:
            return self._foreground(node)
        if role == _ALIGN:
            return _RIGHT if column >= COL_COUNT else None
        if role == _TOOLTIP and entry is None:
            return f"<{node.msgid}> is referenced by the replies below but is not in this mailbox"
        if role == _TOOLTIP and entry is not None:
            if column == COL_DATE:
                return _format_date(entry.date, "%a %Y-%m-%d %H:%M %Z")
            if column == COL_MARKS:
                return marks_tip(self._marks(row, node.msgid)) or None
            tip = f"{entry.subject}\n{entry.author_name} <{entry.author_email}>\n<{entry.msgid}>"
            return tip + (f"\n(header problem: {entry.broken})" if entry.broken else "")
        return None

    def look(self, index: Index) -> tuple[str, QFont | None, QColor | None, int | None]:
        """One cell's text, font, colour and alignment in one call: what data() answers for
        those four roles, for the list's delegate (viewer.ui.thread_delegate), which would
        otherwise cross from C++ into Python once for each of them."""
        row: _Row = index.internalPointer()  # type: ignore[assignment]
        column = index.column()
        align = _RIGHT if column >= COL_COUNT else None
        if self.archive is None:
            return "", None, None, align
        if row.kind == GROUP:
            return self._group_data(row, column, _DISPLAY), self._font(row), None, align
        node = row.node
        assert node is not None
        return self._display(row, node, column), self._font(row), self._foreground(node), align

    def _foreground(self, node: ThreadNode) -> QColor | None:
        """Grey for context: a placeholder, or a mail of the thread the filter did not match."""
        if node.entry is None or not self.is_match(node.msgid):
            return _GREY
        return None

    def _display(self, row: _Row, node: ThreadNode, column: int):
        archive = self.archive
        assert archive is not None
        entry = node.entry
        if entry is None:
            if column != COL_SUBJECT:
                return ""
            if row.subject is None:
                row.subject = implied_subject(node, archive.subject_info)
            return row.subject
        if column == COL_SUBJECT:
            if row.subject is None:
                row.subject = _one_line(self._subject(row, node))
            return row.subject
        if column == COL_FROM:
            return _one_line(entry.author_name or entry.author_email)
        if column == COL_DATE:
            return _format_date(entry.date, "%Y-%m-%d")
        if column == COL_VERSION:
            series = archive.series_of(node.msgid)
            return f"v{series.version}" if series is not None else ""
        if column == COL_COUNT:
            if row.count is None:
                leaf = row.parent is not None and not node.children
                row.count = "" if leaf else str(sum(1 for n in node.walk() if n.entry is not None))
            return row.count
        if column == COL_MARKS:
            return marks_text(self._marks(row, node.msgid))
        facts = self._facts.get(node.msgid)
        if facts is None:
            if column in _LAZY_COLUMNS and self.lazy_enabled:
                self._queue_facts(node.msgid)
                return _PENDING
            return ""
        if column == COL_TRAILERS:
            given = _format_trailers(facts.trailers)
            triage = self.triage
            if triage is not None and archive.is_patch(node.msgid) and triage.is_warm(node.msgid):
                carried = _format_trailers(triage.counts(node.msgid).carried)
                if carried:  # in the commit message already: shown apart, after a "+"
                    return f"{given} +{carried}".strip()
            return given
        return str(facts.comments) if facts.comments else ""

    def _marks(self, row: _Row, msgid: str) -> list[Mark]:
        """Triage icons of a row; a patch's body facts are asked of the idle worker first."""
        triage = self.triage
        if triage is None:
            return []
        warm = triage.is_warm(msgid) or not self.archive.is_patch(msgid)  # type: ignore[union-attr]
        if not warm and self.lazy_enabled and msgid not in self._facts:
            self._queue_facts(msgid)
        series = self.archive.series_of(msgid)  # type: ignore[union-attr]
        # The state belongs on the row that stands for the series: a thread start, or a cover.
        series_row = row.parent is None or row.parent.kind == GROUP or (
            series is not None and series.cover == msgid
        )
        return row_marks(triage, msgid, series_row=series_row, with_body=triage.is_warm(msgid))

    def _subject(self, row: _Row, node: ThreadNode) -> str:
        """A reply on the same topic as the mail it answers shows as "Re:", the way mutt
        leaves it out: the row above says what it is about, and the author column who wrote.

        A reply that changed the subject (a new topic, a patch answering a cover letter) keeps
        it in full; the full subject is always in the tooltip.
        """
        archive = self.archive
        assert archive is not None and node.entry is not None
        subject = node.entry.subject or "(no subject)"
        parent = node.parent
        if row.parent is None or row.parent.kind == GROUP or parent is None:
            return subject
        if parent.entry is None:  # the parent is missing: nothing above says the topic
            return subject
        mine, theirs = archive.subject_info(node.msgid), archive.subject_info(parent.msgid)
        if mine.is_reply and mine.subject.casefold() == theirs.subject.casefold():
            return "Re:"
        if (
            not mine.is_reply
            and mine.counter is not None
            and mine.total is not None
            and theirs.is_cover
            and archive.series_of(node.msgid) is archive.series_of(parent.msgid)
        ):
            # A patch under its own cover letter: the cover row already says "[PATCH v3 0/7]".
            width = len(str(mine.total))
            return f"{mine.counter:0{width}d}/{mine.total} {mine.subject}"
        return subject

    def _group_data(self, row: _Row, column: int, role: int):
        if role == _DISPLAY:
            newest = row.children[-1] if row.children else None
            entry = newest.node.entry if newest is not None and newest.node else None
            if column == COL_SUBJECT:
                return f"{row.label}  ({row.versions}: {len(row.children or ())} revisions)"
            if column == COL_FROM:
                return _one_line(entry.author_name or entry.author_email) if entry else ""
            if column == COL_DATE:
                return _format_date(entry.date, "%Y-%m-%d") if entry else ""
            if column == COL_VERSION:
                return row.versions
            if column == COL_COUNT:
                if row.count is None:
                    row.count = str(sum(1 for n in self._nodes_under(row) if n.entry is not None))
                return row.count
            if column == COL_MARKS and newest is not None and self.triage is not None:
                return marks_text(self._marks(row, newest.msgid))  # type: ignore[arg-type]
            return ""
        if role == _TOOLTIP and column == COL_MARKS and row.children and self.triage is not None:
            return marks_tip(self._marks(row, row.children[-1].msgid)) or None  # type: ignore[arg-type]
        if role == _FONT:
            return self._font(row)
        if role == _UNREAD:
            return self._unread_below(row) > 0
        if role == _ALIGN:
            return _RIGHT if column >= COL_COUNT else None
        if role == _TOOLTIP and column in (COL_SUBJECT, COL_VERSION):
            why = f"\n\nLinked because:\n{row.tip}" if row.tip else ""
            return f"{row.label}\nrevisions {row.versions}{why}"
        return None

    def _font(self, row: _Row) -> QFont | None:
        if row.node is not None and row.node.entry is None:
            return self._italic
        # A top-level row is bold while anything in its (maybe collapsed) thread is unread.
        unread = self._unread_below(row) > 0 if row.parent is None else row.msgid not in self._read
        return self._bold if unread else None


_GREY = QColor(128, 128, 128)
_CONTROLS = {code: " " for code in (*range(32), 127)}


def _one_line(text: str) -> str:
    """A cell's text without control characters: an encoded word may decode to a line break
    (``=?utf-8?q?a=0Ab?=``), which Qt's own delegate would draw as a second, clipped line."""
    return text if text.isprintable() else text.translate(_CONTROLS)


def _format_date(date: float | None, pattern: str) -> str:
    if date is None:
        return ""
    try:
        return time.strftime(pattern, time.localtime(date))
    except (OverflowError, OSError, ValueError):
        return ""


def _format_trailers(counts: dict[str, int]) -> str:
    return " ".join(f"{letter}{counts[letter]}" for letter in "ART" if counts.get(letter))
