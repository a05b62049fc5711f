"""Drafts: saved by content, mapped back onto rows, archived on send, and safe from kill -9."""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from tests.corpus_paths import REPO
from viewer.core.drafts import SCHEMA_VERSION, Draft, DraftStore, draft_on_row, locate
from viewer.core.matching import patch_rows
from viewer.core.message import Person
from viewer.core.patch import parse_patch

PATCH = """\
Make foo faster.

It was slow.

Signed-off-by: A U Thor <author@example.org>
---
 foo.c | 3 ++-
 1 file changed, 2 insertions(+), 1 deletion(-)

diff --git a/foo.c b/foo.c
index 1111111..2222222 100644
--- a/foo.c
+++ b/foo.c
@@ -1,5 +1,6 @@
 int foo(void)
 {
-\treturn 1;
+\tint x = 2;
+\treturn x;
 }
<blank>
@@ -20,3 +21,4 @@ int bar(void)
 {
+\treturn 0;
 }
<blank>
""".replace("<blank>", " ")  # blank context lines are one space; editors strip it


@pytest.fixture
def store(tmp_path):
    with DraftStore(tmp_path / "drafts.sqlite3") as s:
        yield s


def rows():
    return patch_rows(parse_patch(PATCH))


def index_of(text: str, nth: int = 0) -> int:
    hits = [i for i, row in enumerate(rows()) if row.text == text]
    return hits[nth]


def test_draft_on_a_line_round_trips_and_locates(store):
    rs = rows()
    draft = store.save(draft_on_row("p@x", rs, index_of("-\treturn 1;"), "why?"))
    assert draft.id is not None
    assert (draft.side, draft.line_no, draft.file) == ("old", 3, "foo.c")
    again = store.drafts("p@x")
    assert again == [draft]
    assert locate(again[0], rs) == index_of("-\treturn 1;")


def test_identical_lines_are_told_apart_by_the_hint(store):
    rs = rows()
    second = index_of(" }", 1)
    draft = store.save(draft_on_row("p@x", rs, second, "blank"))
    assert locate(draft, rs) == second
    first = index_of(" }", 0)
    assert locate(store.save(draft_on_row("p@x", rs, first, "x")), rs) == first


def test_draft_survives_the_patch_moving_down(store):
    # The same patch re-downloaded with more text above the diff: rows shift, content stays.
    draft = store.save(draft_on_row("p@x", rows(), index_of("+\treturn x;"), "nice"))
    moved = patch_rows(parse_patch(PATCH.replace("It was slow.", "It was slow.\n\nVery.")))
    at = locate(draft, moved)
    assert at is not None and moved[at].text == "+\treturn x;"
    assert at == index_of("+\treturn x;") + 2


def test_commit_message_draft(store):
    rs = rows()
    draft = store.save(draft_on_row("p@x", rs, index_of("It was slow."), "how slow?"))
    assert draft.kind == "commit_message"
    assert locate(draft, rs) == index_of("It was slow.")


def test_a_line_gone_leaves_the_draft_unplaced_not_lost(store):
    draft = store.save(draft_on_row("p@x", rows(), index_of("+\treturn x;"), "nice"))
    other = patch_rows(parse_patch(PATCH.replace("return x;", "return y;")))
    assert locate(draft, other) is None
    assert store.drafts("p@x") == [draft]


def test_edit_delete_and_general_drafts(store):
    general = store.save(Draft("p@x", "general", "Looks good overall."))
    trailer = store.save(Draft("p@x", "trailer", "Reviewed-by: R <r@x>"))
    edited = store.set_text(general.id, "Looks good overall, one nit.")
    assert edited.text == "Looks good overall, one nit."
    assert edited.updated >= general.updated
    store.delete(trailer.id)
    assert [d.id for d in store.drafts("p@x")] == [general.id]
    with pytest.raises(KeyError):
        store.set_text(trailer.id, "gone")
    assert store.drafted(["p@x", "q@x"]) == {"p@x": 1}


def test_sending_archives_drafts_and_marks_replied(store):
    a = store.save(Draft("p@x", "general", "one"))
    b = store.save(Draft("p@x", "trailer", "Acked-by: R <r@x>"))
    later = store.save(Draft("p@x", "general", "written after composing"))
    store.record_composed("r1@me", patch_msgid="p@x", in_reply_to="p@x", subject="Re: x",
                          raw=b"raw", draft_ids=[a.id, b.id])
    assert store.sent_replies("p@x") == []  # composed is not sent
    assert [reply.msgid for reply, _ in store.unsent()] == ["r1@me"]
    assert store.record_sent("r1@me") == [a.id, b.id]
    assert [d.id for d in store.drafts("p@x")] == [later.id]
    archived = store.drafts("p@x", state="sent")
    assert {d.id for d in archived} == {a.id, b.id}
    assert all(d.sent_msgid == "r1@me" for d in archived)
    (sent,) = store.sent_replies("p@x")
    assert sent.msgid == "r1@me" and sent.sent is not None
    assert store.replied(["p@x", "other@x"]) == {"p@x"}
    assert store.unsent() == []


def test_reply_sent_from_elsewhere_is_recorded(store):
    store.record_sent("hand@me", in_reply_to="review@x", patch_msgid="p@x", subject="Re: y")
    assert [r.msgid for r in store.sent_replies("review@x")] == ["hand@me"]
    assert [r.msgid for r in store.sent_replies("p@x")] == ["hand@me"]


