"""Hostile inputs: mailboxes the internet (or a confused user) can hand Hunkwise.

Each case builds its bytes deterministically (no files are kept in the repo: some are tens of
megabytes) and says what must happen: either the mailbox opens with exactly ``messages`` mails
and every command succeeds, or it is refused with a one-line error containing ``refused``.
Never a traceback, never an "internal error", never more than the runner's time and memory
limits (``bench/hostile.py`` runs every case as the ``hunkwise`` command a user runs, 20 s and
2 GB each; ``tests/test_hostile.py`` runs the ``fast`` ones in-process).
"""

from __future__ import annotations

import base64
import gzip
import json
import random
from collections.abc import Callable
from dataclasses import dataclass

SEP = b"From mboxrd@z Thu Jan  1 00:00:00 1970\n"
DATE = "Mon, 1 Jan 2024 10:00:00 +0000"

_DIFF = (
    "diff --git a/drivers/foo.c b/drivers/foo.c\n"
    "index 1111111..2222222 100644\n"
    "--- a/drivers/foo.c\n"
    "+++ b/drivers/foo.c\n"
    "@@ -1,4 +1,5 @@ static int foo_probe(void)\n"
    " \tint ret;\n"
    "-\tret = old();\n"
    "+\tret = new();\n"
    "+\tif (ret)\n"
    "+\t\treturn ret;\n"
    " \treturn 0;\n"
    " }\n"
)


@dataclass(frozen=True)
class HostileCase:
    name: str
    filename: str
    make: Callable[[], bytes]
    messages: int | None = None
    """How many mails the index must list; None when the input must be refused."""
    refused: str | None = None
    """Words the one-line error must contain when the input is refused."""
    fast: bool = True
    """Small enough for the test suite (well under a second in-process)."""
    review: bool = True
    """Also run ``review --json`` over the whole mailbox."""


def mail(
    msgid: str,
    subject: str = "hello",
    body: str = "Just some text.\n",
    *,
    parent: str | None = None,
    refs: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
    sender: str = "Ann Author <ann@example.org>",
) -> bytes:
    """One plain mail as an mbox entry (separator and trailing blank line included)."""
    head = [f"From: {sender}", f"Date: {DATE}", f"Subject: {subject}", f"Message-ID: <{msgid}>"]
    if parent:
        head.append(f"In-Reply-To: <{parent}>")
    if refs:
        head.append("References: " + " ".join(f"<{r}>" for r in refs))
    head.extend(extra)
    text = "\n".join(head) + "\n\n" + body
    if not text.endswith("\n"):
        text += "\n"
    return SEP + text.encode("utf-8", "surrogateescape") + b"\n"


def patch_mail(msgid: str, subject: str = "[PATCH] foo: use new()", **kw) -> bytes:
    body = "Use new() instead.\n\nSigned-off-by: Ann Author <ann@example.org>\n---\n" + _DIFF
    return mail(msgid, subject, body, **kw)


def review_reply(msgid: str, parent: str, depth: int = 1, **kw) -> bytes:
    quote = ">" * depth + " "
    body = (
        f"On {DATE}, Ann wrote:\n"
        + "".join(quote + line + "\n" for line in _DIFF.splitlines()[6:9])
        + "\nWhy not check ret here?\n\nReviewed-by: Rob Reviewer <rob@example.org>\n"
    )
    return mail(msgid, "Re: [PATCH] foo: use new()", body, parent=parent, refs=(parent,),
                sender="Rob Reviewer <rob@example.org>", **kw)


# -- the cases ---------------------------------------------------------------------------------


