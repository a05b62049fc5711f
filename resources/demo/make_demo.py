#!/usr/bin/env python3
"""Write resources/demo.mbox: two revisions of an imaginary watchdog series and their review.

The patches come from real `git format-patch` runs over a throwaway repository (so every hunk
header, index line and diffstat is what git writes), then get fixed Message-IDs and dates so the
output is byte-for-byte reproducible. The review replies are written here by hand but their
quotes are cut from the mails they answer, so a quoted line is always really in the patch.

Everything is invented: the Lumora LM3200 SoC, its people, their addresses (.example domains).
Run from anywhere: ``python3 resources/demo/make_demo.py [OUT]`` (needs git; stdlib only).
"""

from __future__ import annotations

import email.utils
import os
import quopri
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.header import Header
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "demo.mbox"

ILSE = ("Ilse Marten", "ilse.marten@lumora.example")
GUNNAR = ("Gunnar Vesth", "gunnar@vesth.example")
RHYS = ("Rhys Okafor", "rhys.okafor@dtreview.example")
TOMAS = ("Tomás Ferreira", "tomas.ferreira.dev@gmail.example")
ODILE = ("Odile Brandt", "odile@brandt-soc.example")
PAVEL = ("Pavel Dunaj", "pavel.dunaj@boards.example")
LIST = "linux-watchdog@vger.example"
CC = [RHYS, ODILE, "devicetree@vger.example"]

CET = timezone(timedelta(hours=1))
BINDING = "Documentation/devicetree/bindings/watchdog"
SEPARATOR = "From mboxrd@z Thu Jan  1 00:00:00 1970"  # what lore writes for each mail


def person(who: tuple[str, str]) -> str:
    return f"{who[0]} <{who[1]}>"


# --- the git side -------------------------------------------------------------------------------


def git(repo: Path, *args: str, date: datetime | None = None) -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(repo.parent),  # no user or system config leaks into the patches
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": ILSE[0],
        "GIT_AUTHOR_EMAIL": ILSE[1],
        "GIT_COMMITTER_NAME": ILSE[0],
        "GIT_COMMITTER_EMAIL": ILSE[1],
        "TZ": "UTC",
        "LC_ALL": "C",
    }
    if date is not None:
        stamp = date.strftime("%Y-%m-%dT%H:%M:%S%z")
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = stamp
    done = subprocess.run(["git", *args], cwd=repo, env=env, check=True,
                          capture_output=True, text=True)
    return done.stdout


def insert_after(path: Path, anchor: str, text: str) -> None:
    content = path.read_text()
    assert content.count(anchor) == 1, (path, anchor)
    path.write_text(content.replace(anchor, anchor + text))


KCONFIG_ENTRY = (
    "\n"
    "config LUMORA_LM32_WATCHDOG\n"
    "\ttristate \"Lumora LM32 watchdog support\"\n"
    "\tdepends on ARCH_LUMORA || COMPILE_TEST\n"
    "{iomem}"
    "\tselect WATCHDOG_CORE\n"
    "\thelp\n"
    "\t  Say Y here to include support for the watchdog timer found in\n"
    "\t  Lumora LM32 family SoCs such as the LM3200.\n"
    "\n"
    "\t  To compile this driver as a module, choose M here: the\n"
    "\t  module will be called lumora_wdt.\n"
)
MARLIN_END = "\t  module will be called marlin_wdt.\n"
MAKEFILE_LINE = "obj-$(CONFIG_LUMORA_LM32_WATCHDOG) += lumora_wdt.o\n"
DTS_NODE = """
		wdt: watchdog@1c20000 {{
			compatible = "{compatible}";
			reg = <0x0 0x01c20000 0x0 0x100>;
			clocks = <&osc24m>;
			interrupts = <GIC_SPI 24 IRQ_TYPE_LEVEL_HIGH>;
		}};
"""
DTS_AFTER = "			interrupts = <GIC_SPI 22 IRQ_TYPE_LEVEL_HIGH>;\n		};\n"

