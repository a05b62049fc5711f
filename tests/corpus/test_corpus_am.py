""""Save for git am" on b4's own samples: each exported patch's trailer block equals the one in
b4's expected output (``b4-expected/<stem>-ref-defaults.txt``), cover letter left out."""

from __future__ import annotations

import re

import pytest

from tests.corpus.test_corpus_trailers import CORPUS, EXPECTED, _ref_blocks
from viewer.core.am import export_series, series_for
from viewer.core.archive import Archive

pytestmark = pytest.mark.corpus


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(tmp_path / "cache"))


def _cases():
    if not EXPECTED.is_dir():
        return []
    return [
        pytest.param(
            CORPUS / f"b4__{ref.name.removesuffix('-ref-defaults.txt')}.mbox", ref,
            id=ref.name.removesuffix("-ref-defaults.txt"),
        )
        for ref in sorted(EXPECTED.glob("*-ref-defaults.txt"))
    ]


@pytest.mark.parametrize(("mbox", "ref"), _cases())
def test_exported_trailer_blocks_equal_b4s(mbox, ref, tmp_path):
    expected = _ref_blocks(ref)
    archive = Archive.open(mbox, use_cache=False)
    # What a maintainer applies: the newest revision of the series the expected patches are in.
    first = next(iter(expected))
    newest = series_for(archive, first).revisions[-1]
    export = export_series(archive, newest)
    out = tmp_path / "series.mbox"
    out.write_bytes(export.mbox)
    ours = _ref_blocks(out)
    for msgid, block in expected.items():
        assert msgid in ours, f"b4 applied {msgid}, which the export left out"
        assert ours[msgid] == block, msgid
    series = export.series
    if series.cover:
        assert series.cover not in ours  # the cover letter is never exported
    assert list(ours) == export.patches
    assert not export.missing


def test_link_trailer_is_the_last_one(tmp_path):
    mbox = CORPUS / "b4__trailers-followup-with-cover.mbox"
    if not mbox.exists():
        pytest.skip("corpus absent")
    archive = Archive.open(mbox, use_cache=False)
    export = export_series(archive, "patch-1-message@example.com",
                           link_base="https://lore.kernel.org/r/")
    out = tmp_path / "series.mbox"
    out.write_bytes(export.mbox)
    blocks = _ref_blocks(out)
    for msgid, block in blocks.items():
        assert block[-1] == f"Link: https://lore.kernel.org/r/{msgid}"
    assert re.search(rb"^Subject: \[PATCH v2 1/2\] ", export.mbox, re.M)
