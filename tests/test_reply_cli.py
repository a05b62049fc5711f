"""`hunkwise reply` and `hunkwise send`, run as real subprocesses against a real SMTP server."""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.corpus_paths import REPO
from viewer.core.drafts import DraftStore

aiosmtpd = pytest.importorskip(
    "aiosmtpd", reason="aiosmtpd missing: pip install aiosmtpd (or make test)")
from aiosmtpd.controller import Controller  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "reply" / "thread.mbox"
PATCH = "patch1.jane@example.org"


@pytest.fixture
def env(tmp_path):
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Rita Reviewer\n\temail = rita@example.org\n")
    environment = {**os.environ, "GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1",
                   "HUNKWISE_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(REPO)}
    return environment


def hunkwise(env, *args, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "viewer", *map(str, args)], env=env,
                          cwd=REPO, input=stdin, capture_output=True, text=True, timeout=120)


class Inbox:
    def __init__(self) -> None:
        self.mails: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append(envelope.original_content)
        return "250 OK"


@pytest.fixture
def smtp(env, tmp_path):
    inbox = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    Path(env["GIT_CONFIG_GLOBAL"]).write_text(
        "[user]\n\tname = Rita Reviewer\n\temail = rita@example.org\n"
        f"[sendemail]\n\tsmtpServer = 127.0.0.1\n\tsmtpServerPort = {port}\n")
    yield inbox
    controller.stop()


def write_reply(env, tmp_path, comments) -> Path:
    spec = tmp_path / "comments.json"
    spec.write_text(json.dumps(comments))
    out = tmp_path / "reply.eml"
    done = hunkwise(env, "reply", FIXTURE, PATCH, "--comments", spec,
                    "--trailer", "Reviewed-by", "--out", out, "--no-cache")
    assert done.returncode == 0, done.stderr
    return out


def test_reply_writes_a_quoted_reply_from_json(env, tmp_path):
    out = write_reply(env, tmp_path, [
        {"file": "foo.c", "new_line": 3, "text": "Why -1?"},
        {"file": "foo.c", "old_line": 5, "text": "Where did this go?"},
        {"file": None, "text": "Looks fine otherwise."},
        {"commit_message_line": 2, "text": "Never is a long time."},
    ])
    mail = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert mail["From"] == "Rita Reviewer <rita@example.org>"
    assert mail["In-Reply-To"] == f"<{PATCH}>"
    body = mail.get_content()
    assert body.startswith("Looks fine otherwise.\n\nOn Mon, 12 Jan 2026 10:00:00 +0100, "
                           "Jane Doe wrote:\n")
    assert "> +static int cached = -1;\n\nWhy -1?\n" in body
    assert "> -\treturn compute();\n\nWhere did this go?\n" in body
    assert "changes.\n\nNever is a long time.\n" in body
    assert "\nReviewed-by: Rita Reviewer <rita@example.org>\n\nThanks,\nRita\n" in body


def test_reply_json_output_and_errors(env, tmp_path):
    spec = tmp_path / "c.json"
    spec.write_text(json.dumps([{"file": "foo.c", "new_line": 999, "text": "x"}]))
    done = hunkwise(env, "reply", FIXTURE, PATCH, "--comments", spec, "--out",
                    tmp_path / "r.eml", "--no-cache")
    assert done.returncode == 2
    assert done.stderr.strip() == ("hunkwise: comment 1: foo.c has no new line 999 in this "
                                   "patch's diff")
    assert not (tmp_path / "r.eml").exists()
    spec.write_text("[{]")
    done = hunkwise(env, "reply", FIXTURE, PATCH, "--comments", spec, "--out",
                    tmp_path / "r.eml", "--no-cache")
    assert done.returncode == 2 and "is not JSON" in done.stderr
    spec.write_text(json.dumps([{"file": None, "text": "General."}]))
    done = hunkwise(env, "reply", FIXTURE, PATCH, "--comments", spec, "--out",
                    tmp_path / "r.eml", "--no-cache", "--json")
    assert done.returncode == 0, done.stderr
    (reply,) = json.loads(done.stdout)["replies"]
    assert reply["in_reply_to"] == PATCH and reply["to"] == ["Jane Doe <jane@example.org>"]