def test_schema_is_versioned_and_reopens(tmp_path):
    path = tmp_path / "drafts.sqlite3"
    with DraftStore(path) as first:
        saved = first.save(Draft("p@x", "general", "kept"))
        assert first.schema_version == SCHEMA_VERSION
    with DraftStore(path) as second:
        assert second.drafts("p@x") == [saved]


@pytest.mark.expect_log("WARNING", "viewer.core.database", match="moved aside")
def test_broken_file_is_moved_aside(tmp_path):
    path = tmp_path / "drafts.sqlite3"
    path.write_bytes(os.urandom(4096))
    with DraftStore(path) as store:
        assert store.recovered_from is not None and store.recovered_from.exists()
        store.save(Draft("p@x", "general", "fresh"))


_CHILD = textwrap.dedent(
    """
    import random, sys
    from viewer.core.drafts import Draft, DraftStore
    store = DraftStore(sys.argv[1])
    rng = random.Random(int(sys.argv[2]))
    ids = [d.id for d in store.drafts("p@x")]
    n = 0
    while True:
        n += 1
        text = f"t{sys.argv[2]}-{n} " + "x" * rng.randrange(1, 4000)
        if ids and rng.random() < 0.5:
            draft = store.set_text(rng.choice(ids), text)
        else:
            draft = store.save(Draft("p@x", "line", text, file="f.c", side="new",
                                     line_text="+x", line_no=n))
            ids.append(draft.id)
        print(draft.id, text, flush=True)
    """
)


def _step(text: str) -> tuple[int, int]:
    round_no, _, n = text.split(" ", 1)[0][1:].partition("-")
    return int(round_no), int(n)


def test_kill_9_while_saving_loses_nothing_shown_as_saved(tmp_path):
    path = tmp_path / "drafts.sqlite3"
    DraftStore(path).close()
    expected: dict[int, str] = {}
    rng = random.Random(9)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for round_no in range(12):
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(path), str(round_no)],
            stdout=subprocess.PIPE, text=True, env=env,
        )
        assert child.stdout is not None
        # Wait until it is really saving, then kill it at a random moment of its work.
        first = child.stdout.readline()
        assert first, "the child died before saving anything"
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        reported = (first + child.stdout.read()).splitlines(keepends=True)
        child.stdout.close()
        for line in reported:
            if not line.endswith("\n"):
                continue  # killed while printing: that save may or may not have returned
            draft_id, _, text = line.rstrip("\n").partition(" ")
            expected[int(draft_id)] = text
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        with DraftStore(path) as store:
            assert store.recovered_from is None
            on_disk = {d.id: d.text for d in store.drafts("p@x")}
        for draft_id, text in expected.items():
            # A printed line is a save that returned. The draft may hold that text or a later
            # one: a save that committed just before the kill and never got to print.
            kept = on_disk.get(draft_id)
            assert kept is not None, f"round {round_no}: draft {draft_id} lost"
            assert kept == text or _step(kept) > _step(text), f"round {round_no}: {draft_id}"
    assert len(expected) > 12


def test_a_version_1_file_is_migrated_and_keeps_its_drafts(tmp_path):
    from viewer.core.database import open_database
    from viewer.core.drafts import _MIGRATIONS

    path = tmp_path / "drafts.sqlite3"
    old = open_database(path, _MIGRATIONS[:1])
    with old.transaction() as db:
        db.execute("INSERT INTO draft (patch_msgid, kind, text, created, updated) "
                   "VALUES ('p@x', 'general', 'from v1', 1.0, 1.0)")
    old.close()
    with DraftStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 2
        (kept,) = store.drafts("p@x")
        assert (kept.text, kept.quote_id) == ("from v1", None)
        answer = store.save(Draft("p@x", "line", "Agreed.", mode="answer", quote_id="r@x#0"))
        assert store.get(answer.id).quote_id == "r@x#0"


def test_drafts_become_cards_on_their_rows(store):
    from viewer.core.drafts import as_annotations, draft_id_of

    rs = rows()
    line = store.save(draft_on_row("p@x", rs, index_of("+\treturn x;"), "Hm."))
    answer = store.save(draft_on_row("p@x", rs, index_of("+\treturn x;"), "Agreed.",
                                     mode="answer", quote_msgid="r@x", quote_text="Why x?"))
    answer = store.save(dataclasses.replace(answer, quote_id="r@x#0"))
    adopt = store.save(draft_on_row("p@x", rs, index_of("It was slow."), "Me too.",
                                    mode="adopt", quote_text="Say how slow."))
    general = store.save(Draft("p@x", "trailer", "Reviewed-by: R <r@x>"))
    cards = {c.id: c for c in as_annotations(store.drafts("p@x"), rs, Person("R", "r@x"))}
    assert draft_id_of(f"draft:{line.id}") == line.id and draft_id_of("r@x#0") is None
    on_line = cards[f"draft:{line.id}"].anchor
    assert (on_line.kind, on_line.file, on_line.new_line) == ("diff", "foo.c", 4)
    assert cards[f"draft:{answer.id}"].in_reply_to == "r@x#0"
    assert cards[f"draft:{adopt.id}"].comment == "| Say how slow.\n\nMe too."
    assert cards[f"draft:{adopt.id}"].anchor.kind == "commit_message"
    assert cards[f"draft:{general.id}"].anchor.kind == "unanchored"
