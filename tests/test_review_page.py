"""The review page layout, without Qt: which comment sits under which row."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.people import person
from viewer.core.annotation import Anchor, Annotation
from viewer.core.card_text import CARD_MAX_CHARS
from viewer.core.patch import Patch, parse_patch
from viewer.core.review_model import is_doubtful
from viewer.core.review_page import (
    CARD_INDENT,
    CONTINUATION_INDENT,
    ReviewPage,
    build_page,
    is_robot,
    one_line,
    split_long,
)
from viewer.core.trailers import Trailer

FIXTURE = Path(__file__).parent / "fixtures" / "review" / "gpio-wdt.patch"
C_FILE = "drivers/watchdog/gpio_wdt.c"


@pytest.fixture
def patch() -> Patch:
    return parse_patch(FIXTURE.read_text(encoding="utf-8"))


def note(ident: str, anchor: Anchor, *, reply_to: str | None = None, date: float = 1.0e9,
         author: str = "Guenter Roeck <linux@roeck-us.net>", text: str = "Why?",
         confidence: float = 1.0, method: str = "exact") -> Annotation:
    return Annotation(ident, f"{ident}@mail", person(author), date, text, anchor,
                      in_reply_to=reply_to,
                      confidence=confidence, method=method)


def on_line(old: int | None, new: int | None, text: str = "", path: str = C_FILE) -> Anchor:
    return Anchor("diff", "p@x", path, old, new, text)


def row_above(page: ReviewPage, annotation_id: str):
    """The nearest non-card row above a card: the line the comment belongs to."""
    index = page.head_row(annotation_id)
    assert index is not None
    while page.rows[index].annotation is not None:
        index -= 1
    return page.rows[index]


def test_card_sits_under_the_added_line_it_quotes(patch: Patch) -> None:
    page = build_page(patch, [note("a", on_line(None, 23, "+\tunsigned int\t\ttimeout;"))])
    above = row_above(page, "a")
    assert above.kind == "diff"
    assert above.line is not None and (above.line.kind, above.line.new_line) == ("+", 23)
    head = page.head_row("a")
    assert head is not None
    assert page.rows[head].kind == "comment_head"
    assert page.rows[head + 1].kind == "comment" and page.rows[head + 1].text.strip() == "Why?"
    assert page.rows[head].file_index == 0 and page.rows[head].hunk_index == 0


def test_removed_and_context_lines_are_told_apart_by_both_numbers(patch: Patch) -> None:
    removed = note("r", on_line(64, None, "-\t\treturn -EIO;"))
    context = note("c", on_line(61, 63))
    page = build_page(patch, [removed, context])
    assert row_above(page, "r").line.old_line == 64
    assert row_above(page, "r").line.kind == "-"
    assert (row_above(page, "c").line.old_line, row_above(page, "c").line.new_line) == (61, 63)


def test_replies_nest_under_their_discussion_in_date_order(patch: Patch) -> None:
    anchor = on_line(None, 66)
    root = note("root", anchor, date=100.0)
    late = note("late", anchor, reply_to="root", date=300.0, author="Jane <jane@example.org>")
    early = note("early", anchor, reply_to="root", date=200.0, author="Jane <jane@example.org>")
    deeper = note("deeper", anchor, reply_to="early", date=250.0)
    page = build_page(patch, [late, deeper, root, early])
    heads = [page.rows[i].annotation.id for i in page.comment_rows]
    assert heads == ["root", "early", "deeper", "late"]
    depths = [page.rows[i].depth for i in page.comment_rows]
    assert depths == [0, 1, 2, 1]
    assert list(page.threads) == ["root"]
    thread = page.threads["root"]
    assert thread.size == 4
    assert thread.rows[0] == page.head_row("root")
    assert all(page.rows[i].thread == "root" for i in thread.rows)


def test_children_field_is_followed_too(patch: Patch) -> None:
    root = note("root", on_line(None, 66))
    root.children.append(note("kid", on_line(None, 66), date=2.0e9))
    page = build_page(patch, [root])
    assert page.rows[page.head_row("kid")].depth == 1


def test_general_comments_come_first_and_commit_message_comments_by_text(patch: Patch) -> None:
    general = note("g", Anchor("unanchored", "p@x"), confidence=0.3, method="fallback")
    message = note("m", Anchor("commit_message", "p@x", text=patch.commit_message[0]))
    trailer = note("t", Anchor("commit_message", "p@x",
                               text='Fixes: 0123456789ab ("watchdog: gpio: add driver")'))
    page = build_page(patch, [message, general, trailer])
    first_message = next(i for i, r in enumerate(page.rows) if r.kind == "message")
    assert page.head_row("g") < first_message
    above = row_above(page, "m")
    assert above.kind == "message" and above.message_line == 0
    assert row_above(page, "t").kind == "trailer"


def test_anchor_on_a_file_without_line_sits_under_the_file_header(patch: Patch) -> None:
    page = build_page(patch, [note("f", Anchor("diff", "p@x", "drivers/watchdog/Makefile",
                                               text="+++ b/drivers/watchdog/Makefile"))])
    above = row_above(page, "f")
    assert above.kind == "file" and above.file_index == 1


def test_anchor_on_an_unknown_file_is_kept_as_general(patch: Patch) -> None:
    page = build_page(patch, [note("x", on_line(None, 5, path="drivers/other.c"))])
    assert page.head_row("x") < page.files[0].row


def test_doubtful_anchor_is_marked_in_the_card_head(patch: Patch) -> None:
    sure = note("sure", on_line(None, 23))
    near = note("near", on_line(None, 24), confidence=0.9, method="nearest")
    low = note("low", on_line(None, 27), confidence=0.5)
    page = build_page(patch, [sure, near, low])
    assert [is_doubtful(a) for a in (sure, near, low)] == [False, True, True]
    assert "approximate" not in page.rows[page.head_row("sure")].text
    assert "≈ approximate (nearest" in page.rows[page.head_row("near")].text
    assert "approximate" in page.rows[page.head_row("low")].text


def test_hunks_know_whether_they_carry_comments(patch: Patch) -> None:
    page = build_page(patch, [note("a", on_line(None, 66))])
    assert [h.commented for h in page.hunks] == [False, True, False]
    second = page.hunks[1]
    assert page.rows[second.row].kind == "hunk"
    assert second.row < page.head_row("a") < second.end_row


def test_every_row_is_one_line(patch: Patch) -> None:
    text = "first\nsecond\u2029third\rfourth\x0cfifth"
    page = build_page(patch, [note("a", on_line(None, 66), text=text)],
                      subject="subject\u2028with a line separator")
    assert all("\n" not in r.text and "\u2029" not in r.text and "\u2028" not in r.text
               and "\r" not in r.text for r in page.rows)
    comment_lines = [r.text.strip() for r in page.rows if r.kind == "comment"]
    assert comment_lines == ["first", "second third fourth fifth"]
    assert one_line("a\u2029b") == "a b"


def test_side_texts_index_every_diff_row(patch: Patch) -> None:
    page = build_page(patch)
    for row in page.rows:
        if row.kind != "diff":
            continue
        page_file = page.files[row.file_index]
        text = page_file.old_text if row.side == "old" else page_file.new_text
        assert text.split("\n")[row.side_line] == row.line.text
        assert row.text == row.line.kind + row.line.text


def test_hunk_starting_inside_a_block_comment_is_lexed_as_comment() -> None:
    patch = parse_patch(
        "Fix doc\n---\n"
        "diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1,3 +1,3 @@\n"
        " * @reg: the register\n- * @bit: old\n+ * @bit: new\n */\n"
    )
    page = build_page(patch)
    assert page.files[0].new_text.split("\n")[0] == "/*"
    row = next(r for r in page.rows if r.kind == "diff" and r.line.kind == "+")
    assert page.files[0].new_text.split("\n")[row.side_line] == " * @bit: new"


def test_trailers_from_replies_are_shown_with_counts(patch: Patch) -> None:
    given = [*patch.trailers, Trailer("Reviewed-by", "Guenter Roeck <linux@roeck-us.net>",
                                      source_msgid="r@x")]
    page = build_page(patch, trailers=given, trailer_counts={"A": 0, "R": 1, "T": 0})
    texts = [r.text for r in page.rows if r.kind == "trailer"]
    assert texts[-1].startswith("Reviewed-by: Guenter Roeck") and "from a reply" in texts[-1]
    assert any("Reviewed-by ×1" in r.text for r in page.rows if r.kind == "meta")


def test_a_mail_without_a_diff_shows_its_body() -> None:
    page = build_page(None, msgid="c@x", subject="[PATCH 0/2] cover", body="Hello\nthere")
    assert [r.text for r in page.rows if r.kind == "message"] == ["Hello", "there"]
    assert page.files == [] and page.hunks == []


def test_general_comments_are_not_marked_approximate(patch: Patch) -> None:
    general = note("g", Anchor("unanchored", "p@x"), confidence=0.3, method="fallback")
    page = build_page(patch, [general])
    assert not is_doubtful(general)
    assert "approximate" not in page.rows[page.head_row("g")].text


def test_long_comment_prose_is_wrapped_but_indented_code_is_not(patch: Patch) -> None:
    prose = "word " * 60
    code = "    " + "x" * 100
    page = build_page(patch, [note("a", on_line(None, 66), text=f"{prose}\n{code}")])
    lines = [r.text.strip() for r in page.rows if r.kind == "comment"]
    assert len(lines) > 2 and all(len(line) <= 90 for line in lines[:-1])
    assert " ".join(lines[:-1]) == prose.strip()
    assert lines[-1] == code.strip()


@pytest.mark.parametrize(
    "line",
    [
        "https://lore.kernel.org/all/" + "a1b2c3d4" * 34,  # one 300-character word
        "  [  12.345678] " + "WARNING: CPU: 3 PID: 1 at drivers/foo.c:123 " * 7,  # indented log
        "x" * 110,
    ],
)
def test_no_card_line_is_wider_than_the_cap(patch: Patch, line: str) -> None:
    page = build_page(patch, [note("a", on_line(None, 66), text=f"Look:\n{line}\nok")])
    head = page.head_row("a")
    rows = [r for r in page.rows if r.kind == "comment"]
    card = " " * (CARD_INDENT + CARD_INDENT * page.rows[head].depth)
    assert all(len(r.text) <= len(card) + CONTINUATION_INDENT + CARD_MAX_CHARS for r in rows)
    # the pieces are continued rows that give back the reviewer's line exactly
    pieces = [r for r in rows if r.continued]
    assert (len(pieces) > 0) == (len(line) > CARD_MAX_CHARS)
    first = next(i for i, r in enumerate(rows) if r.text[len(card):].startswith(line[:20]))
    joined = rows[first].text[len(card):] + "".join(
        r.text[len(card) + CONTINUATION_INDENT:] for r in rows[first + 1:] if r.continued
    )
    assert joined == line
    assert rows[-1].text.strip() == "ok" and not rows[-1].continued


def test_split_long_prefers_a_space() -> None:
    pieces = split_long("aaaa bbbb cccc dddd", width=10)
    assert pieces == ["aaaa bbbb ", "cccc dddd"]
    assert split_long("z" * 25, width=10) == ["z" * 10, "z" * 10, "z" * 5]


def test_first_screen_says_how_many_comments_and_from_whom(patch: Patch) -> None:
    notes = [
        note("a", on_line(None, 23), date=3.0e9),
        note("b", on_line(None, 23), reply_to="a", date=4.0e9, author="Jane <jane@example.org>"),
        note("c", Anchor("unanchored", "p@x", None, None, None), date=1.0e9,
             author="Rob <rob@kernel.example>"),
    ]
    page = build_page(patch, notes)
    summary = [i for i, row in enumerate(page.rows) if row.kind == "summary"]
    assert len(summary) == 1
    # Above every card, in the first few rows: seen before any scrolling.
    assert summary[0] < min(page.comment_rows) and summary[0] < 5
    # Three comments, people in the order they spoke, and the key that finds them.
    assert page.rows[summary[0]].text.startswith("3 comments by Rob, Guenter Roeck, Jane —")
    assert ". for the next" in page.rows[summary[0]].text


def test_a_patch_without_comments_says_so(patch: Patch) -> None:
    page = build_page(patch, [])
    assert [row.text for row in page.rows if row.kind == "summary"] == [
        "No review comments on this patch."]


@pytest.mark.parametrize(
    ("author", "robot"),
    [
        ("kernel test robot <lkp@intel.com>", True),
        ("syzbot <syzbot+3f2a@syzkaller.appspotmail.com>", True),
        ("patchwork-bot+netdevbpf@kernel.org", True),
        ("KernelCI bot <bot@kernelci.org>", True),
        ("Uwe Kleine-König <u.kleine-koenig@pengutronix.de>", False),
        ("Rob Herring <robh@kernel.org>", False),
        ("Abbot Jones <abbot@example.org>", False),
    ],
)
def test_is_robot(author: str, robot: bool) -> None:
    assert is_robot(person(author)) is robot


def _chips(row) -> list[str]:
    return [row.text[s.start:s.start + s.length].strip() for s in row.spans
            if s.style == "trailer_chip"]


def test_a_tag_taken_out_of_a_comment_is_a_chip_on_its_card(patch: Patch) -> None:
    own = note("own", on_line(None, 23))
    own.trailers = ["Reviewed-by: Guenter Roeck <linux@roeck-us.net>"]
    other = note("other", on_line(None, 24))
    # A tag naming someone else (a "Reported-by" the reviewer suggests) keeps the name.
    other.trailers = ["Reported-by: Jane Doe <jane@example.org>"]
    page = build_page(patch, [own, other])
    assert _chips(page.rows[page.head_row("own")]) == ["Reviewed-by"]
    assert _chips(page.rows[page.head_row("other")]) == ["Reported-by Jane Doe"]
    assert all("Reviewed-by" not in r.text for r in page.rows if r.kind == "comment")


def test_tags_given_in_replies_are_chips_on_the_patch(patch: Patch) -> None:
    given = [*patch.trailers,
             Trailer("Reviewed-by", "Guenter Roeck <linux@roeck-us.net>", source_msgid="r@x"),
             Trailer("Acked-by", "Nuno Sá <nuno@example.org>", source_msgid="s@x")]
    page = build_page(patch, trailers=given, trailer_counts={"A": 1, "R": 1, "T": 0})
    (meta,) = [r for r in page.rows if r.kind == "meta" and "×" in r.text]
    assert _chips(meta) == ["Reviewed-by Guenter Roeck", "Acked-by Nuno Sá"]
    # The patch's own Signed-off-by is no chip: nobody gave it in a reply.
    assert not any("Signed-off-by" in c for c in _chips(meta))
