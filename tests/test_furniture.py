"""Mail furniture never becomes a comment card, and real comments around it stay whole.

Each case is a reply written for the test in the shape a mail client or a reviewer's habit
gives it (Outlook header blocks, Claws Mail and Evolution attributions, wrapped quote tails,
greetings and sign-offs, trailers, lead-ins); the expected cards are what a reader counts as
remarks. Cases marked "stays" guard the other side: text that looks like furniture but is a
remark.
"""

from __future__ import annotations

import pytest

from viewer.core.anchoring import anchor_thread
from viewer.core.courtesy import is_attribution, is_courtesy_paragraph, is_trailer_lead_in
from viewer.core.message import Message, Person
from viewer.core.quotes import split_reply

PATCH = Message(
    msgid="p@x", subject="[PATCH] frob: add the knob", author=Person("Ann Author", "ann@x"),
    date=0.0, in_reply_to=None, references=(),
    body=(
        "Add the frob knob.\n\nSigned-off-by: Ann Author <ann@x>\n---\n"
        "diff --git a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n@@ -1,3 +1,5 @@\n int a;\n+int b;\n"
        '+\tpr_err("frobnicator failed to initialise the device: %d\\n", ret);\n'
        "+int d;\n int c;\n"
    ),
)
# An earlier review the second mail of "two mails at once" answers.
FIRST = Message(
    msgid="q@x", subject="Re: [PATCH] frob: add the knob", author=Person("Bob Reviewer", "bob@x"),
    date=1.0, in_reply_to="p@x", references=("p@x",),
    body="> +int b;\n\nWhy is b an int?\n",
)


def cards(body: str, *, parent: str = "p@x") -> list[tuple[str, int | None]]:
    """(comment, new_line of its anchor) for every card of one reply by Rita Reviewer."""
    refs = ("p@x",) if parent == "p@x" else ("p@x", parent)
    reply = Message(msgid="r@x", subject="Re: [PATCH] frob: add the knob",
                    author=Person("Rita Reviewer", "rita@x"), date=2.0, in_reply_to=parent,
                    references=refs, body=body)
    return [(a.comment, a.anchor.new_line) for a in anchor_thread([PATCH, FIRST, reply])
            if a.reply_message_id == "r@x"]


def annotations_of(body: str):
    reply = Message(msgid="r@x", subject="Re: [PATCH] frob", author=Person("Rita Reviewer",
                    "rita@x"), date=2.0, in_reply_to="p@x", references=("p@x",), body=body)
    return [a for a in anchor_thread([PATCH, reply]) if a.reply_message_id == "r@x"]


WHY_B = [("Why b?", 2)]


