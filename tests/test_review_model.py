"""The review model: rows in display order with stable keys, each comment on exactly one row."""

from __future__ import annotations

from viewer.core.anchoring import analyse_thread
from viewer.core.archive import Archive
from viewer.core.drafts import draft_on_row, locate
from viewer.core.message import Message, Person
from viewer.core.review_model import RowKey, is_doubtful

PATCH_BODY = """\
Make foo faster.

Make foo faster.

Signed-off-by: Jane Doe <jane@example.org>
---
 f.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/f.c b/f.c
--- a/f.c
+++ b/f.c
@@ -1,2 +1,3 @@ int foo(void)
 int a;
+int b;
 int c;
"""


REVIEWER = Person("Rev Iewer", "rev@example.org")


def mail(msgid: str, subject: str, body: str, parent: str | None = None,
         author: Person = REVIEWER, date: float = 1.0e9) -> Message:
    return Message(msgid=msgid, subject=subject, author=author, date=date, in_reply_to=parent,
                   references=(parent,) if parent else (), body=body)


PATCH = mail("p@x", "[PATCH] foo: faster", PATCH_BODY, author=Person("Jane Doe", "jane@x.org"))


def review(*replies: Message):
    archive = Archive.of_messages([PATCH, *replies])
    return archive, archive.review("p@x")


def test_rows_in_display_order_with_stable_keys():
    _, model = review()
    kinds = [row.kind for row in model.rows]
    assert kinds == ["subject", "commit", "commit", "commit", "trailer", "diffstat", "diffstat",
                     "file", "hunk", "line", "line", "line"]
    keys = [row.key for row in model.rows]
    assert len(set(keys)) == len(keys)
    # The two equal commit lines are told apart by which copy they are.
    assert keys[1] == RowKey("p@x", "commit", None, None, None, "Make foo faster.", 0)
    assert keys[3].copy == 1
    assert model.rows[10].key == RowKey("p@x", "line", "f.c", None, 2, "+int b;", 0)
    # Built again from the same mail, the keys are the same.
    assert [row.key for row in review()[1].rows] == keys


def test_each_comment_sits_on_exactly_one_row():
    body = ("> diff --git a/f.c b/f.c\n\nWhole file: why?\n\n"
            "> @@ -1,2 +1,3 @@ int foo(void)\n\nThis hunk.\n\n"
            "> +int b;\n\nWhy b?\n\n"
            "> Make foo faster.\n\nSaid twice.\n")
    _, model = review(mail("r@x", "Re: [PATCH] foo: faster", body, "p@x"))
    placed = {a.comment: model.row_of(a.id) for a in model.annotations}
    rows = model.rows
    assert rows[placed["Whole file: why?"]].kind == "file"
    assert rows[placed["This hunk."]].kind == "hunk"
    assert rows[placed["Why b?"]].key.new_line == 2
    # The copy of the line that was quoted, not the last one with that text.
    assert rows[placed["Said twice."]].kind == "commit"
    for discussion in model.discussions:
        assert discussion in model.at(discussion.row)
    assert model.general == []
    assert model.counts.comments == 4 and model.counts.people == (Person("Rev Iewer",
                                                                         "rev@example.org"),)


def test_answers_join_the_discussion_and_general_comments_have_no_row():
    review_mail = mail("r@x", "Re: [PATCH] foo: faster", "> +int b;\n\nWhy b?\n", "p@x")
    answer = mail("a@x", "Re: [PATCH] foo: faster",
                  "> > +int b;\n>\n> Why b?\n\nBecause.\n", "r@x",
                  author=Person("Jane Doe", "jane@x.org"), date=2.0e9)
    top = mail("t@x", "Re: [PATCH] foo: faster", "Looks good overall.\n", "p@x", date=3.0e9)
    _, model = review(review_mail, answer, top)
    (general,) = model.general
    assert general.annotation.comment == "Looks good overall." and general.row is None
    (line,) = [d for d in model.discussions if d.row is not None]
    assert [(a.comment, depth) for a, depth in line.walk()] == [("Why b?", 0), ("Because.", 1)]
    assert model.row_of(line.replies[0].annotation.id) == line.row
    assert model.counts.discussions == 2 and model.counts.comments == 3


def test_model_rows_carry_what_a_draft_needs():
    _, model = review()
    draft = draft_on_row("p@x", model.rows, 10, "Why b?")
    assert draft.file == "f.c" and draft.line_text == "+int b;"
    assert locate(draft, model.rows) == 10


def test_the_reply_target_is_the_patch_it_answers():
    reply = mail("r@x", "Re: [PATCH] foo: faster", "> +int b;\n\nWhy b?\n", "p@x")
    deeper = mail("d@x", "Re: [PATCH] foo: faster", "Ok.\n", "r@x")
    archive, _ = review(reply, deeper)
    assert archive.review_target("d@x") == "p@x"
    assert archive.review_target("p@x") == "p@x"
    assert archive.ancestors("d@x") == ["r@x", "p@x"]


def test_one_doubtful_rule():
    analysis = analyse_thread([PATCH, mail("r@x", "Re: x", "> +int   b;\n\nWhy b?\n", "p@x")])
    (annotation,) = analysis.annotations
    assert annotation.method == "whitespace" and is_doubtful(annotation)
