"""Cards laid out for a pane width: paragraphs rewrapped as a whole, lists and code kept."""

from __future__ import annotations

from viewer.core.card_text import corresponding_row, split_long
from viewer.core.card_text import wrap_prose as _wrapped

REVIEWER = [
    "i was working on this a little bit during the holiday. Personally i",
    "prefer Vincent's approach [1], which is easier to read and more",
    "",
    "Changes:",
    "- rebased Vincent's last patch series on top of Linux 6.7",
    "- cherry picked some improvements from Nicola's series",
    "\tif (x)  /* code stays as it is */",
    "Reviewed-by: Rev Viewer <rev@example.org>",
]


def test_a_paragraph_too_wide_is_wrapped_as_a_whole():
    out = _wrapped(REVIEWER, 50)
    # no one-word line left behind: each wrapped line but the last is well filled
    paragraph = out[: out.index("")]
    assert all(len(line) <= 50 for line in paragraph)
    assert all(len(line) > 35 for line in paragraph[:-1])
    assert " ".join(paragraph) == " ".join(REVIEWER[:2])
    # list items, code and trailers keep their own lines
    assert any(line.startswith("- cherry picked") for line in out)
    assert any(line.startswith("- rebased") for line in out)
    assert "\tif (x)  /* code stays as it is */" in out
    assert out[-1] == "Reviewed-by: Rev Viewer <rev@example.org>"


def test_paragraphs_that_fit_keep_the_reviewers_breaks():
    assert _wrapped(REVIEWER, 90) == REVIEWER


def test_split_pieces_join_back_exactly():
    url = "https://lore.kernel.org/all/" + "x" * 100
    assert "".join(split_long(url, 30)) == url


def test_corresponding_row_maps_plain_and_card_rows(tmp_path):
    from viewer.core.archive import Archive
    from viewer.core.review_page import page_from_archive

    box = tmp_path / "box.mbox"
    box.write_text(
        "From a@b Mon Jan  1 00:00:00 2024\nFrom: A <a@example.org>\nSubject: [PATCH] x\n"
        "Message-ID: <p@x>\n\nText.\n---\n a | 1 +\n\ndiff --git a/a b/a\n--- a/a\n+++ b/a\n"
        "@@ -1 +1,2 @@\n one\n+two\n\n"
        "From b@c Mon Jan  1 00:00:00 2024\nFrom: B <b@example.org>\nSubject: Re: [PATCH] x\n"
        "Message-ID: <r@x>\nIn-Reply-To: <p@x>\n\n> +two\n\n" + "word " * 60 + "\n\n")
    archive = Archive.open(box, use_cache=False)
    narrow = page_from_archive(archive, "p@x", width=40)
    wide = page_from_archive(archive, "p@x", width=200)
    cards = [i for i, r in enumerate(narrow.rows) if r.annotation is not None]
    assert len(cards) > len([r for r in wide.rows if r.annotation is not None])
    last = corresponding_row(narrow, cards[-1], wide)
    assert wide.rows[last].annotation.id == narrow.rows[cards[-1]].annotation.id
    after = cards[-1] + 1 if cards[-1] + 1 < len(narrow.rows) else cards[0] - 1
    mapped = corresponding_row(narrow, after, wide)
    assert wide.rows[mapped].text == narrow.rows[after].text