def test_send_yes_delivers_and_records_the_reply(env, tmp_path, smtp):
    out = write_reply(env, tmp_path, [{"file": "foo.c", "new_line": 3, "text": "Why -1?"}])
    done = hunkwise(env, "send", out, "--yes", "--json")
    assert done.returncode == 0, done.stderr
    (sent,) = json.loads(done.stdout)["sent"]
    (arrived,) = smtp.mails
    assert arrived.replace(b"\r\n", b"\n") == out.read_bytes()
    assert sent["in_reply_to"] == PATCH
    with DraftStore(Path(env["HUNKWISE_DATA_DIR"]) / DraftStore.FILENAME) as store:
        (record,) = store.sent_replies(PATCH)
        assert record.msgid == sent["message_id"] and record.sent is not None


def test_send_asks_first_and_no_means_nothing_sent(env, tmp_path, smtp):
    out = write_reply(env, tmp_path, [{"file": None, "text": "Hm."}])
    done = hunkwise(env, "send", out, stdin="n\n")
    assert done.returncode == 1
    assert "To:       jane@example.org, linux-foo@vger.example.org, max@example.org" in done.stdout
    assert "127.0.0.1:" in done.stdout and "nothing sent" in done.stdout
    assert smtp.mails == []
    done = hunkwise(env, "send", out, stdin="y\n")
    assert done.returncode == 0, done.stderr
    assert len(smtp.mails) == 1


def test_send_failure_is_one_line_and_keeps_the_file(env, tmp_path):
    out = write_reply(env, tmp_path, [{"file": None, "text": "Hm."}])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    Path(env["GIT_CONFIG_GLOBAL"]).write_text(
        "[user]\n\temail = rita@example.org\n"
        f"[sendemail]\n\tsmtpServer = 127.0.0.1\n\tsmtpServerPort = {port}\n")
    before = out.read_bytes()
    done = hunkwise(env, "send", out, "--yes")
    assert done.returncode == 2
    (line,) = done.stderr.strip().split("\n")
    assert f"127.0.0.1:{port} refused the connection" in line
    assert f"send it again with: hunkwise send {out}" in line
    assert out.read_bytes() == before
    with DraftStore(Path(env["HUNKWISE_DATA_DIR"]) / DraftStore.FILENAME) as store:
        assert store.sent_replies(PATCH) == []
        assert [r.patch_msgid for r, _raw in store.unsent()] == [PATCH]


def test_reply_never_writes_over_the_mailbox_it_reads(env, tmp_path):
    mailbox = tmp_path / "thread.mbox"
    mailbox.write_bytes(FIXTURE.read_bytes())
    (tmp_path / "link.mbox").symlink_to(mailbox)
    spec = tmp_path / "c.json"
    spec.write_text(json.dumps([{"file": None, "text": "General."}]))
    for out in (mailbox, tmp_path / "link.mbox", tmp_path / "." / "thread.mbox"):
        done = hunkwise(env, "reply", mailbox, PATCH, "--comments", spec, "--out", out,
                        "--no-cache")
        assert done.returncode == 2
        assert "refusing to overwrite" in done.stderr and "being read" in done.stderr
        assert mailbox.read_bytes() == FIXTURE.read_bytes()


def test_a_file_of_several_replies_is_read_back_mail_by_mail(tmp_path):
    from viewer.core.archive import Archive
    from viewer.core.drafts import Draft
    from viewer.core.identity import Identity
    from viewer.core.reply import compose, mbox_entry
    from viewer.reply_cli import read_replies

    archive = Archive.open(FIXTURE, use_cache=False)
    me = Identity("Rita Reviewer", "rita@example.org")
    replies = compose(archive, [Draft(PATCH, "general", "From here on it is fine."),
                                Draft("cover.jane@example.org", "general", "Why now?")], me)
    both = tmp_path / "replies.mbox"
    both.write_bytes(b"".join(mbox_entry(r.as_bytes()) for r in replies))
    assert read_replies(both) == [r.as_bytes() for r in replies]


def test_sending_a_file_again_skips_what_already_went_out(env, tmp_path, smtp):
    out = write_reply(env, tmp_path, [{"file": None, "text": "Hm."}])
    assert hunkwise(env, "send", out, "--yes").returncode == 0
    assert len(smtp.mails) == 1
    again = hunkwise(env, "send", out, "--yes")
    assert again.returncode == 0, again.stderr
    assert "already sent <" in again.stdout and "not sent again" in again.stdout
    assert len(smtp.mails) == 1  # the list does not get it twice
