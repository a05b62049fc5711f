"""The user's own review: comments on lines, answers, adopted points and trailers, as drafts.

A draft is keyed by the patch's Message-ID and by the CONTENT of the line it sits on (file,
side, the line as sent) with its line number only as a hint: the same patch re-downloaded into
another mailbox, or re-threaded after more mail arrived, has the same Message-ID and the same
lines, while row numbers and annotation ids move. :func:`locate` maps a draft back onto the
current rows; a draft whose line is gone (the mail was edited by hand?) is still shown, unplaced,
and never silently dropped.

Drafts live in SQLite in the user's data folder (viewer.core.database: WAL, versioned schema,
broken files moved aside). Every save is one transaction, so a crash or ``kill -9`` loses at
most the keystrokes since the last autosave; what :meth:`DraftStore.save` returned is on disk.
The mailbox is never written. Composed replies wait in the same file (table ``reply``) until
they are sent; sending archives their drafts (state ``sent``) rather than deleting them, and
:meth:`DraftStore.sent_replies` is how the rest of the engine (triage's "replied") asks.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, Protocol

from viewer.core.database import open_database
from viewer.core.store import data_dir

log = logging.getLogger(__name__)

DraftKind = Literal["line", "commit_message", "general", "trailer"]
Side = Literal["old", "new"]
DraftMode = Literal["comment", "answer", "adopt"]
DraftState = Literal["draft", "sent"]

_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE draft (
        id INTEGER PRIMARY KEY,
        patch_msgid TEXT NOT NULL,
        kind TEXT NOT NULL,
        file TEXT,
        side TEXT,
        line_text TEXT NOT NULL DEFAULT '',
        line_no INTEGER,
        span INTEGER NOT NULL DEFAULT 1,
        mode TEXT NOT NULL DEFAULT 'comment',
        quote_msgid TEXT,
        quote_author TEXT NOT NULL DEFAULT '',
        quote_text TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'draft',
        sent_msgid TEXT,
        created REAL NOT NULL,
        updated REAL NOT NULL
    );
    CREATE INDEX draft_patch ON draft (patch_msgid, state);
    CREATE TABLE reply (
        msgid TEXT PRIMARY KEY,
        patch_msgid TEXT NOT NULL,
        in_reply_to TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        raw BLOB NOT NULL,
        draft_ids TEXT NOT NULL DEFAULT '',
        composed REAL NOT NULL,
        sent REAL
    );
    CREATE INDEX reply_patch ON reply (patch_msgid);
    CREATE INDEX reply_parent ON reply (in_reply_to);
    """,
    # 2: which reviewer comment an answer sits under, so its card joins that discussion.
    """
    ALTER TABLE draft ADD COLUMN quote_id TEXT
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)

_COLUMNS = (
    "id, patch_msgid, kind, file, side, line_text, line_no, span, mode, quote_msgid, "
    "quote_author, quote_text, text, state, sent_msgid, created, updated, quote_id"
)


@dataclass(frozen=True, slots=True)
class Draft:
    patch_msgid: str
    """The patch (or cover letter) the draft is about, without angle brackets."""
    kind: DraftKind
    text: str
    """What the user wrote, as typed (wrapping happens when the reply is composed)."""
    file: str | None = None
    """Path of the diff line's file (kind "line")."""
    side: Side | None = None
    """"old" for a removed line, "new" for an added or context line (kind "line")."""
    line_text: str = ""
    """The line as sent: diff lines with their +/-/space prefix; a commit-message line whole."""
    line_no: int | None = None
    """Where the line was: its number on ``side``, or its index in the commit message. Only a
    hint that picks between identical lines."""
    span: int = 1
    """Lines the comment covers, ending at this one (a selected range is quoted whole)."""
    mode: DraftMode = "comment"
    """"answer": a reply inside another reviewer's thread; "adopt": their point made ours."""
    quote_msgid: str | None = None
    """The reviewer's mail answered or adopted."""
    quote_author: str = ""
    quote_text: str = ""
    """The reviewer's comment as they wrote it, kept so the reply can quote it offline."""
    id: int | None = None
    """Row id in the store; None until saved."""
    created: float = 0.0
    updated: float = 0.0
    state: DraftState = "draft"
    sent_msgid: str | None = None
    """Message-ID of the reply that carried it, once sent (state "sent")."""
    quote_id: str | None = None
    """Annotation id of the comment answered, for showing the answer in its discussion (the
    reply itself finds the comment by ``quote_text``: annotation ids may change)."""

    @property
    def is_line(self) -> bool:
        return self.kind in ("line", "commit_message")


