"""A reply the engine fails to analyse is reported, not silently absorbed: logged, recorded on
the review model, listed under ``errors`` in ``review --json``, and still shown whole."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from viewer import cli
from viewer.core import anchoring
from viewer.core.archive import Archive
from viewer.core.report import review_json

FIXTURE = Path(__file__).parent / "fixtures" / "ui" / "two-revisions.mbox"


@pytest.fixture
def broken_analysis(monkeypatch):
    """Anchoring of every reply raises, as a bug in it would."""

    def explode(run, reply, target, earlier):
        raise RuntimeError(f"boom in {reply.msgid}")

    monkeypatch.setattr(anchoring, "analyse_reply", explode)


@pytest.mark.expect_log("ERROR", "viewer.core.anchoring", match="could not analyse")
def test_a_failing_reply_is_an_error_in_json_and_in_the_log(broken_analysis, caplog):
    archive = Archive.open(FIXTURE, use_cache=False)
    with caplog.at_level(logging.ERROR, logger="viewer.core.anchoring"):
        data = review_json(archive, None)
    errors = data["errors"]
    assert errors, "the failures must be listed"
    replies = {e["reply_message_id"] for e in errors}
    assert "r1@example.com" in replies
    assert all(e["error"] == f"RuntimeError: boom in {e['reply_message_id']}" for e in errors)
    first = next(e for e in errors if e["reply_message_id"] == "r1@example.com")
    assert first["patch_message_id"] == "v1-1@example.org"
    # Logged once per reply, with the traceback.
    logged = [r for r in caplog.records if r.name == "viewer.core.anchoring"]
    assert {r.levelno for r in logged} == {logging.ERROR}
    assert len(logged) == len(errors) and all(r.exc_info for r in logged)
    # The reply is still listed, whole, as a general comment on the patch it answers.
    general = [a for p in data["patches"] for a in p["annotations"]
               if a["reply_message_id"] == "r1@example.com"]
    assert [a["anchor"]["kind"] for a in general] == ["unanchored"]
    assert general[0]["method"] == "fallback"
    assert "prescale can be zero" in general[0]["comment"]


@pytest.mark.expect_log("ERROR", "viewer.core.anchoring", match="could not analyse")
def test_the_command_line_lists_the_errors(broken_analysis, capsys, caplog):
    with caplog.at_level(logging.CRITICAL):
        assert cli.main(["review", "--json", "--no-cache", str(FIXTURE)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {e["reply_message_id"] for e in data["errors"]} >= {"r1@example.com"}


def test_a_sound_analysis_has_no_errors(caplog):
    archive = Archive.open(FIXTURE, use_cache=False)
    with caplog.at_level(logging.WARNING):
        data = review_json(archive, None)
    assert data["errors"] == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert data["annotation_count"] > 0
