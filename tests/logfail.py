"""Fail a test on a log record nobody expected (after qutebrowser's tests/helpers/logfail.py).

Any record of level ERROR or above, and any WARNING from our own ``viewer.*`` loggers, fails the
test that caused it: an internal error that the code logged and carried on from is still a bug
the test must see. A test that provokes one on purpose says so, and the record must then happen::

    def test_bad_mail_is_reported(expect_log):
        with expect_log("ERROR", "viewer.core.message", match="internal error"):
            decode_message(raw)

or, for a whole test, ``@pytest.mark.expect_log("WARNING", "viewer.ui.mainwindow")``. Either
way, an expected record that never comes fails the test too (it was expected for a reason).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest


def fails_test(record: logging.LogRecord) -> bool:
    """The records a test may not leave behind unless it expected them."""
    if record.levelno >= logging.ERROR:
        return True
    own = record.name == "viewer" or record.name.startswith("viewer.")
    return own and record.levelno >= logging.WARNING


@dataclass
class Expected:
    """One kind of record a test provokes on purpose."""

    level: int
    logger: str
    """The logger's name, or a parent of it ("viewer" covers "viewer.core.message")."""
    match: str | None = None
    """A regular expression searched for in the formatted message."""
    seen: int = 0

    def covers(self, record: logging.LogRecord) -> bool:
        if record.levelno != self.level:
            return False
        if record.name != self.logger and not record.name.startswith(self.logger + "."):
            return False
        return self.match is None or re.search(self.match, record.getMessage()) is not None


def _level(level: int | str) -> int:
    return level if isinstance(level, int) else logging.getLevelName(level.upper())


class LogFail(logging.Handler):
    """Collects the records of one test; expectations mark some of them as wanted."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.expected: list[Expected] = []
        self.unexpected: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        for expected in self.expected:
            if expected.covers(record):
                expected.seen += 1
                return
        if fails_test(record):
            self.unexpected.append(record)

    def expect(self, level: int | str, logger: str, match: str | None = None) -> Expected:
        expected = Expected(_level(level), logger, match)
        self.expected.append(expected)
        return expected

    @contextmanager
    def expecting(self, level: int | str, logger: str, match: str | None = None
                  ) -> Iterator[Expected]:
        expected = self.expect(level, logger, match)
        try:
            yield expected
        finally:
            self.expected.remove(expected)
        if not expected.seen:
            pytest.fail(f"expected a {logging.getLevelName(expected.level)} record from "
                        f"{logger}" + (f" matching {match!r}" if match else "") + ", got none")

    def report(self) -> str:
        formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
        return "\n".join(formatter.format(record) for record in self.unexpected)


# -- the plugin (tests/conftest.py loads it) ---------------------------------------------------

def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "expect_log(level, logger, match=None): this test logs such a record on purpose "
        "(and must); see this module's docstring",
    )


@pytest.fixture(autouse=True)
def logfail(request: pytest.FixtureRequest) -> Iterator[LogFail]:
    """Fail the test on an ERROR record, or a WARNING from viewer.*, that it did not expect."""
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    handler = LogFail()
    marks = [handler.expect(*mark.args, **mark.kwargs)
             for mark in request.node.iter_markers("expect_log")]
    # Records below WARNING never fail a test; root's level may have been lowered by a test
    # of `hunkwise -v`, so the handler filters by its own level.
    root.addHandler(handler)
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.handlers[:] = saved_handlers  # drop what `hunkwise -v` in a test installed
        root.setLevel(saved_level)
    if handler.unexpected:
        pytest.fail("unexpected log records (expect them with the expect_log fixture or "
                    "marker, see tests/logfail.py):\n" + handler.report(), pytrace=False)
    missing = [m for m in marks if not m.seen]
    if missing:
        pytest.fail("expected log records that never came: " + ", ".join(
            f"{logging.getLevelName(m.level)} {m.logger} {m.match or ''}" for m in missing),
            pytrace=False)


@pytest.fixture
def expect_log(logfail: LogFail):
    """``with expect_log("ERROR", "viewer.core.message", match="..."):`` (module docstring)."""
    return logfail.expecting
