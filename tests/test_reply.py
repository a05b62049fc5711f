"""Composing replies: headers, the quote layout kernel reviewers use, wrapping, answers, adopt."""

from __future__ import annotations

import email
import email.policy
import shutil
from pathlib import Path

import pytest

from viewer.core.archive import Archive
from viewer.core.drafts import Draft, draft_on_row
from viewer.core.identity import Identity
from viewer.core.matching import patch_rows
from viewer.core.quoting import wrap
from viewer.core.reply import compose, mbox_entry

FIXTURE = Path(__file__).parent / "fixtures" / "reply" / "thread.mbox"
PATCH = "patch1.jane@example.org"
ME = Identity("Rita Reviewer", "rita@example.org")


@pytest.fixture(scope="module")
def archive():
    return Archive.open(FIXTURE, use_cache=False)


def rows(archive):
    return patch_rows(archive.patch(PATCH))


def on(archive, text: str, comment: str, nth: int = 0, **extra) -> Draft:
    rs = rows(archive)
    index = [i for i, row in enumerate(rs) if row.text == text][nth]
    return draft_on_row(PATCH, rs, index, comment, **extra)


def one(archive, drafts, **kw):
    (reply,) = compose(archive, drafts, ME, now=1768222800.0, **kw)
    return reply


def test_headers_thread_and_address_the_reply(archive):
    reply = one(archive, [on(archive, "+static int cached = -1;", "Why -1?")])
    mail = email.message_from_bytes(reply.as_bytes(), policy=email.policy.default)
    assert mail["Subject"] == "Re: [PATCH 1/1] foo: cache the answer"
    assert mail["In-Reply-To"] == f"<{PATCH}>"
    assert mail["References"] == f"<cover.jane@example.org> <{PATCH}>"
    assert mail["To"] == "Jane Doe <jane@example.org>"
    # The original To and Cc, minus the user (Rita) and the author (already in To).
    assert mail["Cc"] == "linux-foo@vger.example.org, Max Maintainer <max@example.org>"
    assert mail["From"] == "Rita Reviewer <rita@example.org>"
    assert mail["Message-ID"] == f"<{reply.msgid}>" and reply.msgid.endswith("@example.org")
    assert mail["Date"] is not None
    assert mail.get_content_type() == "text/plain"
    assert mail.get_param("format") is None  # no format=flowed
    assert mail.get_content_charset() == "utf-8"


def test_body_quotes_only_what_the_comment_needs(archive):
    reply = one(archive, [on(archive, "+\treturn cached;", "Fine.\nBut see above."),
                          Draft(PATCH, "trailer", f"Reviewed-by: {ME}")])
    assert reply.body == (
        "On Mon, 12 Jan 2026 10:00:00 +0100, Jane Doe wrote:\n"
        "> [...]\n"
        "> diff --git a/foo.c b/foo.c\n"
        "> index 1111111..2222222 100644\n"
        "> --- a/foo.c\n"
        "> +++ b/foo.c\n"
        "> [...]\n"
        "> +int answer(void)\n"
        ">  {\n"
        "> -\treturn compute();\n"
        "> +\tif (cached < 0)\n"
        "> +\t\tcached = compute();\n"
        "> +\treturn cached;\n"
        "\n"
        "Fine. But see above.\n"
        "\n"
        "> [...]\n"
        "\n"
        "Reviewed-by: Rita Reviewer <rita@example.org>\n"
        "\n"
        "Thanks,\n"
        "Rita\n"
    )


def test_context_stops_at_the_previous_comment_and_takes_the_hunk_header(archive):
    reply = one(archive, [
        on(archive, " #include <stdio.h>", "First line."),
        on(archive, "-int answer(void)", "Removed?"),
        on(archive, "+static int cached = -1;", "Right after."),
    ])
    lines = reply.body.split("\n")
    at = lines.index("> @@ -1,9 +1,11 @@")
    assert lines[at + 1 : at + 4] == [">  #include <stdio.h>", "", "First line."]
    second = lines.index("Removed?")
    # Blank context lines are quoted byte for byte: marker, space, the line's own space.
    assert lines[lines.index("First line.") + 2 : second] == [">  ", "> -int answer(void)", ""]
    assert lines[second + 2 : second + 5] == ["> +static int cached = -1;", "", "Right after."]


