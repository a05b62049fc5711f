"""Mutated mail and the whole-path check every fuzzed mailbox must pass.

Shared by the short property-based run in the test suite (``tests/test_fuzz.py``) and the long
run (``bench/fuzz.py --count 100000``). A seed is a small mbox (a patch or two and replies to
them): our own fixtures always, and windows of real threads from the shared corpus when it is
there. Mutations damage it the way the internet does: truncation, byte flips, duplicated and
deleted lines, duplicated headers, damaged separators and MIME boundaries, charsets that lie,
transfer encodings that do not match, deep quoting, reference loops.

:func:`check_mailbox` opens the result and walks everything a user can reach: index, threads,
series, trailer counts, every patch parsed, every reply split and anchored, the review model
and both JSON reports. It returns the broken invariants (empty when all hold) and lets any
exception through: a fuzzed mail may be refused (:class:`MailboxError`), never crash.
"""

from __future__ import annotations

import json
import logging
import random
import re
from collections.abc import Callable
from pathlib import Path

from tests.hostile_mail import SEP, mail, patch_mail, review_reply
from viewer.core.archive import Archive
from viewer.core.errors import MailboxError
from viewer.core.formats import first_content, is_cr_only
from viewer.core.report import review_json, review_targets, threads_json
from viewer.core.review_model import review_model_of
from viewer.core.review_page import page_from_archive

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REGRESSIONS = FIXTURES / "fuzz"
"""Inputs that once broke an invariant: each is checked again by tests/test_fuzz.py."""
_CORPUS = (Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus").resolve()

Mutator = Callable[[random.Random, bytes], bytes]


# -- seeds --------------------------------------------------------------------------------------


def own_seeds() -> list[bytes]:
    """Small threads built here, so fuzzing runs without the corpus."""
    series = (
        mail("cover@x", "[PATCH v2 0/2] foo: rework", "Two patches.\n")
        + patch_mail("p1@x", "[PATCH v2 1/2] foo: use new()", parent="cover@x",
                     refs=("cover@x",))
        + patch_mail("p2@x", "[PATCH v2 2/2] foo: check ret", parent="cover@x",
                     refs=("cover@x",))
        + review_reply("r1@x", "p1@x")
        + review_reply("r2@x", "r1@x", depth=2)
        + mail("r3@x", "Re: [PATCH v2 0/2] foo: rework",
               "> Two patches.\n\nAcked-by: Cat Maintainer <cat@example.org>\n",
               parent="cover@x", refs=("cover@x",), sender="Cat Maintainer <cat@example.org>")
    )
    mime = mail(
        "m@x", "[PATCH] bar: attach", "--b\nContent-Type: text/plain\n\nSee attached.\n"
        "--b\nContent-Type: text/x-patch; name=fix.patch\nContent-Transfer-Encoding: base64\n\n"
        + _b64(patch_mail("inner@x").split(b"\n\n", 1)[1]) + "--b--\n",
        extra=("MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="b"'),
    ) + review_reply("mr@x", "m@x")
    seeds = [series, mime, patch_mail("lone@x") + review_reply("lr@x", "lone@x", depth=3)]
    for path in sorted(FIXTURES.glob("*.mbox")) + sorted((FIXTURES / "mail").glob("*")):
        seeds.append(path.read_bytes())
    return seeds


def _b64(data: bytes) -> str:
    import base64

    return base64.encodebytes(data).decode("ascii")


def corpus_seeds(limit_bytes: int = 60_000) -> list[bytes]:
    """Windows of a few consecutive mails from each corpus thread and small corpus mailbox."""
    if not _CORPUS.is_dir():
        return []
    files = sorted((_CORPUS / "threads").glob("*.mbox"))
    files += sorted(p for p in _CORPUS.iterdir()
                    if p.is_file() and p.suffix not in (".md", ".json"))
    seeds: list[bytes] = []
    for path in files:
        data = path.read_bytes()
        if len(data) <= limit_bytes:
            seeds.append(data)
            continue
        mails = split_mbox(data)
        for start in range(0, len(mails), 6):
            window = b"".join(mails[start : start + 6])
            if len(window) <= limit_bytes * 2:
                seeds.append(window)
    return seeds


def split_mbox(data: bytes) -> list[bytes]:
    starts = [0] + [m.start() + 1 for m in re.finditer(rb"\nFrom ", data)]
    return [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)], strict=True)]