MESSAGES = {
    1: {
        "binding": """dt-bindings: watchdog: Add Lumora LM32 watchdog

Document the watchdog timer of the Lumora LM32 SoCs. It is a 32-bit
down counter clocked from the 24 MHz oscillator that resets the SoC
when it reaches zero.
""",
        "driver": """watchdog: lumora: Add LM32 watchdog driver

Add a driver for the watchdog timer of the Lumora LM32 SoC family.
The counter is reloaded by writing a magic value to the KICK register
and the cause of the last reset can be read back from STATUS, which
we report as WDIOF_CARDRESET.
""",
        "dts": """arm64: dts: lumora: lm3200: Add watchdog node

Describe the watchdog timer of the LM3200.
""",
    },
    2: {
        "binding": """dt-bindings: watchdog: Add Lumora LM3200 watchdog

Document the watchdog timer of the Lumora LM3200 SoC. It is a 32-bit
down counter clocked from the 24 MHz oscillator that resets the SoC
when it reaches zero.
""",
        "driver": """watchdog: lumora: Add LM3200 watchdog driver

Add a driver for the watchdog timer of the Lumora LM3200 SoC. The
counter is reloaded by writing a magic value to the KICK register and
the cause of the last reset can be read back from STATUS, which we
report as WDIOF_CARDRESET. Other members of the LM32 family (LM3210,
LM3250) have the same block and can be added with a compatible each.
""",
        "dts": """arm64: dts: lumora: lm3200: Add watchdog node

Describe the watchdog timer of the LM3200.
""",
    },
}

COVER = {
    1: ("watchdog: lumora: add support for the LM3200 SoC watchdog", """\
This series adds support for the watchdog timer of the Lumora LM3200,
an arm64 SoC for industrial controllers: a binding, the driver and the
devicetree node.

Tested on the LM3200 EVB: the board resets after the timeout when the
daemon is stopped, and /sys/class/watchdog/watchdog0/bootstatus reads
back 32 after a watchdog reset.
"""),
    2: ("watchdog: lumora: add support for the LM3200 SoC watchdog", """\
This series adds support for the watchdog timer of the Lumora LM3200,
an arm64 SoC for industrial controllers: a binding, the driver and the
devicetree node.

Changes in v2:
- dt-bindings: use the SoC-specific compatible lumora,lm3200-wdt,
  switch to unevaluatedProperties, drop the obvious reg description and
  use the GIC defines in the example (Rhys)
- driver: devm_clk_get_enabled() so the clock is released on every
  error path (Gunnar)
- driver: fix the reset cause values, EXT is 2 and SW is 3 (Gunnar)
- driver: only reprogram LOAD in set_timeout() while running, and use
  max_hw_heartbeat_ms so longer timeouts are pinged by the core (Gunnar)
- driver: drop <linux/kernel.h>, depend on HAS_IOMEM (Gunnar)
- driver: round the time left to the closest second (Tomás)
- dts: follow the compatible change

Link to v1: https://lore.kernel.org/r/20260112081403.2231-1-ilse.marten@lumora.example
"""),
}

DRIVER_NOTES_V2 = """\
Changes in v2:
- devm_clk_get_enabled(), reset cause values, set_timeout() only
  reprograms a running counter, max_hw_heartbeat_ms
"""


def format_series(work: Path, version: int) -> list[str]:
    """Commit one revision on a fresh branch and return git's mails, cover first."""
    repo = work / "linux"
    start = datetime(2026, 1, 9, 17, 0, tzinfo=CET) if version == 1 else \
        datetime(2026, 2, 6, 15, 30, tzinfo=CET)
    git(repo, "checkout", "-q", "-B", f"lm3200-wdt-v{version}", "base")
    src = HERE / f"v{version}"
    compatible = "lumora,lm32-wdt" if version == 1 else "lumora,lm3200-wdt"
    yaml_name = f"{compatible}.yaml"

    binding = repo / BINDING / yaml_name
    binding.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(src / yaml_name, binding)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-s", "-m", MESSAGES[version]["binding"], date=start)

    shutil.copy(src / "lumora_wdt.c", repo / "drivers/watchdog/lumora_wdt.c")
    iomem = "\tdepends on HAS_IOMEM\n" if version > 1 else ""
    insert_after(repo / "drivers/watchdog/Kconfig", MARLIN_END, KCONFIG_ENTRY.format(iomem=iomem))
    insert_after(repo / "drivers/watchdog/Makefile", "obj-$(CONFIG_KESTREL_WATCHDOG) += "
                 "kestrel_wdt.o\n", MAKEFILE_LINE)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-s", "-m", MESSAGES[version]["driver"],
        date=start + timedelta(minutes=40))

    insert_after(repo / "arch/arm64/boot/dts/lumora/lm3200.dtsi", DTS_AFTER,
                 DTS_NODE.format(compatible=compatible))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-s", "-m", MESSAGES[version]["dts"],
        date=start + timedelta(hours=1, minutes=5))

    out = work / f"out-v{version}"
    args = ["format-patch", "-q", "--cover-letter", "--thread", "--signature=2.47.1",
            "-o", str(out), f"--to={LIST}"]
    args += [f"--cc={c if isinstance(c, str) else person(c)}" for c in CC]
    if version > 1:
        args.append(f"-v{version}")
    git(repo, *args, "base..HEAD")
    mails = [p.read_text() for p in sorted(out.glob("*.patch"))]
    subject, blurb = COVER[version]
    mails[0] = mails[0].replace("*** SUBJECT HERE ***", subject).replace(
        "*** BLURB HERE ***\n", blurb)
    if version == 2:
        mails[2] = mails[2].replace("\n---\n", "\n---\n" + DRIVER_NOTES_V2 + "\n", 1)
    return mails