def reply_chain(count: int, *, full_references: bool = False) -> bytes:
    """A patch, then ``count - 1`` replies each answering the previous one (a flame war)."""
    out = [patch_mail("c0@x")]
    for i in range(1, count):
        refs = tuple(f"c{j}@x" for j in range(i)) if full_references else (
            "c0@x", *(f"c{j}@x" for j in range(max(1, i - 8), i)))
        quote = "".join(">" * min(d, 40) + " line\n" for d in range(1, 4))
        out.append(mail(f"c{i}@x", "Re: [PATCH] foo: use new()",
                        f"{quote}\nI disagree ({i}).\n", parent=f"c{i - 1}@x", refs=refs))
    return b"".join(out)


def _deep_quote() -> bytes:
    body = "".join(">" * d + " +\tret = new();\n" for d in range(1, 2001)) + "\nDeep.\n"
    return patch_mail("p@x") + mail("r@x", "Re: [PATCH] foo: use new()", body, parent="p@x")


def _huge_header() -> bytes:
    return mail("h@x", "S" * 4_000_000) + mail("ok@x")


def _many_headers() -> bytes:
    extra = tuple(f"X-Junk-{i}: value {i}" for i in range(100_000))
    return mail("h@x", extra=extra) + mail("ok@x")


def _folded_forever() -> bytes:
    refs = "References: <a@x>" + "\n\t<b@x>" * 200_000
    return mail("f@x", extra=(refs,)) + mail("ok@x")


def _endless_line() -> bytes:
    return mail("e@x", body="x" * 30_000_000) + mail("ok@x")


def _endless_line_no_newline() -> bytes:
    return mail("ok@x") + SEP + b"Subject: tail\nMessage-ID: <t@x>\n\n" + b"y" * 20_000_000


def _nul_bytes() -> bytes:
    return (mail("n1@x", "nul\0in subject", "body\0with\0nuls\n")
            + mail("n2@x", body="\0" * 100_000) + patch_mail("n3@x", extra=("X-Nul: \0\0",)))


def _nul_in_header_names() -> bytes:
    return SEP + b"Fr\0m: a@x\nSub\0ject: x\nMessage-ID: <n@x>\n\nbody\n\n" + mail("ok@x")


