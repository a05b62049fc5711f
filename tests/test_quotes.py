"""Replies split into own text, quotes by depth, snips; attributions and signatures set aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.core.courtesy import is_attribution
from viewer.core.quotes import first_own_line, is_snip, quote_depth, split_reply


@pytest.mark.parametrize(
    ("line", "depth", "text"),
    [
        ("> +foo", 1, "+foo"),
        ("> > +foo", 2, "+foo"),
        (">> +foo", 2, "+foo"),
        ("> > > \tbar", 3, "\tbar"),
        (">  > x", 2, "x"),
        (">", 1, ""),
        (">+tight", 1, "+tight"),
        ("plain", 0, "plain"),
        ("  a > b", 0, "  a > b"),
        ("> >> three", 3, "three"),
        (" x > y", 0, " x > y"),
        ("", 0, ""),
    ],
)
def test_quote_depth(line, depth, text):
    assert quote_depth(line) == (depth, text)


@pytest.mark.parametrize(
    "marker", ["[...]", "[..]", "...", "<snip>", "[ ... ]", "[snip]", "…", "(...)",
               "[..snip..]", "[... snip ...]", "<...snip...>"]
)
def test_snip_markers(marker):
    assert is_snip(marker)


def test_text_starting_with_dots_is_not_a_snip():
    assert not is_snip("...here as a separate group.")


@pytest.mark.parametrize(
    "line",
    [
        "On Mon, Feb 02, 2026 at 07:26:06PM +0000, Jane Doe wrote:",
        "Jane Doe <jane@example.org> wrote:",
        "Quoting Jane Doe (2021-01-01 10:00:00):",
        "Le lun. 1 févr. 2021 à 10:00, Jane Doe <jane@example.org> a écrit :",
        "Am 01.02.2021 um 10:00 schrieb Jane Doe:",
        "* Jane Doe <jane@example.org> [2021-01-01 10:00:00 +0100]:",
    ],
)
def test_attribution_lines(line):
    assert is_attribution(line)


def test_prose_mentioning_words_is_not_attribution():
    assert not is_attribution("I think what you wrote about the locking is wrong, see below.")


REPLY = """\
Hi Jane,

On Tue, Jan 05, 2021 at 10:00:00AM +0100, Jane Doe
<jane@example.org> wrote:
> Fix the thing.
>
> Signed-off-by: Jane Doe <jane@example.org>
> ---
[...]
> > earlier remark quoted twice
> +\tint ret;

Why is this needed?

> +\treturn ret;
> +}

