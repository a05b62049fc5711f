"""Fetch and open a 100-message thread from a real public-inbox-httpd on 127.0.0.1.

The thread is generated here (a 12-patch series with a cover letter and 87 review replies
quoting hunks, ~4 KiB of list headers each, like lore's), imported into a private inbox, and
served by ``public-inbox-httpd`` (Debian package public-inbox). Timed, best of 5, in one
process:

- **baseline**: ``Archive.open`` of the same thread from a local file, no index cache: what
  opening costs without any network;
- **http**: a bare ``httpx`` GET of ``t.mbox.gz`` (body read, nothing decoded): the transfer
  plus the server's own work, the floor for any client;
- **fetch**: ``LoreClient.thread`` (stream, gunzip, check it is mail);
- **first open**: ``obtain`` into an empty library + ``Archive.open``: what a user waits for
  after pasting a link;
- **refresh**: ``obtain(refresh=True)`` with nothing new + ``Archive.open`` (cache hit);
- **offline**: ``obtain`` from the library (no network) + ``Archive.open`` (cache hit).

    .venv/bin/python bench/bench_lore.py
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from tests.lore.public_inbox import INSTALL_LINE, have_public_inbox, new_server
from viewer.core import index_cache
from viewer.core.archive import Archive
from viewer.core.library import Library, obtain
from viewer.core.lore import LoreClient, ThreadRef

PATCHES, REPLIES, RUNS = 12, 87, 5
_RECEIVED = "".join(
    f"Received: from relay{i}.example.org (relay{i}.example.org [192.0.2.{i}])\n"
    f"\tby mx.example.org (Postfix) with ESMTPS id 4Z{i}Xq{i}Mn for <list@example.org>;\n"
    f"\tMon, 3 Mar 2025 10:0{i}:00 +0000 (UTC)\n" for i in range(1, 5)
)
_DKIM = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=k1;\n" + "".join(
    f"\t b={'x' * 70}\n" for _ in range(12))


def _mail(msgid: str, subject: str, author: str, when: datetime, body: str,
          parent: str | None, refs: list[str]) -> str:
    head = [
        "From mboxrd@z Thu Jan  1 00:00:00 1970",
        _RECEIVED.rstrip("\n"),
        _DKIM.rstrip("\n"),
        f"From: {author}",
        "To: linux-watchdog@vger.example",
        f"Subject: {subject}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: <{msgid}>",
    ]
    if parent:
        head += [f"In-Reply-To: <{parent}>", "References: " + " ".join(f"<{r}>" for r in refs)]
    head += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
             "List-Id: <linux-watchdog.vger.example>"]
    escaped = "\n".join(">" + line if line.lstrip(">").startswith("From ") else line
                        for line in body.splitlines())
    return "\n".join(head) + "\n\n" + escaped + "\n\n"


def make_thread(rng: random.Random) -> tuple[str, str]:
    """(mbox text, cover Message-ID) of one 1 + PATCHES + REPLIES message thread."""
    start = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
    author = "Ada Lovelace <ada@example.org>"
    cover = "20250303100000.1000-0-ada@example.org"
    mails = [_mail(cover, f"[PATCH 0/{PATCHES}] watchdog: foo: rework the driver", author,
                   start, "This series reworks the foo watchdog driver.\n\n-- \n2.47.0", None,
                   [])]
    patches = []
    for n in range(1, PATCHES + 1):
        msgid = f"20250303100000.1000-{n}-ada@example.org"
        lines = [f"+\tfoo_write(wdt, FOO_REG_{n}_{k}, val + {k});" for k in range(30)]
        diff = (f"diff --git a/drivers/watchdog/foo_wdt.c b/drivers/watchdog/foo_wdt.c\n"
                f"--- a/drivers/watchdog/foo_wdt.c\n+++ b/drivers/watchdog/foo_wdt.c\n"
                f"@@ -{n * 40},6 +{n * 40},36 @@ static int foo_start_{n}(void)\n"
                " {\n \tint val;\n \n" + "\n".join(lines) + "\n \treturn 0;\n }\n \n")
        body = (f"Rework step {n} of the driver.\n\nSigned-off-by: {author}\n---\n"
                f" drivers/watchdog/foo_wdt.c | 30 ++++++\n\n{diff}-- \n2.47.0")
        mails.append(_mail(msgid, f"[PATCH {n}/{PATCHES}] watchdog: foo: step {n}", author,
                           start + timedelta(minutes=n), body, cover, [cover]))
        patches.append((msgid, lines))
    replies: list[tuple[str, list[str]]] = []
    for r in range(REPLIES):
        when = start + timedelta(hours=2 + r)
        who = f"Reviewer {r % 9} <rev{r % 9}@example.net>"
        if replies and rng.random() < 0.3:
            parent, refs = rng.choice(replies)
            quoted = "> > +\tfoo_write(...);\n> Why not a loop?"
        else:
            parent, lines = rng.choice(patches)
            refs = [cover]
            k = rng.randrange(len(lines) - 3)
            quoted = "\n".join("> " + line for line in lines[k : k + 3])
        msgid = f"reply-{r}@example.net"
        body = (f"On Mon, 3 Mar 2025, Ada Lovelace wrote:\n{quoted}\n\n"
                f"This write needs a barrier, comment {r}.\n\nReviewed-by: {who}")
        refs = [*refs, parent]
        mails.append(_mail(msgid, "Re: [PATCH] watchdog: foo", who, when, body, parent, refs))
        replies.append((msgid, refs))
    return "".join(mails), cover


def best(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    if not have_public_inbox():
        print(f"public-inbox-httpd is missing: {INSTALL_LINE}")
        return 1
    root = Path(tempfile.mkdtemp(prefix="hunkwise-bench-lore-"))
    os.environ["HUNKWISE_CACHE_DIR"] = str(root / "cache")
    os.environ["HUNKWISE_DATA_DIR"] = str(root / "data")
    server = new_server(root / "pi")
    try:
        text, cover = make_thread(random.Random(1))
        data = text.encode()
        local = root / "thread.mbox"
        local.write_bytes(data)
        server.create("bench")
        server.import_mbox("bench", data)
        server.start()
        ref = ThreadRef(server.inbox("bench"), cover)

        def baseline():
            Archive.open(local, use_cache=False)

        http = httpx.Client()

        def bare_http():
            http.get(ref.thread_url).raise_for_status()

        client = LoreClient()
        size = len(client.thread(ref))

        def fetch():
            client.thread(ref)

        library_root = root / "data" / "lore"

        def first_open():
            shutil.rmtree(library_root, ignore_errors=True)
            index_cache.cache_dir().mkdir(parents=True, exist_ok=True)
            shutil.rmtree(index_cache.cache_dir())
            got = obtain(ref, client=client)
            Archive.open(got.path)

        def refresh():
            Archive.open(obtain(ref, client=client, refresh=True).path)

        def offline():
            Archive.open(obtain(ref, offline=True).path)

        archive = Archive.open(local, use_cache=False)
        assert len(archive.entries) == 1 + PATCHES + REPLIES, len(archive.entries)
        results = {"baseline": best(baseline), "http": best(bare_http), "fetch": best(fetch),
                   "first open": best(first_open), "refresh": best(refresh),
                   "offline": best(offline)}
        entries = Library().lookup(ref)
        assert entries is not None and entries.messages == 1 + PATCHES + REPLIES
        http.close()
        client.close()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    base = results["baseline"]
    print(f"thread: {1 + PATCHES + REPLIES} messages, {size / 1024:.0f} KiB mbox; best of {RUNS}")
    for name, seconds in results.items():
        print(f"{name:>12}: {seconds * 1000:8.1f} ms  {seconds / base:6.2f}x baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