def test_second_file_hunk_and_non_ascii_line_quoted_byte_for_byte(archive):
    reply = one(archive, [on(archive, " /* Grüße an alle */", "Nice greeting."),
                          on(archive, "+\tprintf(\"%d\\n\", answer() + 0);", "Why + 0?")])
    body = reply.body
    assert ">  /* Grüße an alle */\n\nNice greeting.\n" in body
    assert "> @@ -40,4 +42,4 @@ int main(void)\n>  {\n> -\tprintf" in body
    raw = reply.as_bytes()
    assert b"Content-Transfer-Encoding: 8bit" in raw
    assert "Grüße".encode() in raw  # UTF-8 as is, not quoted-printable


def test_commit_message_comment_and_general_comment(archive):
    reply = one(archive, [
        Draft(PATCH, "general", "Overall fine."),
        on(archive, "The cache is never invalidated because the answer never changes.",
           "Famous last words."),
    ])
    assert reply.body.startswith(
        "Overall fine.\n\nOn Mon, 12 Jan 2026 10:00:00 +0100, Jane Doe wrote:\n"
        "> Computing the answer every time is slow; keep it once computed.\n"
        "> The cache is never invalidated because the answer never changes.\n\n"
        "Famous last words.\n"
    )


def test_own_text_wrapped_at_72_quotes_and_code_kept():
    text = ("This is a long remark that goes on and on about the locking in this function "
            "and why it is wrong > 3 times.\n\n\tif (x)\n\t\treturn y;   /* keep */\n"
            "> a line I quoted myself that is longer than seventy-two columns, kept as is")
    lines = wrap(text)
    assert all(len(line) <= 72 for line in lines[:2])
    assert not any(line.startswith(">") for line in lines[:2])
    assert "\tif (x)" in lines and "\t\treturn y;   /* keep */" in lines
    assert lines[-1].startswith("> a line I quoted myself")


def test_adopting_another_reviewers_point_uses_the_bar(archive):
    adopted = on(archive, "+static int cached = -1;", "Agreed, and please add a test.",
                 mode="adopt", quote_msgid="review.max@example.org", quote_author="Max",
                 quote_text="This is not thread safe: two callers can both see -1 and "
                            "compute twice.")
    body = one(archive, [adopted]).body
    assert ("> +static int cached = -1;\n\n| This is not thread safe: two callers can both see "
            "-1 and compute twice.\n\nAgreed, and please add a test.\n") in body


def test_answer_goes_to_the_reviewers_mail_with_one_more_marker(archive):
    (max_comment,) = [a for a in archive.annotations(PATCH) if "once-init" in a.comment]
    answer = on(archive, "+\tif (cached < 0)", "There is no such helper in this tree.",
                mode="answer", quote_msgid="review.max@example.org", quote_author="Max",
                quote_text=max_comment.comment)
    reply = one(archive, [answer])
    assert reply.in_reply_to == "review.max@example.org"
    assert reply.patch_msgid == PATCH
    assert reply.references[-2:] == (PATCH, "review.max@example.org")
    assert [str(p) for p in reply.to] == ["Max Maintainer <max@example.org>"]
    assert reply.body.startswith(
        "On Mon, 12 Jan 2026 12:00:00 +0100, Max Maintainer wrote:\n"
        "> [...]\n"
        "> >  {\n"
        "> > -\treturn compute();\n"
        "> > +\tif (cached < 0)\n"
        ">\n"
        "> Use a once-initialisation helper here instead of open coding it.\n\n"
        "There is no such helper in this tree.\n"
    )


def test_cover_letter_gets_its_own_reply(archive):
    replies = compose(archive, [Draft("cover.jane@example.org", "general", "Why now?"),
                                Draft(PATCH, "trailer", f"Acked-by: {ME}")], ME)
    assert {r.in_reply_to for r in replies} == {"cover.jane@example.org", PATCH}
    cover = next(r for r in replies if r.in_reply_to == "cover.jane@example.org")
    assert cover.subject == "Re: [PATCH 0/1] foo: make it fast"
    assert "Why now?" in cover.body


