"""Sending a reply the way ``git send-email`` would: its configuration, SMTP or a sendmail program.

Settings are git send-email's own, read with ``git config`` (viewer.core.gitconfig), so a kernel
developer's working set-up needs nothing new: ``sendemail.smtpServer`` (a host, or an absolute
path to a sendmail-like program such as msmtp), ``smtpServerPort``, ``smtpEncryption``
(``ssl``: TLS from the start; ``tls``: STARTTLS), ``smtpUser``, ``sendemail.from`` (the
envelope sender) and ``smtpSSLCertPath`` (the CA bundle; empty turns verification off, as in git).

The password is asked of git's credential helpers first (``git credential fill``, as git
send-email does, with terminal prompts off so nothing hangs), then of the system keyring (the
optional ``keyring`` package), then of the caller's prompt. Hunkwise never writes it anywhere:
after a successful login it is handed back to git (``git credential approve``) for whatever
helper the user set up, and a refused one is withdrawn (``reject``).

Everything that goes wrong on the way is one :class:`SendError` with a sentence for the user and
a ``reason`` for code; the reply itself stays where it was (a draft, a file) to be sent again.
"""

from __future__ import annotations

import email
import email.policy
import logging
import os
import shutil
import smtplib
import socket
import ssl
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.utils import getaddresses, parseaddr
from pathlib import Path
from typing import Literal

from viewer.core.errors import HunkwiseError
from viewer.core.gitconfig import git_config

log = logging.getLogger(__name__)

Reason = Literal["refused", "unknown-host", "tls", "auth", "timeout", "rejected", "network",
                 "program", "config"]
TIMEOUT = 30.0
"""Seconds to wait for the server at each step; a stuck server becomes a "timeout" error."""
_SENDMAILS = ("/usr/sbin/sendmail", "/usr/lib/sendmail")
_KEYS = ("sendemail.smtpserver", "sendemail.smtpserverport", "sendemail.smtpencryption",
         "sendemail.smtpuser", "sendemail.from", "sendemail.smtppass",
         "sendemail.smtpsslcertpath", "sendemail.smtpdomain")


class SendError(HunkwiseError):
    """The reply could not be sent; ``str()`` says why in words, ``reason`` in one token."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason


@dataclass(frozen=True, slots=True)
class SendConfig:
    server: str
    """Host name, or the absolute path of a sendmail-like program."""
    port: int = 25
    encryption: Literal["ssl", "tls"] | None = None
    user: str | None = None
    sender: str | None = None
    """``sendemail.from``: the envelope sender; the mail's From: when unset."""
    cert_path: str | None = None
    """CA file or folder to trust; "" to skip verification (git's meaning); None: the system's."""
    helo: str | None = None
    """``sendemail.smtpDomain``: the name given in EHLO."""
    password: str | None = field(default=None, repr=False)
    """``sendemail.smtpPass`` when the user keeps one in git config; never written by us."""

    @property
    def is_program(self) -> bool:
        return self.server.startswith("/")

    def describe(self) -> str:
        """"smtp.example.org:587 (STARTTLS, as rita)" or "/usr/bin/msmtp", for the prompt."""
        if self.is_program:
            return self.server
        how = {"ssl": "SSL/TLS", "tls": "STARTTLS", None: "no encryption"}[self.encryption]
        who = f", as {self.user}" if self.user else ""
        return f"{self.server}:{self.port} ({how}{who})"


