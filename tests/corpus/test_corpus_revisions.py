"""Every multi-version series of the corpus threads: each comment of v(N) gets a status in
v(N+1), and what the status claims holds in the patches themselves."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from tests.corpus_paths import CORPUS
from viewer.core.archive import Archive
from viewer.core.revisions import STATUSES, revision_report, series_range_diff

pytestmark = pytest.mark.corpus

_NAME = re.compile(r"^(?P<list>.+?)__\d{8}_v\d+_(?P<slug>.+)\.mbox$")
_WS = re.compile(r"\s+")


def _families() -> dict[str, list[Path]]:
    """Corpus thread files are one version each; the slug after the version names the series."""
    if CORPUS is None:
        return {}
    found: dict[str, list[Path]] = defaultdict(list)
    for path in sorted((CORPUS / "threads").glob("*.mbox")):
        match = _NAME.match(path.name)
        if match:
            found[f"{match['list']}/{match['slug']}"].append(path)
    return {k: v for k, v in found.items() if len(v) > 1}


FAMILIES = _families()


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(tmp_path / "cache"))


def _open(paths: list[Path], tmp_path: Path) -> Archive:
    # One mailbox of all versions, in the temp folder: the corpus is read, never copied in.
    joined = tmp_path / "family.mbox"
    with joined.open("wb") as out:
        for path in paths:
            data = path.read_bytes()
            out.write(data if data.endswith(b"\n") else data + b"\n")
    return Archive.open(joined, use_cache=False)


def _lines_of(archive: Archive, msgid: str) -> set[tuple]:
    patch = archive.patch(msgid)
    found: set[tuple] = set()
    if patch is None:
        return {("m", line) for line in archive.message(msgid).body.splitlines()}
    found |= {("m", line) for line in list(patch.commit_message) + list(patch.trailer_lines)}
    for diff in patch.files:
        found |= {("h", diff.path, line) for line in diff.header}
        for hunk in diff.hunks:
            found |= {("d", diff.path, line.old_line, line.new_line, line.kind + line.text)
                      for line in hunk.lines}
    return found


def test_the_corpus_has_multi_version_series():
    if CORPUS is None:
        pytest.skip("no corpus")
    assert len(FAMILIES) >= 6


@pytest.mark.parametrize("family", sorted(FAMILIES), ids=lambda f: f.split("/")[1][:40])
def test_every_comment_gets_a_status_that_holds(family, tmp_path):
    archive = _open(FAMILIES[family], tmp_path)
    reports = {}
    for series in archive.series:
        if len(series.revisions) > 1 and series.revisions[0] not in reports:
            reports[series.revisions[0]] = revision_report(archive, series.key)
    assert reports, "no linked revisions in a multi-version family"
    for report in reports.values():
        for step in report.steps:
            old_ids = [p.old_message_id for p in step.pairs if p.old_message_id]
            expected = sum(len(archive.annotations(m)) for m in old_ids)
            carried = [c for c in report.comments
                       if (c.from_version, c.to_version) == (step.old.version, step.new.version)]
            assert len(carried) == expected  # no comment of v(N) is left out
            if step.old.cover and step.new.cover:
                entries = series_range_diff(archive, step.old.cover, step.new.cover)
                for entry in entries:
                    if entry.status == "=":
                        assert entry.old.text == entry.new.text and not entry.lines
        for item in report.comments:
            assert item.status in STATUSES
            anchor, old = item.new_anchor, item.annotation.anchor
            if item.status == "removed" or anchor is None:
                assert item.status in ("removed", "unknown") or old.kind != "unanchored"
                continue
            present = _lines_of(archive, anchor.patch_message_id)
            if anchor.kind == "commit_message":
                assert ("m", anchor.text) in present
            elif anchor.old_line is None and anchor.new_line is None:
                assert ("h", anchor.file, anchor.text) in present
            else:
                assert ("d", anchor.file, anchor.old_line, anchor.new_line, anchor.text) in present
            if item.status == "unchanged":
                assert _WS.sub("", anchor.text) == _WS.sub("", old.text)
