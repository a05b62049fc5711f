"""The two real cases of unlinked revisions (issue: maintainer triage), on the real mail.

* riscv: pwm: sophgo — v1…v7 by Jingbao Qiu, v8 by Thomas Bonnefille ("[Thomas since v8]").
* watchdog: hpe-wdt — "[PATCH v6/v7/v8 3/8]" reached linux-watchdog without their threads:
  each is a thread of its own, which the thread list must show under one revision group.
"""

from __future__ import annotations

import pytest

from tests.corpus_paths import CORPUS, corpus_file
from viewer.core.archive import Archive
from viewer.core.series import LinkReason

pytestmark = pytest.mark.corpus

LARGE = "large/linux-watchdog-archive__2019-04_to_2022-07.mbox"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNKWISE_CACHE_DIR", str(tmp_path / "cache"))


def _joined(tmp_path, *patterns):
    """Several saved threads as one mailbox, as a maintainer's list folder holds them."""
    if CORPUS is None:
        pytest.skip("corpus absent")
    files = sorted(f for p in patterns for f in (CORPUS / "threads").glob(p))
    if len(files) < len(patterns):
        pytest.skip(f"not all of {patterns} in this corpus")
    path = tmp_path / "joined.mbox"
    path.write_bytes(b"".join(f.read_bytes() for f in files))
    return Archive.open(path, use_cache=False)


def test_sophgo_v8_by_a_new_author_is_linked_to_v1_v7(tmp_path):
    archive = _joined(tmp_path, "linux-pwm-archive__*sophgo-add-pwm-support-for-cv1800.mbox")
    v8 = next(s for s in archive.series if s.version == 8 and s.cover)
    versions = sorted(archive.series_by_key(k).version for k in v8.revisions)
    assert versions == [1, 2, 3, 4, 5, 6, 7, 8]
    assert v8.author_name == "Thomas Bonnefille"
    [link] = [link for key, link in v8.links.items()
              if archive.series_by_key(key).author_name != "Thomas Bonnefille"]
    assert link.reason in (LinkReason.TAKEN_OVER, LinkReason.CHANGELOG_LINK)
    assert archive.series_by_key(next(iter(v8.links))).version == 7  # linked to the latest


def test_pwm_gpio_v4_by_another_author_is_linked_through_its_changelog(tmp_path):
    archive = _joined(tmp_path, "linux-pwm-archive__*_pwm-pwm-gpio-new-driver.mbox",
                      "linux-pwm-archive__*_pwm-add-gpio-pwm-driver.mbox")
    v4 = next(s for s in archive.series
              if s.version == 4 and s.subject == "pwm: Add GPIO PWM driver")
    [(key, link)] = v4.links.items()
    assert link.reason is LinkReason.CHANGELOG_LINK
    assert archive.series_by_key(key).author_name.startswith("Nicola")


def test_hpe_wdt_patch_threads_are_one_revision_group(qapp):
    from PySide6.QtCore import Qt

    from viewer.ui.thread_model import GROUP, ThreadModel

    archive = Archive.open(corpus_file(LARGE))
    ids = ["20220502204050.88316-3-nick.hawkins@hpe.com",
           "20220506191339.78617-3-nick.hawkins@hpe.com",
           "20220516163347.44890-3-nick.hawkins@hpe.com"]
    roots = {archive.root_of(m).msgid for m in ids}
    assert len(roots) == 3  # three threads in the mailbox...
    series = [archive.series_of(m) for m in ids]
    assert [s.version for s in series] == [6, 7, 8]
    assert series[0].revisions == series[2].revisions  # ...one series in the engine...
    model = ThreadModel()
    model.lazy_enabled = False
    model.set_archive(archive)
    tops = {model._top_of_root[r] for r in roots}
    [group] = tops  # ...and one group row in the list
    assert group.kind == GROUP
    tip = model.data(model.createIndex(group.row, 0, group), Qt.ItemDataRole.ToolTipRole)
    assert "Linked because" in tip and "v8 ← v7" in tip