@pytest.mark.parametrize("body", [
    # Outlook/Exchange: the original's header written unquoted above the quote, on one line...
    "From: Ann Author <ann@x> Sent: Monday, March 4, 2024 10:00 AM To: list@x "
    "Subject: RE: [PATCH] frob\n\n> +int b;\n\nWhy b?\n",
    # ... or one field a line, with no separator above it ...
    "From: Ann Author <ann@x>\nSent: Monday, March 4, 2024 10:00 AM\nTo: list@x\nCc: bob@x\n"
    "Subject: RE: [PATCH] frob\n\n> +int b;\n\nWhy b?\n",
    # ... in German Outlook ...
    "Von: Ann Author <ann@x>\nGesendet: Montag, 4. März 2024 10:00\nAn: list@x\n"
    "Betreff: AW: [PATCH] frob\n\n> +int b;\n\nWhy b?\n",
    # ... or re-flowed over two lines.
    "From: Ann Author <ann@x> Sent: Monday, March 4, 2024 10:00 AM\nTo: list@x Subject: RE: "
    "[PATCH] frob\n\n> +int b;\n\nWhy b?\n",
    # Claws Mail / Sylpheed: the date after the verb, on one line or wrapped before the colon.
    "Ann Author <ann@x> wrote on Mon, 4 Mar 2024 10:00:00 +0100:\n\n> +int b;\n\nWhy b?\n",
    "Ann Author <ann@x> wrote on Mon, 4 Mar 2024\n10:00:00 +0100:\n\n> +int b;\n\nWhy b?\n",
    # Claws Mail's other shape: the date line, then "X <x@y> wrote:".
    "On Mon, 4 Mar 2024 10:00:00 +0100\nAnn Author <ann@x> wrote:\n\n> +int b;\n\nWhy b?\n",
    # Evolution.
    "On Mon, 2024-03-04 at 10:00 +0100, Ann Author wrote:\n> +int b;\n\nWhy b?\n",
    # alot / notmuch: "Quoting X (date)" and no colon.
    "Quoting Ann Author (2024-03-04 10:00:00)\n> +int b;\n\nWhy b?\n",
    # Greetings beyond "Hi", closings beyond "Thanks".
    "Yo,\n\n> +int b;\n\nWhy b?\n\nCheers\n",
    "Hey all,\n\n> +int b;\n\nWhy b?\n\nTake care,\nRita\n",
    # A lone first name, an initial, "--" without its space before a signature.
    "> +int b;\n\nWhy b?\n\nRita\n",
    "> +int b;\n\nWhy b?\n\nR.\n",
    "> +int b;\n\nWhy b?\n\n--\nRita Reviewer\nACME Corp, frob team\n",
    # A signature put above the quoted mail (where Outlook starts the cursor).
    "--\nRita Reviewer\n\n> +int b;\n\nWhy b?\n",
    # Bare lead-ins, joined to nothing: the remarks below them are the cards.
    "> Signed-off-by: Ann Author <ann@x>\n\nNits:\n\n> +int b;\n\nWhy b?\n",
    "> Signed-off-by: Ann Author <ann@x>\n\nA few comments below:\n\n> +int b;\n\nWhy b?\n",
    "Hi Ann,\n\nthank you for the patch. I have some notes, see below.\n\n> +int b;\n\nWhy b?\n",
    "I only had a very quick look.\n\nThanks,\nRita\n\n> +int b;\n\nWhy b?\n",
    # Thanks and excuses above the answers.
    "Hi Ann,\n\nThank you guys so much for your review. Sorry for the late reply.\n\n> +int b;"
    "\n\nWhy b?\n",
    # A greeting in the middle of a review.
    "> +int b;\n\nHi Ann,\n\nWhy b?\n",
    # Sign-offs trailing the comment, glued or set apart, at the end of the mail.
    "> +int b;\n\nWhy b?\n\nThanks,\nGuenter\n",
    "> +int b;\n\nWhy b?\nThanks, Guenter\n",
])
def test_furniture_around_one_remark_makes_no_card(body):
    assert cards(body) == WHY_B


def test_sign_off_in_the_middle_of_the_mail_is_trimmed_from_the_card():
    body = "> +int b;\n\nWhy b?\n\nThanks,\nGuenter\n\n> +int d;\n\nAnd d.\n"
    assert cards(body) == [("Why b?", 2), ("And d.", 4)]


def test_reply_answering_two_mails_keeps_both_answers_and_no_attribution():
    # "On …, X wrote:" introducing each of two quoted mails, the second one mid-reply.
    body = ("On 04.03.24 08:30, Bob Reviewer wrote:\n> > +int b;\n>\n> Why is b an int?\n\n"
            "Because the register is signed.\n\n"
            "Ann Author <ann@x> wrote on Mon, 4 Mar 2024 10:00:00 +0100:\n> +int d;\n\n"
            "No, d is fine.\n")
    assert cards(body, parent="q@x") == [("Because the register is signed.", 2),
                                         ("No, d is fine.", 4)]


@pytest.mark.parametrize("second", [
    "On Mon, 2024-03-04 at 10:00 +0100, Ann Author wrote:\n",  # Evolution
    "On Mon, 4 Mar 2024 10:00:00 +0100\nAnn Author <ann@x> wrote:\n",  # Claws, two lines
    "On Mon, Mar 4, 2024 at 10:00 AM Ann Author\n<ann@x> wrote:\n",  # Gmail, wrapped
    "Ann Author <ann@x> wrote on Mon, 4 Mar 2024\n10:00:00 +0100:\n",  # Claws "wrote on"
])
def test_attribution_in_the_middle_of_a_reply_is_not_part_of_the_remark_above(second):
    body = f"> +int b;\n\nWhy b?\n\n{second}> +int d;\n\nWhy d?\n"
    assert cards(body) == [("Why b?", 2), ("Why d?", 4)]


def test_outlook_header_above_an_inline_reply_is_not_top_posting():
    # Words above a pasted header usually mean the original mail follows unquoted; here ">"
    # lines follow it, so the header is the attribution and the answers below are Rita's.
    body = ("Fine by me.\n\nFrom: Ann Author <ann@x>\nSent: Monday, March 4, 2024 10:00 AM\n"
            "To: list@x\nSubject: RE: [PATCH] frob\n\n> +int b;\n\nWhy b?\n")
    assert cards(body) == [("Fine by me.", None), ("Why b?", 2)]


