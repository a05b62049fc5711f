"""parse_patch on hand-written kernel-style mails, and on every mail of the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.core.errors import MailboxError
from viewer.core.mbox import open_mailbox
from viewer.core.patch import parse_patch

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = (Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus").resolve()

SERIES_PATCH = """\
The enable callback can fail; report it.

Link: https://lore.kernel.org/r/1234
Signed-off-by: Jane Doe <jane@example.org>
Reviewed-by: John Roe <john@example.org>
---
v2: - return the error instead of warning
    - reword the commit message

 drivers/foo/foo.c | 5 +++--
 1 file changed, 3 insertions(+), 2 deletions(-)

diff --git a/drivers/foo/foo.c b/drivers/foo/foo.c
index 1111111..2222222 100644
--- a/drivers/foo/foo.c
+++ b/drivers/foo/foo.c
@@ -10,8 +10,9 @@ static int foo_enable(struct foo *foo)
 {
 \tint ret;
\x20
-\tfoo_hw_enable(foo);
-\treturn 0;
+\tret = foo_hw_enable(foo);
+\tif (ret)
+\t\treturn ret;
 }
\x20
 static void foo_disable(struct foo *foo)
@@ -40,3 +41,3 @@ static void foo_remove(struct foo *foo)
 \tfoo_disable(foo);
-\tkfree(foo);
+\tkfree(foo->priv);
 }
\\ No newline at end of file
--\x20
2.34.1

"""


def test_parts_of_a_patch_mail():
    patch = parse_patch(SERIES_PATCH)
    assert patch.commit_message == ["The enable callback can fail; report it."]
    assert [t.name for t in patch.trailers] == ["Link", "Signed-off-by", "Reviewed-by"]
    assert patch.trailer_lines[1] == "Signed-off-by: Jane Doe <jane@example.org>"
    assert patch.notes[0] == "v2: - return the error instead of warning"
    assert patch.diffstat == [
        " drivers/foo/foo.c | 5 +++--",
        " 1 file changed, 3 insertions(+), 2 deletions(-)",
    ]
    (diff,) = patch.files
    assert (diff.old_path, diff.new_path, diff.status) == ("drivers/foo/foo.c",) * 2 + (
        "modified",
    )
    assert (diff.added, diff.removed) == (4, 3)
    first, second = diff.hunks
    assert first.section == "static int foo_enable(struct foo *foo)"
    numbered = [(line.kind, line.old_line, line.new_line) for line in first.lines]
    assert numbered[:5] == [(" ", 10, 10), (" ", 11, 11), (" ", 12, 12), ("-", 13, None),
                            ("-", 14, None)]
    assert numbered[5:8] == [("+", None, 13), ("+", None, 14), ("+", None, 15)]
    assert numbered[-1] == (" ", 17, 18)
    # the signature after the last hunk is not part of it; the "\ No newline" marker is
    assert second.lines[-1].text == "}" and second.lines[-1].no_newline
    assert len(second.lines) == 4


def test_crlf_and_plain_unified_diff_without_git_header():
    body = (
        "Fix the typo.\r\n\r\n--- a/README\t2020-01-01 10:00:00\r\n+++ b/README\r\n"
        "@@ -1 +1 @@\r\n-helo\r\n+hello\r\n"
    )
    (diff,) = parse_patch(body).files
    assert diff.path == "README"
    assert [(x.kind, x.text, x.old_line, x.new_line) for x in diff.hunks[0].lines] == [
        ("-", "helo", 1, None),
        ("+", "hello", None, 1),
    ]


def test_rename_mode_binary_and_new_file_headers():
    body = """\
