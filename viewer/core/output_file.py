"""Writing a file the user asked for (a reply, a series for git am, a fetched thread).

Two promises hold for every such file: it is never half-written (a kill or a full disk leaves
the old file or the new one, never a mix: a temporary file beside it, fsync, then rename), and
it is never one of the mailboxes being read. ``--out`` given the mailbox's own name by a slip of
the shell history would otherwise replace a list archive with one reply; the source mailbox is
the one file Hunkwise must never write.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from viewer.core.errors import HunkwiseError


class RefusedOutput(HunkwiseError):
    """The output file named is a mailbox being read."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def write_output(path: str | os.PathLike[str], chunks: Iterable[bytes], *,
                 sources: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """Write ``chunks`` to ``path`` atomically, refusing any of ``sources`` (the mailboxes
    read); errors are one line worded for the user. Returns the path written."""
    out = Path(path).expanduser()
    for source in sources:
        if _same_file(out, Path(source)):
            raise RefusedOutput(f"refusing to overwrite {out}: it is the mailbox being read "
                                "(give another --out)")
    try:
        atomic_write(out, chunks)
    except OSError as error:
        raise HunkwiseError(f"cannot write {out}: {error.strerror or error}") from None
    return out


def atomic_write(path: Path, chunks: Iterable[bytes]) -> None:
    """Write ``path`` so that no reader, crash or kill ever sees it half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable (a power cut right after must not undo it)
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass  # some file systems refuse to fsync a folder; the data is already safe
    finally:
        os.close(dir_fd)
