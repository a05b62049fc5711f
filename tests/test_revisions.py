"""Across revisions: patch pairs, each v1 comment's status in v2, changelog evidence, the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.git_series import Repo, add_revision, format_series, make_repo
from viewer.core.archive import Archive
from viewer.core.changelog import changelog_items, evidence_for, reviewer_names
from viewer.core.drafts import Draft, DraftStore
from viewer.core.revisions import pair_patches, patch_revisions, report_json, revision_report

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")

SOB = "\n\nSigned-off-by: Ada Lovelace <ada@example.org>"
C1 = "".join(f"static int c{i};\n" for i in range(20))
# v2: c7 becomes a long (a changed line), c12 stays with all its neighbours (unchanged), c19
# goes (removed), c3's neighbour c2 changes (the line kept, its context changed).
C2 = (C1.replace("static int c7;", "static long c7;").replace("static int c2;", "static int two;")
      .replace("static int c19;\n", ""))
B1 = "".join(f"line {i}\n" for i in range(40))
COVER2 = """This series adds c.

Changes in v2:
- make c7 a long, as Bob asked
- typo fixes

v1: https://lore.example.org/all/cover.v1@example.org/"""


def _reply(msgid: str, parent: str, refs: list[str], quoted: list[str], comment: str) -> str:
    quote = "\n".join(f"> {line}" if line else ">" for line in quoted)
    return (
        "From bob@example.org Mon Jan 12 12:00:00 2026\n"
        f"From: Bob Reviewer <bob@example.org>\nTo: Ada Lovelace <ada@example.org>\n"
        f"Subject: Re: [PATCH v1 2/3] c: add c\nDate: Mon, 12 Jan 2026 12:00:00 +0100\n"
        f"Message-ID: <{msgid}>\nIn-Reply-To: <{parent}>\nReferences: "
        + " ".join(f"<{r}>" for r in refs) + "\n\n"
        f"On Mon, 12 Jan 2026 10:00:00 +0100, Ada Lovelace wrote:\n{quote}\n\n{comment}\n\n"
    )


@pytest.fixture(scope="module")
def series(tmp_path_factory) -> Archive:
    root = tmp_path_factory.mktemp("revisions")
    repo = make_repo(root / "repo", {"b.txt": B1})

    def step(path: str, text: str, message: str):
        def run(r: Repo) -> str:
            r.write(path, text)
            return message + SOB
        return run

    b_twenty = B1.replace("line 20\n", "line twenty\n")
    add_revision(repo, "v1", [step("b.txt", b_twenty, "b: spell twenty"),
                              step("c.c", C1, "c: add c"),
                              step("b.txt", b_twenty.replace("line 30\n", ""), "b: drop 30")])
    add_revision(repo, "v2", [step("b.txt", b_twenty, "b: spell twenty"),
                              step("c.c", C2, "c: add c")])
    text = format_series(repo, "v1", 1) + format_series(repo, "v2", 2, cover=COVER2)
    mbox = root / "series.mbox"
    mbox.write_text(text)
    archive = Archive.open(mbox, use_cache=False)
    v1 = min((s for s in archive.series if s.cover), key=lambda s: s.version)
    patch = v1.patches[2]
    refs = [v1.cover, patch]
    replies = [
        _reply("r1@example.org", patch, refs,
               ["+static int c5;", "+static int c6;", "+static int c7;"], "Make c7 a long."),
        _reply("r2@example.org", patch, refs,
               ["+static int c11;", "+static int c12;"], "Why twelve, Ada?"),
        _reply("r3@example.org", patch, refs, ["+static int c18;", "+static int c19;"],
               "Is c19 used at all?"),
        _reply("r4@example.org", patch, refs, ["+static int c3;"], "Hmm, three."),
        _reply("r5@example.org", v1.patches[3], [v1.cover, v1.patches[3]],
               ["-line 30"], "Why drop 30?"),
        _reply("r6@example.org", patch, refs, [], "General remark on the whole patch."),
    ]
    mbox.write_text(text + "".join(replies))
    return Archive.open(mbox, use_cache=False)


