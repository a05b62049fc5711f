"""Sending through a real SMTP server on 127.0.0.1 (aiosmtpd) and through a sendmail program,
with git send-email's configuration read from real git config files."""

from __future__ import annotations

import email
import email.policy
import logging
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from viewer.core.archive import Archive
from viewer.core.drafts import Draft
from viewer.core.identity import Identity
from viewer.core.reply import compose
from viewer.core.send import SendConfig, SendError, envelope, read_config, send

aiosmtpd = pytest.importorskip(
    "aiosmtpd", reason="aiosmtpd missing: pip install aiosmtpd (or make test)")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "reply" / "thread.mbox"
PATCH = "patch1.jane@example.org"
ME = Identity("Rita Reviewer", "rita@example.org")


@pytest.fixture(scope="module")
def reply():
    archive = Archive.open(FIXTURE, use_cache=False)
    rows = [d for d in (Draft(PATCH, "line", "Why -1?", file="foo.c", side="new",
                              line_text="+static int cached = -1;", line_no=3),
                        Draft(PATCH, "trailer", f"Reviewed-by: {ME}"))]
    (composed,) = compose(archive, rows, ME)
    return composed


@pytest.fixture(autouse=True)
def git_home(tmp_path, monkeypatch):
    """An empty global git config of our own: no helper, no identity from the machine."""
    config = tmp_path / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_ASKPASS", "SSH_ASKPASS"):
        monkeypatch.delenv(name, raising=False)
    return config


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the server was handed: envelope and the bytes of each mail, as they arrived."""

    def __init__(self) -> None:
        self.mails: list[tuple[str, list[str], bytes]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos),
                           envelope.original_content))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login, auth_data.password))
            good = auth_data.password == b"s3cret"
            # handled=False: aiosmtpd answers 535 itself (True means we already did).
            return AuthResult(success=good, handled=False)
        return AuthResult(success=False, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A throwaway self-signed certificate for 127.0.0.1."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    if shutil.which("openssl") is None:
        pytest.skip("openssl missing: apt-get install openssl")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return cert, key


def _server_context(certificate):
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.fixture
def server():
    started = []

    def start(**kwargs) -> tuple[Inbox, int]:
        inbox = Inbox()
        port = _free_port()
        if kwargs.pop("auth", False):
            kwargs["authenticator"] = inbox.authenticate
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        started.append(controller)
        return inbox, port

    yield start
    for controller in started:
        controller.stop()


def test_plain_smtp_delivers_the_exact_reply(server, reply):
    inbox, port = server()
    result = send(reply.as_bytes(), SendConfig("127.0.0.1", port))
    ((sender, recipients, data),) = inbox.mails
    assert sender == "rita@example.org"
    assert recipients == ["jane@example.org", "linux-foo@vger.example.org", "max@example.org"]
    assert result.envelope.recipients == tuple(recipients)
    mail = email.message_from_bytes(data, policy=email.policy.default)
    assert mail["Message-ID"] == f"<{reply.msgid}>"
    assert mail["In-Reply-To"] == f"<{PATCH}>"
    assert mail["References"] == f"<cover.jane@example.org> <{PATCH}>"
    assert mail["Subject"] == "Re: [PATCH 1/1] foo: cache the answer"
    body = mail.get_content().replace("\r\n", "\n")
    assert "> +static int cached = -1;\n\nWhy -1?\n" in body
    assert "\nReviewed-by: Rita Reviewer <rita@example.org>\n" in body
    # Byte for byte what we composed, give or take SMTP's CRLF.
    assert data.replace(b"\r\n", b"\n") == reply.as_bytes()


def test_starttls_and_auth_with_a_git_credential_helper(server, reply, certificate, git_home):
    inbox, port = server(tls_context=_server_context(certificate), require_starttls=True,
                         auth=True)
    git_home.write_text('[credential]\n\thelper = "!f() { echo password=s3cret; }; f"\n'
                        f"[sendemail]\n\tsmtpServer = 127.0.0.1\n\tsmtpServerPort = {port}\n"
                        "\tsmtpEncryption = tls\n\tsmtpUser = rita\n"
                        f"\tsmtpSSLCertPath = {certificate[0]}\n")
    config = read_config()
    assert (config.encryption, config.user, config.port) == ("tls", "rita", port)
    send(reply.as_bytes(), config, prompt=lambda _what: pytest.fail("should not prompt"))
    assert inbox.logins == [(b"rita", b"s3cret")]
    assert len(inbox.mails) == 1
    assert f"<{reply.msgid}>".encode() in inbox.mails[0][2]


def test_ssl_from_the_start_with_a_prompted_password(server, reply, certificate):
    import ssl

    inbox, port = server(ssl_context=_server_context(certificate), auth=True,
                         auth_require_tls=False)
    asked = []

    def prompt(what: str) -> str:
        asked.append(what)
        return "s3cret"

    config = SendConfig("127.0.0.1", port, "ssl", "rita", cert_path=str(certificate[0]))
    send(reply.as_bytes(), config, prompt=prompt)
    assert asked == [f"Password for rita at 127.0.0.1:{port}"]
    assert inbox.logins == [(b"rita", b"s3cret")] and len(inbox.mails) == 1
    assert ssl  # imported for the server context only


def test_wrong_password_is_an_auth_error_and_nothing_is_sent(server, reply, certificate):
    inbox, port = server(tls_context=_server_context(certificate), auth=True)
    config = SendConfig("127.0.0.1", port, "tls", "rita", cert_path=str(certificate[0]))
    with pytest.raises(SendError) as caught:
        send(reply.as_bytes(), config, prompt=lambda _what: "wrong")
    assert caught.value.reason == "auth", str(caught.value)
    assert "did not accept the password for rita" in str(caught.value)
    assert inbox.mails == []


@pytest.fixture
def refused_handshakes_unlogged():
    """The test server logs the TLS handshake our client refuses ("SMTP session exception",
    from aiosmtpd's own thread, before or after send() returns): that refusal is what the test
    wants, not an error of ours. Set up before the server, so it outlives the server's stop."""

    def refused(record: logging.LogRecord) -> bool:
        return "SMTP session exception" not in record.getMessage()

    server_log = logging.getLogger("mail.log")
    server_log.addFilter(refused)
    yield
    server_log.removeFilter(refused)


def test_untrusted_certificate_is_a_tls_error(refused_handshakes_unlogged, server, reply,
                                              certificate):
    _inbox, port = server(tls_context=_server_context(certificate))
    with pytest.raises(SendError) as caught:
        send(reply.as_bytes(), SendConfig("127.0.0.1", port, "tls"))
    assert caught.value.reason == "tls"
    assert "TLS connection to 127.0.0.1" in str(caught.value)


def test_nobody_listening_is_refused(reply):
    port = _free_port()
    with pytest.raises(SendError) as caught:
        send(reply.as_bytes(), SendConfig("127.0.0.1", port))
    assert caught.value.reason == "refused"
    assert f"127.0.0.1:{port} refused the connection" in str(caught.value)


def test_a_silent_server_times_out(reply):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    try:
        with pytest.raises(SendError) as caught:
            send(reply.as_bytes(), SendConfig("127.0.0.1", listener.getsockname()[1]),
                 timeout=0.5)
        assert caught.value.reason == "timeout"
    finally:
        thread.join(2)
        for conn, _addr in accepted:
            conn.close()
        listener.close()


def test_sendmail_program_gets_recipients_and_the_mail(tmp_path, reply, git_home):
    out = tmp_path / "received"
    script = tmp_path / "fake-sendmail"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {out}.args\ncat > {out}\n')
    script.chmod(0o755)
    git_home.write_text(f"[sendemail]\n\tsmtpServer = {script}\n\tfrom = rita@example.org\n")
    config = read_config()
    assert config.is_program
    send(reply.as_bytes(), config)
    assert out.read_bytes() == reply.as_bytes()
    assert Path(f"{out}.args").read_text().split("\n")[:-1] == [
        "-i", "-f", "rita@example.org", "jane@example.org", "linux-foo@vger.example.org",
        "max@example.org"]


def test_failing_program_says_why(tmp_path, reply):
    script = tmp_path / "broken-sendmail"
    script.write_text("#!/bin/sh\necho 'msmtp: cannot connect to smtp.example.org' >&2\nexit 75\n")
    script.chmod(0o755)
    with pytest.raises(SendError) as caught:
        send(reply.as_bytes(), SendConfig(str(script)))
    assert caught.value.reason == "program"
    assert "exited with status 75: msmtp: cannot connect" in str(caught.value)


def test_repository_config_wins_and_defaults_follow_git(tmp_path, git_home):
    git_home.write_text("[sendemail]\n\tsmtpServer = smtp.example.org\n\tsmtpEncryption = ssl\n")
    config = read_config()
    assert (config.server, config.port, config.encryption) == ("smtp.example.org", 465, "ssl")
    repo = tmp_path / "linux"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "sendemail.smtpServerPort", "2525"],
                   check=True)
    assert read_config(repo).port == 2525
    subprocess.run(["git", "-C", str(repo), "config", "sendemail.smtpEncryption", "starttls"],
                   check=True)
    with pytest.raises(SendError, match="knows 'ssl' and 'tls'"):
        read_config(repo)