def make_repo(work: Path) -> None:
    repo = work / "linux"
    shutil.copytree(HERE / "tree", repo)
    git(repo, "init", "-q", "-b", "master")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Linux 6.19-rc4 (excerpt)",
        date=datetime(2026, 1, 4, 14, 0, tzinfo=CET))
    git(repo, "tag", "base")


# --- mails --------------------------------------------------------------------------------------


@dataclass
class Mail:
    """One mail of the demo: headers we control and a plain text body."""

    msgid: str
    sender: tuple[str, str]
    date: datetime
    subject: str
    body: str
    parent: Mail | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    gmail: bool = False

    def references(self) -> list[str]:
        chain: list[str] = []
        node = self.parent
        while node is not None:
            chain.insert(0, node.msgid)
            node = node.parent
        return chain

    def render(self) -> str:
        name, address = self.sender
        encoded_name = name if name.isascii() else Header(name, "utf-8").encode()
        headers = [
            ("From", f"{encoded_name} <{address}>"),
            ("Date", email.utils.format_datetime(self.date)),
            ("Subject", self.subject),
            ("To", ", ".join(self.to)),
        ]
        if self.cc:
            headers.append(("Cc", ", ".join(self.cc)))
        headers.append(("Message-ID", f"<{self.msgid}>"))
        refs = self.references()
        if refs:
            headers.append(("In-Reply-To", f"<{refs[-1]}>"))
            headers.append(("References", " ".join(f"<{r}>" for r in refs)))
        headers += list(self.extra.items())
        headers.append(("MIME-Version", "1.0"))
        body = self.body
        if self.gmail:
            # Gmail sends UTF-8 quoted-printable and soft-wraps nothing we quote.
            headers.append(("Content-Type", 'text/plain; charset="UTF-8"'))
            headers.append(("Content-Transfer-Encoding", "quoted-printable"))
            body = quopri.encodestring(body.encode("utf-8")).decode("ascii")
        else:
            charset = "us-ascii" if body.isascii() else "utf-8"
            headers.append(("Content-Type", f"text/plain; charset={charset}"))
            headers.append(("Content-Disposition", "inline"))
        head = "\n".join(fold(k, v) for k, v in headers)
        return f"{head}\n\n{body}"


def fold(name: str, value: str) -> str:
    """One header, folded the way mail clients do at 78 columns (at commas or spaces)."""
    line = f"{name}: {value}"
    if len(line) <= 78:
        return line
    splitter = ", " if name in ("To", "Cc") else " "
    parts = value.split(splitter)
    out, current = [], f"{name}: {parts[0]}"
    for part in parts[1:]:
        joiner = splitter.rstrip()
        if len(current) + len(splitter) + len(part) > 78:
            out.append(current + joiner)
            current = f" {part}"
        else:
            current += splitter + part
    out.append(current)
    return "\n".join(out)


def split_git_mail(text: str) -> tuple[str, str]:
    """Subject (unfolded) and body of one format-patch file."""
    head, _, body = text.partition("\n\n")
    head = re.sub(r"\n[ \t]+", " ", head)  # unfold
    subject = re.search(r"^Subject: (.*)$", head, re.M).group(1)
    return subject, body


def patch_mails(raw: list[str], version: int, start: datetime, stamp: str) -> list[Mail]:
    """git's mails with send-email style ids and dates; patches answer the cover letter."""
    mails: list[Mail] = []
    for number, text in enumerate(raw):
        subject, body = split_git_mail(text)
        mail = Mail(
            msgid=f"{stamp}-{number + 1}-{ILSE[1]}",  # git send-email numbers from 1
            sender=ILSE,
            date=start + timedelta(seconds=number),
            subject=subject,
            body=body,
            parent=mails[0] if mails else None,
            to=[LIST],
            cc=[c if isinstance(c, str) else person(c) for c in CC],
            extra={"X-Mailer": "git-send-email 2.47.1"},
        )
        mails.append(mail)
    return mails


