"""Revision links that need more than one author's subjects, and the reason kept for each."""

from __future__ import annotations

from tests.test_series import mail, series_of
from viewer.core.series import LinkReason, describe_links, link_by_changelog


def _by_version(found):
    return {s.version: s for s in found}


def test_a_series_taken_over_by_a_new_author_is_linked():
    entries = [
        mail(0, "c7", "[PATCH v7 0/2] pwm: sophgo: add driver", author="Jing Qiu"),
        mail(1, "a7", "[PATCH v7 1/2] dt-bindings: pwm: add sophgo", "c7", author="Jing Qiu"),
        mail(2, "b7", "[PATCH v7 2/2] pwm: sophgo: add driver for CV1800", "c7",
             author="Jing Qiu"),
        mail(10, "c8", "[PATCH v8 0/2] pwm: sophgo: add driver", author="Thomas B"),
        mail(11, "a8", "[PATCH v8 1/2] dt-bindings: pwm: add sophgo CV1800", "c8",
             author="Thomas B"),
        mail(12, "b8", "[PATCH v8 2/2] pwm: sophgo: add driver for CV1800", "c8",
             author="Thomas B"),
    ]
    found = _by_version(series_of(entries))
    assert found[8].revisions == ["c7", "c8"]
    link = found[8].links["c7"]
    assert link.reason is LinkReason.TAKEN_OVER
    assert "Thomas B from v8" in link.detail and "patch 2" in link.detail
    assert found[7].links["c8"] is link
    assert describe_links({s.key: s for s in found.values()}.get, found[8].revisions) == [
        f"v8 ← v7: {link}"
    ]


def test_two_authors_with_a_generic_subject_at_overlapping_versions_stay_apart():
    entries = [
        mail(0, "x1", "[PATCH v2 0/2] watchdog: convert bindings to yaml", author="Ann"),
        mail(1, "x2", "[PATCH v2 1/2] dt-bindings: watchdog: convert to yaml", "x1", author="Ann"),
        mail(2, "x3", "[PATCH v2 2/2] watchdog: drop old text", "x1", author="Ann"),
        mail(3, "x4", "[PATCH v3 0/2] watchdog: convert bindings to yaml", author="Ann"),
        mail(4, "x5", "[PATCH v3 1/2] dt-bindings: watchdog: convert to yaml", "x4", author="Ann"),
        mail(10, "y1", "[PATCH v3 0/2] watchdog: convert bindings to yaml", author="Bob"),
        mail(11, "y2", "[PATCH v3 1/2] dt-bindings: watchdog: convert to yaml", "y1", author="Bob"),
    ]
    found = series_of(entries)
    bob = next(s for s in found if s.key == "y1")
    assert bob.revisions == ["y1"]  # Ann already posted v3: Bob's v3 is his own series
    ann = next(s for s in found if s.key == "x1")
    assert ann.revisions == ["x1", "x4"]
    assert ann.links["x4"].reason is LinkReason.COVER_SUBJECT


def test_thread_link_reason():
    entries = [
        mail(0, "c2", "[PATCH v2 0/2] x: y"),
        mail(1, "p21", "[PATCH v2 1/2] x: first", "c2"),
        mail(2, "p22", "[PATCH v2 2/2] x: second", "c2"),
        mail(3, "p32", "[PATCH v3 2/2] x: second, renamed", "p22"),
    ]
    found = _by_version(series_of(entries))
    assert found[3].links["c2"].reason is LinkReason.IN_THREAD


def _changelog_case(body_v2):
    entries = [
        mail(0, "old0@x", "[PATCH 0/1] gpio: frob: add support"),
        mail(1, "old1@x", "[PATCH 1/1] gpio: frob: add driver", "old0@x"),
        mail(10, "new0@x", "[PATCH v2 0/1] Frob GPIO controller, renamed"),
        mail(11, "new1@x", "[PATCH v2 1/1] gpio: add the frob controller", "new0@x"),
    ]
    found = series_of(entries)
    bodies = {"new0@x": body_v2, "old0@x": "first"}
    raws = {"old1@x": b"x\ndiff --git a/drivers/gpio/frob.c b/drivers/gpio/frob.c\n",
            "new1@x": b"y\ndiff --git a/drivers/gpio/frob.c b/drivers/gpio/frob.c\n"}
    by_msg = {m: s for s in found for m in s.message_ids()}
    subjects = {e.msgid: e.subject.split("] ", 1)[1] for e in entries}
    made = link_by_changelog(found, bodies.__getitem__, raws.__getitem__, by_msg.get,
                             subjects.__getitem__)
    return made, {s.version: s for s in found}


def test_changelog_lore_link_links_a_renamed_series():
    made, found = _changelog_case(
        "Now with a new name.\n\nv1: https://lore.kernel.org/linux-gpio/old0@x/\n"
    )
    assert made == 1
    assert found[2].revisions == ["old0@x", "new0@x"] == found[1].revisions
    link = found[2].links["old0@x"]
    assert link.reason is LinkReason.CHANGELOG_LINK and "lore.kernel.org" in link.detail


def test_changelog_version_note_and_same_files_link_a_renamed_series():
    made, found = _changelog_case("Changes in v2:\n- renamed everything\n")
    assert made == 1
    link = found[2].links["old0@x"]
    assert link.reason is LinkReason.CHANGELOG_FILES
    assert "Changes in v2" in link.detail and "drivers/gpio/frob.c" in link.detail


def test_no_changelog_no_link():
    made, found = _changelog_case("A new driver.\n")
    assert made == 0 and found[2].revisions == ["new0@x"]
