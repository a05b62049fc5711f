"""A real public-inbox server on 127.0.0.1 for the lore tests (and the GUI's lore tests).

``public-inbox-httpd`` from the Debian package ``public-inbox`` (``make test`` installs it when
it runs as root with apt-get; without it every test using the server skips with the install
line). Once per session: HOME and PI_CONFIG in a temp folder, ``public-inbox-init -V2`` per
inbox, an mbox imported with ``PublicInbox::InboxWritable->import_mbox`` (one process per
inbox; ``public-inbox-mda`` per message is ~40x slower), the server started on a free port
and polled until it answers (~0.2 s), stopped at the end.

Inboxes:

- ``demo``: the project's own demo mailbox (resources/demo.mbox), so lore tests run on a
  clean clone without the shared corpus;
- ``grow``: the first messages of the demo v1 thread; a refresh test imports the rest while the
  server runs (only that test may touch it);
- ``other``: the first demo messages again, so their Message-IDs live in three inboxes;
- ``lonely``: the seed fixture only; asked for a demo id it answers 300 ("found in other
  inboxes") and for one only ``demo`` holds it points there;
- ``corpus``: real kernel threads from the shared corpus, when it is there.
"""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import httpx
import pytest

from tests.corpus_paths import CORPUS, REPO

INSTALL_LINE = "apt-get install public-inbox"
DEMO = REPO / "resources" / "demo.mbox"
GROW_FIRST = 6
"""Messages of the demo mailbox in ``grow`` before the refresh test adds the rest."""
CORPUS_THREADS = (
    # The Intel LGM PWM family (v2..v9): revisions, replies, trailers; and one long thread.
    "linux-pwm-archive__20200618_v2_pwm-intel-add-pwm-driver-for-a-new-soc.mbox",
    "linux-pwm-archive__20200629_v3_pwm-intel-add-pwm-driver-for-a-new-soc.mbox",
    "linux-pwm-archive__20200630_v4_pwm-intel-add-pwm-driver-for-a-new-soc.mbox",
    "linux-pwm-archive__20200723_v5_pwm-intel-add-pwm-driver-for-a-new-soc.mbox",
    "linux-watchdog-archive__20210429_v4_arm64-dts-rockchip-add-basic-dtsi-dts-files-for-rk3568-soc.mbox",
)

_IMPORT = r"""
use strict;
use PublicInbox::Config;
use PublicInbox::InboxWritable;
my ($name, $file) = @ARGV;
my $ibx = PublicInbox::Config->new->lookup_name($name) or die "no inbox $name\n";
$ibx = PublicInbox::InboxWritable->new($ibx);
open(my $fh, '<', $file) or die "$file: $!\n";
$ibx->import_mbox($fh, 'mboxrd');
"""


def have_public_inbox() -> bool:
    return all(shutil.which(tool) for tool in ("public-inbox-httpd", "public-inbox-init", "perl"))


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox, each with its From_ line (for importing part of a file)."""
    starts = [0] if data.startswith(b"From ") else []
    pos = 0
    while (pos := data.find(b"\nFrom ", pos)) >= 0:
        pos += 1
        starts.append(pos)
    return [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)], strict=True)]


@dataclass
class PublicInboxServer:
    """A running public-inbox-httpd and the inboxes it serves."""

    root: Path
    url: str
    """``http://127.0.0.1:PORT/``"""
    env: dict[str, str]
    pid: int | None = None
    inboxes: dict[str, Path] = field(default_factory=dict)

    def inbox(self, name: str) -> str:
        """The inbox URL, as a user would paste it: ``http://127.0.0.1:PORT/NAME/``."""
        return f"{self.url}{name}/"

    def create(self, name: str) -> None:
        folder = self.root / "inboxes" / name
        subprocess.run(
            ["public-inbox-init", "-V2", name, str(folder), self.inbox(name),
             f"{name}@hunkwise.test"],
            env=self.env, check=True, capture_output=True, timeout=120,
        )
        self.inboxes[name] = folder

    def import_mbox(self, name: str, data: bytes) -> None:
        mbox = self.root / f"import-{name}-{time.monotonic_ns()}.mbox"
        mbox.write_bytes(data)
        subprocess.run(["perl", "-e", _IMPORT, name, str(mbox)], env=self.env, check=True,
                       capture_output=True, timeout=600)
        mbox.unlink()

    def start(self) -> None:
        """Start on the port of :attr:`url` (inbox URLs in the config name it: the 300 pages
        link other inboxes by their configured URL).

        Daemonized (``-D``), so the server is not a child of the test process: tests that
        check their own children were reaped (``os.waitpid(-1)``) must not see it.
        """
        port = urlsplit(self.url).port
        log = self.root / "httpd.log"
        pid_file = self.root / "httpd.pid"
        subprocess.run(
            ["public-inbox-httpd", "-D", "-P", str(pid_file), "-1", str(log), "-2", str(log),
             "-l", f"http://127.0.0.1:{port}"],
            env=self.env, stdin=subprocess.DEVNULL, check=True, timeout=60,
        )
        last_error = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.pid is None and pid_file.is_file():
                text = pid_file.read_text().strip()
                self.pid = int(text) if text.isdigit() else None
            try:
                # Any answer will do: "/" is a 404 unless publicinbox.wwwListing is set.
                httpx.get(self.url, timeout=1)
                if self.pid is not None:
                    return
            except httpx.HTTPError as error:
                last_error = error
            time.sleep(0.05)
        self.stop()
        log_text = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"public-inbox-httpd did not start ({last_error}):\n{log_text}")

    def stop(self) -> None:
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.05)