--\x20
John Roe
Example Corp
"""


def test_split_reply_segments():
    split = split_reply(REPLY)
    kinds = [(seg.kind, seg.depth) for seg in split.segments]
    assert kinds == [
        ("own", 0),
        ("quote", 1),
        ("snip", 0),
        ("quote", 2),
        ("quote", 1),
        ("own", 0),
    ]
    # the wrapped two-line attribution is set aside, both halves
    assert [a.text for a in split.attributions] == [
        "On Tue, Jan 05, 2021 at 10:00:00AM +0100, Jane Doe",
        "<jane@example.org> wrote:",
    ]
    # the trailing quote under nothing and the signature are gone
    assert split.signature[0] == "-- "
    assert "Why is this needed?" in split.segments[-1].text
    assert split.segments[1].lines[0].text == "Fix the thing."
    assert split.segments[1].lines[0].lineno == 4


def test_glued_attribution_is_split_off():
    split = split_reply("On 1/1/21, Jane wrote:>>> +foo\n>>> +bar\n\nNo.\n")
    assert split.attributions[0].text == "On 1/1/21, Jane wrote:"
    assert split.segments[0].depth == 3 and split.segments[0].lines[0].text == "+foo"


def test_crlf_and_a_reply_with_no_quotes():
    split = split_reply("Applied, thanks!\r\n\r\n-- \r\nBob\r\n")
    assert [seg.kind for seg in split.segments] == ["own"]
    assert split.segments[0].text.strip() == "Applied, thanks!"


def test_dots_inside_own_code_sketch_are_not_a_snip():
    body = ("> +\treturn -EINVAL;\n\nThis is what it does:\n\nint f(int err)\n{\n\t...\n"
            "\tif (err)\n\t\treturn err;\n\t...\n}\n")
    split = split_reply(body)
    assert [seg.kind for seg in split.segments] == ["quote", "own"]
    assert split.segments[1].text.rstrip().endswith("}")


def test_dots_between_quote_pieces_stay_a_snip():
    split = split_reply("> +foo\n\nRemark.\n\n...\n\n> +bar\n\nOther remark.\n")
    kinds = [seg.kind for seg in split.segments if not seg.is_blank or seg.kind == "snip"]
    assert kinds == ["quote", "own", "snip", "quote", "own"]


def test_attribution_followed_by_a_snip_is_set_aside():
    split = split_reply("Jane Doe <jane@example.org> writes:\n...\n> +\tx = 1;\n\nWhy?\n")
    assert [a.text for a in split.attributions] == ["Jane Doe <jane@example.org> writes:"]
    assert [seg.kind for seg in split.segments] == ["snip", "quote", "own"]


def test_signature_separator_glued_to_the_closing():
    split = split_reply("> +foo\n\nI see.\n\nBest regards, -- \nJane Doe\nExample Corp\n")
    own = [seg.text for seg in split.segments if seg.kind == "own" and not seg.is_blank]
    assert [text.strip() for text in own] == ["I see.\n\nBest regards,"]
    assert split.signature[1:] == ["Jane Doe", "Example Corp", ""]


def test_a_line_ending_in_dashes_mid_mail_is_not_a_signature():
    split = split_reply("> +foo\n\nSee the loop, --\nit counts down.\n" + "More.\n" * 20)
    assert not split.signature


PATCH_TEXT = ("Add the foo driver.\n\nSigned-off-by: A <a@x>\n---\ndiff --git a/f.c b/f.c\n"
              "--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,3 @@\n int a;\n+int b;\n int c;\n")


@pytest.mark.parametrize("separator", [
    "-----Original Message-----\nFrom: A <a@x>\nSent: Monday, May 3, 2021 10:00 AM\n"
    "To: list@x\nCc: B <b@x>;\n C <c@x>\nSubject: [PATCH] foo\n",
    "________________________________\nFrom: A <a@x>\nSent: Monday, May 3, 2021 10:00 AM\n"
    "To: list@x\nSubject: [PATCH] foo\n",
])
def test_outlook_top_posting_quotes_the_whole_original(separator):
    body = f"Looks good, but see int b.\n\nJohn\n\n{separator}\n{PATCH_TEXT}"
    split = split_reply(body)
    own = [seg for seg in split.segments if seg.kind == "own" and not seg.is_blank]
    assert [seg.text.strip() for seg in own] == ["Looks good, but see int b.\n\nJohn"]
    # the header is set aside (as attribution, or with a "____" footer line as signature)
    assert not any("From: A" in seg.text for seg in split.segments)


def test_a_pasted_patch_in_a_comment_stays_own_text():
    body = ("> +int b;\n\nTry this instead:\n\nFrom: B <b@x>\nDate: Mon, 3 May 2021\n"
            "Subject: [PATCH] fix\n\n+int b = 0;\n")
    split = split_reply(body)
    assert "Subject: [PATCH] fix" in split.segments[-1].text


WRAPPED = Path(__file__).parent / "fixtures" / "courtesy" / "wrapped-attribution.mbox"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # the sender's client wrapped "… wrote on DATE:" before the time
        ("Jane Doe <jane@example.org> wrote on Thu, 12 Dec 2019", "22:14:34 +0100:"),
        ("Thomas Bogendoerfer <tsbogend@alpha.franken.de> wrote on Tue,  5 Jan",
         "2021 15:02:51 +0100:"),
        # and the usual place, before the address
        ("On Tue, Jan 05, 2021 at 10:00:00AM +0100, Jane Doe", "<jane@example.org> wrote:"),
    ],
)
def test_an_attribution_wrapped_in_two_is_set_aside(first, second):
    split = split_reply(f"Hi,\n\n{first}\n{second}\n> +int b;\n\nWhy b?\n")
    assert [line.text for line in split.attributions] == [first, second]
    assert [seg.text.strip() for seg in split.segments if seg.kind == "own"] == ["Hi,", "Why b?"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("I looked at what Jane", "wrote: it is fine."),
        ("Jane wrote a fix for this in v2, and later she", "wrote:"),
        ("The timer is reset at", "22:14:34 +0100:"),
    ],
)
def test_prose_over_two_lines_is_not_a_wrapped_attribution(first, second):
    split = split_reply(f"{first}\n{second}\n> +int b;\n\nWhy b?\n")
    assert first in [line.text for seg in split.segments for line in seg.lines]


def test_one_line_wrote_on_date_is_an_attribution():
    assert is_attribution("Guenter Roeck <linux@roeck-us.net> wrote on Tue, 31. Mar 20 09:08:")
    assert is_attribution("Steve French <sf@example.org> wrote on 06/25/2010 04:05:30 PM:")
    assert not is_attribution("This is what I wrote on the list: see below.")


def test_a_wrapped_attribution_does_not_make_a_general_comment():
    from viewer.core.archive import Archive

    archive = Archive.open(WRAPPED, use_cache=False)
    analysis = archive.analysis("patch@example.org")
    assert analysis.errors == []
    (comment,) = analysis.annotations
    assert comment.comment == "Please use clamp_t here, period is u64."
    assert comment.anchor.kind == "diff" and comment.anchor.new_line == 11
    assert comment.author.name == "Uwe Kleine-König"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (["Hi,", "> quoted"], None),  # does not open with a quote: nothing is hidden
        (["On Mon, 5 Feb 2024, Alice wrote:", "> a", "> b", "", "Mine."], 4),
        (["On Mon, Feb 05, 2024 at 10:00:01AM +0000, Alice Author", "wrote:", "> a", "ok"], 3),
        (["> a", "[...]", "> b", "<snip>", "", "Here."], 5),
        (["> only quotes", ""], None),
        (["Hi Ilse,", "", "On Mon, Ilse wrote:", "> a", "", "Nit: rounds down."], 5),
        (["Thanks for the patch, but I think the whole approach is wrong here.", "> a", "b"],
         None),
        # a client that indents its quotes: a quote for the anchoring, so for the pane too
        (["  > indented by the client", ">  > and spaced", "Mine."], 2),
    ],
)
def test_first_own_line_is_below_the_opening_quote(body, expected):
    assert first_own_line(body) == expected
