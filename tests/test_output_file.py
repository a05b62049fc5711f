"""Files written on the user's request: atomic, one clear line on failure, never a source."""

from __future__ import annotations

import pytest

from viewer.core.errors import HunkwiseError
from viewer.core.output_file import RefusedOutput, write_output


def test_written_whole_and_no_temporary_left(tmp_path):
    out = write_output(tmp_path / "sub" / "out.mbox", [b"From x\n", b"body\n"])
    assert out.read_bytes() == b"From x\nbody\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.mbox"]


def test_a_source_is_refused_by_any_name(tmp_path):
    source = tmp_path / "list.mbox"
    source.write_bytes(b"From a\n\nmail\n")
    (tmp_path / "alias.mbox").symlink_to(source)
    for name in (source, tmp_path / "alias.mbox", tmp_path / "." / "list.mbox"):
        with pytest.raises(RefusedOutput, match="mailbox being read"):
            write_output(name, [b"reply"], sources=[source])
    assert source.read_bytes() == b"From a\n\nmail\n"


def test_an_unwritable_place_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(HunkwiseError, match="cannot write"):
        write_output(blocker / "out.eml", [b"reply"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
