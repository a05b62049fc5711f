"""Subject prefixes the way kernel people write them."""

from __future__ import annotations

import pytest

from viewer.core.subject import parse_subject, strip_reply


@pytest.mark.parametrize(
    ("subject", "version", "counter", "total", "clean"),
    [
        ("[PATCH v4 03/12] pwm: sprd: add driver", 4, 3, 12, "pwm: sprd: add driver"),
        ("[PATCH net-next v2 1/3] net: phy: fix", 2, 1, 3, "net: phy: fix"),
        ("[PATCHv3] mm: tidy", 3, None, None, "mm: tidy"),
        ("[PATCH v2 RESEND 1/2] x86: foo", 2, 1, 2, "x86: foo"),
        ("[PATCH 0/7] Series cover", 1, 0, 7, "Series cover"),
        ("[PATCH 1/2 v2] counters before version", 2, 1, 2, "counters before version"),
        ("[RFC][PATCH 00/10] cifs: local caching", 1, 0, 10, "cifs: local caching"),
        ("[PATCH] lone patch", 1, None, None, "lone patch"),
        ("[PATCH V5 001/100] upper-case V, padded", 5, 1, 100, "upper-case V, padded"),
        ("[PATCH v2,3/4] comma separated", 2, 3, 4, "comma separated"),
    ],
)
def test_versions_and_counters(subject, version, counter, total, clean):
    info = parse_subject(subject)
    assert (info.version, info.counter, info.total, info.subject) == (
        version,
        counter,
        total,
        clean,
    )
    assert info.is_patch
    assert not info.is_reply


def test_flags_and_prefixes():
    rfc = parse_subject("[RFC PATCH net-next] tcp: try")
    assert rfc.is_rfc and rfc.is_patch and not rfc.is_resend
    assert rfc.prefixes == ("rfc", "patch", "net-next")
    assert parse_subject("[PATCH RFC v2] b").is_rfc
    assert parse_subject("[RFCv2 2/3] glued rfc version").version == 2
    resend = parse_subject("[RESEND PATCH] e")
    assert resend.is_resend and resend.version == 1
    assert parse_subject("[PATCH -next] z").prefixes == ("patch", "-next")


def test_cover_letter():
    assert parse_subject("[PATCH v3 00/12] intro").is_cover
    assert not parse_subject("[PATCH v3 01/12] first").is_cover
    assert not parse_subject("[PATCH] lone").is_cover


@pytest.mark.parametrize(
    "subject",
    [
        "Re: [PATCH v2 2/3] drm: fix",
        "RE: [PATCH v2 2/3] drm: fix",
        "Aw: Re: [PATCH v2 2/3] drm: fix",
        "re:[PATCH v2 2/3] drm: fix",
        "Re[2]: [PATCH v2 2/3] drm: fix",
        "SV: [PATCH v2 2/3] drm: fix",
        "[linux-pwm] Re: [PATCH v2 2/3] drm: fix",
    ],
)
def test_replies(subject):
    info = parse_subject(subject)
    assert info.is_reply
    assert (info.version, info.counter, info.total) == (2, 2, 3)
    assert info.subject == "drm: fix"


def test_subsystem_names_after_the_prefix_are_not_reply_markers():
    # "fw:" and "r:" would be forward/reply markers at the very start, not after [PATCH].
    info = parse_subject("[PATCH] fw: load the blob late")
    assert not info.is_reply and info.subject == "fw: load the blob late"


def test_pull_requests_are_not_patches():
    info = parse_subject("[GIT PULL] pwm changes for v6.1")
    assert info.is_pull_request and not info.is_patch
    assert info.subject == "pwm changes for v6.1"


def test_non_patch_subjects():
    plain = parse_subject("  Some   question about   locking ")
    assert plain.subject == "Some question about locking"
    assert not plain.is_patch and plain.version == 1 and plain.counter is None
    assert parse_subject("").subject == ""
    # a bracket in the middle is part of the subject, not a prefix
    assert parse_subject("mm: fix [PATCH] later").subject == "mm: fix [PATCH] later"


def test_impossible_counter_is_kept_as_a_word():
    info = parse_subject("[PATCH 5/3] bad counters")
    assert info.counter is None and "5/3" in info.prefixes


def test_strip_reply():
    assert strip_reply("Re: Re: hello") == ("hello", True)
    assert strip_reply("hello") == ("hello", False)


def test_a_reply_subject_reads_as_the_subject_it_answers_parsed_in_full():
    """parse_subject reads "Re: X" through X's cached reading: the same as reading it whole."""
    from tests.corpus_paths import CORPUS
    from viewer.core.subject import _parse

    subjects = ["Re: [PATCH v2 3/5] foo: bar", "RE: Re: [RFC PATCH] x", "Aw: [PATCH] y",
                "Re:[PATCH 0/2] z", "re: plain", "Re: [ovs-dev] Re: [PATCH] w", "Re:", "Re: ",
                "Fwd: [PATCH v3] q", "R: [PATCH] it", "Re[2]: [PATCH 1/1] o"]
    if CORPUS is not None:
        for path in sorted((CORPUS / "threads").glob("*.mbox"))[:40]:
            subjects += [line[9:].decode("utf-8", "replace").strip()
                         for line in path.read_bytes().splitlines()
                         if line.startswith(b"Subject: ")]
    for subject in subjects:
        assert parse_subject(subject) == _parse(subject), subject