def read_config(repo: str | os.PathLike[str] | None = None) -> SendConfig:
    """git send-email's settings as git resolves them (a repository's config when given)."""
    values = git_config(_KEYS, repo)
    encryption = values.get("sendemail.smtpencryption", "").strip().lower() or None
    if encryption not in (None, "ssl", "tls"):
        raise SendError("config", f"sendemail.smtpEncryption is {encryption!r}; git knows "
                                  "'ssl' and 'tls'")
    server = values.get("sendemail.smtpserver", "").strip()
    if not server:
        # git send-email's own default: the local sendmail when there is one, else localhost.
        server = next((p for p in _SENDMAILS if Path(p).exists()), "localhost")
    port_text = values.get("sendemail.smtpserverport", "").strip()
    if port_text:
        try:
            port = int(port_text)
        except ValueError:
            port = socket.getservbyname(port_text, "tcp") if port_text.isalpha() else -1
        if not 0 < port < 65536:
            raise SendError("config", f"sendemail.smtpServerPort {port_text!r} is not a port")
    else:
        port = 465 if encryption == "ssl" else 25
    return SendConfig(
        server=server,
        port=port,
        encryption=encryption,  # type: ignore[arg-type]
        user=values.get("sendemail.smtpuser") or None,
        sender=values.get("sendemail.from") or None,
        cert_path=values.get("sendemail.smtpsslcertpath"),
        helo=values.get("sendemail.smtpdomain") or None,
        password=values.get("sendemail.smtppass") or None,
    )


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who a mail goes from and to, as the server is told (and the user is shown first)."""

    sender: str
    recipients: tuple[str, ...]
    subject: str
    msgid: str
    in_reply_to: str | None


def envelope(raw: bytes, config: SendConfig) -> Envelope:
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    from_header = str(mail.get("From", ""))
    sender = parseaddr(config.sender or from_header)[1]
    if not sender:
        raise SendError("config", "the reply has no From: address (and sendemail.from is unset)")
    people = getaddresses([str(v) for key in ("To", "Cc", "Bcc") for v in mail.get_all(key, [])])
    recipients = tuple(dict.fromkeys(address for _, address in people if "@" in address))
    if not recipients:
        raise SendError("config", "the reply has no recipients (no To: or Cc:)")
    return Envelope(
        sender=sender,
        recipients=recipients,
        subject=str(mail.get("Subject", "")),
        msgid=str(mail.get("Message-ID", "")).strip().strip("<>"),
        in_reply_to=(str(mail.get("In-Reply-To", "")).strip().strip("<>") or None),
    )


PromptFn = Callable[[str], "str | None"]
"""Asks the user for a password (the argument says for what); None when they cancel."""


@dataclass(frozen=True, slots=True)
class SendResult:
    envelope: Envelope
    refused: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    """Recipients the server refused while accepting the mail for the others."""


def send(
    raw: bytes,
    config: SendConfig,
    *,
    prompt: PromptFn | None = None,
    timeout: float = TIMEOUT,
) -> SendResult:
    """Hand the mail to the server or program; returns only when it was accepted."""
    env = envelope(raw, config)
    # SMTP wants CRLF; our mails are written with LF (git send-email does the same dance).
    wire = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if config.is_program:
        _send_program(raw, env, config, timeout)
        return SendResult(env)
    return SendResult(env, _send_smtp(wire, env, config, prompt, timeout))


def _send_program(raw: bytes, env: Envelope, config: SendConfig, timeout: float) -> None:
    program = config.server
    if not (Path(program).is_file() and os.access(program, os.X_OK)):
        raise SendError("program", f"could not send: {program} (sendemail.smtpServer) is not an "
                                   "executable program")
    command = [program, "-i", *(("-f", config.sender) if config.sender else ()), *env.recipients]
    try:
        done = subprocess.run(command, input=raw, capture_output=True, timeout=timeout * 4,
                              check=False)
    except subprocess.TimeoutExpired:
        raise SendError("timeout", f"could not send: {program} did not finish in "
                                   f"{timeout * 4:.0f} s") from None
    except OSError as error:
        raise SendError("program", f"could not send: {program}: {error}") from error
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = f": {said[-1]}" if said else ""
        raise SendError("program", f"could not send: {program} exited with status "
                                   f"{done.returncode}{detail}")
    log.info("sent %s through %s", env.msgid, program)


def _tls_context(config: SendConfig) -> ssl.SSLContext:
    if config.cert_path == "":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if config.cert_path:
        path = Path(config.cert_path).expanduser()
        if path.is_dir():
            return ssl.create_default_context(capath=str(path))
        return ssl.create_default_context(cafile=str(path))
    return ssl.create_default_context()


def _send_smtp(
    wire: bytes, env: Envelope, config: SendConfig, prompt: PromptFn | None, timeout: float
) -> dict[str, tuple[int, bytes]]:
    where = f"{config.server}:{config.port}"
    credential: _Credential | None = None
    try:
        if config.encryption == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.server, config.port, config.helo,
                                                 timeout=timeout, context=_tls_context(config))
        else:
            smtp = smtplib.SMTP(config.server, config.port, config.helo, timeout=timeout)
        with smtp:
            smtp.ehlo()
            if config.encryption == "tls":
                smtp.starttls(context=_tls_context(config))
                smtp.ehlo()
            if config.user:
                credential = _password(config, prompt)
                _login(smtp, config.user, credential.password)
                credential.approve()
            options = ["BODY=8BITMIME"] if smtp.has_extn("8bitmime") else []
            refused = smtp.sendmail(env.sender, list(env.recipients), wire, options)
    except smtplib.SMTPAuthenticationError as error:
        if credential is not None:
            credential.reject()
        raise SendError("auth", f"could not send: {where} did not accept the password for "
                                f"{config.user} ({_said(error)})") from error
    except smtplib.SMTPNotSupportedError as error:
        raise SendError("tls", f"could not send: {where} does not offer STARTTLS "
                               "(sendemail.smtpEncryption is tls)") from error
    except (ssl.SSLError, ssl.CertificateError) as error:
        raise SendError("tls", f"could not send: the TLS connection to {where} failed "
                               f"({error.__class__.__name__}: {error})") from error
    except ConnectionRefusedError as error:
        raise SendError("refused", f"could not send: {where} refused the connection (is "
                                   "sendemail.smtpServer right and the server up?)") from error
    except socket.gaierror as error:
        raise SendError("unknown-host", f"could not send: no such host {config.server} "
                                        f"({error.strerror})") from error
    except TimeoutError as error:
        raise SendError("timeout", f"could not send: {where} did not answer within "
                                   f"{timeout:.0f} s") from error
    except smtplib.SMTPServerDisconnected as error:
        # smtplib turns a read that timed out into "Connection unexpectedly closed".
        if isinstance(error.__context__, TimeoutError):
            raise SendError("timeout", f"could not send: {where} did not answer within "
                                       f"{timeout:.0f} s") from error
        raise SendError("network", f"could not send: {where} closed the connection "
                                   f"({error})") from error
    except smtplib.SMTPRecipientsRefused as error:
        raise SendError("rejected", f"could not send: {where} refused every recipient "
                                    f"({_said_all(error.recipients)})") from error
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
        raise SendError("rejected", f"could not send: {where} rejected the mail "
                                    f"({_said(error)})") from error
    except (smtplib.SMTPException, OSError) as error:
        raise SendError("network", f"could not send through {where}: "
                                   f"{error.__class__.__name__}: {error}") from error
    if refused:
        log.warning("%s refused %s", where, ", ".join(refused))
    log.info("sent %s through %s", env.msgid, where)
    return refused


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """Log in with one mechanism, the best the server offers. ``SMTP.login`` tries each in
    turn after a refusal, and some servers answer a second attempt by waiting forever."""
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    for mechanism, method in (("PLAIN", smtp.auth_plain), ("LOGIN", smtp.auth_login)):
        if mechanism in offered:
            smtp.user, smtp.password = user, password
            smtp.auth(mechanism, method, initial_response_ok=mechanism == "PLAIN")
            return
    smtp.login(user, password)  # CRAM-MD5 only, or a server that advertises nothing


def _said(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error.decode("utf-8", "replace") if isinstance(
        error.smtp_error, bytes) else str(error.smtp_error)
    return f"{error.smtp_code} {text}".strip()


def _said_all(recipients: dict) -> str:
    return "; ".join(f"{who}: {code}" for who, (code, _msg) in recipients.items())


# -- passwords ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Credential:
    """A password and where it came from, so a good one can be given back to git."""

    config: SendConfig
    password: str = field(repr=False)
    from_git: bool = False

    def _git(self, action: str) -> None:
        if self.config.user is None or shutil.which("git") is None:
            return
        _credential(action, self.config, self.password)

    def approve(self) -> None:
        self._git("approve")

    def reject(self) -> None:
        if self.from_git:
            self._git("reject")


def _credential_input(config: SendConfig, password: str | None = None) -> bytes:
    lines = ["protocol=smtp", f"host={config.server}:{config.port}", f"username={config.user}"]
    if password is not None:
        lines.append(f"password={password}")
    return ("\n".join(lines) + "\n\n").encode()


def _credential(action: str, config: SendConfig, password: str | None = None) -> str | None:
    """Run ``git credential ACTION``; for "fill", the password git's helpers know, or None."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(["git", "credential", action],
                              input=_credential_input(config, password), capture_output=True,
                              env=env, timeout=60, check=False,
                              cwd=Path.home() if Path.home().is_dir() else None)
    except (OSError, subprocess.TimeoutExpired) as error:
        log.info("git credential %s: %s", action, error)
        return None
    if action != "fill" or done.returncode != 0:
        return None
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition("=")
        if key == "password" and value:
            return value
    return None


