"""The bundled demo mailbox: what it holds, that the engine reads all of it, that it is current.

The expectations below are facts of the demo's design (resources/demo/make_demo.py): two
revisions of a three-patch series with cover letters, review replies written under specific
patch lines, trailers given in follow-ups. A change to the generator that breaks one of them
should be deliberate.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from viewer.core.archive import Archive

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "resources" / "demo.mbox"
GENERATOR = REPO / "resources" / "demo" / "make_demo.py"

MESSAGES = 18  # 2 x (cover + 3 patches) + 6 replies on v1 + 4 on v2
V1 = "20260112081403.2231"
V2 = "20260209100247.7781"
RHYS = "Rhys Okafor <rhys.okafor@dtreview.example>"
GUNNAR = "Gunnar Vesth <gunnar@vesth.example>"
ODILE = "Odile Brandt <odile@brandt-soc.example>"
PAVEL = "Pavel Dunaj <pavel.dunaj@boards.example>"


def msgid(stamp: str, number: int) -> str:
    return f"{stamp}-{number}-ilse.marten@lumora.example"


@pytest.fixture(scope="module")
def archive() -> Archive:
    return Archive.open(DEMO, use_cache=False)


def test_demo_is_an_mboxrd_with_one_separator_per_mail():
    raw = DEMO.read_bytes()
    assert raw.startswith(b"From mboxrd@z ")
    assert raw.count(b"\nFrom mboxrd@z ") + 1 == MESSAGES
    # mboxrd: no body line may start with a bare "From " (it would split the mail).
    assert raw.count(b"\nFrom ") == MESSAGES - 1


def test_every_mail_opens_and_decodes(archive):
    assert len(archive.entries) == MESSAGES
    assert len({e.msgid for e in archive.entries}) == MESSAGES
    for entry in archive.entries:
        message = archive.message(entry.msgid)
        assert message.body.strip()
        assert message.date is not None and message.date > 1_767_000_000  # 2026


def test_gmail_reply_is_decoded_from_quoted_printable(archive):
    tomas = next(e for e in archive.entries if "gmail" in e.msgid)
    message = archive.message(tomas.msgid)
    assert "Tomás" in message.body and "=C3=A1" not in message.body
    assert "timeout=30" in message.body  # "=3D" decoded
    # Gmail's composer turned the quoted tabs into spaces.
    assert "> +        struct lm32_wdt *wdt = watchdog_get_drvdata(wdd);" in message.body


def test_two_revisions_of_one_series(archive):
    assert len(archive.threads) == 2
    series = sorted(archive.series, key=lambda s: s.version)
    assert [s.version for s in series] == [1, 2]
    for item, stamp in zip(series, (V1, V2), strict=True):
        assert item.total == 3 and item.missing == []
        assert item.cover == msgid(stamp, 1)
        assert item.patches == {n: msgid(stamp, n + 1) for n in (1, 2, 3)}
        assert set(item.revisions) == {s.key for s in series}


def test_patches_touch_the_binding_the_driver_with_kconfig_and_the_dts(archive):
    paths = {}
    for series in archive.series:
        for number, patch_id in series.patches.items():
            patch = archive.patch(patch_id)
            assert patch is not None and patch.files
            paths[(series.version, number)] = [f.path for f in patch.files]
    binding = "Documentation/devicetree/bindings/watchdog/"
    assert paths[(1, 1)] == [binding + "lumora,lm32-wdt.yaml"]
    assert paths[(2, 1)] == [binding + "lumora,lm3200-wdt.yaml"]
    for version in (1, 2):
        assert sorted(paths[(version, 2)]) == [
            "drivers/watchdog/Kconfig",
            "drivers/watchdog/Makefile",
            "drivers/watchdog/lumora_wdt.c",
        ]
        assert paths[(version, 3)] == ["arch/arm64/boot/dts/lumora/lm3200.dtsi"]
    # v2's driver patch carries its own changelog below the "---".
    assert any("Changes in v2" in line for line in archive.patch(msgid(V2, 3)).notes)


def test_follow_up_trailers_land_on_the_v2_patches(archive):
    def given(number: int) -> set[tuple[str, str]]:
        return {(t.name, t.value) for t in archive.followup_trailers(msgid(V2, number + 1))}

    tested = ("Tested-by", PAVEL)  # given on the cover letter: applies to every patch
    assert given(1) == {("Reviewed-by", RHYS), tested}
    assert given(2) == {("Reviewed-by", GUNNAR), tested}
    assert given(3) == {("Acked-by", ODILE), tested}
    for number in (1, 2, 3):
        assert archive.followup_trailers(msgid(V1, number + 1)) == []


# (patch, reviewer, first words of the comment, the patch line it was written under)
PLACED = [
    (msgid(V1, 2), "Rhys", "Compatibles are SoC specific", "+    const: lumora,lm32-wdt"),
    (msgid(V1, 2), "Rhys", "Drop the description", "+    description: Base address"),
    (msgid(V1, 2), "Rhys", "You reference watchdog.yaml", "+additionalProperties: false"),
    (msgid(V1, 3), "Gunnar", "COMPILE_TEST also builds", "+\tdepends on ARCH_LUMORA"),
    (msgid(V1, 3), "Gunnar", "What do you need kernel.h", "+#include <linux/kernel.h>"),
    (msgid(V1, 3), "Gunnar", "The TRM I have", "+\tLM32_RESET_SW = 2,"),
    (msgid(V1, 3), "Gunnar", "This starts counting down", "+\twritel(timeout * wdt->rate"),
    (msgid(V1, 3), "Gunnar", "The clock is never disabled", "+\t\treturn ret;"),
    # The self-correction quotes the patch two levels deep, under the enum's last member.
    (msgid(V1, 3), "Gunnar", "Correcting myself", "+\tLM32_RESET_EXT = 3,"),
    # Gmail: quoted with spaces for tabs, still placed on the tabbed line.
    (msgid(V1, 3), "Tomás", "Nit: this rounds down", "+\treturn readl(wdt->base"),
    (msgid(V2, 3), "Gunnar", "Nit: return dev_err_probe", "+\t\treturn -EINVAL;"),
]


@pytest.mark.parametrize(("patch_id", "who", "comment", "line"), PLACED,
                         ids=[p[2][:24] for p in PLACED])
def test_review_comments_sit_on_the_line_they_were_written_under(archive, patch_id, who,
                                                                  comment, line):
    matches = [a for a in archive.annotations(patch_id)
               if a.author.name.startswith(who) and a.comment.lstrip().startswith(comment)]
    assert len(matches) == 1, [a.comment[:40] for a in archive.annotations(patch_id)]
    anchor = matches[0].anchor
    assert anchor.kind == "diff"
    assert anchor.text.startswith(line)


def test_commit_message_and_cover_comments(archive):
    kinds = {a.comment.split()[0]: a.anchor.kind for a in archive.annotations(msgid(V1, 3))}
    assert kinds["Which"] == "commit_message"  # "Which SoCs are in the LM32 family?"
    cover = archive.annotations(msgid(V1, 1))
    assert [a.author.name.split()[0] for a in cover] == ["Odile"]


@pytest.mark.skipif(shutil.which("git") is None, reason="the generator needs git")
def test_committed_demo_is_what_the_generator_writes(tmp_path):
    out = tmp_path / "demo.mbox"
    done = subprocess.run([sys.executable, str(GENERATOR), str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == DEMO.read_bytes(), "run `make demo` and commit the result"