@pytest.mark.expect_log("WARNING", "viewer.core", match="sent as a general comment")
def test_a_draft_whose_line_is_gone_is_kept_as_general(archive):
    gone = Draft(PATCH, "line", "Typo?", file="foo.c", side="new", line_text="+no such line",
                 line_no=3, id=7)
    reply = one(archive, [gone])
    assert reply.unplaced == (7,)
    assert reply.body.startswith("About '+no such line':\n\nTypo?\n\nOn Mon")


def test_composed_reply_reads_back_on_its_lines(archive, tmp_path):
    drafts = [on(archive, "+static int cached = -1;", "Remark one."),
              on(archive, " ", "On the blank line.", nth=1),
              on(archive, " }", "Closing brace.", nth=1),
              Draft(PATCH, "trailer", f"Reviewed-by: {ME}")]
    reply = one(archive, drafts)
    copy = tmp_path / "copy.mbox"
    shutil.copy(FIXTURE, copy)
    with copy.open("ab") as out:
        out.write(mbox_entry(reply.as_bytes()))
    assert FIXTURE.read_bytes() == copy.read_bytes()[: FIXTURE.stat().st_size]
    back = Archive.open(copy, use_cache=False)
    mine = {a.comment: a.anchor for a in back.annotations(PATCH)
            if a.reply_message_id == reply.msgid}
    rs = rows(archive)
    for draft in drafts[:3]:
        row = next(r for r in rs if r.text == draft.line_text and
                   (r.old_line if draft.side == "old" else r.new_line) == draft.line_no)
        anchor = mine[draft.text]
        assert (anchor.file, anchor.old_line, anchor.new_line) == (
            row.file, row.old_line, row.new_line)
    given = [t for t in back.followup_trailers(PATCH) if t.source_msgid == reply.msgid]
    assert [(t.name, t.value) for t in given] == [("Reviewed-by", str(ME))]


def test_mbox_entry_escapes_from_lines():
    entry = mbox_entry(b"Subject: x\n\nFrom here on\n>From there\n", when=0)
    assert entry.startswith(b"From hunkwise Thu Jan  1 00:00:00 1970\n")
    assert b"\n>From here on\n>>From there\n" in entry
    assert entry.endswith(b"\n\n")


def test_edits_from_the_compose_window_keep_the_threading(archive):
    from viewer.core.errors import HunkwiseError
    from viewer.core.reply import edited

    reply = one(archive, [Draft(PATCH, "general", "Hm.")])
    changed = edited(reply, to="Jane Doe <JANE@example.org>", cc="", subject="Re: other",
                     body="Changed my mind.")
    assert changed.body == "Changed my mind.\n" and changed.cc == ()
    assert [p.email for p in changed.to] == ["jane@example.org"]
    assert (changed.msgid, changed.in_reply_to, changed.references) == (
        reply.msgid, reply.in_reply_to, reply.references)
    with pytest.raises(HunkwiseError, match="at least one address"):
        edited(reply, to="nobody", cc="", subject="x", body="y")


def test_append_to_mbox_never_writes_the_reviewed_mailbox(archive, tmp_path):
    from viewer.core.errors import HunkwiseError
    from viewer.core.reply import append_to_mbox

    reply = one(archive, [Draft(PATCH, "general", "Hm.")])
    outbox = tmp_path / "outbox.mbox"
    append_to_mbox(outbox, reply, protected=[FIXTURE])
    append_to_mbox(outbox, reply, protected=[FIXTURE])
    assert outbox.read_bytes().count(b"\nFrom hunkwise ") == 1  # two entries
    before = FIXTURE.read_bytes()
    with pytest.raises(HunkwiseError, match="never writes"):
        append_to_mbox(FIXTURE, reply, protected=[FIXTURE])
    assert FIXTURE.read_bytes() == before