# --- quoting helpers ----------------------------------------------------------------------------


def lines_between(text: str, first: str, last: str | None = None, *, after: str = "") -> list[str]:
    """The lines from the one containing `first` to the one containing `last` (inclusive).

    `after` picks the occurrence: the search starts below the first line containing it.
    """
    lines = text.splitlines()
    start = 0
    if after:
        start = next(i for i, line in enumerate(lines) if after in line) + 1
    begin = next(i for i in range(start, len(lines)) if first in lines[i])
    end = begin if last is None else next(
        i for i in range(begin, len(lines)) if last in lines[i])
    return lines[begin:end + 1]


def quote(lines: list[str], *, gmail: bool = False) -> str:
    out = []
    for line in lines:
        if gmail:
            line = line.replace("\t", "        ")  # Gmail's composer turns tabs into spaces
        out.append(f"> {line}" if line else ">")
    return "\n".join(out) + "\n"


def q(mail: Mail, first: str, last: str | None = None, *, after: str = "",
      gmail: bool = False) -> str:
    return quote(lines_between(mail.body, first, last, after=after), gmail=gmail)


def mutt_attribution(mail: Mail) -> str:
    when = mail.date.strftime("%a, %b %d, %Y at %I:%M:%S%p %z")
    return f"On {when}, {mail.sender[0]} wrote:\n"


def gmail_attribution(mail: Mail) -> str:
    when = mail.date.strftime("%a, %-d %b %Y at %H:%M")
    return f"On {when}, {mail.sender[0]} <{mail.sender[1]}> wrote:\n"


def re_subject(mail: Mail) -> str:
    return mail.subject if mail.subject.startswith("Re: ") else f"Re: {mail.subject}"


def reply(parent: Mail, sender: tuple[str, str], msgid: str, date: datetime, body: str,
          **kw) -> Mail:
    to = [person(parent.sender)] if parent.sender != sender else list(parent.to)
    cc = [c for c in [*parent.to, *parent.cc] if c not in to and sender[1] not in c]
    return Mail(msgid=msgid, sender=sender, date=date, subject=re_subject(parent), body=body,
                parent=parent, to=to, cc=cc, **kw)


def at(day: int, month: int, hour: int, minute: int, second: int = 0,
       tz: timezone = CET) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=tz)


# --- the review ---------------------------------------------------------------------------------