def _broken_mime() -> bytes:
    unclosed = ("MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="zzz"')
    body = "--zzz\nContent-Type: text/plain\n\nfirst part, never closed\n"
    no_boundary = ("MIME-Version: 1.0", "Content-Type: multipart/mixed")
    wrong = ("MIME-Version: 1.0", 'Content-Type: multipart/alternative; boundary="a"')
    return (mail("m1@x", body=body, extra=unclosed)
            + mail("m2@x", body="--x\n\ntext\n--x--\n", extra=no_boundary)
            + mail("m3@x", body="--b\n\nnot my boundary\n--b--\n", extra=wrong)
            + mail("m4@x", body="text", extra=("Content-Type: text/plain; charset",)))


def _nested_mime() -> bytes:
    depth = 300
    parts = []
    for d in range(depth):
        parts.append(f'Content-Type: multipart/mixed; boundary="b{d}"\n\n--b{d}\n')
    inner = "Content-Type: text/plain\n\ninnermost\n"
    closing = "".join(f"\n--b{d}--\n" for d in reversed(range(depth)))
    body = "".join(parts[1:]) + inner + closing
    return mail("n@x", body="--b0\n" + body, extra=("MIME-Version: 1.0",
                                                    'Content-Type: multipart/mixed; boundary="b0"'))


def _many_parts() -> bytes:
    body = "".join(f"--p\nContent-Type: text/plain\n\npart {i}\n" for i in range(20_000))
    return mail("p@x", body=body + "--p--\n",
                extra=("MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="p"'))


def _bad_charsets() -> bytes:
    cases = ["no-such-charset", "utf-7", "utf-16", "utf-32", "x-unknown", "unknown-8bit",
             "iso-2022-jp", "cp037", 'utf-8"; format=flowed', "\u00e9t\u00e9", "base64"]
    out = []
    for i, cs in enumerate(cases):
        extra = ("MIME-Version: 1.0", f"Content-Type: text/plain; charset={cs}",
                 "Content-Transfer-Encoding: 8bit")
        out.append(mail(f"cs{i}@x", f"charset {i}", "caf\udce9 \udcff\udcfe text\n",
                        extra=extra))
    return b"".join(out)


def _charset_lies() -> bytes:
    latin_said_utf8 = ("Content-Type: text/plain; charset=utf-8",)
    return (SEP + b"Subject: =?utf-8?b?/////w==?=\nFrom: =?koi8-r?q?=FF=FE?= <k@x>\n"
            b"Message-ID: <l1@x>\nContent-Type: text/plain; charset=utf-8\n\ncaf\xe9\n\n"
            + mail("l2@x", "=?no-such?q?x?= =?utf-8?q?=E2=82?=", "ok\n", extra=latin_said_utf8)
            + mail("l3@x", "=?utf-8?b?" + "A" * 10_000 + "?=", "ok\n"))


def _base64_garbage() -> bytes:
    b64 = ("MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
           "Content-Transfer-Encoding: base64")
    rng = random.Random(5)
    noise = "".join(rng.choice("ABC!@#$%^&*()=\u00e9\n") for _ in range(50_000))
    good = base64.encodebytes(b"\xff\xfe\x00binary\x00" * 100).decode()
    return (mail("b1@x", body=noise, extra=b64)
            + mail("b2@x", body="====\n=\n", extra=b64)
            + mail("b3@x", body=good, extra=b64)
            + patch_mail("b4@x", extra=("Content-Transfer-Encoding: base64",)))


def _qp_garbage() -> bytes:
    qp = ("MIME-Version: 1.0", "Content-Type: text/plain; charset=iso-8859-1",
          "Content-Transfer-Encoding: quoted-printable")
    return mail("q1@x", body="=ZZ=\n=4=\n" * 10_000 + "=", extra=qp) + mail("q2@x")


def _reference_loops() -> bytes:
    return (mail("a@x", parent="b@x", refs=("c@x", "b@x"))
            + mail("b@x", parent="a@x", refs=("a@x",))
            + mail("c@x", parent="c@x", refs=("c@x", "a@x", "c@x"))
            + mail("d@x", refs=("d@x",) * 50)
            + mail("e@x", parent="f@x", refs=("a@x", "f@x")) + mail("f@x", parent="e@x"))


def _reference_ring() -> bytes:
    n = 2000
    return b"".join(mail(f"r{i}@x", parent=f"r{(i + 1) % n}@x",
                         refs=(f"r{(i + 2) % n}@x", f"r{(i + 1) % n}@x")) for i in range(n))


def _duplicates() -> bytes:
    one = patch_mail("same@x")
    return one * 3000 + review_reply("rev@x", "same@x") * 500


def _duplicate_ids_different_mail() -> bytes:
    return b"".join(mail("dup@x", f"subject {i}", parent="dup@x" if i % 2 else None)
                    for i in range(2000))


def _cr_only() -> bytes:
    lf = b"".join(patch_mail(f"mac{i}@x") if i % 3 == 0 else review_reply(f"mac{i}@x", "mac0@x")
                  for i in range(24))
    return lf.replace(b"\n", b"\r")


def _crlf() -> bytes:
    return b"".join(patch_mail(f"w{i}@x") for i in range(12)).replace(b"\n", b"\r\n")


def _mixed_line_ends() -> bytes:
    return patch_mail("m1@x").replace(b"\n", b"\r\n") + patch_mail("m2@x") + mail("m3@x")


def _no_blank_line_after_headers() -> bytes:
    return SEP + b"Subject: x\nMessage-ID: <nb@x>\nThis line is body, really\n\n" + mail("ok@x")


def _only_separators() -> bytes:
    return SEP * 5000


def _separator_storm() -> bytes:
    return b"".join(mail(f"s{i}@x", body="From here\nFrom there\n>From escaped\n")
                    for i in range(200))


def _bogus_dates() -> bytes:
    dates = ["Tue, 31 Feb 99999 25:61:61 +9999", "yesterday", "", "0", "Mon, 1 Jan 1800 0:0 +0",
             "Thu, 1 Jan 1970 00:00:00 -2400", "\u2603" * 1000, "1" * 100_000]
    return b"".join(mail(f"d{i}@x", extra=()).replace(DATE.encode(), d.encode())
                    for i, d in enumerate(dates))


def _bogus_addresses() -> bytes:
    senders = ['"unterminated <a@x>', "<<<@@@>>>", "a@x, b@y, c@z", "=?utf-8?q?=3C?= <q@x>",
               "(comment (nested (deep" * 200, "@" * 10_000, ""]
    return b"".join(mail(f"p{i}@x", sender=s) for i, s in enumerate(senders))


def _bogus_subjects() -> bytes:
    subjects = ["[PATCH 99999999999999999999/3] big counter", "[PATCH 3/0] zero total",
                "[PATCH v999999999999] version", "[" * 10_000, "Re: " * 5_000 + "x",
                "[PATCH 0/2] cover", "[PATCH 1/2] one", "[PATCH 1/2] one again"]
    return b"".join(patch_mail(f"s{i}@x", s) for i, s in enumerate(subjects))


def _broken_diffs() -> bytes:
    bodies = [
        "---\ndiff --git a/x b/x\n@@ -1,99999999 +1,99999999 @@\n+only one line\n",
        "---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -a,b +c,d @@\n+x\n",
        "---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n" + "@@ -1 +1 @@\n-a\n+b\n" * 5000,
        "---\n" + "diff --git a/f b/f\n" * 5000,
        "---\ndiff --git a/x b/x\nGIT binary patch\nliteral 99999999\nzzzz\n",
        "---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n",
    ]
    out = [mail(f"bd{i}@x", f"[PATCH {i + 1}/6] broken", b) for i, b in enumerate(bodies)]
    out.append(review_reply("bdr@x", "bd2@x", depth=3))
    return b"".join(out)


def _huge_patch() -> bytes:
    lines = "".join(f"+\tline_{i} = {i};\n" for i in range(200_000))
    body = ("Big.\n---\ndiff --git a/big.c b/big.c\n--- a/big.c\n+++ b/big.c\n"
            f"@@ -0,0 +1,200000 @@\n{lines}")
    return mail("hp@x", "[PATCH] big", body) + review_reply("hpr@x", "hp@x")


def _many_replies_one_patch() -> bytes:
    return patch_mail("hub@x") + b"".join(review_reply(f"r{i}@x", "hub@x") for i in range(3000))


def _wide_thread() -> bytes:
    return mail("root@x") + b"".join(mail(f"w{i}@x", "Re: hello", parent="root@x")
                                     for i in range(20_000))


def _gzip_mbox() -> bytes:
    return gzip.compress(patch_mail("g1@x") + review_reply("g2@x", "g1@x"))


def _gzip_truncated() -> bytes:
    return gzip.compress(patch_mail("g1@x") * 50)[:-300]


def _gzip_bomb() -> bytes:
    """600 MB of NUL bytes in a 600 KB file: must be refused without unpacking it all."""
    import io
    import zlib

    out = io.BytesIO()
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    for _ in range(600):
        out.write(z.compress(chunk))
    out.write(z.flush())
    return out.getvalue()


def _gzip_of_json() -> bytes:
    return gzip.compress(json.dumps({"mail": [1, 2, 3]}).encode())


def _one_byte() -> bytes:
    return b"x"


def _one_newline() -> bytes:
    return b"\n"


def _whitespace_only() -> bytes:
    return b" \n\t\n\r\n" * 100


def _json() -> bytes:
    return json.dumps({"From": "a@x", "Subject": "not mail", "list": list(range(100))},
                      indent=1).encode()


def _json_array() -> bytes:
    return json.dumps([{"message_id": "a@x", "subject": "x"}]).encode()


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    ihdr = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    raw = b"".join(b"\0" + b"\xff\x00\x00" * 16 for _ in range(16))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def _random_binary() -> bytes:
    return random.Random(7).randbytes(300_000)


def _elf_like() -> bytes:
    return b"\x7fELF\x02\x01\x01" + bytes(9) + random.Random(3).randbytes(5000)


def _passwd() -> bytes:
    users = ["root:x:0:0:root:/root:/bin/bash", "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
             "bin:x:2:2:bin:/bin:/usr/sbin/nologin", "sys:x:3:3:sys:/dev:/usr/sbin/nologin",
             "list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin",
             "ann:x:1000:1000:Ann Author,,,:/home/ann:/bin/bash"]
    return ("\n".join(users) + "\n").encode()


def _html_page() -> bytes:
    return b"<!DOCTYPE html>\n<html><head><title>lore</title></head><body>hi</body></html>\n"


def _utf16_mbox() -> bytes:
    return mail("u@x").decode().encode("utf-16")


def _headerless_fragment() -> bytes:
    """Like git's t5100 expected-output fragments: a body whose headers were split off."""
    return (b"Thanks, applied.\n\n> On Mon, Ann wrote:\n> +\tret = new();\n\n"
            b"Signed-off-by: Rob <rob@example.org>\n")


def _latin1_everything() -> bytes:
    return (SEP + b"From: J\xf6rg M\xfcller <j@x>\nSubject: [PATCH] f\xfc\xdf\n"
            b"Message-ID: <l@x>\n\n" + _DIFF.encode() + b"\xe9\xe8\n\n")


def _long_message_id() -> bytes:
    long_id = "i" * 200_000 + "@x"
    return mail(long_id) + mail("child@x", parent=long_id, refs=(long_id,))


def _empty_message_ids() -> bytes:
    return b"".join(mail("", f"no id {i}").replace(b"Message-ID: <>", b"Message-ID: <>")
                    for i in range(300))


def _eml_single() -> bytes:
    return patch_mail("eml@x")[len(SEP):]


CASES: list[HostileCase] = [
    HostileCase("reply-chain-5000", "chain.mbox", lambda: reply_chain(5000), 5000, fast=False),
    HostileCase("reply-chain-300", "chain-short.mbox", lambda: reply_chain(300), 300),
    HostileCase("references-full-chain-1500", "refs.mbox",
                lambda: reply_chain(1500, full_references=True), 1500, fast=False),
    HostileCase("deep-quote-2000", "deep.mbox", _deep_quote, 2),
    HostileCase("huge-header-4MB", "header.mbox", _huge_header, 2),
    HostileCase("100k-header-lines", "headers.mbox", _many_headers, 2, fast=False),
    HostileCase("200k-folded-references", "folds.mbox", _folded_forever, 2, fast=False),
    HostileCase("endless-line-30MB", "line.mbox", _endless_line, 2, fast=False),
    HostileCase("endless-last-line-no-newline", "tail.mbox", _endless_line_no_newline, 2,
                fast=False),
    HostileCase("nul-bytes", "nul.mbox", _nul_bytes, 3),
    HostileCase("nul-in-header-names", "nulname.mbox", _nul_in_header_names, 2),
    HostileCase("broken-mime", "mime.mbox", _broken_mime, 4),
    HostileCase("nested-multipart-300", "nested.mbox", _nested_mime, 1),
    HostileCase("20k-mime-parts", "parts.mbox", _many_parts, 1, fast=False),
    HostileCase("bad-charsets", "charsets.mbox", _bad_charsets, 11),
    HostileCase("charset-lies", "lies.mbox", _charset_lies, 3),
    HostileCase("base64-garbage", "b64.mbox", _base64_garbage, 4),
    HostileCase("quoted-printable-garbage", "qp.mbox", _qp_garbage, 2),
    HostileCase("reference-loops", "loops.mbox", _reference_loops, 6),
    HostileCase("reference-ring-2000", "ring.mbox", _reference_ring, 2000, fast=False),
    HostileCase("3500-duplicates", "dups.mbox", _duplicates, 3500, fast=False),
    HostileCase("2000-same-id-different-mail", "sameid.mbox", _duplicate_ids_different_mail,
                2000),
    HostileCase("cr-only-line-ends", "mac.mbox", _cr_only, 24),
    HostileCase("crlf-line-ends", "dos.mbox", _crlf, 12),
    HostileCase("mixed-line-ends", "mixed.mbox", _mixed_line_ends, 3),
    HostileCase("no-blank-line-after-headers", "noblank.mbox", _no_blank_line_after_headers, 2),
    HostileCase("5000-bare-separators", "seps.mbox", _only_separators, 5000),
    HostileCase("body-from-lines", "froms.mbox", _separator_storm, 600),
    HostileCase("bogus-dates", "dates.mbox", _bogus_dates, 8),
    HostileCase("bogus-addresses", "people.mbox", _bogus_addresses, 7),
    HostileCase("bogus-subjects", "subjects.mbox", _bogus_subjects, 8),
    HostileCase("broken-diffs", "diffs.mbox", _broken_diffs, 7),
    HostileCase("200k-line-patch", "hugepatch.mbox", _huge_patch, 2, fast=False),
    HostileCase("3000-replies-to-one-patch", "replies.mbox", _many_replies_one_patch, 3001,
                fast=False),
    HostileCase("20k-wide-thread", "wide.mbox", _wide_thread, 20_001, fast=False),
    HostileCase("gzip-mbox", "t.mbox.gz", _gzip_mbox, 2),
    HostileCase("gzip-truncated", "cut.mbox.gz", _gzip_truncated, refused="truncated"),
    HostileCase("gzip-bomb-600MB", "bomb.mbox.gz", _gzip_bomb, refused="not contain",
                fast=False),
    HostileCase("gzip-of-json", "json.mbox.gz", _gzip_of_json, refused="not contain"),
    HostileCase("empty-file", "empty.mbox", lambda: b"", refused="empty"),
    HostileCase("one-byte-file", "one.mbox", _one_byte, refused="not a mailbox"),
    HostileCase("one-newline", "newline.mbox", _one_newline, refused="not a mailbox"),
    HostileCase("whitespace-only", "blank.mbox", _whitespace_only, refused="not a mailbox"),
    HostileCase("json-named-mbox", "data.mbox", _json, refused="not a mailbox"),
    HostileCase("json-array-named-mbox", "array.mbox", _json_array, refused="not a mailbox"),
    HostileCase("png-named-mbox", "image.mbox", _png, refused="not a mailbox"),
    HostileCase("random-binary-named-mbox", "noise.mbox", _random_binary, refused="not a mailbox"),
    HostileCase("elf-named-mbox", "a.out.mbox", _elf_like, refused="not a mailbox"),
    HostileCase("passwd-named-mbox", "passwd.mbox", _passwd, refused="not a mailbox"),
    HostileCase("passwd-unnamed", "passwd", _passwd, refused="not a mailbox"),
    HostileCase("html-named-mbox", "page.mbox", _html_page, refused="not a mailbox"),
    HostileCase("utf16-mbox", "wide.mbox", _utf16_mbox, refused="not a mailbox"),
    HostileCase("headerless-fragment-named-mbox", "fragment.mbox", _headerless_fragment, 1),
    HostileCase("latin1-headers-and-body", "latin1.mbox", _latin1_everything, 1),
    HostileCase("200k-char-message-id", "longid.mbox", _long_message_id, 2),
    HostileCase("300-empty-message-ids", "noid.mbox", _empty_message_ids, 300),
    HostileCase("single-eml", "patch.eml", _eml_single, 1),
]


def case(name: str) -> HostileCase:
    return next(c for c in CASES if c.name == name)
