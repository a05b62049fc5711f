"""The filter language: prefixes, quoting, negation, and kernel subjects full of colons."""

from __future__ import annotations

from viewer.core.query import Candidate, Term, parse_query


def _candidate(
    subject="[PATCH v2 3/5] pwm: sophgo: add driver", author="Jane Doe <jane@example.org>", flags=()
):
    return Candidate(subject, author, lambda key: key in flags)


def test_prefixes_are_parsed():
    query = parse_query('from:Jane subject:"pwm: sophgo" is:unread has:comments gpio')
    assert query.terms == (
        Term("from", "jane"),
        Term("subject", "pwm: sophgo"),
        Term("is", "unread"),
        Term("has", "comments"),
        Term("text", "gpio"),
    )
    assert query.errors == ()
    assert query.flags == {"is:unread", "has:comments"}


def test_kernel_subject_colons_are_text():
    query = parse_query("net: fix")
    assert [t.kind for t in query.terms] == ["text", "text"]
    assert query.matches(_candidate(subject="[PATCH] net: fix a leak"))
    assert not query.matches(_candidate(subject="[PATCH] pwm: fix a leak"))


def test_free_text_matches_subject_or_author():
    assert parse_query("sophgo").matches(_candidate())
    assert parse_query("example.org").matches(_candidate())
    assert not parse_query("watchdog").matches(_candidate())


def test_from_matches_author_only():
    assert parse_query("from:jane@").matches(_candidate())
    assert not parse_query("from:sophgo").matches(_candidate())


def test_subject_matches_subject_only():
    assert parse_query("subject:sophgo").matches(_candidate())
    assert not parse_query("subject:jane").matches(_candidate())


def test_flags_are_asked_lazily_and_negated():
    asked = []

    def flag(key):
        asked.append(key)
        return key == "is:unread"

    candidate = Candidate("s", "a", flag)
    assert parse_query("is:unread").matches(candidate)
    assert not parse_query("-is:unread").matches(candidate)
    assert not parse_query("has:reviewed-by").matches(candidate)
    assert parse_query("-has:reviewed-by").matches(candidate)
    # A query that fails early on text never asks the expensive question.
    asked.clear()
    assert not parse_query("nomatch has:comments").matches(candidate)
    assert asked == []


def test_unknown_flag_is_reported_not_applied():
    query = parse_query("is:bogus pwm")
    assert query.terms == (Term("text", "pwm"),)
    assert len(query.errors) == 1 and "is:bogus" in query.errors[0]


def test_empty_and_blank_queries():
    assert parse_query("").is_empty
    assert parse_query("   ").is_empty
    assert parse_query("").matches(_candidate())


def test_unclosed_quote_takes_the_rest():
    query = parse_query('subject:"pwm: sop')
    assert query.terms == (Term("subject", "pwm: sop"),)