def test_envelope_lists_every_recipient_once(reply):
    env = envelope(reply.as_bytes(), SendConfig("localhost"))
    assert env.sender == "rita@example.org"
    assert env.msgid == reply.msgid and env.in_reply_to == PATCH
    assert len(env.recipients) == len(set(env.recipients)) == 3


def test_password_from_the_system_keyring(server, reply, certificate):
    keyring = pytest.importorskip("keyring", reason="keyring missing: pip install keyring")
    from keyring.backend import KeyringBackend

    inbox, port = server(tls_context=_server_context(certificate), auth=True)
    asked = []

    class Memory(KeyringBackend):
        """A keyring of our own: the test must not read or write the machine's."""

        priority = 1

        def get_password(self, service, username):
            asked.append((service, username))
            return "s3cret" if (service, username) == (f"smtp://127.0.0.1:{port}", "rita") \
                else None

        def set_password(self, service, username, password):
            raise AssertionError("Hunkwise must never store the password")

        def delete_password(self, service, username):
            raise AssertionError("not used")

    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        config = SendConfig("127.0.0.1", port, "tls", "rita", cert_path=str(certificate[0]))
        send(reply.as_bytes(), config, prompt=lambda _what: pytest.fail("should not prompt"))
    finally:
        keyring.set_keyring(previous)
    assert asked == [(f"smtp://127.0.0.1:{port}", "rita")]
    assert inbox.logins == [(b"rita", b"s3cret")] and len(inbox.mails) == 1