Shuffle things.
---
diff --git a/old.c b/new.c
similarity index 90%
rename from old.c
rename to new.c
diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
diff --git a/logo.png b/logo.png
new file mode 100644
index 0000000..e69de29
Binary files /dev/null and b/logo.png differ
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
index 3b18e51..0000000
--- a/gone.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
"""
    renamed, moded, binary, deleted = parse_patch(body).files
    assert (renamed.status, renamed.old_path, renamed.new_path, renamed.similarity) == (
        "renamed", "old.c", "new.c", 90)
    assert (moded.old_mode, moded.new_mode, moded.status) == ("100644", "100755", "modified")
    assert binary.binary and binary.status == "added" and binary.old_path is None
    assert deleted.status == "deleted" and deleted.new_path is None and deleted.path == "gone.txt"
    assert deleted.removed == 1


def test_damaged_context_lines_are_counted_as_context():
    # A client stripped the leading space of context lines (and of an empty one).
    body = """\
---
diff --git a/MAINTAINERS b/MAINTAINERS
--- a/MAINTAINERS
+++ b/MAINTAINERS
@@ -100,3 +100,4 @@ F:\tdrivers/foo/
F:\tdrivers/bar.c

+F:\tdrivers/baz.c
 PWM IR
"""
    (diff,) = parse_patch(body).files
    lines = diff.hunks[0].lines
    assert [(x.kind, x.new_line) for x in lines] == [(" ", 100), (" ", 101), ("+", 102),
                                                    (" ", 103)]
    assert lines[0].text == "F:\tdrivers/bar.c"


def test_two_diffs_in_one_mail_and_a_cover_letter():
    two = SERIES_PATCH + "\nAnd a second one:\n\n" + SERIES_PATCH.split("---\n", 1)[1]
    assert len(parse_patch(two).files) == 2
    cover = parse_patch("Hello,\n\nthis series does things.\n\nJane Doe (2):\n  a\n  b\n\n"
                        " foo.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n")
    assert cover.files == []
    assert cover.commit_message[0] == "Hello,"
    assert cover.diffstat[0] == " foo.c | 2 +-"


JUNK = ["", "\n\n", "no diff here", "@@ -1 +1 @@\n+x", "diff --git", "--- a\n+++ b\n@@ -x @@",
        "\x00\x01", "diff --git a/x b/x\n@@ -1,"]


@pytest.mark.parametrize("junk", JUNK)
def test_junk_never_raises(junk):
    patch = parse_patch(junk)
    assert isinstance(patch.files, list)


def test_seed_patch_mail():
    source = open_mailbox(FIXTURES / "seed.mbox", use_cache=False)
    patch = parse_patch(source.message(0).body)
    assert [f.path for f in patch.files] == [
        "drivers/hv/mshv_root_main.c", "include/hyperv/hvhdk.h", "include/hyperv/hvhdk_mini.h"]
    assert patch.notes == [
        "Changes in v4:",
        " - Read the VMM capabilities in L1VH partitions too.",
    ]
    hvhdk_mini = patch.files[2].hunks[0]
    added = [x for x in hvhdk_mini.lines if x.kind == "+"]
    assert [x.new_line for x in added] == [90, 91, 92]
    assert sum(f.added for f in patch.files) == 21 and sum(f.removed for f in patch.files) == 2


@pytest.mark.corpus
def test_no_crash_on_any_corpus_mail():
    if not CORPUS.is_dir():
        pytest.skip("no ../shared/corpus")
    paths = sorted(CORPUS.glob("patchwork__mail-*")) + sorted(CORPUS.glob("git__t5100-*"))
    paths += sorted((CORPUS / "threads").glob("*.mbox"))
    with_diff = 0
    for path in paths:
        try:
            source = open_mailbox(path, use_cache=False)
        except MailboxError:
            continue  # a few git test inputs are not mailboxes at all
        for entry in source.entries:
            patch = parse_patch(source.message(entry.number).body)
            for diff in patch.files:
                for hunk in diff.hunks:
                    for line in hunk.lines:
                        assert line.kind in "+- "
            with_diff += bool(patch.files)
    assert with_diff > 300
