"""Where the shared real-mail corpus is, and how tests that need it skip without it.

The corpus lives beside the checkout (``<repo>/../shared/corpus``), never inside it: it is real
public mail kept byte-for-byte, and a clean clone without it must still pass (every corpus test
skips with a reason instead of failing).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
"""The checkout's root folder."""

# HUNKWISE_CORPUS points a checkout that does not sit beside shared/ (a git worktree) at it.
_CANDIDATE = Path(
    os.environ.get("HUNKWISE_CORPUS") or REPO / ".." / "shared" / "corpus"
).resolve()

CORPUS: Path | None = _CANDIDATE if _CANDIDATE.is_dir() else None
"""The shared corpus folder, or None when this machine does not have it."""

SKIP_REASON = f"shared corpus not found at {_CANDIDATE}"

requires_corpus = pytest.mark.skipif(CORPUS is None, reason=SKIP_REASON)
"""Mark a test (or a module via ``pytestmark``) that reads the shared corpus."""


def corpus_file(relative: str) -> Path:
    """A corpus file by its path inside the corpus; skips the calling test when it is absent.

    Skipping (rather than failing) also covers a corpus that is present but older than the test.
    """
    if CORPUS is None:
        pytest.skip(SKIP_REASON)
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"{path} not in this copy of the corpus")
    return path
