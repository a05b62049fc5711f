"""A real public-inbox-httpd on 127.0.0.1, for the lore tests and bench/bench_lore.py.

Run with HOME and PI_CONFIG in a private folder; inboxes made with ``public-inbox-init -V2``
and filled through ``PublicInbox::InboxWritable->import_mbox`` (one process per mbox; calling
``public-inbox-mda`` per message is ~40x slower).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

INSTALL_LINE = "apt-get install public-inbox"

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
            env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, check=True, timeout=60,
        )
        last_error = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.pid is None and pid_file.is_file():
                text = pid_file.read_text().strip()
                self.pid = int(text) if text.isdigit() else None
                if self.pid is not None:
                    _watch(os.getpid(), self.pid)
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


_WATCHER = r"""
import os, signal, sys, time
owner, server = int(sys.argv[1]), int(sys.argv[2])
if os.fork():
    os._exit(0)  # the watcher lives on reparented: not a child of the test process either
os.setsid()
def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
while alive(owner) and alive(server):
    time.sleep(0.5)
if alive(server):
    os.kill(server, signal.SIGTERM)
"""


def _watch(owner: int, server: int) -> None:
    """Stop the daemon when the test process dies without its teardown (killed by a timeout):
    a detached watcher polls both and ends the server left behind."""
    subprocess.run([sys.executable, "-c", _WATCHER, str(owner), str(server)], check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def new_server(root: Path) -> PublicInboxServer:
    """A server (not started yet) keeping everything under ``root``."""
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(home), PI_CONFIG=str(home / "pi-config"))
    env.pop("PERL5OPT", None)
    # The port is fixed before the inboxes are made: their configured URLs name it.
    return PublicInboxServer(root, f"http://127.0.0.1:{free_port()}/", env)
