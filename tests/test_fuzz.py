"""A short, deterministic fuzz run over the whole path (the long one is ``bench/fuzz.py``).

Property-based (hypothesis, derandomized so every run tries the same inputs) over mutations of
our own seed threads and, when the shared corpus is present, of real ones; plus generated mail
built from arbitrary header and body text. Every input must open (or be refused with a
MailboxError) and keep the invariants of :func:`tests.fuzz_mail.check_mailbox`. Every input
that once broke one is kept under ``tests/fixtures/fuzz/`` and checked here again.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

hypothesis = pytest.importorskip(
    "hypothesis", reason="pip install 'hypothesis>=6.100' (in the test extra: make test)"
)
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.fuzz_mail import (  # noqa: E402
    REGRESSIONS,
    check_grown,
    check_mailbox,
    corpus_seeds,
    mutate,
    own_seeds,
)
from tests.hostile_mail import SEP  # noqa: E402
from viewer.core.message import decode_message  # noqa: E402
from viewer.core.patch import parse_patch  # noqa: E402
from viewer.core.quotes import split_reply  # noqa: E402
from viewer.core.subject import parse_subject  # noqa: E402

OWN = own_seeds()
CORPUS = corpus_seeds()
_FAST = settings(derandomize=True, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def fast(examples: int) -> settings:
    """Derandomized (the same inputs every run), no example database, a few seconds."""
    return settings(_FAST, max_examples=examples)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(tmp_path / "cache"))


_counter = iter(range(1 << 30))


def _fresh(tmp_path: Path, data: bytes) -> Path:
    # A new name per input: the cache is keyed by path, and two inputs of equal size written
    # within one clock tick must never be mistaken for one another.
    path = tmp_path / f"fuzz-{next(_counter)}.mbox"
    path.write_bytes(data)
    return path


@fast(60)
@given(seed=st.integers(0, len(OWN) - 1), salt=st.integers(0, 2**32))
def test_mutated_own_mail_keeps_the_invariants(tmp_path, seed, salt):
    data = mutate(random.Random(salt), OWN[seed])
    assert check_mailbox(_fresh(tmp_path, data)) == []


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS, reason="shared corpus not found")
@fast(40)
@given(seed=st.integers(0, max(0, len(CORPUS) - 1)), salt=st.integers(0, 2**32))
def test_mutated_corpus_mail_keeps_the_invariants(tmp_path, seed, salt):
    data = mutate(random.Random(salt), CORPUS[seed])
    assert check_mailbox(_fresh(tmp_path, data)) == []


_header_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80)


@fast(60)
@given(
    subject=_header_text,
    sender=_header_text,
    refs=st.lists(st.sampled_from(["a@x", "b@x", "c@x", "", "<", "a@x>"]), max_size=4),
    body=st.text(max_size=400),
    ctype=st.sampled_from(["", "text/plain; charset=utf-8", "text/x-patch", "multipart/mixed",
                           "text/html; charset=latin-1", "text/plain; charset=bogus"]),
    encoding=st.sampled_from(["", "base64", "quoted-printable", "8bit"]),
)
def test_generated_mail_keeps_the_invariants(tmp_path, subject, sender, refs, body, ctype,
                                             encoding):
    head = [f"From: {sender}", f"Subject: {subject}", "Message-ID: <a@x>",
            "References: " + " ".join(f"<{r}>" for r in refs)]
    if ctype:
        head.append(f"Content-Type: {ctype}")
    if encoding:
        head.append(f"Content-Transfer-Encoding: {encoding}")
    one = "\n".join(head).encode("utf-8", "surrogateescape") + b"\n\n" + body.encode(
        "utf-8", "surrogateescape")
    reply = (b"From: R <r@x>\nSubject: Re: " + subject.encode("utf-8", "surrogateescape")
             + b"\nMessage-ID: <b@x>\nIn-Reply-To: <a@x>\n\n> " + body[:200].encode(
                 "utf-8", "surrogateescape") + b"\nComment.\n")
    data = SEP + one + b"\n\n" + SEP + reply + b"\n"
    assert check_mailbox(_fresh(tmp_path, data)) == []


@fast(200)
@given(st.text(max_size=300))
def test_text_functions_take_any_text(text):
    parse_subject(text)
    split_reply(text)
    parse_patch(text)
    parse_patch("---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n" + text)


@fast(200)
@given(st.binary(max_size=600))
def test_any_bytes_decode_as_a_message(raw):
    message = decode_message(raw)
    assert isinstance(message.body, str)


@fast(20)
@given(seed=st.integers(0, len(OWN) - 1), salt=st.integers(0, 2**32))
def test_grown_mbox_extends_its_cached_index_like_a_cold_scan(tmp_path, seed, salt):
    data = mutate(random.Random(salt), OWN[seed], rounds=1)
    assert check_grown(_fresh(tmp_path, b""), data) == []


def _regressions() -> list[Path]:
    return sorted(p for p in REGRESSIONS.glob("*") if p.is_file()) if REGRESSIONS.is_dir() else []


@pytest.mark.parametrize("path", _regressions(), ids=lambda p: p.name)
def test_input_that_once_failed_keeps_the_invariants(tmp_path, path):
    assert check_mailbox(_fresh(tmp_path, path.read_bytes())) == []
