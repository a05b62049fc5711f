"""Everything under tests/corpus reads ../shared/corpus: skip the whole folder without it."""

from __future__ import annotations

import pytest

from tests.corpus_paths import CORPUS, SKIP_REASON


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Skip at run time rather than ignoring the files: `pytest -ra` then says why, and a
    # module that computes parameters from the corpus still imports cleanly (it sees no files).
    if CORPUS is not None:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "tests/corpus/" in item.nodeid.replace("\\", "/"):
            item.add_marker(skip)
