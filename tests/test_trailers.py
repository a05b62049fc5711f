"""Trailers: parsing commit-message blocks, and collecting them from follow-up replies."""

from __future__ import annotations

from email.utils import parseaddr

from viewer.core.mbox import IndexEntry
from viewer.core.message import Message, decode_message
from viewer.core.series import Series, find_series
from viewer.core.threader import ThreadNode, build_threads
from viewer.core.trailers import (
    Trailer,
    canonical_name,
    collect_followup_trailers,
    count_letters,
    followup_trailers,
    merge_trailers,
    parse_trailers,
    series_trailer_counts,
)

# -- parsing a trailer block -----------------------------------------------------------------


def test_parse_trailers_canonical_names_and_order():
    lines = [
        "Fixes: 1234567890ab (\"pwm: sprd: add driver\")",
        "reported-BY: Bot <lkp@intel.com>",
        "Closes: https://lore.kernel.org/r/202401.abc@intel.com/",
        "CC: stable@vger.kernel.org # 6.1+",
        "Co-Developed-by: Ann Other <ann@example.org>",
        "Signed-off-by: Jane Dev <jane@example.org>",
        "[ maintainer: reworded the commit message ]",
        "Link: https://lore.kernel.org/r/20240101.1-jane@example.org",
    ]
    trailers = parse_trailers(lines)
    assert [t.name for t in trailers] == [
        "Fixes",
        "Reported-by",
        "Closes",
        "Cc",
        "Co-developed-by",
        "Signed-off-by",
        "Link",
    ]
    assert trailers[3].value == "stable@vger.kernel.org # 6.1+"
    assert all(t.source_msgid is None for t in trailers)


def test_parse_trailers_continuation_and_junk():
    trailers = parse_trailers(
        [
            "Reported-by: Someone With A Very Long Name",
            "  <someone@example.org>",
            "https://example.org/not-a-trailer",
            "Reviewed-by: HTML Junker <h@example.com<mailto:h@example.com>>",
        ]
    )
    assert [str(t) for t in trailers] == [
        "Reported-by: Someone With A Very Long Name <someone@example.org>",
        "Reviewed-by: HTML Junker <h@example.com>",
    ]


def test_canonical_name():
    assert canonical_name("ACKED-BY") == "Acked-by"
    assert canonical_name("Reviewed-and-Tested-By") == "Reviewed-and-tested-by"
    assert canonical_name("link") == "Link"
    assert canonical_name("X-Custom") == "X-Custom"


def test_trailer_properties():
    acked = Trailer("Acked-by", "Ann <ANN@Example.org>")
    assert acked.letter == "A" and acked.is_person and acked.email == "ann@example.org"
    link = Trailer("Link", "https://lore.kernel.org/r/x@y")
    assert link.letter is None and not link.is_person


# -- the text of one reply -------------------------------------------------------------------

REPLY = """\
On Tue, Jane Dev wrote:
> Reviewed-by: Quoted Person <quoted@example.org>
> > Acked-by: Deeper <deep@example.org>

Looks fine to me.
Tested-by: nobody yet, will do tomorrow
    Acked-by: Indented Example <indent@example.org>
Note: the ordering matters here.

Reviewed-by: Rev Iewer <rev@example.org>
Link: https://example.org/bug/1

--
Rev Iewer, Example Corp
Acked-by: In Signature <sig@example.org>
"""


def test_followup_trailers_only_own_lines_above_signature():
    found = followup_trailers(REPLY, source_msgid="r1")
    assert [str(t) for t in found] == [
        "Reviewed-by: Rev Iewer <rev@example.org>",
        "Link: https://example.org/bug/1",
    ]
    assert {t.source_msgid for t in found} == {"r1"}


# -- a whole thread --------------------------------------------------------------------------


def _raw(msgid, subject, sender, body, irt=None, refs=(), minute=0):
    headers = [
        f"From: {sender}",
        f"Subject: {subject}",
        f"Message-ID: <{msgid}>",
        f"Date: Tue, 30 Aug 2022 11:{minute:02d}:07 -0400",
    ]
    if irt:
        headers.append(f"In-Reply-To: <{irt}>")
    if refs:
        headers.append("References: " + " ".join(f"<{r}>" for r in refs))
    return ("\n".join(headers) + "\n\n" + body).encode()


