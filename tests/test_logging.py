"""Logging: where records go (viewer.log_setup, `hunkwise -v`), and how tests treat them.

The ``logfail`` fixture (tests/conftest.py, tests/logfail.py) fails a test on an unexpected
ERROR record or a WARNING from viewer.*; the tests here check the fixture's own rules too, since
a fixture that never fails would make every "no internal error" claim hollow.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.logfail import LogFail, fails_test
from viewer import log_setup
from viewer.cli import main as cli_main
from viewer.core import index_entry, mbox, message
from viewer.core.message import INTERNAL_ERROR, decode_message

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo.mbox"
MAIL = b"From: A <a@x>\nSubject: s\nMessage-ID: <m@x>\n\nbody\n"


def _record(name: str, level: int) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, "text", None, None)


def test_which_records_fail_a_test():
    assert fails_test(_record("viewer.core.message", logging.WARNING))
    assert fails_test(_record("mailparser", logging.ERROR))
    assert not fails_test(_record("mailparser", logging.WARNING))  # third party's warnings
    assert not fails_test(_record("viewer.core.message", logging.INFO))
    assert not fails_test(_record("viewerish", logging.WARNING))


def test_an_expectation_absorbs_only_what_it_names():
    handler = LogFail()
    handler.expect("ERROR", "viewer.core", match="bad")
    handler.handle(_record("viewer.core.message", logging.ERROR))  # "text" does not match
    assert len(handler.unexpected) == 1
    handler.expected[0].match = "te.t"
    handler.handle(_record("viewer.core.message", logging.ERROR))
    handler.handle(_record("viewer.ui.app", logging.ERROR))  # another logger
    assert len(handler.unexpected) == 2
    assert handler.expected[0].seen == 1


def test_an_expected_record_that_never_comes_fails():
    handler = LogFail()
    with pytest.raises(pytest.fail.Exception, match="got none"), \
            handler.expecting("ERROR", "viewer.core.message"):
        pass


def test_unexpected_error_fails_the_test(tmp_path):
    (tmp_path / "test_it.py").write_text(
        "import logging\n\n"
        "def test_logs():\n"
        "    logging.getLogger('viewer.core.x').error('boom')\n\n"
        "def test_expects(expect_log):\n"
        "    with expect_log('ERROR', 'viewer.core.x', match='boom'):\n"
        "        logging.getLogger('viewer.core.x').error('boom')\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.logfail", "-p", "no:cacheprovider",
         "-q", "-c", "/dev/null", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert "2 passed, 1 error" in result.stdout, result.stdout
    assert "unexpected log records" in result.stdout
    assert "ERROR viewer.core.x: boom" in result.stdout


def test_internal_error_while_decoding_is_logged_and_named(monkeypatch, expect_log):
    def bug(*_args):
        raise KeyError("a bug")

    monkeypatch.setattr(message, "_decode", bug)
    with expect_log("ERROR", "viewer.core.message", match="internal error"):
        msg = decode_message(MAIL, number=4)
    assert msg.broken is not None and msg.broken.startswith(INTERNAL_ERROR)
    assert "KeyError" in msg.broken
    assert msg.body == MAIL.decode()  # nothing the sender wrote is lost


def test_internal_error_in_the_body_keeps_the_headers(monkeypatch, expect_log):
    def bug(*_args):
        raise AttributeError("a bug")

    monkeypatch.setattr(message, "_body", bug)
    with expect_log("ERROR", "viewer.core.message", match="body"):
        msg = decode_message(MAIL)
    assert msg.msgid == "m@x" and msg.author.email == "a@x"
    assert msg.broken.startswith(INTERNAL_ERROR)
    assert msg.body == "body\n"


def test_bad_input_is_broken_but_not_an_internal_error(caplog):
    with caplog.at_level(logging.INFO, logger="viewer.core.message"):
        msg = decode_message(b"no headers at all, just text\n")
    assert msg.broken == "no mail headers"
    assert [r.levelname for r in caplog.records] == ["INFO"]
    assert "no mail headers" in caplog.records[0].getMessage()


def test_internal_error_reading_headers_lists_the_mail_as_broken(tmp_path, monkeypatch,
                                                                expect_log):
    path = tmp_path / "one.mbox"
    path.write_bytes(b"From x Mon Jan  1 00:00:00 2024\n" + MAIL)

    def bug(*_args):
        raise TypeError("a bug")

    monkeypatch.setattr(index_entry, "_entry", bug)
    with expect_log("ERROR", "viewer.core.index_entry", match="internal error"):
        entries = mbox.open_mailbox(path, use_cache=False).entries
    assert len(entries) == 1 and entries[0].broken.startswith(INTERNAL_ERROR)


def test_configure_sets_level_and_a_plain_format(capsys):
    log_setup.configure(1)
    logging.getLogger("viewer.test").info("hello %s", "there")
    logging.getLogger("viewer.test").debug("not shown")
    assert capsys.readouterr().err == "INFO viewer.test: hello there\n"
    log_setup.configure(0)
    log_setup.configure(0)  # twice: still one handler
    logging.getLogger("viewer.test").info("quiet now")
    assert capsys.readouterr().err == ""
    handlers = [h for h in logging.getLogger().handlers
                if type(h).__name__ == "_StderrHandler"]
    assert len(handlers) == 1


@pytest.mark.parametrize("flags", [["-v", "index"], ["index", "-v"], ["--debug", "index"]])
def test_verbose_flag_before_or_after_the_subcommand(flags, capsys):
    args = [*flags, str(DEMO), "--no-cache"]
    assert cli_main(args) == 0
    err = capsys.readouterr().err
    assert "INFO viewer.core.archive:" in err and "messages" in err


def test_verbose_flag_reaches_the_command_line_from_the_entry_point():
    result = subprocess.run([sys.executable, "-m", "viewer", "-v", "index", str(DEMO),
                             "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "INFO viewer.core.archive:" in result.stderr
    quiet = subprocess.run([sys.executable, "-m", "viewer", "index", str(DEMO), "--no-cache"],
                           capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert quiet.stderr == ""