# -- mutations --------------------------------------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if buf:
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def insert_bytes(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    junk = rng.choice([b"\0", b"\r", b"\n", b"\n\n", b"\xff\xfe", b"=?", b"?=", b"<", b">",
                       b"\nFrom ", b"\n>From ", b"\t", b"=\n", b"--", rng.randbytes(16)])
    return data[:at] + junk * rng.randint(1, 50) + data[at:]


def delete_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 5)):
        if lines:
            del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def duplicate_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    if lines:
        i = rng.randrange(len(lines))
        lines[i:i] = [lines[i]] * rng.randint(1, 200)
    return b"\n".join(lines)


_HEADER = re.compile(rb"(?m)^(?:From|Subject|Message-ID|In-Reply-To|References|Date|"
                     rb"Content-Type|Content-Transfer-Encoding)[ \t]*:[^\n]*\n")


def duplicate_header(rng: random.Random, data: bytes) -> bytes:
    found = list(_HEADER.finditer(data))
    if not found:
        return data
    m = rng.choice(found)
    return data[: m.end()] + m.group(0) * rng.randint(1, 30) + data[m.end() :]


def damage_separator(rng: random.Random, data: bytes) -> bytes:
    seps = [m.start() for m in re.finditer(rb"(?m)^From ", data)]
    if not seps:
        return data
    at = rng.choice(seps)
    how = rng.choice([b"Frm ", b">From ", b"From", b"", b"From \n", b"\nFrom ", b"From  \0"])
    return data[:at] + how + data[at + 5 :]


def damage_boundary(rng: random.Random, data: bytes) -> bytes:
    m = re.search(rb'boundary="?([^";\s]+)', data)
    if m is None:
        return insert_header(rng, data, b'Content-Type: multipart/mixed; boundary="zz"')
    boundary = m.group(1)
    choice = rng.randrange(4)
    if choice == 0:
        return data.replace(b"--" + boundary + b"--", b"", 1)  # never closed
    if choice == 1:
        return data.replace(b"--" + boundary, b"--" + boundary[:-1], 1)
    if choice == 2:
        return data.replace(b"boundary=", b"boundary=\"\"; x=", 1)
    return data.replace(b"--" + boundary, b"--" + boundary + b"\n--" + boundary, 1)


_CHARSETS = [b"utf-8", b"iso-8859-1", b"us-ascii", b"utf-16", b"utf-7", b"koi8-r", b"x-bogus",
             b"", b"\"", b"cp1252", b"shift_jis", b"utf-32", b"idna", b"rot13", b"base64"]


def charset_lie(rng: random.Random, data: bytes) -> bytes:
    charset = rng.choice(_CHARSETS)
    if b"charset=" in data:
        return re.sub(rb"charset=\"?[^\";\s]*\"?", b"charset=" + charset, data, count=1)
    return insert_header(rng, data, b"Content-Type: text/plain; charset=" + charset)


def encoding_lie(rng: random.Random, data: bytes) -> bytes:
    encoding = rng.choice([b"base64", b"quoted-printable", b"8bit", b"x-uuencode", b"7bit",
                           b"bogus"])
    return insert_header(rng, data, b"Content-Transfer-Encoding: " + encoding)


def insert_header(rng: random.Random, data: bytes, header: bytes) -> bytes:
    ends = [m.start() for m in re.finditer(rb"\n\n", data)]
    if not ends:
        return data
    at = rng.choice(ends) + 1
    return data[:at] + header + b"\n" + data[at:]


