"""A patch sent on someone else's behalf, and names written "Last, First".

git am reads an in-body "From: Real Author <a@b>" (with Date:/Subject:) at the top of the body
as the patch's author; mail clients send Outlook's "Hawkins, Nick" unquoted. Both are real
list traffic; the fixture tests/fixtures/mail/sent-for-author.mbox holds one of each.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from viewer import cli
from viewer.core.archive import Archive
from viewer.core.headers import parse_people, parse_person
from viewer.core.message import Person
from viewer.core.patch import parse_patch
from viewer.core.review_page import page_from_archive

FIXTURE = Path(__file__).parent / "fixtures" / "mail" / "sent-for-author.mbox"
NICK = Person("Hawkins, Nick", "nick.hawkins@example.com")

DIFF = ("---\n a.c | 1 +\n\ndiff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n"
        "@@ -1,1 +1,2 @@\n x\n+y\n")


def test_in_body_from_names_the_author_and_leaves_the_commit_message():
    patch = parse_patch("From: Real Author <real@example.org>\n\nFix the thing.\n\n"
                        "Signed-off-by: Real Author <real@example.org>\n" + DIFF)
    assert patch.author == Person("Real Author", "real@example.org")
    assert patch.commit_message == ["Fix the thing."]
    assert [t.name for t in patch.trailers] == ["Signed-off-by"]
    assert len(patch.files) == 1


def test_in_body_date_and_subject_as_git_am_takes_them():
    patch = parse_patch("From: A <a@x.org>\nDate: Mon, 3 Feb 2025 10:00:00 +0000\n"
                        "Subject: [PATCH v2 1/3] pwm: foo: fix\n\nBody.\n" + DIFF)
    assert patch.date == 1738576800.0
    assert patch.subject == "pwm: foo: fix"
    assert patch.commit_message == ["Body."]
    dated_only = parse_patch("Date: Mon, 3 Feb 2025 10:00:00 +0000\n\nBody.\n" + DIFF)
    assert dated_only.author is None and dated_only.date == 1738576800.0


@pytest.mark.parametrize(
    "body",
    [
        "From: the datasheet we learn\n\nthat x.\n",  # no address: prose
        "From: A <a@x.org>\nthe rest of a sentence\n\nmore\n",  # no blank line after it
        "Fix it.\nFrom: A <a@x.org>\n\nmore\n",  # not at the top
    ],
)
def test_prose_that_looks_like_a_header_stays_in_the_message(body):
    patch = parse_patch(body + DIFF)
    assert patch.author is None and patch.date is None and patch.subject is None
    assert patch.commit_message[0] == body.split("\n")[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"Hawkins, Nick" <nick.hawkins@example.com>',
         ("Hawkins, Nick", "nick.hawkins@example.com")),
        ("Hawkins, Nick <Nick.Hawkins@example.com>", ("Hawkins, Nick", "nick.hawkins@example.com")),
        ("=?utf-8?q?Hawkins=2C_Nick?= <nick.hawkins@example.com>",
         ("Hawkins, Nick", "nick.hawkins@example.com")),
        ("nick.hawkins@example.com (Hawkins, Nick)", ("Hawkins, Nick", "nick.hawkins@example.com")),
        ("Jane Dev <jane@example.org>", ("Jane Dev", "jane@example.org")),
    ],
)
def test_a_name_with_a_comma_is_one_person(value, expected):
    assert parse_person(value) == expected


def test_an_unquoted_comma_name_in_a_list_is_one_person():
    assert parse_people("Kleine-Koenig, Uwe <uwe@example.net>, linux-pwm@vger.example, "
                        '"Hawkins, Nick" <nick@x.com>') == [
        ("Kleine-Koenig, Uwe", "uwe@example.net"),
        ("", "linux-pwm@vger.example"),
        ("Hawkins, Nick", "nick@x.com"),
    ]
    assert parse_people("a@x.org, b@y.org") == [("", "a@x.org"), ("", "b@y.org")]


def test_the_fixture_reads_as_git_am_would():
    archive = Archive.open(FIXTURE, use_cache=False)
    assert archive.patch("fwd1@example.org").author == NICK
    reply = archive.message("fwd2@example.com")
    assert reply.author == NICK  # unquoted in From:, still one person
    assert reply.cc[0] == Person("Kleine-Koenig, Uwe", "uwe@example.net")
    assert archive.entry("fwd2@example.com").author_name == "Hawkins, Nick"  # the index too
    page = page_from_archive(archive, "fwd1@example.org")
    meta = next(r.text for r in page.rows if r.kind == "meta")
    assert meta.startswith(str(NICK))
    assert all("From:" not in r.text for r in page.rows)


def test_review_json_names_the_author_and_the_sender(capsys):
    assert cli.main(["review", "--json", "--no-cache", str(FIXTURE)]) == 0
    (patch,) = json.loads(capsys.readouterr().out)["patches"]
    assert patch["author"] == str(NICK)
    assert patch["sender"] == "Sender Person <sender@example.org>"
    assert patch["author_date"] == "2025-02-03T10:00:00+00:00"
    assert patch["commit_message"] == ["A prescaler of zero divides by zero; clamp it to one."]
    (comment,) = patch["annotations"]
    assert comment["author"] == str(NICK)

