"""Collected trailers match what ``b4 am`` writes for b4's own samples.

For each ``b4__<stem>.mbox`` with a ``b4-expected/<stem>-ref-defaults.txt`` (an mbox of the
patches b4 would apply) or ``<stem>.verify`` (commit messages after ``b4 trailers -u``), the
trailer block of every patch must equal ours: the patch's own trailers followed by those
collected from follow-ups, in b4's order.

b4's test harness runs with ``-s`` as "Test Override": that sign-off is the applier's own,
added at apply time, not a collected trailer, so it is left out of the comparison.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from viewer.core.archive import Archive
from viewer.core.trailers import merge_trailers

CORPUS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus").resolve()
EXPECTED = CORPUS / "b4-expected"

pytestmark = pytest.mark.corpus

APPLIER = "Signed-off-by: Test Override <test-override@example.com>"
_TRAILER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*: \S")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(tmp_path / "cache"))


def _trailer_block(message_lines: list[str]) -> list[str]:
    """The last paragraph of a commit message when it is made of trailer lines."""
    while message_lines and not message_lines[-1].strip():
        message_lines = message_lines[:-1]
    start = len(message_lines)
    while start and message_lines[start - 1].strip():
        start -= 1
    block = message_lines[start:]
    assert block and all(_TRAILER.match(line) for line in block), block
    return [line for line in block if line != APPLIER]


def _ref_blocks(path: Path) -> dict[str, list[str]]:
    """Message-Id → trailer block of each patch in a -ref-defaults.txt mbox."""
    blocks: dict[str, list[str]] = {}
    for chunk in re.split(r"^From git@z .*\n", path.read_text(), flags=re.M):
        if not chunk.strip():
            continue
        headers, _, body = chunk.partition("\n\n")
        msgid = re.search(r"^Message-Id: <([^>]+)>", headers, re.M | re.I).group(1)
        message: list[str] = []
        for line in body.splitlines():
            if line == "---" or line.startswith(("diff --git", "--- a/")):
                break
            message.append(line)
        blocks[msgid] = _trailer_block(message)
    return blocks


def _verify_blocks(path: Path) -> dict[str, list[str]]:
    """Subject → trailer block of each commit in a .verify file (email, subject, body, ---)."""
    blocks: dict[str, list[str]] = {}
    for chunk in path.read_text().split("\n---\n"):
        lines = chunk.strip("\n").splitlines()
        if len(lines) < 3:
            continue
        blocks[lines[1]] = _trailer_block(lines[2:])
    return blocks


def _cases():
    if not EXPECTED.is_dir():
        return []
    cases = []
    for ref in sorted(EXPECTED.glob("*-ref-defaults.txt")):
        stem = ref.name.removesuffix("-ref-defaults.txt")
        cases.append(pytest.param(CORPUS / f"b4__{stem}.mbox", ref, id=stem))
    for ref in sorted(EXPECTED.glob("*.verify")):
        mbox = CORPUS / f"b4__{ref.stem}.mbox"
        if mbox.exists():  # the -no-match and -tripledash checks reuse samples b4 edits first
            cases.append(pytest.param(mbox, ref, id=ref.stem))
    return cases


def _ours(archive: Archive, msgid: str) -> list[str]:
    patch = archive.patch(msgid)
    assert patch is not None, f"{msgid} has no diff"
    from viewer.core.trailers import collect_followup_trailers

    merged = merge_trailers(patch.trailers, collect_followup_trailers(archive, msgid))
    return [str(t) for t in merged if str(t) != APPLIER]


@pytest.mark.parametrize(("mbox", "ref"), _cases())
def test_trailers_match_b4(mbox: Path, ref: Path):
    archive = Archive.open(mbox, use_cache=False)
    if ref.suffix == ".verify":
        expected = _verify_blocks(ref)
        by_subject = {archive.subject_info(m).subject: m for m in archive.patch_ids()}
        assert set(expected) <= set(by_subject)
        for subject, block in expected.items():
            assert _ours(archive, by_subject[subject]) == block, subject
        return
    expected = _ref_blocks(ref)
    for msgid, block in expected.items():
        assert msgid in archive, f"b4 applied {msgid}, which we do not list"
        assert _ours(archive, msgid) == block, msgid


def test_archive_trailers_agree_with_b4_order():
    """The Archive's own merge (what the review page shows) gives the same block."""
    mbox = CORPUS / "b4__trailers-followup-with-cover.mbox"
    ref = EXPECTED / "trailers-followup-with-cover-ref-defaults.txt"
    if not ref.exists():
        pytest.skip("corpus absent")
    archive = Archive.open(mbox, use_cache=False)
    for msgid, block in _ref_blocks(ref).items():
        assert [str(t) for t in archive.trailers(msgid)] == block


def test_mismatched_sender_is_kept_aside_not_applied():
    """b4 ignores "Reviewed-by: Mismatched Reviewer1 <…@example.net>" sent from another
    person's address; we agree, but can still show it, marked."""
    mbox = CORPUS / "b4__trailers-followup-bare-address.mbox"
    if not mbox.exists():
        pytest.skip("corpus absent")
    archive = Archive.open(mbox, use_cache=False)
    from viewer.core.trailers import collect_followup_trailers

    plain = collect_followup_trailers(archive, "orig-message@example.com")
    full = collect_followup_trailers(
        archive, "orig-message@example.com", include_mismatched=True
    )
    assert all("Mismatched" not in t.value for t in plain)
    [odd] = [t for t in full if t.mismatched]
    assert odd.value == "Mismatched Reviewer1 <mismatched-reviewer1@example.net>"
    assert odd.source_msgid == "fwup-message-3@example.com"


def test_indented_suggestion_is_not_a_trailer():
    """ "already-present": a reply shows an indented trailer block; nothing is added."""
    mbox = CORPUS / "b4__trailers-followup-already-present.mbox"
    if not mbox.exists():
        pytest.skip("corpus absent")
    archive = Archive.open(mbox, use_cache=False)
    from viewer.core.trailers import collect_followup_trailers

    assert collect_followup_trailers(archive, "orig-message@example.com") == []


def test_partial_reroll_cover_review_is_marked_as_from_the_earlier_revision():
    """Where b4 is questionable: on a partial re-roll it applies the v2 cover letter's
    Reviewed-by to "[PATCH v3 2/2]", whose diff changed (bogus.py, not bupkes.py), while it
    refuses v2 2/2's own Reviewed-by for exactly that reason. We match b4's output, but the
    trailer keeps its source so the review page can say it was given on v2."""
    mbox = CORPUS / "b4__trailers-followup-partial-reroll.mbox"
    if not mbox.exists():
        pytest.skip("corpus absent")
    archive = Archive.open(mbox, use_cache=False)
    from viewer.core.trailers import collect_followup_trailers

    [carried] = collect_followup_trailers(archive, "patch-v3-2-message@example.com")
    assert carried.source_msgid == "fwup-message-2@example.com"
    source_parent = archive.entry(carried.source_msgid).in_reply_to
    assert archive.subject_info(source_parent).version == 2
    assert archive.subject_info("patch-v3-2-message@example.com").version == 3