def _keyring_password(config: SendConfig) -> str | None:
    try:
        import keyring
        import keyring.errors
    except ImportError:
        return None  # optional: pip install keyring
    try:
        return keyring.get_password(f"smtp://{config.server}:{config.port}", config.user or "")
    except keyring.errors.KeyringError as error:
        log.info("keyring: %s", error)
        return None


def with_password(config: SendConfig, prompt: PromptFn | None) -> SendConfig:
    """The config with its password found now (helpers, keyring, then ``prompt``), for a GUI
    that must ask on its own thread before sending on a worker. Unchanged without a user."""
    if not config.user or config.password:
        return config
    found = _password(config, prompt)
    return replace(config, password=found.password)


def _password(config: SendConfig, prompt: PromptFn | None) -> _Credential:
    if config.password:
        return _Credential(config, config.password)
    found = _credential("fill", config)
    if found:
        return _Credential(config, found, from_git=True)
    found = _keyring_password(config)
    if found:
        return _Credential(config, found)
    asked = prompt(f"Password for {config.user} at {config.server}:{config.port}") if prompt \
        else None
    if not asked:
        raise SendError("auth", f"could not send: no password for {config.user} at "
                                f"{config.server} (none from git credential helpers or the "
                                "keyring, and none typed)")
    return _Credential(config, asked)