def _by_reply(report) -> dict:
    return {c.annotation.reply_message_id: c for c in report.comments}


def test_patches_are_paired_and_a_dropped_patch_is_reported(series):
    report = revision_report(series, min(s.key for s in series.series))
    assert [s.version for s in report.chain] == [1, 2]
    pairs = {(p.old_counter, p.new_counter): p.how for p in report.steps[0].pairs}
    assert pairs == {(0, 0): "cover", (1, 1): "subject", (2, 2): "subject", (3, None): "dropped"}


def test_each_comment_gets_its_status_and_new_place(series):
    report = revision_report(series, "r1@example.org")
    found = _by_reply(report)
    assert found["r1@example.org"].status == "changed"
    assert found["r1@example.org"].new_anchor.text == "+static long c7;"
    assert found["r1@example.org"].new_anchor.new_line == 8
    assert found["r2@example.org"].status == "unchanged"
    assert found["r2@example.org"].new_anchor.text == "+static int c12;"
    assert found["r3@example.org"].status == "removed"
    assert found["r3@example.org"].new_anchor is None
    assert found["r4@example.org"].status == "changed"  # its neighbour c2 was renamed
    assert found["r4@example.org"].new_anchor.text == "+static int c3;"
    assert found["r5@example.org"].status == "removed"  # the whole patch was dropped
    assert found["r6@example.org"].status == "unknown"
    summary = report.summary()[0]
    assert (summary["changed"], summary["unchanged"], summary["removed"], summary["unknown"]) \
        == (2, 1, 2, 1)


def test_the_changelog_that_echoes_a_comment_is_evidence(series):
    found = _by_reply(revision_report(series, "r1@example.org"))
    evidence = found["r1@example.org"].evidence
    assert [e.item.text for e in evidence] == ["make c7 a long, as Bob asked"]
    assert evidence[0].names_reviewer
    assert found["r2@example.org"].evidence == ()  # "typo fixes" answers nothing of Bob's


def test_revisions_json_contract(series):
    data = report_json(revision_report(series, "r2@example.org"))
    comment = next(c for c in data["comments"] if c["reply_message_id"] == "r1@example.org")
    assert {"annotation_id", "reply_message_id", "from_version", "to_version", "status",
            "new_anchor"} <= comment.keys()
    assert comment["new_anchor"].keys() == {"kind", "patch_message_id", "file", "old_line",
                                            "new_line", "text"}
    assert (comment["from_version"], comment["to_version"]) == (1, 2)
    assert [r["version"] for r in data["revisions"]] == [1, 2]


