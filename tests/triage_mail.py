"""A small hand-written mailbox for the triage tests: a two-patch series in v1 and v2, reviews
given in replies and carried in v2's commit message, and a lone patch nobody reviewed.

v2 1/2 is v1 1/2 rebased (other ``@@`` line numbers, another ``index`` line): unchanged.
v2 2/2 changes one line: changed. "Maintainer Me <me@example.org>" is the test user.
"""

from __future__ import annotations

from pathlib import Path

ME = ("Maintainer Me", "me@example.org")

_DATE = "Mon, 12 Jan 2026 10:{minute:02d}:00 +0000"


def _mail(n, msgid, subject, body, *, author=("Jane Dev", "jane@example.org"), irt=None):
    headers = [
        f"From: {author[0]} <{author[1]}>",
        f"Subject: {subject}",
        f"Date: {_DATE.format(minute=n)}",
        f"Message-ID: <{msgid}>",
        "To: linux-gpio@vger.kernel.org",
    ]
    if irt:
        headers += [f"In-Reply-To: <{irt}>", f"References: <{irt}>"]
    text = "\n".join(headers) + "\n\n" + body.strip("\n") + "\n"
    return f"From mboxrd@z Thu Jan  1 00:00:00 1970\n{text}\n"


def _patch(message, trailers, path, index, start, lines):
    diff = "\n".join(lines)
    count = sum(1 for line in lines if not line.startswith("+"))
    new = sum(1 for line in lines if not line.startswith("-"))
    return f"""{message}

{trailers}
---
 {path} | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/{path} b/{path}
index {index} 100644
--- a/{path}
+++ b/{path}
@@ -{start},{count} +{start},{new} @@ static int frob_probe(void)
{diff}
--
2.43.0
"""


_P1_LINES = [" \tint a;", "-\tint b;", "+\tint b = 0;", " \treturn a;"]
_P2_V1 = [" \tfrob_init();", "-\tfrob_go(1);", "+\tfrob_go(2);", " }"]
_P2_V2 = [" \tfrob_init();", "-\tfrob_go(1);", "+\tfrob_go(3);", " }"]
SOB = "Signed-off-by: Jane Dev <jane@example.org>"


def mailbox_text() -> str:
    parts = [
        _mail(0, "c1@x", "[PATCH 0/2] gpio: frob: add driver", "This adds frob.\n\n" + SOB),
        _mail(1, "p1v1@x", "[PATCH 1/2] gpio: frob: init b",
              _patch("Initialise b.", SOB, "drivers/gpio/frob.c", "1111111..2222222", 10,
                     _P1_LINES), irt="c1@x"),
        _mail(2, "p2v1@x", "[PATCH 2/2] gpio: frob: go faster",
              _patch("Go faster.", SOB, "drivers/gpio/frob.c", "2222222..3333333", 40,
                     _P2_V1), irt="c1@x"),
        _mail(3, "r1@x", "Re: [PATCH 1/2] gpio: frob: init b",
              "> Initialise b.\n\nLooks right.\n\nReviewed-by: Maintainer Me <me@example.org>",
              author=ME, irt="p1v1@x"),
        _mail(4, "r2@x", "Re: [PATCH 0/2] gpio: frob: add driver",
              "> This adds frob.\n\nAcked-by: Rev Iewer <rev@example.org>",
              author=("Rev Iewer", "rev@example.org"), irt="c1@x"),
        _mail(10, "c2@x", "[PATCH v2 0/2] gpio: frob: add driver",
              "This adds frob.\n\nChanges in v2:\n- go faster still\n\n" + SOB),
        _mail(11, "p1v2@x", "[PATCH v2 1/2] gpio: frob: init b",
              _patch("Initialise b.",
                     SOB + "\nReviewed-by: Maintainer Me <me@example.org>"
                     "\nAcked-by: Rev Iewer <rev@example.org>",
                     "drivers/gpio/frob.c", "4444444..5555555", 14, _P1_LINES), irt="c2@x"),
        _mail(12, "p2v2@x", "[PATCH v2 2/2] gpio: frob: go faster",
              _patch("Go faster.", SOB + "\nAcked-by: Rev Iewer <rev@example.org>",
                     "drivers/gpio/frob.c", "5555555..6666666", 44, _P2_V2), irt="c2@x"),
        _mail(13, "r3@x", "Re: [PATCH v2 2/2] gpio: frob: go faster",
              "> Go faster.\n\nTested-by: Test Er <test@example.org>",
              author=("Test Er", "test@example.org"), irt="p2v2@x"),
        _mail(20, "lone@x", "[PATCH] mm: fix a leak",
              _patch("Fix it.", "Signed-off-by: Other Person <other@example.org>",
                     "mm/leak.c", "7777777..8888888", 5, _P1_LINES),
              author=("Other Person", "other@example.org")),
    ]
    return "".join(parts)


def write_mailbox(folder: Path, name: str = "triage.mbox") -> Path:
    path = folder / name
    path.write_text(mailbox_text())
    return path