class RowLike(Protocol):
    """What :func:`locate` needs of a row (matching.PatchRow and the review model's rows)."""

    kind: str
    text: str
    file: str | None
    old_line: int | None
    new_line: int | None


def draft_on_row(
    patch_msgid: str,
    rows: Sequence[RowLike],
    index: int,
    text: str,
    *,
    span: int = 1,
    mode: DraftMode = "comment",
    quote_msgid: str | None = None,
    quote_author: str = "",
    quote_text: str = "",
) -> Draft:
    """A new draft on ``rows[index]`` (a diff line, or a commit-message line)."""
    row = rows[index]
    common = dict(span=span, mode=mode, quote_msgid=quote_msgid, quote_author=quote_author,
                  quote_text=quote_text)
    if row.kind in ("commit", "trailer"):
        position = sum(1 for r in rows[:index] if r.kind in ("commit", "trailer"))
        return Draft(patch_msgid, "commit_message", text, line_text=row.text,
                     line_no=position, **common)
    if row.kind != "line":
        raise ValueError(f"a comment sits on a diff or commit-message line, not a {row.kind} row")
    side: Side = "old" if row.text.startswith("-") else "new"
    number = row.old_line if side == "old" else row.new_line
    return Draft(patch_msgid, "line", text, file=row.file, side=side, line_text=row.text,
                 line_no=number, **common)


def locate(draft: Draft, rows: Sequence[RowLike]) -> int | None:
    """The index of the row a draft sits on now, or None (general, trailer, or line gone).

    Identical lines (``+}``, a blank context line) are told apart by the line-number hint:
    the copy nearest to where the line was wins.
    """
    if draft.kind == "commit_message":
        found = []
        position = 0
        for i, row in enumerate(rows):
            if row.kind in ("commit", "trailer"):
                if row.text == draft.line_text:
                    found.append((position, i))
                position += 1
    elif draft.kind == "line":
        found = []
        for i, row in enumerate(rows):
            if row.kind == "line" and row.file == draft.file and row.text == draft.line_text:
                number = row.old_line if draft.side == "old" else row.new_line
                found.append((number if number is not None else -1, i))
    else:
        return None
    if not found:
        return None
    hint = draft.line_no if draft.line_no is not None else found[0][0]
    return min(found, key=lambda item: (abs(item[0] - hint), item[1]))[1]


DRAFT_PREFIX = "draft:"
"""Annotation ids of draft cards start so: the views tell the user's own cards apart by it."""


def is_draft_card(annotation_id: str) -> bool:
    return annotation_id.startswith(DRAFT_PREFIX)


def draft_id_of(annotation_id: str) -> int | None:
    """The store id of a draft card's draft, None for a reviewer's comment."""
    if not is_draft_card(annotation_id):
        return None
    tail = annotation_id[len(DRAFT_PREFIX):]
    return int(tail) if tail.isdigit() else None


def as_annotations(drafts: Iterable[Draft], rows: Sequence[RowLike], author) -> list:
    """The drafts as cards the review page lays out like any comment: one more card on the
    row each draft sits on (a general one for trailers, general comments and drafts whose line
    is gone), an answer inside the discussion it answers (``quote_msgid`` + its comment)."""
    from viewer.core.annotation import Anchor, Annotation

    cards = []
    for draft in drafts:
        if draft.id is None:
            continue
        at = locate(draft, rows)
        patch = draft.patch_msgid
        if at is None:
            anchor = Anchor("unanchored", patch)
        elif draft.kind == "commit_message":
            anchor = Anchor("commit_message", patch, text=rows[at].text)
        else:
            row = rows[at]
            anchor = Anchor("diff", patch, row.file, row.old_line, row.new_line, row.text)
        text = draft.text
        if draft.mode == "adopt" and draft.quote_text.strip():
            quoted = "\n".join(f"| {line}" for line in draft.quote_text.strip().split("\n"))
            text = f"{quoted}\n\n{text}" if text.strip() else quoted
        cards.append(Annotation(
            id=f"{DRAFT_PREFIX}{draft.id}", reply_message_id="", author=author,
            date=draft.updated, comment=text or " ", anchor=anchor,
            in_reply_to=draft.quote_id if draft.mode == "answer" else None,
            confidence=1.0, method="exact", quote_depth=0,
        ))
    return cards