class FakeSource:
    """The three lookups collection uses, over a list of raw mails."""

    def __init__(self, raws: list[bytes]) -> None:
        self.messages: dict[str, Message] = {}
        entries = []
        for number, raw in enumerate(raws):
            message = decode_message(raw, number=number)
            self.messages[message.msgid] = message
            name, email = parseaddr(f"{message.author}")
            entries.append(
                IndexEntry(
                    number,
                    message.msgid,
                    message.in_reply_to,
                    message.references,
                    message.subject,
                    name,
                    email,
                    message.date,
                )
            )
        self.threads = build_threads(entries)
        self.nodes: dict[str, ThreadNode] = {}
        for root in self.threads:
            for node in root.walk():
                self.nodes.setdefault(node.msgid, node)
        self.series = find_series(entries, self.threads)

    def node(self, msgid: str) -> ThreadNode:
        return self.nodes[msgid]

    def message(self, msgid: str) -> Message:
        return self.messages[msgid]

    def series_of(self, msgid: str) -> Series | None:
        for series in self.series:
            if msgid == series.cover or msgid in series.patches.values():
                return series
        return None


JANE = "Jane Dev <jane@example.org>"
REV = "Rev Iewer <rev@example.org>"
TEST = "Tess Ter <tess@example.org>"
PATCH_BODY = "Change things.\n\nSigned-off-by: Jane Dev <jane@example.org>\n---\n"


def _series_thread() -> FakeSource:
    return FakeSource(
        [
            _raw("c", "[PATCH v2 0/2] foo: rework", JANE, "Cover.\n", minute=0),
            _raw("p1", "[PATCH v2 1/2] foo: a", JANE, PATCH_BODY, "c", ["c"], 1),
            _raw("p2", "[PATCH v2 2/2] foo: b", JANE, PATCH_BODY, "c", ["c"], 2),
            _raw(
                "r-p2",
                "Re: [PATCH v2 2/2] foo: b",
                REV,
                "> x\n\nReviewed-by: Rev Iewer <rev@example.org>\n",
                "p2",
                ["c", "p2"],
                3,
            ),
            _raw(
                "r-r-p2",
                "Re: [PATCH v2 2/2] foo: b",
                TEST,
                "> Reviewed-by: Rev Iewer <rev@example.org>\n\n"
                "Tested-by: Tess Ter <tess@example.org>\n",
                "r-p2",
                ["c", "p2", "r-p2"],
                4,
            ),
            _raw(
                "r-c",
                "Re: [PATCH v2 0/2] foo: rework",
                TEST,
                "For the series:\nAcked-by: Tess Ter <tess@example.org>\n"
                "Reviewed-by: Rev Iewer <rev@example.org>\n",
                "c",
                ["c"],
                5,
            ),
        ]
    )


def test_reply_to_reply_counts_for_the_patch_and_cover_for_every_patch():
    source = _series_thread()
    p2 = collect_followup_trailers(source, "p2")
    # Tess's cover reply also says "Reviewed-by: Rev Iewer": it names Rev, not Tess, so it is
    # a mismatch (b4 ignores it); the quoted Reviewed-by in r-r-p2 is not counted twice.
    assert [str(t) for t in p2] == [
        "Reviewed-by: Rev Iewer <rev@example.org>",
        "Tested-by: Tess Ter <tess@example.org>",
        "Acked-by: Tess Ter <tess@example.org>",
    ]
    assert [t.source_msgid for t in p2] == ["r-p2", "r-r-p2", "r-c"]
    loose = collect_followup_trailers(source, "p1", include_mismatched=True)
    assert [(str(t), t.mismatched) for t in loose] == [
        ("Acked-by: Tess Ter <tess@example.org>", False),
        ("Reviewed-by: Rev Iewer <rev@example.org>", True),
    ]


