"""Comments anchored on the patch lines they quote: the seed review and a small v1/v2 series."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.core.anchoring import analyse_thread, anchor_thread
from viewer.core.annotation import Anchor
from viewer.core.mbox import open_mailbox
from viewer.core.message import Message, Person

FIXTURES = Path(__file__).parent / "fixtures"


def load(path: Path) -> list[Message]:
    source = open_mailbox(path, use_cache=False)
    return [source.message(entry.number) for entry in source.entries]


@pytest.fixture(scope="module")
def seed():
    messages = load(FIXTURES / "seed.mbox")
    return messages, anchor_thread(messages)


@pytest.fixture(scope="module")
def series():
    messages = load(FIXTURES / "anchoring" / "series.mbox")
    by_reply: dict[str, list] = {}
    for annotation in anchor_thread(messages):
        by_reply.setdefault(annotation.reply_message_id, []).append(annotation)
    return messages, by_reply


def test_seed_first_review(seed):
    messages, annotations = seed
    patch_id, first_id = messages[0].msgid, messages[1].msgid
    first = [a for a in annotations if a.reply_message_id == first_id]
    assert [a.anchor.kind for a in first] == ["commit_message", "commit_message", "diff"]
    assert first[0].anchor.text.endswith("two schedulers: root and core. The")
    assert first[0].comment.startswith("Microsoft Hypervisor provides three schedulers")
    assert first[1].comment == "Level-1 Virtualization Host."
    line = first[2].anchor
    assert (line.file, line.old_line, line.new_line) == ("include/hyperv/hvhdk_mini.h", None, 91)
    assert line.text == "+\tHV_PARTITION_PROPERTY_INTEGRATED_SCHEDULER_ENABLED\t= 0x00020005,"
    assert line.patch_message_id == patch_id
    # both paragraphs of the remark, and no "Thanks, / Wei." sign-off
    assert first[2].comment.endswith('the "Hierarchical" part in the property code name.')
    assert all(a.method == "exact" and a.confidence >= 0.9 for a in first)


def test_seed_second_reply_joins_the_discussion(seed):
    messages, annotations = seed
    second = [a for a in annotations if a.reply_message_id == messages[2].msgid]
    assert len(second) == 1
    answer = second[0]
    assert answer.comment.startswith("I attempt to apply this patch")
    assert not answer.comment.rstrip().endswith("Wei")
    parent = next(a for a in annotations if a.id == answer.in_reply_to)
    assert parent.reply_message_id == messages[1].msgid
    assert answer.anchor == parent.anchor
    assert answer in parent.children
    assert answer.quote_depth == 1


def test_to_json_contract(seed):
    _, annotations = seed
    data = annotations[2].to_json()
    # Keys are a contract: these stay; "trailers" (tags taken out of the comment) was added.
    assert set(data) == {"id", "reply_message_id", "author", "date", "comment", "in_reply_to",
                         "confidence", "method", "quote_depth", "anchor", "trailers"}
    assert data["trailers"] == []
    assert set(data["anchor"]) == {"kind", "patch_message_id", "file", "old_line", "new_line",
                                   "text"}
    assert data["author"] == "Wei Liu <wei.liu@kernel.org>"
    assert data["date"].startswith("2026-02-04T07:18:16")
    assert data["id"] == f"{data['reply_message_id']}#2"


def test_duplicate_line_and_blank_line(series):
    messages, by_reply = series
    v1 = messages[0].msgid
    commit, dup, blank = by_reply["r1@example.org"]
    assert commit.anchor.kind == "commit_message"
    assert commit.anchor.text.startswith("Add a driver for the Foo 3000")
    # "if (off >= 32)" occurs in foo_get (line 9) and foo_set (line 19): the quote is foo_set's
    assert (dup.anchor.file, dup.anchor.new_line, dup.anchor.patch_message_id) == (
        "drivers/gpio/gpio-foo.c", 19, v1)
    # a comment after a quoted empty "+" line sits on that blank line
    assert (blank.anchor.new_line, blank.anchor.text) == (21, "+")


def test_gmail_tabs_revision_and_discussion(series):
    messages, by_reply = series
    v2 = messages[3].msgid
    # "Looks fine otherwise." / "Reviewed-by: …" is the tag and its lead-in: a tag on the
    # patch (viewer.core.trailers collects it), not a card.
    (same,) = by_reply["r2@example.com"]
    assert same.anchor.patch_message_id == v2  # v2's patch, though v1 has the same code
    assert (same.anchor.new_line, same.method) == (10, "whitespace")
    assert same.anchor.text == "+\t\treturn -EINVAL;"
    (answer,) = by_reply["r3@example.org"]
    assert answer.in_reply_to == same.id and answer.anchor == same.anchor


def test_cover_letter_replies_stay_on_the_cover(series):
    messages, by_reply = series
    cover = messages[2].msgid
    (quoted,) = by_reply["r4@example.org"]
    (plain,) = by_reply["r5@example.org"]
    text = "this series adds the Foo 3000 GPIO driver and its binding."
    assert quoted.anchor == Anchor("commit_message", cover, text=text)
    assert plain.anchor.kind == "unanchored" and plain.anchor.patch_message_id == cover


def reply(body: str, parent: str = "p@x") -> Message:
    return Message(msgid="r@x", subject="Re: [PATCH] foo", author=Person("Rev", "rev@x"),
                   date=0.0, in_reply_to=parent, references=(parent,), body=body)


PATCH = Message(msgid="p@x", subject="[PATCH] foo", author=Person("A", "a@x"), date=0.0,
                in_reply_to=None, references=(),
                body="Do it.\n---\ndiff --git a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,3 @@\n"
                     " int a;\n+int b;\n int c;\n")


@pytest.mark.parametrize("body", ["", ">", "> > >", "[...]\n> +int b;", ">>>>>>>>>>>>>>>>\n\nx",
                                  "> +int b;\n" * 500 + "ok", "\x00\n> \x00\nhm"])
def test_odd_replies_never_crash(body):
    analysis = analyse_thread([PATCH, reply(body)])
    assert analysis.errors == []  # analysed, not caught and turned into a general comment
    for annotation in analysis.annotations:
        assert annotation.anchor.patch_message_id == "p@x"


def test_unmatched_quote_is_a_doubtful_general_comment():
    (annotation,) = anchor_thread([PATCH, reply("> int z; /* not in the patch */\n\nHuh?\n")])
    assert annotation.anchor.kind == "unanchored"
    assert annotation.method == "fallback" and annotation.confidence < 0.8


def test_one_word_remarks_are_kept_and_sign_off_names_dropped():
    body = ("> int a;\n\nDIV_ROUND_UP_ULL\n\n> +int b;\n\nDitto.\n\n> int c;\n\nTODO\n\n"
            "Thanks,\nJohn.\n")
    annotations = anchor_thread([PATCH, reply(body)])
    assert [a.comment for a in annotations] == ["DIV_ROUND_UP_ULL", "Ditto.", "TODO"]
    assert [a.anchor.new_line for a in annotations] == [1, 2, 3]


@pytest.mark.parametrize(("tail", "kept"), [
    ("Jane", ""),  # a lone name ending the mail
    ("Okay", "Okay"),  # a one-word answer is never a name
    ("Rev", ""),  # the sender's own name
    ("Cheers,\nJane.", ""),  # a name with a full stop after a closing
    ("Jane.", "Jane."),  # a full stop and no closing: a remark
])
def test_lone_word_at_the_end(tail, kept):
    annotations = anchor_thread([PATCH, reply(f"> +int b;\n\nWhy b?\n\n> int c;\n\n{tail}\n")])
    assert annotations[0].comment == "Why b?"
    assert [a.comment for a in annotations[1:]] == ([kept] if kept else [])


def _patch_with(lines: list[str]) -> Message:
    body = ("Do it.\n---\ndiff --git a/g.c b/g.c\n--- a/g.c\n+++ b/g.c\n"
            f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines))
    return Message(msgid="p@x", subject="[PATCH] g", author=Person("A", "a@x"), date=0.0,
                   in_reply_to=None, references=(), body=body)


# "return ret ? ret : len;" three times; each function is told apart by its first line.
DUPLICATES = _patch_with([
    "static int one(void)", "{", "\tret = one_thing();", "\treturn ret ? ret : len;", "}",
    "static int two(void)", "{", "\tret = two_things();", "\treturn ret ? ret : len;", "}",
    "static int three(void)", "{", "\tret = three_things();", "\treturn ret ? ret : len;", "}",
    "static int four(void)", "{", "\treturn 0;", "}",
])


def test_duplicate_line_after_a_snip_is_the_first_copy_after_the_previous_quote():
    body = ("> +static int one(void)\n\nRename.\n\n...\n\n"
            "> +\treturn ret ? ret : len;\n\nUse ?:\n\n...\n\n> +static int four(void)\n\nOK.\n")
    annotations = anchor_thread([DUPLICATES, reply(body)])
    assert [a.anchor.new_line for a in annotations] == [1, 4, 16]


def test_duplicate_line_continued_by_the_next_quote_is_the_copy_before_it():
    body = ("> +static int one(void)\n\nRename.\n\n"
            "> +\treturn ret ? ret : len;\n\nUse ?:\n\n> +}\n> +static int three(void)\n\nOK.\n")
    annotations = anchor_thread([DUPLICATES, reply(body)])
    assert [a.anchor.new_line for a in annotations] == [1, 9, 11]


def test_a_block_repeated_too_often_goes_where_the_next_quote_goes_on():
    # A two-line doc block ten times over: too common to place alone; the quote after the
    # remark goes on right below the sixth copy.
    lines = []
    for n in range(10):
        lines += ["    /// # Safety", "    /// C-callback.", f"    unsafe fn callback_{n}() {{}}",
                  f"    // end of {n}"]
    body = ("> +    unsafe fn callback_1() {}\n\nFine.\n\n"
            "> +    /// # Safety\n> +    /// C-callback.\n\nAdd a newline.\n\n"
            "> +    unsafe fn callback_5() {}\n\nAnd here.\n")
    annotations = anchor_thread([_patch_with(lines), reply(body)])
    assert [a.anchor.new_line for a in annotations] == [7, 22, 23]
    assert annotations[1].confidence < 0.8


def test_answer_to_a_quoted_comment_whose_mail_is_missing_sits_on_its_line():
    answer = Message(msgid="a@x", subject="Re: [PATCH] foo", author=Person("A", "a@x"),
                     date=1.0, in_reply_to="gone@x", references=("p@x", "gone@x"),
                     body="> > +int b;\n> \n> ENODEV?\n\nYes, will fix.\n")
    (annotation,) = anchor_thread([PATCH, answer])
    assert (annotation.anchor.kind, annotation.anchor.new_line) == ("diff", 2)
    assert annotation.quote_depth == 2 and annotation.confidence < 0.8


def test_answer_to_one_of_several_equal_comments_joins_the_right_one():
    review = reply("> int a;\n\nDitto.\n\n> +int b;\n\nDitto.\n\n> int c;\n\nDitto.\n")
    answer = Message(msgid="a@x", subject="Re: [PATCH] foo", author=Person("A", "a@x"),
                     date=1.0, in_reply_to="r@x", references=("p@x", "r@x"),
                     body="> > +int b;\n> \n> Ditto.\n\nSame answer as above.\n")
    annotations = anchor_thread([PATCH, review, answer])
    by_id = {a.id: a for a in annotations}
    (mine,) = [a for a in annotations if a.reply_message_id == "a@x"]
    assert by_id[mine.in_reply_to].anchor.new_line == 2
    assert mine.anchor.new_line == 2


# -- confidence follows the evidence -----------------------------------------------------------

# An ABI file: the same two-line "Date:/KernelVersion:" block under every attribute.
ABI = _patch_with([
    "What:\t\t/sys/bus/i2c/devices/<mcu>/board_revision", "Date:\t\tJuly 2024",
    "KernelVersion:\t6.10", "Description:\t(RO) Contains the board revision.", "",
    "What:\t\t/sys/bus/i2c/devices/<mcu>/serial_number", "Date:\t\tJuly 2024",
    "KernelVersion:\t6.10", "Description:\t(RO) Contains the serial number.", "",
])


def test_unique_line_quoted_with_its_neighbour_is_sure():
    body = "> +\tret = two_things();\n> +\treturn ret ? ret : len;\n\nUse ?: here.\n"
    (annotation,) = anchor_thread([DUPLICATES, reply(body)])
    assert annotation.anchor.new_line == 9
    assert annotation.method == "exact" and annotation.confidence >= 0.9


def test_repeated_line_placed_by_order_alone_is_doubtful():
    body = ("> +static int one(void)\n\nRename.\n\n...\n\n"
            "> +\treturn ret ? ret : len;\n\nUse ?:\n")
    rename, use = anchor_thread([DUPLICATES, reply(body)])
    assert rename.method == "exact" and rename.confidence >= 0.9
    assert use.anchor.new_line == 4  # the first copy after the previous quote: a guess
    assert use.method == "nearest" and use.confidence < 0.8


def test_repeated_block_quoted_whole_is_still_doubtful():
    body = "> +Date:\t\tJuly 2024\n> +KernelVersion:\t6.10\n\nThat is optimistic.\n"
    (annotation,) = anchor_thread([ABI, reply(body)])
    assert annotation.anchor.text == "+KernelVersion:\t6.10"
    assert annotation.confidence < 0.8 and annotation.method == "nearest"


def test_repeated_block_told_apart_by_a_unique_line_is_sure():
    body = ("> +What:\t\t/sys/bus/i2c/devices/<mcu>/serial_number\n> +Date:\t\tJuly 2024\n"
            "> +KernelVersion:\t6.10\n\nThat is optimistic.\n")
    (annotation,) = anchor_thread([ABI, reply(body)])
    assert annotation.anchor.new_line == 8
    assert annotation.confidence >= 0.9


def test_whitespace_match_is_a_little_less_sure_than_an_exact_one():
    exact = anchor_thread([DUPLICATES, reply("> +\tret = three_things();\n\nWhy?\n")])[0]
    gmail = anchor_thread([DUPLICATES, reply("> +        ret = three_things();\n\nWhy?\n")])[0]
    assert exact.anchor == gmail.anchor
    assert (exact.method, gmail.method) == ("exact", "whitespace")
    assert 0.8 <= gmail.confidence < exact.confidence


def test_short_unique_line_quoted_alone_is_less_sure_than_a_long_one():
    short = anchor_thread([DUPLICATES, reply("> +\treturn 0;\n\nOK.\n")])[0]
    long_ = anchor_thread([DUPLICATES, reply("> +static int four(void)\n\nOK.\n")])[0]
    assert short.anchor.new_line == 18 and long_.anchor.new_line == 16
    assert 0.8 <= short.confidence < long_.confidence


def test_greeting_with_a_name_and_thanks_for_the_review_are_not_comments():
    body = ("Hi Jane,\n\nThanks for your valuable feedback.\n\n> +int b;\n\nWhy b?\n\n"
            "Thanks for fixing the leak in probe.\n")
    annotations = anchor_thread([PATCH, reply(body)])
    assert [a.comment for a in annotations] == ["Why b?\n\nThanks for fixing the leak in probe."]


def test_greeting_stays_out_of_the_comment_it_opens():
    (annotation,) = anchor_thread([PATCH, reply("Hi Uwe,\n\nThis needs a binding first.\n")])
    assert annotation.comment == "This needs a binding first."
    assert annotation.anchor.kind == "unanchored"


def test_code_sketch_with_dots_stays_one_comment():
    body = "> +int b;\n\nThis is what it does:\n\nint f(void)\n{\n\t...\n\treturn b;\n}\n"
    (annotation,) = anchor_thread([PATCH, reply(body)])
    assert annotation.anchor.new_line == 2
    assert annotation.comment.endswith("\treturn b;\n}")


def test_answer_to_a_short_first_line_of_a_comment_joins_it():
    review = reply("> int a;\n> +int b;\n\nWhy b?\nNo a2?\n")
    answer = Message(msgid="a@x", subject="Re: [PATCH] foo", author=Person("A", "a@x"),
                     date=1.0, in_reply_to="r@x", references=("p@x", "r@x"),
                     body="> > +int b;\n> \n> Why b?\n\nBecause c.\n\n> No a2?\n\nNo.\n")
    annotations = anchor_thread([PATCH, review, answer])
    (parent,) = [a for a in annotations if a.reply_message_id == "r@x"]
    mine = [a for a in annotations if a.reply_message_id == "a@x"]
    assert [a.in_reply_to for a in mine] == [parent.id, parent.id]
    assert all(a.anchor == parent.anchor and a.anchor.new_line == 2 for a in mine)


def test_answer_under_a_closing_brace_of_a_quoted_comment_finds_it_by_the_lines_above():
    # Two comments ending in "}": the brace tells nothing, "Sketch:" does.
    first = reply("> +int b;\n\nSketch:\n\nif (b) {\n\tb++;\n}\n\n> int c;\n\nAnd:\n\n"
                  "for (;;) {\n}\n")
    answer = Message(msgid="a@x", subject="Re: [PATCH] foo", author=Person("A", "a@x"),
                     date=1.0, in_reply_to="r@x", references=("p@x", "r@x"),
                     body="> Sketch:\n> \n> if (b) {\n> \tb++;\n> }\n\nWhy?\n")
    annotations = anchor_thread([PATCH, first, answer])
    (mine,) = [a for a in annotations if a.reply_message_id == "a@x"]
    parent = next(a for a in annotations if a.id == mine.in_reply_to)
    assert parent.comment.startswith("Sketch:") and mine.anchor.new_line == 2


def _answer(body: str) -> Message:
    return Message(msgid="a@x", subject="Re: [PATCH] foo", author=Person("A", "a@x"), date=1.0,
                   in_reply_to="r@x", references=("p@x", "r@x"), body=body)


def test_answer_to_a_remark_made_twice_is_told_apart_by_the_line_above_it():
    review = reply("> int a;\n\nPlease fix the naming here.\nUse foo_ as prefix.\n\n"
                   "> int c;\n\nWrong type here.\nUse foo_ as prefix.\n")
    answer = _answer("> Wrong type here.\n> Use foo_ as prefix.\n\nWill do.\n")
    annotations = anchor_thread([PATCH, review, answer])
    (mine,) = [a for a in annotations if a.reply_message_id == "a@x"]
    parent = next(a for a in annotations if a.id == mine.in_reply_to)
    assert parent.comment.startswith("Wrong type") and mine.anchor.new_line == 3
    assert (mine.confidence, mine.method) == (parent.confidence, parent.method)


def test_answer_to_a_remark_made_twice_that_nothing_tells_apart_is_doubtful():
    review = reply("> int a;\n\nUse foo_ as prefix.\n\n> int c;\n\nUse foo_ as prefix.\n")
    answer = _answer("> Use foo_ as prefix.\n\nWill do.\n")
    annotations = anchor_thread([PATCH, review, answer])
    (mine,) = [a for a in annotations if a.reply_message_id == "a@x"]
    assert mine.in_reply_to is not None
    assert mine.confidence < 0.8 and mine.method == "nearest"


@pytest.mark.parametrize("answer", ["thanks will fix this.", "Best to drop it.", "Thanks, but no.",
                                    "thx, will check again"])
def test_remark_starting_like_a_closing_is_kept(answer):
    annotations = anchor_thread([PATCH, reply(f"> +int b;\n\n{answer}\n")])
    assert [a.comment for a in annotations] == [answer]
    assert annotations[0].anchor.new_line == 2


@pytest.mark.parametrize("closing", ["Thanks for spotting this.", "Thanks for the update!",
                                     "Regards, Jane", "Thanks,\nJane Doe",
                                     "Yours sincerely,\nJane", "Thanks for checking."])
def test_closings_ending_the_mail_are_not_comments(closing):
    annotations = anchor_thread([PATCH, reply(f"> +int b;\n\nWhy b?\n\n> int c;\n\n{closing}\n")])
    assert [a.comment for a in annotations] == ["Why b?"]


def test_worded_snip_marker_is_not_a_comment():
    body = "> +int b;\n\nWhy b?\n\n[..snip..]\n\n> int c;\n\nAnd c?\n"
    annotations = anchor_thread([PATCH, reply(body)])
    assert [(a.comment, a.anchor.new_line) for a in annotations] == [("Why b?", 2), ("And c?", 3)]


def test_piece_of_the_line_above_quoted_again_points_at_that_line():
    patch = _patch_with(["int a;", "\tdriver for a software PWM toggling a GPIO pin", "int c;"])
    body = ("> +int a;\n> +\tdriver for a software PWM toggling a GPIO pin\n\n>> a software PWM\n"
            "Nit: drop the article.\n")
    (annotation,) = anchor_thread([patch, reply(body)])
    assert annotation.anchor.new_line == 2
    assert annotation.method == "nearest" and annotation.confidence < 0.8
    unrelated = body.replace(">> a software PWM", ">> a hardware timer")
    (annotation,) = anchor_thread([patch, reply(unrelated)])
    assert annotation.anchor.kind == "unanchored"


def test_sender_signing_the_top_of_the_mail_is_not_part_of_the_remark():
    body = "> Do it.\n\nTrivial stuff inline.\n\nRev\n\n> +int b;\n\nWhy b?\n"
    annotations = anchor_thread([PATCH, reply(body)])
    assert [a.comment for a in annotations] == ["Trivial stuff inline.", "Why b?"]
    other = anchor_thread([PATCH, reply(body.replace("\nRev\n", "\nJane\n"))])
    assert other[0].comment == "Trivial stuff inline.\n\nJane"