def test_top_posted_outlook_answer_still_quotes_the_original_below():
    body = ("Fine by me.\n\nFrom: Ann Author <ann@x>\nSent: Monday, March 4, 2024 10:00 AM\n"
            "To: list@x\nSubject: [PATCH] frob\n\nAdd the frob knob.\n")
    assert cards(body) == [("Fine by me.", None)]


@pytest.mark.parametrize("quoted, tail", [
    ('> +\tpr_err("frobnicator failed to initialise the device: %d\\n",\n', "ret);\n"),
    ('> +\tpr_err("frobnicator failed to initialise the device:\n', '%d\\n", ret);\n'),
    ('> +\tpr_err("frobnicator failed to\n', 'initialise the device: %d\\n",\nret);\n'),
])
def test_quote_tail_wrapped_onto_an_unquoted_line_stays_with_the_quote(quoted, tail):
    # The comment after the tail is still its own card, on the line the tail completes.
    for gap in ("\n", ""):
        assert cards(f"{quoted}{tail}{gap}Use dev_err().\n") == [("Use dev_err().", 3)]


def test_remark_right_under_a_complete_quoted_line_is_not_a_tail():
    # "> +int b;" is a whole patch line: "int d;" under it is the reviewer's suggestion, even
    # though "+int b; int d;" is no line of the patch either way.
    assert cards("> +int b;\nint d;\n") == [("int d;", 2)]


@pytest.mark.parametrize("body", [
    "> Add the frob knob.\n\nReviewed-by: Rita Reviewer <rita@x>\n",
    "On Mon, Ann wrote:\n> Add the frob knob.\n>\n> Signed-off-by: Ann Author <ann@x>\n\n"
    "Acked-by: Rita Reviewer <rita@x>\nBest regards,\nRita\n",
    "> Signed-off-by: Ann Author <ann@x>\n\nWith that fixed,\n"
    "Reviewed-by: Rita Reviewer <rita@x>\n",
    "> +int d;\n\nLooks good to me.\n\nTested-by: Rita Reviewer <rita@x>\n",
    # The tag under someone else's name or address: still a tag, the collection marks it.
    "> Add the frob knob.\n\nReviewed-by: Rita Reviewer <rita.reviewer@corp.example>\n",
])
def test_a_reply_that_is_only_a_tag_makes_no_card(body):
    assert annotations_of(body) == []


def test_a_tag_ending_a_real_comment_is_split_off_and_kept_on_the_card():
    (card,) = annotations_of("> +int b;\n\nWhy b? Otherwise fine.\nReviewed-by: Rita Reviewer "
                             "<rita@x>\n")
    assert card.comment == "Why b? Otherwise fine."
    assert card.trailers == ["Reviewed-by: Rita Reviewer <rita@x>"]
    assert card.to_json()["trailers"] == card.trailers


def test_a_tag_above_a_test_report_leaves_the_report():
    (card,) = annotations_of("> Add the frob knob.\n\nTested-by: Rita Reviewer <rita@x>\n\n"
                             "Tested on the frob board: the knob turns.\n")
    assert card.comment == "Tested on the frob board: the knob turns."
    assert card.trailers == ["Tested-by: Rita Reviewer <rita@x>"]


def test_an_example_tag_block_inside_a_remark_stays_in_it():
    body = ("Please put the changelog under the tags, like this:\n\n"
            "Signed-off-by: Ann Author <ann@x>\n---\nChanged in v2:\n- rebased\n\n"
            "> +int b;\n\nOK\n")
    first = annotations_of(body)[0]
    assert "Signed-off-by: Ann Author <ann@x>\n---" in first.comment and first.trailers == []


@pytest.mark.parametrize("body, kept", [
    ("> +int b;\n\nHey, this leaks memory.\n", "Hey, this leaks memory."),
    ("> +int b;\n\nNits:\n- rename b\n- drop d\n", "Nits:\n- rename b\n- drop d"),
    ("> Signed-off-by: Ann Author <ann@x>\n\nSome initial comments inline. The binding needs "
     "rework first though.\n\n> +int b;\n\nWhy b?\n",
     "Some initial comments inline. The binding needs rework first though."),
    ("> +int b;\n\nThanks for fixing the leak in frob_probe(), but b is still wrong.\n",
     "Thanks for fixing the leak in frob_probe(), but b is still wrong."),
    ("> +int b;\n\nRename.\n\n> +int d;\n\nRita?\n", "Rename."),
    ("> +int b;\n\nThe comments below the function are stale.\n",
     "The comments below the function are stale."),
])
def test_remarks_shaped_like_furniture_stay(body, kept):
    assert kept in [a.comment for a in annotations_of(body)]


