"""The thread list's compact icons: which marks a row shows, and what each one means.

A row shows the triage state of its series (only when it is not the default "new"), whether
the reader flagged it, and what the mail says about a patch: a newer revision exists, the diff
is unchanged from the previous revision, I already gave a Reviewed-by/Acked-by (so it counts
as done), my own done/skip mark and note, and "no review yet". Glyphs are plain Unicode
characters the common UI fonts carry, so they need no icon files and scale with the list font.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from viewer.core.triage import Triage

STATE_GLYPHS = {
    "new": "✦",
    "reviewing": "◐",
    "replied": "↩",
    "waiting": "◷",
    "accepted": "✔",
    "archived": "▣",
}


@dataclass(frozen=True, slots=True)
class Mark:
    glyph: str
    tip: str
    """What the mark means, one line for the tooltip."""


def row_marks(triage: Triage, msgid: str, *, series_row: bool, with_body: bool) -> list[Mark]:
    """The marks of one row. ``series_row``: a thread start, cover letter or lone patch row,
    which carries the series state; ``with_body``: the patch facts are known (computing them
    reads the patch and its replies, which the list does a few rows at a time)."""
    archive = triage.archive
    marks: list[Mark] = []
    key = triage.key_of(msgid)
    if series_row:
        view = triage.view(key)
        if view.snoozed and view.snoozed_until is not None:
            day = time.strftime("%Y-%m-%d", time.localtime(view.snoozed_until))
            marks.append(Mark("☾", f"snoozed until {day} (then {view.state})"))
        elif view.state != "new" or key in triage.series_states:
            marks.append(Mark(STATE_GLYPHS[view.state], f"state: {view.state}"))
        newer = triage.newer(key)
        if newer is not None or view.superseded_by:
            version = archive.series_by_key(newer or view.superseded_by or "")
            label = f"v{version.version}" if version is not None else "a newer revision"
            marks.append(Mark("⇡", f"superseded: {label} is in the mailbox"))
    if msgid in triage.flagged:
        marks.append(Mark("⚑", "flagged"))
    if not archive.is_patch(msgid):
        return marks
    mine = triage.patch_states.get(msgid)
    if mine is not None and mine.mark == "done":
        marks.append(Mark("✓", "marked done"))
    elif mine is not None and mine.mark == "skip":
        marks.append(Mark("⤼", "marked skip"))
    if with_body:
        if triage.reviewed_by_me(msgid) and not (mine and mine.mark == "done"):
            marks.append(Mark("✓", "my Reviewed-by/Acked-by is on it: done"))
        if triage.unchanged(msgid):
            marks.append(Mark("≡", "unchanged from the previous revision (same diff)"))
        if not triage.counts(msgid).reviewed:
            marks.append(Mark("∅", "no review yet (no Reviewed-by or Acked-by)"))
    if mine is not None and mine.note:
        marks.append(Mark("✎", f"note: {mine.note}"))
    return marks


def marks_text(marks: list[Mark]) -> str:
    return "".join(mark.glyph for mark in marks)


def marks_tip(marks: list[Mark]) -> str:
    return "\n".join(f"{mark.glyph}  {mark.tip}" for mark in marks)