@dataclass(frozen=True, slots=True)
class SentReply:
    """A reply the user composed and sent (or composed and has not sent yet: ``sent`` None)."""

    msgid: str
    patch_msgid: str
    """The patch or cover letter whose drafts it carries."""
    in_reply_to: str
    """The mail it answers: the patch, or another reviewer's reply."""
    subject: str
    composed: float
    sent: float | None


class DraftStore:
    """Drafts and composed replies. One instance per process; GUI thread only."""

    FILENAME = "drafts.sqlite3"

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else data_dir() / self.FILENAME
        self._database = open_database(self.path, _MIGRATIONS)
        self._db = self._database.db
        self.recovered_from: Path | None = self._database.recovered_from
        """Set when an unreadable file was moved aside at open (for the message bar)."""

    @property
    def schema_version(self) -> int:
        return self._database.schema_version

    def close(self) -> None:
        self._database.close()

    def __enter__(self) -> DraftStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- drafts -------------------------------------------------------------------------------

    def save(self, draft: Draft) -> Draft:
        """Insert a new draft or update an existing one (by id); on disk when this returns."""
        now = time.time()
        values = (
            draft.patch_msgid, draft.kind, draft.file, draft.side, draft.line_text,
            draft.line_no, draft.span, draft.mode, draft.quote_msgid, draft.quote_author,
            draft.quote_text, draft.text, draft.state, draft.sent_msgid, draft.quote_id,
        )
        with self._database.transaction() as db:
            if draft.id is None:
                cursor = db.execute(
                    f"INSERT INTO draft ({_COLUMNS}) VALUES "
                    "(NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values[:-1], now, now, values[-1]),
                )
                return replace(draft, id=cursor.lastrowid, created=now, updated=now)
            cursor = db.execute(
                "UPDATE draft SET patch_msgid=?, kind=?, file=?, side=?, line_text=?, line_no=?, "
                "span=?, mode=?, quote_msgid=?, quote_author=?, quote_text=?, text=?, state=?, "
                "sent_msgid=?, quote_id=?, updated=? WHERE id=?",
                (*values, now, draft.id),
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no draft {draft.id} (deleted meanwhile?)")
        return replace(draft, updated=now)

    def set_text(self, draft_id: int, text: str) -> Draft:
        """Autosave: change what a draft says."""
        with self._database.transaction() as db:
            cursor = db.execute(
                "UPDATE draft SET text=?, updated=? WHERE id=?", (text, time.time(), draft_id)
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no draft {draft_id} (deleted meanwhile?)")
        return self.get(draft_id)

    def get(self, draft_id: int) -> Draft:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM draft WHERE id=?", (draft_id,)).fetchone()
        if row is None:
            raise KeyError(f"no draft {draft_id}")
        return _draft(row)

    def delete(self, draft_id: int) -> None:
        with self._database.transaction() as db:
            db.execute("DELETE FROM draft WHERE id=?", (draft_id,))

    def drafts(self, patch_msgid: str, *, state: DraftState = "draft") -> list[Draft]:
        """The drafts on one patch, oldest first (the order they were written in)."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM draft WHERE patch_msgid=? AND state=? ORDER BY created, id",
            (patch_msgid, state),
        )
        return [_draft(row) for row in rows]

    def drafted(self, msgids: Iterable[str]) -> dict[str, int]:
        """How many unsent drafts each of these patches has (those with none are left out)."""
        ids = list(msgids)
        counts: dict[str, int] = {}
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for msgid, count in self._db.execute(
                f"SELECT patch_msgid, count(*) FROM draft WHERE state='draft' "
                f"AND patch_msgid IN ({marks}) GROUP BY patch_msgid",
                chunk,
            ):
                counts[msgid] = count
        return counts

    # -- composed and sent replies ------------------------------------------------------------

    def record_composed(
        self,
        msgid: str,
        *,
        patch_msgid: str,
        in_reply_to: str,
        subject: str,
        raw: bytes,
        draft_ids: Iterable[int] = (),
    ) -> None:
        """Keep a composed reply (replacing an earlier version with the same Message-ID) until
        it is sent: a failed send leaves it here to try again."""
        ids = ",".join(str(i) for i in draft_ids)
        with self._database.transaction() as db:
            db.execute(
                "INSERT INTO reply (msgid, patch_msgid, in_reply_to, subject, raw, draft_ids, "
                "composed) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (msgid) DO UPDATE SET "
                "patch_msgid=excluded.patch_msgid, in_reply_to=excluded.in_reply_to, "
                "subject=excluded.subject, raw=excluded.raw, draft_ids=excluded.draft_ids, "
                "composed=excluded.composed",
                (msgid, patch_msgid, in_reply_to, subject, raw, ids, time.time()),
            )

    def unsent(self) -> list[tuple[SentReply, bytes]]:
        """Composed replies not sent yet (a send failed, or the user saved for later)."""
        rows = self._db.execute(
            "SELECT msgid, patch_msgid, in_reply_to, subject, composed, sent, raw FROM reply "
            "WHERE sent IS NULL ORDER BY composed"
        )
        return [(SentReply(*row[:6]), bytes(row[6])) for row in rows]

    def record_sent(
        self,
        msgid: str,
        *,
        patch_msgid: str | None = None,
        in_reply_to: str | None = None,
        subject: str = "",
        raw: bytes = b"",
    ) -> list[int]:
        """A reply the server accepted: mark it sent and archive the drafts it carried.

        A reply composed elsewhere (``hunkwise send`` of a hand-made .eml) is recorded with the
        ``patch_msgid``/``in_reply_to`` given. Returns the ids of the drafts archived."""
        now = time.time()
        with self._database.transaction() as db:
            row = db.execute("SELECT draft_ids FROM reply WHERE msgid=?", (msgid,)).fetchone()
            if row is None:
                if in_reply_to is None:
                    raise ValueError("a reply never composed here needs its In-Reply-To")
                db.execute(
                    "INSERT INTO reply (msgid, patch_msgid, in_reply_to, subject, raw, composed, "
                    "sent) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (msgid, patch_msgid or in_reply_to, in_reply_to, subject, raw, now, now),
                )
                return []
            db.execute("UPDATE reply SET sent=? WHERE msgid=?", (now, msgid))
            ids = [int(i) for i in row[0].split(",") if i]
            db.executemany(
                "UPDATE draft SET state='sent', sent_msgid=?, updated=? WHERE id=?",
                [(msgid, now, i) for i in ids],
            )
        log.info("reply %s sent; %d drafts archived", msgid, len(ids))
        return ids

    def sent_replies(self, msgid: str) -> list[SentReply]:
        """Replies the user sent about this mail: the patch or cover letter whose drafts they
        carried, or the mail they answer. Empty when none was sent (composed only does not
        count). This is what marks a patch, and its series, "replied"."""
        rows = self._db.execute(
            "SELECT msgid, patch_msgid, in_reply_to, subject, composed, sent FROM reply "
            "WHERE sent IS NOT NULL AND (patch_msgid=? OR in_reply_to=?) ORDER BY sent",
            (msgid, msgid),
        )
        return [SentReply(*row) for row in rows]

    def was_sent(self, msgid: str) -> bool:
        """Whether the reply with this Message-ID went out already (sending a file again after
        a failure half-way must not mail the list twice)."""
        row = self._db.execute(
            "SELECT 1 FROM reply WHERE msgid=? AND sent IS NOT NULL", (msgid,)
        ).fetchone()
        return row is not None

    def replied(self, msgids: Iterable[str]) -> set[str]:
        """Those of ``msgids`` the user has sent a reply about.

        One query for every sent reply, then a set intersection: a person sends some
        hundreds of replies, an archive holds 50,000 mails (asking for those in chunks of
        500 was 100 queries on every open).
        """
        found: set[str] = set()
        for a, b in self._db.execute(
            "SELECT patch_msgid, in_reply_to FROM reply WHERE sent IS NOT NULL"
        ):
            found.update((a, b))
        return found.intersection(msgids)


def sent_replies(msgid: str, store: DraftStore | None = None) -> list[SentReply]:
    """Replies sent about ``msgid`` (see :meth:`DraftStore.sent_replies`), from the default
    store in the user's data folder unless one is given."""
    if store is not None:
        return store.sent_replies(msgid)
    with DraftStore() as default:
        return default.sent_replies(msgid)


def _draft(row: tuple) -> Draft:
    (draft_id, patch_msgid, kind, file, side, line_text, line_no, span, mode, quote_msgid,
     quote_author, quote_text, text, state, sent_msgid, created, updated, quote_id) = row
    return Draft(
        patch_msgid=patch_msgid, kind=kind, text=text, file=file, side=side,
        line_text=line_text, line_no=line_no, span=span, mode=mode, quote_msgid=quote_msgid,
        quote_author=quote_author, quote_text=quote_text, id=draft_id, created=created,
        updated=updated, state=state, sent_msgid=sent_msgid, quote_id=quote_id,
    )