def test_cli_revisions_and_range_diff(series, tmp_path):
    path = str(series.path)
    run = [sys.executable, "-m", "viewer"]
    done = subprocess.run([*run, "revisions", path, "r1@example.org", "--json"],
                          capture_output=True, text=True, check=True)
    assert {c["status"] for c in json.loads(done.stdout)["comments"]} == \
        {"changed", "unchanged", "removed", "unknown"}
    covers = sorted((s for s in series.series if s.cover), key=lambda s: s.version)
    done = subprocess.run([*run, "range-diff", path, covers[0].cover, covers[1].cover,
                           "--color", "never"], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert "    -+static int c7;" in lines and "    ++static long c7;" in lines
    assert any(" < " in line and line.endswith("b: drop 30") for line in lines)
    # A reply stands for the series it answers; an unknown id is one clear line.
    done = subprocess.run([*run, "range-diff", path, "r1@example.org", covers[1].cover],
                          capture_output=True, text=True, check=True)
    assert "    ++static long c7;" in done.stdout.splitlines()
    done = subprocess.run([*run, "range-diff", path, "nope@example.org", covers[1].cover],
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("hunkwise: no message")


def test_pairing_needs_two_agreements(series):
    v1, v2 = sorted((s for s in series.series if s.cover), key=lambda s: s.version)
    # Position alone (patch 3 of v1 against nothing) never pairs: dropped stays dropped.
    assert all(p.how != "position" for p in pair_patches(series, v1, v2))


@pytest.mark.parametrize(("lines", "expected"), [
    (["Changes in v3:", "- use devm_clk_get", "- drop the", "  wrapper", "", "Thanks"],
     ["use devm_clk_get", "drop the wrapper"]),
    (["v2 -> v3:", " * one", " * two", "", "v1 -> v2:", " * zero"], ["one", "two", "zero"]),
    (["Some prose about the series.", "- not a changelog"], []),
    (["Changes since v1:", "- a", "", "v1: https://example.org/x", "", "Jane (2):", "  x"],
     ["a"]),
])
def test_changelog_items(lines, expected):
    assert [i.text for i in changelog_items("m", lines)] == expected


def test_patch_notes_are_changelog_even_without_a_heading():
    items = changelog_items("m", ["- rename foo_bar() as Uwe suggested"], whole=True)
    names = reviewer_names("Uwe Kleine-König", "u.kleine-koenig@example.org")
    found = evidence_for("Please call this foo_bar().", names, items, local=True)
    assert found and found[0].names_reviewer and found[0].shared_words == ("foo_bar",)
    # A cover letter's note must share words with the comment, not only name the reviewer.
    cover_items = changelog_items("c", ["Changes in v2:", "- address Uwe's review"])
    assert evidence_for("Please call this foo_bar().", names, cover_items, local=False) == []


def test_own_drafts_and_sent_comments_follow_the_same_path(series, tmp_path):
    v1 = min((s for s in series.series if s.cover), key=lambda s: s.version)
    patch = v1.patches[2]
    with DraftStore(tmp_path / "drafts.sqlite") as store:
        kept = store.save(Draft(patch, "line", "Why twelve?", file="c.c", side="new",
                                line_text="+static int c12;", line_no=13))
        gone = store.save(Draft(patch, "line", "c19?", file="c.c", side="new",
                                line_text="+static int c19;", line_no=20))
        store.save(Draft(patch, "trailer", "Reviewed-by: Me <me@example.org>"))
        sent = store.save(Draft(patch, "line", "long!", file="c.c", side="new",
                                line_text="+static int c7;", line_no=8))
        store.record_composed("sent-1@example.org", patch_msgid=patch, in_reply_to=patch,
                              subject="Re: c", raw=b"", draft_ids=[sent.id])
        store.record_sent("sent-1@example.org")
        report = revision_report(series, patch, drafts=store)
    fates = {d.draft.id: (d.status, d.new_anchor.text if d.new_anchor else None)
             for d in report.drafts}
    assert fates == {kept.id: ("unchanged", "+static int c12;"), gone.id: ("removed", None),
                     sent.id: ("changed", "+static long c7;")}
    data = report_json(report)
    assert {d["state"] for d in data["drafts"]} == {"draft", "sent"}


def test_one_patch_among_its_revisions(series):
    v1, v2 = sorted((s for s in series.series if s.cover), key=lambda s: s.version)
    here = patch_revisions(series, v2.patches[2])
    assert here.versions == ((1, v1.patches[2]), (2, v2.patches[2]))
    assert here.previous == v1.patches[2]
    assert here.summary() == "v1 had 5 comments: 2 changed, 1 unchanged, 1 gone, " \
        "1 general or unplaced"
    first = patch_revisions(series, v1.patches[3])  # dropped in v2
    assert first.versions == ((1, v1.patches[3]), (2, None)) and first.carried == ()
    assert patch_revisions(series, "r1@example.org") is None  # a reply is no posting


def test_a_renamed_new_file_is_followed_to_its_new_name():
    # The demo's v1 adds lumora,lm32-wdt.yaml, v2 lumora,lm3200-wdt.yaml (two new files).
    demo = Archive.open(Path(__file__).parents[1] / "resources" / "demo.mbox", use_cache=False)
    v1 = min((s for s in demo.series if s.cover), key=lambda s: s.version)
    binding = [c for c in revision_report(demo, v1.cover).comments
               if (c.annotation.anchor.file or "").endswith("lumora,lm32-wdt.yaml")]
    assert binding and all(c.status in ("changed", "removed", "unchanged") for c in binding)
    moved = [c for c in binding if c.new_anchor is not None]
    assert moved and all(c.new_anchor.file.endswith("lumora,lm3200-wdt.yaml") for c in moved)


def _new_file_patch(path: str, lines: list[str]):
    from viewer.core.patch import parse_patch

    body = "\n".join(f"+{line}" for line in lines)
    return parse_patch(f"msg\n---\ndiff --git a/{path} b/{path}\nnew file mode 100644\n"
                       f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}\n")


def test_a_file_moved_into_a_subfolder_is_its_counterpart():
    from viewer.core.line_tracking import counterpart_file

    code = [f"int f{i}(void) {{ return {i}; }}" for i in range(30)]
    old = _new_file_patch("drivers/leds/leds-lpg.c", code)
    moved = _new_file_patch("drivers/leds/rgb/leds-lpg.c", [*code[:25], "int g(void);"])
    other = _new_file_patch("drivers/leds/rgb/leds-other.c", ["int x;", "int y;"])
    assert counterpart_file(old, moved, "drivers/leds/leds-lpg.c") == "drivers/leds/rgb/leds-lpg.c"
    assert counterpart_file(old, other, "drivers/leds/leds-lpg.c") is None


def test_ticking_a_comment_addressed_is_remembered(series, tmp_path):
    env = {**os.environ, "HUNKWISE_DATA_DIR": str(tmp_path / "data")}
    run = [sys.executable, "-m", "viewer", "revisions", str(series.path), "r1@example.org",
           "--json"]

    def comments(*extra: str) -> dict:
        done = subprocess.run([*run, *extra], capture_output=True, text=True, check=True,
                              env=env)
        return {c["annotation_id"]: c for c in json.loads(done.stdout)["comments"]}

    before = comments()
    target = next(i for i, c in before.items() if c["reply_message_id"] == "r2@example.org")
    assert not any(c["addressed"] for c in before.values())
    after = comments("--addressed", target)
    assert [i for i, c in after.items() if c["addressed"]] == [target]
    assert [i for i, c in comments().items() if c["addressed"]] == [target]  # kept
    assert not any(c["addressed"] for c in comments("--not-addressed", target).values())
    done = subprocess.run([*run, "--addressed", "nope@example.org#0"], capture_output=True,
                          text=True, env=env)
    assert done.returncode == 2 and "no message" in done.stderr


def test_the_review_page_lays_out_carried_comments_without_qt(series):
    from viewer.core.review_page import lay_out

    v2 = max((s for s in series.series if s.cover), key=lambda s: s.version)
    here = patch_revisions(series, v2.patches[2])
    page = lay_out(series.review(v2.patches[2]), carried=here.carried)
    heads = {page.rows[i].carried.annotation.reply_message_id: i for i in page.carried_rows}
    assert set(heads) == {"r1@example.org", "r2@example.org", "r3@example.org",
                          "r4@example.org", "r6@example.org"}
    # r2 (unchanged) sits under "+static int c12;", r3 (gone) in the section of its own.
    above = page.rows[heads["r2@example.org"] - 1]
    assert above.kind == "diff" and above.text == "+static int c12;"
    gone = heads["r3@example.org"]
    assert page.rows[gone].text.endswith("line gone")
    assert page.rows[gone + 1].text.strip() == "(was on: +static int c19;)"
    heading = next(r.text for r in page.rows if r.kind == "heading" and "From v1" in r.text)
    assert heading == "From v1, not on a line of this revision (2)"
    only = lay_out(series.review(v2.patches[2]), carried=here.carried, only_unchanged=True)
    assert [only.rows[i].carried.status for i in only.carried_rows] == ["unchanged"]
