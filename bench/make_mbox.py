"""Write a large, realistic kernel-list mbox of our own for the loading benchmark.

The mail is synthetic but shaped like a lore archive (``t.mbox.gz`` style mboxrd): patch series
with cover letters, replies quoting hunks two levels deep, trailers, list and DKIM headers
(real header blocks are 3-5 KiB, and reading them is most of an index's work), varied senders,
dates and charsets, RFC 2047 subjects and names, and some base64 bodies. The same seed gives
the same bytes.

    python bench/make_mbox.py [--messages 50000] [--seed 1] [--out bench/out/lkml-50k.mbox]
                              [--light]
"""

from __future__ import annotations

import argparse
import base64
import random
import re
import time
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime
from pathlib import Path

FIRST = ["Ada", "Linus", "Greg", "Jörg", "Sérgio", "Guenter", "Wim", "Uwe", "Krzysztof",
         "Rafał", "Thierry", "Geert", "Andy", "Bartosz", "Łukasz", "Zhang", "Wei", "Kenji",
         "Niklas", "Ahmad", "Miquèl", "Dmitry", "Conor", "Rob", "Heiko", "Chen-Yu"]
LAST = ["Lovelace", "Torvalds", "Kroah-Hartman", "Müller", "Roeck", "Van Sebroeck",
        "Kleine-König", "Kozlowski", "Miłecki", "Reding", "Uytterhoeven", "Shevchenko",
        "Golaszewski", "Stelmach", "Rui", "Liu", "Yamada", "Söderlund", "Fatoum", "Raynal",
        "Torokhov", "Dooley", "Herring", "Stübner", "Tsai"]
DOMAINS = ["kernel.org", "linaro.org", "redhat.com", "suse.de", "pengutronix.de", "intel.com",
           "gmail.com", "bootlin.com", "collabora.com", "nxp.com", "google.com", "arm.com"]
SUBSYS = ["watchdog", "pwm", "gpio", "i2c", "spi", "iio", "hwmon", "rtc", "mfd", "regulator"]
DRIVERS = ["foo", "bar", "imx", "rockchip", "sunxi", "meson", "qcom", "exynos", "stm32", "tegra"]
VERBS = ["add", "fix", "drop", "convert", "rework", "simplify", "document", "use", "handle"]
THINGS = ["pretimeout support", "the probe error path", "runtime PM", "devm helpers",
          "the clock enable sequence", "a missing of_node_put()", "regmap", "dt bindings",
          "the suspend path", "an off-by-one in the divider", "64-bit division"]
WORDS = [
    "the", "driver", "device", "register", "clock", "value", "reset", "timer", "when", "this",
    "that", "which", "with", "for", "since", "because", "then", "returns", "error", "probe",
    "remove", "enable", "disable", "write", "read", "mask", "shift", "bit", "field", "lock",
    "unlock", "spin", "mutex", "irq", "handler", "callback", "core", "subsystem",
]
CODE = [
    "\tstruct {d}_wdt *wdt = watchdog_get_drvdata(wdd);",
    "\tret = clk_prepare_enable(wdt->clk);",
    "\tif (ret)",
    "\t\treturn dev_err_probe(dev, ret, \"failed to enable clock\\n\");",
    "\twritel({D}_KICK, wdt->base + {D}_CTRL);",
    "\tval = readl(wdt->base + {D}_STATUS) & {D}_MASK;",
    "\tspin_lock_irqsave(&wdt->lock, flags);",
    "\tspin_unlock_irqrestore(&wdt->lock, flags);",
    "\treturn 0;",
    "}",
    "",
    "static int {d}_wdt_start(struct watchdog_device *wdd)",
    "{",
    "\tunsigned long flags;",
    "\tu32 val;",
]


def _code(line: str, driver: str) -> str:
    return line.replace("{d}", driver).replace("{D}", driver.upper())


