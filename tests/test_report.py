"""The JSON reports behind `hunkwise review`: nothing the engine anchored goes missing."""

from __future__ import annotations

from pathlib import Path

from viewer.core.archive import Archive
from viewer.core.report import review_json, review_targets

# A diff sent without any [PATCH] prefix: no series knows it, anchoring still finds it.
MBOX = (Path(__file__).parent / "fixtures" / "report" / "plain-diff.mbox").read_text()


def test_a_patch_no_series_knows_still_gets_its_comments(tmp_path):
    path = tmp_path / "plain.mbox"
    path.write_text(MBOX)
    archive = Archive.open(path, use_cache=False)
    assert review_targets(archive, None) == ["diff-1@example.org"]
    data = review_json(archive, "reply-1@example.org")
    [patch] = data["patches"]
    [annotation] = patch["annotations"]
    assert annotation["comment"].startswith("This can overflow")
    assert annotation["anchor"]["file"] == "drivers/watchdog/foo_wdt.c"
    assert annotation["anchor"]["new_line"] == 13
    assert annotation["anchor"]["old_line"] is None


def test_a_discussion_without_patches_is_not_anchored(tmp_path):
    path = tmp_path / "talk.mbox"
    reply_only = MBOX[MBOX.index("From mboxrd", 1):]
    path.write_text(reply_only)
    archive = Archive.open(path, use_cache=False)
    assert review_targets(archive, None) == []