@pytest.fixture(scope="session")
def public_inbox(tmp_path_factory) -> PublicInboxServer:
    if not have_public_inbox():
        pytest.skip(f"public-inbox-httpd is not installed: {INSTALL_LINE}")
    root = tmp_path_factory.mktemp("public-inbox")
    home = root / "home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), PI_CONFIG=str(home / "pi-config"))
    env.pop("PERL5OPT", None)
    with socket.socket() as probe:  # a free port, known before the inboxes are made
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = PublicInboxServer(root, f"http://127.0.0.1:{port}/", env)
    demo = DEMO.read_bytes()
    messages = split_mbox(demo)
    server.create("demo")
    server.import_mbox("demo", demo)
    server.create("grow")
    server.import_mbox("grow", b"".join(messages[:GROW_FIRST]))
    server.create("other")
    server.import_mbox("other", b"".join(messages[:3]))
    server.create("lonely")
    server.import_mbox("lonely", (REPO / "tests" / "fixtures" / "seed.mbox").read_bytes())
    if CORPUS is not None:
        present = [CORPUS / "threads" / n for n in CORPUS_THREADS]
        if all(p.is_file() for p in present):
            server.create("corpus")
            server.import_mbox("corpus", b"".join(p.read_bytes() for p in present))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def library_dir(tmp_path, monkeypatch) -> Path:
    """A fresh library for one test (the data folder of the engine points into tmp_path)."""
    data = tmp_path / "data"
    monkeypatch.setenv("HUNKWISE_DATA_DIR", str(data))
    return data / "lore"


# -- a deliberately bad server, for what public-inbox never sends --------------------------------


class _BadHandler(BaseHTTPRequestHandler):
    """Each path answers one way a download can go wrong (and /good/ one way it goes right)."""

    routes: ClassVar[dict[str, tuple[str, bytes]]] = {}
    trickle_started: threading.Event

    def log_message(self, *args) -> None:  # keep the test output clean
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path.endswith("/slow@test/t.mbox.gz"):
            return self._trickle()
        for suffix, (ctype, body) in self.routes.items():
            if path.endswith(suffix):
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        self.send_error(404)

    def _trickle(self) -> None:
        """A real thread, sent a few bytes at a time: long enough to be killed mid-download."""
        body = gzip.compress(DEMO.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for i in range(0, len(body), 256):
                self.wfile.write(body[i : i + 256])
                self.wfile.flush()
                self.trickle_started.set()
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass


@dataclass
class BadServer:
    url: str
    """``http://127.0.0.1:PORT/bad/``: an inbox URL whose threads all go wrong."""
    trickle_started: threading.Event
    silent_url: str
    """A listening socket that accepts connections and never answers."""


@pytest.fixture(scope="session")
def bad_server():
    demo = DEMO.read_bytes()
    _BadHandler.routes = {
        "/html@test/t.mbox.gz": ("text/html", b"<!DOCTYPE html><html><body>Anubis</body></html>"),
        "/plain@test/t.mbox.gz": ("application/gzip", b"this is not gzip at all\n"),
        "/junk@test/t.mbox.gz": ("application/gzip", gzip.compress(b"\x00\x01 hello, no mail")),
        "/cut@test/t.mbox.gz": ("application/gzip", gzip.compress(demo)[:-400]),
        "/empty@test/t.mbox.gz": ("application/gzip", b""),
        "/good@test/t.mbox.gz": ("application/gzip", gzip.compress(demo)),
    }
    _BadHandler.trickle_started = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BadHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nobody ever reads or answers
    port = server.server_address[1]
    yield BadServer(f"http://127.0.0.1:{port}/bad/", _BadHandler.trickle_started,
                    f"http://127.0.0.1:{silent.getsockname()[1]}/list/")
    server.shutdown()
    server.server_close()
    silent.close()