class Writer:
    """Builds mails in order and keeps the ids needed to thread later replies."""

    def __init__(self, seed: int, *, light: bool = False) -> None:
        self.rng = random.Random(seed)
        self.light = light
        """Lighter headers (one Received hop, no DKIM), longer bodies: the per-message cost
        of a header-reading baseline drops, while the file keeps lore's ~6 KiB a mail."""
        self.when = datetime(2019, 4, 1, 8, 0, tzinfo=UTC)
        self.serial = 0
        self.people = [self._person() for _ in range(400)]
        self.recent: list[dict] = []  # patches and covers replies can go to

    def _person(self) -> tuple[str, str]:
        rng = self.rng
        first, last = rng.choice(FIRST), rng.choice(LAST)
        ascii_last = last.encode("ascii", "ignore").decode().lower() or "dev"
        email = f"{first.lower().encode('ascii', 'ignore').decode() or 'x'}.{ascii_last}" \
                f"@{rng.choice(DOMAINS)}"
        return f"{first} {last}", email

    def _tick(self) -> datetime:
        self.when += timedelta(seconds=self.rng.randint(5, 1800))
        return self.when

    def _msgid(self, person: tuple[str, str]) -> str:
        self.serial += 1
        stamp = self.when.strftime("%Y%m%d%H%M%S")
        return f"{stamp}.{self.serial}-{self.rng.randint(1, 99999)}@{person[1].split('@')[1]}"

    def _addr(self, person: tuple[str, str]) -> str:
        name, email = person
        if name.isascii():
            return f"{name} <{email}>"
        # Mailers differ: some send RFC 2047, some raw UTF-8 (both are in real archives).
        if self.rng.random() < 0.7:
            return f"{Header(name, 'utf-8').encode()} <{email}>"
        return f"{name} <{email}>"

    def _text(self, words: int) -> str:
        rng = self.rng
        out, line = [], []
        for _ in range(words):
            line.append(rng.choice(WORDS))
            if sum(len(w) + 1 for w in line) > 68:
                out.append(" ".join(line))
                line = []
        out.append(" ".join(line) + ".")
        return "\n".join(out)

    def _diff(self, driver: str, subsys: str, hunks: int) -> str:
        rng = self.rng
        path = f"drivers/{subsys}/{driver}_{subsys}.c"
        lines = [f"diff --git a/{path} b/{path}",
                 f"index {rng.getrandbits(28):07x}..{rng.getrandbits(28):07x} 100644",
                 f"--- a/{path}", f"+++ b/{path}"]
        start = rng.randint(10, 200)
        for _ in range(hunks):
            ctx = [_code(rng.choice(CODE), driver) for _ in range(6)]
            removed = [_code(rng.choice(CODE), driver)
                       for _ in range(rng.randint(1, 6))]
            added = [_code(rng.choice(CODE), driver)
                     for _ in range(rng.randint(2, 20))]
            old = 6 + len(removed)
            new = 6 + len(added)
            lines.append(f"@@ -{start},{old} +{start},{new} @@ static int {driver}_probe(void)")
            lines += [" " + c for c in ctx[:3]]
            lines += ["-" + r for r in removed]
            lines += ["+" + a for a in added]
            lines += [" " + c for c in ctx[3:]]
            start += rng.randint(30, 120)
        return "\n".join(lines)

    def _headers(self, sender, subject, msgid, date, parent=None, refs=(), cc=()) -> list[str]:
        rng = self.rng
        if self.light:
            return self._light_headers(sender, subject, msgid, date, parent, refs, cc)
        h = [
            f"Return-Path: <{sender[1]}>",
            *(
                f"Received: from smtp{hop}.{sender[1].split('@')[1]} "
                f"(smtp{hop}.{sender[1].split('@')[1]} "
                f"[10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}])\n"
                f"\tby mx{hop}.kernel.org (Postfix) with ESMTPS id {rng.getrandbits(40):X}\n"
                f"\tfor <linux-{rng.choice(SUBSYS)}@vger.kernel.org>; {format_datetime(date)}"
                for hop in range(rng.randint(2, 5))
            ),
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d="
            + sender[1].split("@")[1]
            + "; s=k20201202;\n\tt=1700000000; bh="
            + base64.b64encode(rng.randbytes(32)).decode()
            + ";\n\th=From:To:Cc:Subject:Date:From;\n\tb="
            + "\n\t ".join(base64.b64encode(rng.randbytes(64)).decode() for _ in range(6)),
            f"From: {self._addr(sender)}",
            f"Date: {format_datetime(date)}",
            f"Subject: {subject}",
            f"To: linux-{rng.choice(SUBSYS)}@vger.kernel.org",
        ]
        if cc:
            h.append("Cc: " + ",\n\t".join(self._addr(p) for p in cc))
        h.append(f"Message-ID: <{msgid}>")
        if parent:
            h.append(f"In-Reply-To: <{parent}>")
        if refs:
            h.append("References: " + "\n ".join(f"<{r}>" for r in refs))
        h += ["X-Mailer: git-send-email 2.43.0", "MIME-Version: 1.0",
              f"List-Id: <linux-{rng.choice(SUBSYS)}.vger.kernel.org>",
              "Precedence: bulk", "X-Mailing-List: linux-kernel@vger.kernel.org"]
        return h

    def _light_headers(self, sender, subject, msgid, date, parent, refs, cc) -> list[str]:
        rng = self.rng
        domain = sender[1].split("@")[1]
        h = [
            f"Received: from smtp.{domain} (smtp.{domain} [10.{rng.randint(0, 255)}.0.1])\n"
            f"\tby mx.kernel.org (Postfix) with ESMTPS id {rng.getrandbits(40):X}; "
            f"{format_datetime(date)}",
            f"From: {self._addr(sender)}",
            f"Date: {format_datetime(date)}",
            f"Subject: {subject}",
            f"To: linux-{rng.choice(SUBSYS)}@vger.kernel.org",
        ]
        if cc:
            h.append("Cc: " + ",\n\t".join(self._addr(p) for p in cc))
        h.append(f"Message-ID: <{msgid}>")
        if parent:
            h.append(f"In-Reply-To: <{parent}>")
        if refs:
            h.append("References: " + "\n ".join(f"<{r}>" for r in refs))
        h += ["MIME-Version: 1.0", f"List-Id: <linux-{rng.choice(SUBSYS)}.vger.kernel.org>"]
        return h

    def _subject(self, text: str) -> str:
        # Some mailers encode every subject, some only non-ASCII ones.
        if self.rng.random() < 0.05:
            return Header(text, "utf-8", maxlinelen=76).encode()
        return text

    def series(self) -> list[str]:
        rng = self.rng
        author = rng.choice(self.people)
        subsys, driver = rng.choice(SUBSYS), rng.choice(DRIVERS)
        count = rng.choice([1, 1, 2, 3, 3, 4, 5, 6, 8, 12])
        version = rng.choice(["", "", " v2", " v3", " v4", " v7"])
        cc = rng.sample(self.people, rng.randint(1, 4))
        mails = []
        cover_id = None
        if count > 1:
            date = self._tick()
            cover_id = self._msgid(author)
            subject = f"[PATCH{version} 0/{count}] {subsys}: {driver}: {rng.choice(THINGS)}"
            body = self._text(rng.randint(60, 250)) + f"\n\n{author[0]} ({count}):\n" + "\n".join(
                f"  {subsys}: {driver}: {rng.choice(VERBS)} {rng.choice(THINGS)}"
                for _ in range(count)) + "\n\n-- \n2.43.0\n"
            mails.append(self._mail(self._headers(author, self._subject(subject), cover_id, date,
                                                  cc=cc), body))
            self.recent.append({"id": cover_id, "refs": (), "subject": subject, "diff": None})
        for n in range(1, count + 1):
            date = self._tick()
            msgid = self._msgid(author)
            number = f" {n}/{count}" if count > 1 else ""
            subject = (f"[PATCH{version}{number}] {subsys}: {driver}: {rng.choice(VERBS)} "
                       f"{rng.choice(THINGS)}")
            diff = self._diff(driver, subsys, rng.randint(2, 9))
            body = (self._text(rng.randint(80, 320)) + "\n\nFrom the datasheet this is safe.\n\n"
                    f"Signed-off-by: {author[0]} <{author[1]}>\n---\n"
                    f" drivers/{subsys}/{driver}_{subsys}.c | {rng.randint(2, 90)} ++--\n\n"
                    + diff + "\n-- \n2.43.0\n")
            refs = (cover_id,) if cover_id else ()
            mails.append(self._mail(self._headers(author, self._subject(subject), msgid, date,
                                                  parent=cover_id, refs=refs, cc=cc), body,
                                    base64_body=rng.random() < 0.03))
            self.recent.append({"id": msgid, "refs": refs, "subject": subject, "diff": diff})
        del self.recent[:-400]
        return mails

    def reply(self) -> str:
        rng = self.rng
        target = rng.choice(self.recent)
        who = rng.choice(self.people)
        date = self._tick()
        msgid = self._msgid(who)
        subject = "Re: " + target["subject"]
        quoted = ""
        if target["diff"]:
            lines = target["diff"].split("\n")
            at = rng.randint(4, max(4, len(lines) - 8))
            quoted = "\n".join("> " + line for line in lines[at : at + rng.randint(3, 12)])
            quoted += "\n\n" + self._text(rng.randint(10, 60)) + "\n\n> > nested quote stays\n"
        trailer = rng.choice(["", f"Reviewed-by: {who[0]} <{who[1]}>",
                              f"Acked-by: {who[0]} <{who[1]}>"])
        words = rng.randint(40, 240) * (5 if self.light else 1)
        body = (f"On {format_datetime(date)}, somebody wrote:\n{quoted}\n"
                + self._text(words) + f"\n\n{trailer}\n")
        refs = (*target["refs"], target["id"])
        mail = self._mail(self._headers(who, self._subject(subject), msgid, date,
                                        parent=target["id"], refs=refs), body,
                          latin1=rng.random() < 0.05)
        self.recent.append({"id": msgid, "refs": refs, "subject": target["subject"],
                            "diff": target["diff"]})
        return mail

    def _mail(self, headers: list[str], body: str, *, base64_body: bool = False,
              latin1: bool = False) -> str:
        if base64_body:
            headers += ["Content-Type: text/plain; charset=utf-8",
                        "Content-Transfer-Encoding: base64"]
            body = base64.encodebytes(body.encode("utf-8")).decode("ascii")
        elif latin1:
            headers += ["Content-Type: text/plain; charset=iso-8859-1",
                        "Content-Transfer-Encoding: quoted-printable"]
            body = body.replace("=", "=3D")
        else:
            headers += ["Content-Type: text/plain; charset=utf-8",
                        "Content-Transfer-Encoding: 8bit"]
        return "\n".join(headers) + "\n\n" + body


_ESCAPE = re.compile(r"^(>*From )", re.M)


def write(path: Path, messages: int, seed: int, *, light: bool = False) -> int:
    writer = Writer(seed, light=light)
    written = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        while written < messages:
            batch = writer.series() if writer.rng.random() < 0.45 or not writer.recent else [
                writer.reply() for _ in range(writer.rng.randint(1, 4))]
            for mail in batch[: messages - written]:
                # mboxrd, as lore writes it: every ^>*From line gets one more '>'.
                out.write("From mboxrd@z Thu Jan  1 00:00:00 1970\n")
                out.write(_ESCAPE.sub(r">\1", mail))
                out.write("\n\n")
                written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "out" / "lkml-50k.mbox")
    parser.add_argument("--light", action="store_true",
                        help="lighter headers (one Received hop, no DKIM) and longer replies")
    args = parser.parse_args()
    started = time.perf_counter()
    count = write(args.out, args.messages, args.seed, light=args.light)
    size = args.out.stat().st_size
    print(f"{args.out}: {count} messages, {size / 2**20:.1f} MiB "
          f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