def test_git_patch_pasted_into_a_comment_is_not_an_outlook_header():
    body = ("> +int b;\n\nI'd do it like this:\n\nFrom: Rita Reviewer <rita@x>\n"
            "Date: Mon, 4 Mar 2024 10:00:00 +0100\nSubject: [PATCH] frob: int b\n")
    (card,) = annotations_of(body)
    assert "Subject: [PATCH] frob: int b" in card.comment


def test_signature_above_the_quote_is_set_aside_and_the_rest_kept():
    split = split_reply("--\nRita Reviewer\n\n> +int b;\n\nWhy b?\n\n-- \nlist footer\n")
    assert split.signature[:2] == ["--", "Rita Reviewer"] and "list footer" in split.signature
    assert [s.text.strip() for s in split.segments if s.kind == "own" and not s.is_blank] == [
        "Why b?"]


@pytest.mark.parametrize("line, yes", [
    ("Ann Author <ann@x> wrote on Mon, 4 Mar 2024 10:00:00 +0100:", True),
    ("Quoting Ann Author (2024-03-04 10:00:00)", True),
    ("On Mon, 2024-03-04 at 10:00 +0100, Ann Author wrote:", True),
    ("Ann wrote on the list that this is fine.", False),
    ("He wrote on 4 March that it works.", False),
])
def test_attribution_shapes(line, yes):
    assert is_attribution(line) is yes


@pytest.mark.parametrize("text, yes", [
    ("Nits:", True), ("A few comments below:", True), ("More comments inline.", True),
    ("Just a few really quick comments as I'm out of time today.", True),
    ("Various things inline.", True), ("Thanks for testing this on the frob board!", True),
    ("Thanks for the review. I was OoO last week so just getting to this now.", True),
    ("Hi Jonathan, Krzysztof,", True),
    ("Some comments on the locking: you must hold frob_lock here.", False),
    ("A few comments below, but the locking is wrong.", False),
    ("Hey, this leaks memory.", False), ("Sorry, the delay loop is wrong.", False),
    ("This is wrong, see below.", False), ("Some things are still wrong here.", False),
])
def test_courtesy_paragraphs(text, yes):
    assert is_courtesy_paragraph([text]) is yes


@pytest.mark.parametrize("text, yes", [
    ("With that fixed,", True), ("Other than that:", True), ("Looks good to me.", True),
    ("This driver looks completely reasonable to me.", True), ("LGTM", True),
    ("Why b? Otherwise fine.", False), ("Please use dev_err() here.", False),
])
def test_trailer_lead_ins(text, yes):
    assert is_trailer_lead_in(text) is yes


@pytest.mark.parametrize("body", [
    "> +int b;\n\nWhy b?\n\n> +int d;\n\nReviewed-by: Rita Reviewer <rita@x>\n",
    "Reviewed-by: Rita Reviewer <rita@x>\n\n> +int b;\n\nWhy b?\n",
])
def test_a_tag_given_apart_from_the_comments_shows_on_the_reply_s_comment(body):
    (card,) = annotations_of(body)
    assert (card.comment, card.trailers) == ("Why b?", ["Reviewed-by: Rita Reviewer <rita@x>"])


@pytest.mark.parametrize("tail", [
    "Sent from my iPhone",
    "Thanks,\nRita\n\nThis e-mail and any attachments are confidential and intended solely for "
    "the use of the individual to whom it is addressed. If you have received this e-mail in "
    "error, please notify the sender.",
])
def test_phone_and_company_footers_under_the_last_remark_are_trimmed(tail):
    assert cards(f"> +int b;\n\nWhy b?\n\n{tail}\n") == WHY_B


def test_a_remark_about_confidential_data_is_kept():
    body = "> +int b;\n\nDo not log the key here: it is confidential information of the user.\n"
    assert cards(body) == [(body.split("\n\n")[1].strip(), 2)]


def test_a_last_paragraph_about_confidential_data_is_kept():
    body = ("> +int b;\n\nWhy b?\n\nAlso, do not print the key: it is confidential information "
            "of the user and must not leak to the log.\n")
    assert len(cards(body)[0][0].split("\n\n")) == 2