def test_cover_trailers_reach_every_patch():
    source = _series_thread()
    p1 = collect_followup_trailers(source, "p1")
    assert "Acked-by: Tess Ter <tess@example.org>" in [str(t) for t in p1]


def test_counts_for_a_patch_and_a_series():
    source = _series_thread()
    assert count_letters(collect_followup_trailers(source, "p2")) == {"A": 1, "R": 1, "T": 1}
    assert series_trailer_counts(source, ["p1", "p2"]) == {"A": 2, "R": 1, "T": 1}


def test_merge_keeps_own_first_and_drops_duplicates_and_mismatches():
    own = [Trailer("Signed-off-by", "Jane <j@x.org>"), Trailer("Reviewed-by", "R <r@x.org>")]
    followups = [
        Trailer("Reviewed-by", "r <R@x.org>", "m1"),  # same as own, other case
        Trailer("Acked-by", "A <a@x.org>", "m2"),
        Trailer("Tested-by", "T <t@x.org>", "m3", mismatched=True),
        Trailer("Acked-by", "A <a@x.org>", "m4"),
    ]
    assert [str(t) for t in merge_trailers(own, followups)] == [
        "Signed-off-by: Jane <j@x.org>",
        "Reviewed-by: R <r@x.org>",
        "Acked-by: A <a@x.org>",
    ]


def test_name_match_accepts_another_address():
    source = FakeSource(
        [
            _raw("p", "[PATCH] x", JANE, PATCH_BODY),
            _raw(
                "r",
                "Re: [PATCH] x",
                "Rev Iewer <rev@home.example.net>",
                "Reviewed-by: Rev Iewer <rev@example.org>\n",
                "p",
                ["p"],
                1,
            ),
            _raw(
                "r2",
                "Re: [PATCH] x",
                '"Iewer, Rev" <rev@elsewhere.example>',
                "Acked-by: Rev Iewer <rev@example.org>\n",
                "p",
                ["p"],
                2,
            ),
        ]
    )
    assert [t.name for t in collect_followup_trailers(source, "p")] == [
        "Reviewed-by",
        "Acked-by",
    ]


def test_partial_reroll_takes_the_earlier_cover_trailers():
    source = FakeSource(
        [
            _raw("c", "[PATCH v2 0/2] cover", JANE, "Cover.\n"),
            _raw("p1", "[PATCH v2 1/2] a", JANE, PATCH_BODY, "c", ["c"], 1),
            _raw("p2", "[PATCH v2 2/2] b", JANE, PATCH_BODY, "c", ["c"], 2),
            _raw("rc", "Re: [PATCH v2 0/2] cover", REV, "Reviewed-by: " + REV + "\n", "c",
                 ["c"], 3),
            _raw("rp2", "Re: [PATCH v2 2/2] b", TEST, "Tested-by: " + TEST + "\n", "p2",
                 ["c", "p2"], 4),
            _raw("v3p2", "[PATCH v3 2/2] b", JANE, PATCH_BODY, "p2", ["c", "p2"], 5),
        ]
    )
    v3 = collect_followup_trailers(source, "v3p2")
    # b4's rule: the v2 cover's review carries over, v2 2/2's own test does not (changed).
    assert [(str(t), t.source_msgid) for t in v3] == [("Reviewed-by: " + REV, "rc")]
    assert [str(t) for t in collect_followup_trailers(source, "p2")] == [
        "Tested-by: " + TEST,
        "Reviewed-by: " + REV,
    ]


def test_a_fixes_tag_wrapped_by_the_mail_client_is_joined():
    body = (
        "> Signed-off-by: A U Thor <author@example.org>\n"
        "\n"
        'Fixes: 2b9366b66967 ("watchdog: s3c2410_wdt: Add support for Watchdog\n'
        'device on Exynos7")\n'
        "\n"
        "Reviewed-by: R E Viewer <reviewer@example.org>\n"
    )
    found = followup_trailers(body, source_msgid="r@x")
    assert [t.name for t in found] == ["Fixes", "Reviewed-by"]
    assert found[0].value.endswith('Watchdog device on Exynos7")')