def review_v1(cover: Mail, binding: Mail, driver: Mail, dts: Mail) -> list[Mail]:
    mails: list[Mail] = []

    odile = reply(cover, ODILE, "aWS2k3nR7qLm0Tb1@brandt-soc.example", at(12, 1, 10, 2, 44), (
        mutt_attribution(cover)
        + q(cover, "This series adds support", "devicetree node.")
        + "\nNice to see this going upstream. Once the binding is acked I would rather\n"
        "take the dts patch through the lumora tree, so please keep it last in the\n"
        "series; the driver and the binding can go through watchdog.\n\n"
        "Odile\n"))
    mails.append(odile)

    rhys = reply(binding, RHYS, "20260112143817.GA881204-robh@dtreview.example",
                 at(12, 1, 14, 38, 17, timezone(timedelta(hours=-6))), (
        mutt_attribution(binding)
        + q(binding, "Document the watchdog timer", "when it reaches zero.")
        + ">\n"
        "> Signed-off-by: Ilse Marten <ilse.marten@lumora.example>\n"
        "> ---\n"
        "[...]\n\n"
        + q(binding, "+properties:", "+    const: lumora,lm32-wdt")
        + "\nCompatibles are SoC specific: lumora,lm3200-wdt. A family name matches\n"
        "nothing you can buy, and when the LM3250 turns out to differ you have no\n"
        "name left for it.\n\n"
        + q(binding, "+  reg:", "+    description: Base address")
        + "\nDrop the description, that is what reg always is.\n\n"
        + q(binding, "+additionalProperties: false")
        + "\nYou reference watchdog.yaml, so this must be unevaluatedProperties or\n"
        "timeout-sec in your own example fails validation.\n\n"
        + q(binding, "+        interrupts = <0 24 4>;")
        + "\nUse the defines: GIC_SPI 24 IRQ_TYPE_LEVEL_HIGH.\n\n"
        "Rhys\n"))
    mails.append(rhys)

    gunnar = reply(driver, GUNNAR, "c4f1a9e2-5b7d-4e0a-9d3c-2f6b8e1a7c55@vesth.example",
                   at(13, 1, 16, 41, 17), (
        mutt_attribution(driver)
        + q(driver, "Add a driver for the watchdog timer", "family.")
        + "\nWhich SoCs are in the \"LM32 family\"? Please name them; the commit message\n"
        "is all that tells a reader in five years which hardware this is for.\n\n"
        + q(driver, "and the cause of the last reset", "we report as WDIOF_CARDRESET.")
        + ">\n"
        + q(driver, "Signed-off-by: Ilse Marten", "---")
        + "[...]\n"
        + q(driver, "+config LUMORA_LM32_WATCHDOG", "+	depends on ARCH_LUMORA")
        + "\nCOMPILE_TEST also builds on architectures without MMIO: this needs\n"
        "depends on HAS_IOMEM as well.\n\n"
        "[...]\n"
        + q(driver, "+#include <linux/io.h>", "+#include <linux/kernel.h>")
        + "\nWhat do you need kernel.h for?\n\n"
        + q(driver, "+enum lm32_wdt_reset_cause {", "+	LM32_RESET_SW = 2,")
        + "\nThe TRM I have (rev 1.3, table 12-4) lists the software reset as 3.\n\n"
        + q(driver, "+	LM32_RESET_EXT = 3,", "+};")
        + "\n[...]\n\n"
        + q(driver, "+static int lm32_wdt_set_timeout(", "+	writel(timeout * wdt->rate")
        + "\nThis starts counting down from the new value even when the watchdog is\n"
        "stopped; start() loads the counter anyway, so only write LOAD when\n"
        "watchdog_active(wdd).\n\n"
        "[...]\n"
        + q(driver, "+	wdt->clk = devm_clk_get(dev, NULL);", "+		return ret;")
        + "\nThe clock is never disabled again: not on the error paths below, not on\n"
        "unbind. devm_clk_get_enabled() does all of this for you.\n\n"
        + q(driver, "+	wdt->wdd.min_timeout = 1;", "+	wdt->wdd.max_timeout = U32_MAX")
        + "\nWith a 24 MHz clock that is 178 seconds. Set max_hw_heartbeat_ms instead\n"
        "and let the core ping the hardware for longer timeouts.\n\n"
        "Gunnar\n"))
    mails.append(gunnar)

    gmail_id = "CAPx7Vh2Q-Zk4mW9cT1nR8yL5eJbG3uFfO0sAdK6iYpE_tH2w@mail.gmail.example"
    tomas = reply(driver, TOMAS, gmail_id, at(14, 1, 9, 12, 33, UTC), (
        "Hi Ilse,\n\n"
        + gmail_attribution(driver)
        + q(driver, "+static unsigned int lm32_wdt_get_timeleft(", "+	return readl(",
            gmail=True)
        + "\nNit: this rounds down, so right after a ping with timeout=30 userspace\n"
        "sees 29. Not wrong, but DIV_ROUND_CLOSEST() reads nicer in wdctl.\n\n"
        + q(driver, "+	status = readl(wdt->base + LM32_WDT_STATUS);",
            "+		wdt->wdd.bootstatus", gmail=True)
        + "\nTested the bootstatus path on our LM3200 board: after a watchdog reset it\n"
        "reports 32 as expected, after a power cycle 0.\n\n"
        "Thanks,\nTomás\n"), gmail=True)
    mails.append(tomas)

    # The maintainer answers his own review: the patch is now quoted two levels deep and only
    # one line of the enum is corrected (like the seed mail this project started from).
    correction = reply(gunnar, GUNNAR, "aWbC9q1Lx3hT0vZr@vesth-x1.example", at(14, 1, 8, 55, 2), (
        mutt_attribution(gunnar)
        + quote(lines_between(gunnar.body, "On Mon, Jan", "family."))
        + ">\n> [...]\n"
        + quote(lines_between(gunnar.body, "> +enum lm32_wdt_reset_cause", "lists the software"))
        + ">\n"
        + quote(lines_between(gunnar.body, "> +	LM32_RESET_EXT = 3,"))
        + "\nCorrecting myself: table 12-4 has EXT as 2 and SW as 3, so the two values\n"
        "are swapped, not just SW. The enum should read\n\n"
        "	LM32_RESET_EXT = 2,\n"
        "	LM32_RESET_SW = 3,\n\n"
        "Gunnar\n"))
    mails.append(correction)

    answer = reply(correction, ILSE, "20260115083012.GB2231@lumora.example", at(15, 1, 8, 30, 12), (
        mutt_attribution(correction)
        + quote(lines_between(correction.body, "> > +enum lm32_wdt_reset_cause",
                              "> > +	LM32_RESET_EXT = 3,"))
        + ">\n"
        + quote(lines_between(correction.body, "Correcting myself", "are swapped"))
        + "\nRight, I copied them from the LM2 TRM where they are the other way round.\n"
        "Fixed for v2 together with everything else from your first mail, thanks.\n\n"
        "Ilse\n"))
    mails.append(answer)
    return mails


