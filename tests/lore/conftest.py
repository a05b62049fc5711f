"""A real public-inbox server on 127.0.0.1 for the lore tests (and the GUI's lore tests).

``public-inbox-httpd`` from the Debian package ``public-inbox`` (``make test`` installs it when
it runs as root with apt-get; without it every test using the server skips with the install
line). Once per session (tests/lore/public_inbox.py): HOME and PI_CONFIG in a temp folder,
``public-inbox-init -V2`` per inbox, an mbox imported with
``PublicInbox::InboxWritable->import_mbox``, the server started on a free port and polled
until it answers (~0.2 s), stopped at the end.

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
import shutil
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from tests.corpus_paths import CORPUS, REPO
from tests.lore.public_inbox import (
    INSTALL_LINE,
    PublicInboxServer,
    have_public_inbox,
    new_server,
    split_mbox,
)

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
__all__ = ["PublicInboxServer", "split_mbox"]


@pytest.fixture(scope="session")
def public_inbox(tmp_path_factory) -> PublicInboxServer:
    if not have_public_inbox():
        pytest.skip(f"public-inbox-httpd is not installed: {INSTALL_LINE}")
    server = new_server(tmp_path_factory.mktemp("public-inbox"))
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
    user_agents: ClassVar[list[str]] = []
    trickle_started: threading.Event

    def log_message(self, *args) -> None:  # keep the test output clean
        pass

    def do_GET(self) -> None:
        self.user_agents.append(self.headers.get("User-Agent", ""))
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
    user_agents: list[str]
    """The User-Agent of every request, in order."""


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
                    f"http://127.0.0.1:{silent.getsockname()[1]}/list/", _BadHandler.user_agents)
    server.shutdown()
    server.server_close()
    silent.close()


@dataclass
class TlsServer:
    url: str
    """``https://127.0.0.1:PORT/bad/``, serving the same routes as :func:`bad_server`."""
    cert: Path
    """Its self-signed certificate (trusted by no system store)."""


@pytest.fixture(scope="session")
def tls_server(bad_server, tmp_path_factory):
    """HTTPS with a self-signed certificate: verification must refuse it."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: apt-get install openssl")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BadHandler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield TlsServer(f"https://127.0.0.1:{server.server_address[1]}/bad/", cert)
    server.shutdown()
    server.server_close()