def deep_quotes(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    depth = rng.choice([5, 50, 500])
    start = rng.randrange(len(lines))
    for i in range(start, min(len(lines), start + rng.randint(1, 40))):
        lines[i] = b">" * depth + b" " + lines[i]
    return b"\n".join(lines)


def reference_loop(rng: random.Random, data: bytes) -> bytes:
    ids = re.findall(rb"(?im)^Message-ID:[ \t]*<([^>\n]*)>", data)
    if len(ids) < 1:
        return data
    a, b = rng.choice(ids), rng.choice(ids)
    return insert_header(rng, data, b"In-Reply-To: <" + a + b">\nReferences: <" + b + b"> <"
                         + a + b">")


def line_ends(rng: random.Random, data: bytes) -> bytes:
    return data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\r"]))


def splice(rng: random.Random, data: bytes) -> bytes:
    a, b = sorted(rng.randrange(len(data) + 1) for _ in range(2))
    c = rng.randrange(len(data) + 1)
    return data[:c] + data[a:b] + data[c:]


MUTATORS: list[Mutator] = [truncate, flip_bytes, insert_bytes, delete_lines, duplicate_lines,
                           duplicate_header, damage_separator, damage_boundary, charset_lie,
                           encoding_lie, deep_quotes, reference_loop, line_ends, splice]


def mutate(rng: random.Random, seed: bytes, rounds: int | None = None) -> bytes:
    data = seed
    for _ in range(rounds or rng.choice([1, 1, 1, 2, 3])):
        if not data:
            break
        data = rng.choice(MUTATORS)(rng, data)
    return data


# -- the whole path ---------------------------------------------------------------------------


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def expected_count(data: bytes) -> int:
    """Messages in an mbox counted the plain way: lines starting with "From "."""
    if is_cr_only(data[:65536]):
        data = data.replace(b"\r", b"\n")
    start = first_content(data)
    return data[start:].count(b"\nFrom ") + 1


def check_mailbox(path: Path) -> list[str]:
    """Every broken invariant of opening ``path`` and reading all of it; [] when all hold."""
    handler = _Errors()
    logging.getLogger().addHandler(handler)
    try:
        problems = _check(path)
    finally:
        logging.getLogger().removeHandler(handler)
    problems += [f"logged: {r.getMessage()[:200]}" for r in handler.records]
    return problems


def _check(path: Path) -> list[str]:
    try:
        cold = Archive.open(path, use_cache=False)
    except MailboxError:
        return []  # refused with a clear message: a right answer for damaged input
    problems: list[str] = []
    entries = cold.entries
    if cold.format in ("mbox", "mboxrd"):
        want = expected_count(path.read_bytes())
        if len(entries) != want:
            problems.append(f"{len(entries)} messages indexed, {want} separators")
    for entry in entries:  # a mail opens with the id it is listed under
        decoded = cold.source.message(entry.number).msgid
        if decoded != entry.msgid:
            problems.append(f"listed as <{entry.msgid}>, opens as <{decoded}>")
    numbers = sorted(n.entry.number for root in cold.threads for n in root.walk()
                     if n.entry is not None)
    if numbers != list(range(len(entries))):
        problems.append("threads do not hold every message exactly once")
    listing = threads_json(cold)
    if sum(t["count"] for t in listing["threads"]) != len(entries):
        problems.append("threads --json does not count every message once")
    review = review_json(cold, None)
    json.dumps(listing)
    json.dumps(review)
    if review.get("errors"):
        problems.append(f"review recorded errors: {review['errors'][:2]}")
    for target in review_targets(cold, None):
        problems += _annotations_on_lines(cold, target)
        page_from_archive(cold, target)
    # The index written to the cache, read back, and extended after the file grew: the same.
    warm_first = Archive.open(path)
    threads_json(warm_first)
    warm_first.save_facts()  # trailer facts kept with the index must list the same
    warm = Archive.open(path)
    if warm.format in ("mbox", "mboxrd") and not warm.source.from_cache:
        problems.append("a second open did not come from the cache")
    if warm.entries != entries or threads_json(warm)["threads"] != listing["threads"]:
        problems.append("the cached index differs from the cold one")
    del warm_first
    return problems


def _annotations_on_lines(archive: Archive, target: str) -> list[str]:
    """Every comment anchored on a line of ``target`` sits on a row of its review model."""
    problems = []
    model = review_model_of(archive, target)
    for annotation in model.annotations:
        anchor = annotation.anchor
        if anchor.kind != "unanchored" and model.row_of(annotation.id) is None:
            problems.append(f"annotation {annotation.id} sits on no line of {target}: "
                            f"{anchor.kind} {anchor.file}:{anchor.old_line}/{anchor.new_line}")
    if model.errors:
        problems.append(f"replies not analysed: {[e.reply_message_id for e in model.errors]}")
    return problems


def check_grown(path: Path, data: bytes) -> list[str]:
    """An mbox indexed, then grown by its last messages, indexes as a cold scan of the whole."""
    mails = split_mbox(data)
    if len(mails) < 2 or not data.startswith(b"From "):
        return []
    path.write_bytes(b"".join(mails[: len(mails) // 2]))
    try:
        Archive.open(path)
    except MailboxError:
        return []
    with path.open("ab") as f:
        f.write(b"".join(mails[len(mails) // 2 :]))
    try:
        grown = Archive.open(path)
    except MailboxError as error:
        return [f"the grown mbox was refused: {error}"]
    cold = Archive.open(path, use_cache=False)
    if grown.entries != cold.entries:
        return ["the index extended from the cache differs from a cold scan"]
    return []


def seed_mail(data: bytes) -> bytes:
    """``data`` as an mbox entry when it is a bare mail (fixtures hold .eml files too)."""
    return data if data.startswith(b"From ") else SEP + data