def review_v2(cover: Mail, binding: Mail, driver: Mail, dts: Mail) -> list[Mail]:
    mails: list[Mail] = []
    rhys = reply(binding, RHYS, "20260209151122.GA1290347-robh@dtreview.example",
                 at(9, 2, 15, 11, 22, timezone(timedelta(hours=-6))), (
        mutt_attribution(binding)
        + q(binding, "Document the watchdog timer", "when it reaches zero.")
        + ">\n"
        + q(binding, "Signed-off-by: Ilse Marten", "1 file changed")
        + "\n"
        "Reviewed-by: Rhys Okafor <rhys.okafor@dtreview.example>\n"))
    mails.append(rhys)

    odile = reply(dts, ODILE, "aYk1Pz0mVq8eHd3s@brandt-soc.example", at(10, 2, 9, 3, 51), (
        mutt_attribution(dts)
        + q(dts, "+		wdt: watchdog@1c20000 {", "+		};")
        + "\nAcked-by: Odile Brandt <odile@brandt-soc.example>\n\n"
        "I will pick this one up once the binding is in watchdog-next.\n"))
    mails.append(odile)

    pavel = reply(cover, PAVEL, "87h6bq2x1c.fsf@boards.example", at(11, 2, 18, 20, 5), (
        mutt_attribution(cover)
        + q(cover, "This series adds support", "devicetree node.")
        + "\nBooted on an LM3200-IOT board with systemd's RuntimeWatchdogSec=20 for\n"
        "two days, then killed systemd: reset after 20 s, bootstatus 32 afterwards.\n\n"
        "Tested-by: Pavel Dunaj <pavel.dunaj@boards.example>\n"))
    mails.append(pavel)

    gunnar = reply(driver, GUNNAR, "aYq7Rt2nBc5LwE0x@vesth-x1.example", at(12, 2, 21, 7, 40), (
        mutt_attribution(driver)
        + q(driver, "Add a driver for the watchdog timer", "LM3250) have the same block")
        + "[...]\n"
        + q(driver, "+	wdt->rate = clk_get_rate(wdt->clk);", "+		return -EINVAL;")
        + "\nNit: return dev_err_probe(dev, -EINVAL, ...) like the clock error above.\n"
        "No need to resend just for that.\n\n"
        "Reviewed-by: Gunnar Vesth <gunnar@vesth.example>\n"))
    mails.append(gunnar)
    return mails


# --- writing ------------------------------------------------------------------------------------


def mboxrd(mails: list[Mail]) -> str:
    """Mails in date order, mboxrd-escaped: a body line `>*From ` gains one more `>`."""
    out: list[str] = []
    for mail in sorted(mails, key=lambda m: m.date):
        text = mail.render()
        text = re.sub(r"^(>*From )", r">\1", text, flags=re.M)
        out.append(f"{SEPARATOR}\n{text.rstrip(chr(10))}\n\n")
    return "".join(out)


def build() -> str:
    with tempfile.TemporaryDirectory(prefix="hunkwise-demo-") as tmp:
        work = Path(tmp)
        make_repo(work)
        v1_raw = format_series(work, 1)
        v2_raw = format_series(work, 2)
    v1 = patch_mails(v1_raw, 1, at(12, 1, 9, 14, 3), "20260112081403.2231")
    v2 = patch_mails(v2_raw, 2, at(9, 2, 11, 2, 47), "20260209100247.7781")
    return mboxrd([*v1, *review_v1(*v1), *v2, *review_v2(*v2)])


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    out.write_text(build(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
