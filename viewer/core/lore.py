"""public-inbox sources: thread URLs and Message-IDs, fetching a thread, searching an inbox.

lore.kernel.org runs public-inbox, and so do many other list archives; everything here speaks
its HTTP interface (``PublicInbox::WWW``) and nothing lore-specific:

- ``INBOX/MSGID/t.mbox.gz`` is the whole thread of a message as a gzipped mboxrd;
- ``INBOX/?q=QUERY&x=m`` answers a *POST* with the matching mail as a gzipped mboxrd (a GET
  of the same URL quietly returns the HTML result page), and with ``t=1`` whole threads;
- an unknown id answers 404 for ``t.mbox.gz``; its HTML page answers 300 Multiple Choices
  when the server knows close ids or the id lives in another inbox, and lists them.

Errors are typed (:mod:`viewer.core.errors`) and worded as the one line the command line and
the message bar show. The network client is httpx: TLS verified, timeouts on every phase, a
user agent naming the program, progress and cancellation checked between chunks.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import ssl
import tomllib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlencode, urljoin, urlsplit

import platformdirs

if TYPE_CHECKING:
    # httpx is imported where the network is used: importing it costs every other
    # command (a cached `hunkwise index` is ~0.1 s in all) about 40 ms.
    import httpx

from viewer import __version__
from viewer.core.errors import (
    LoadCancelled,
    LoreAmbiguous,
    LoreBadBody,
    LoreError,
    LoreNotFound,
    LoreTimeout,
    LoreUnreachable,
)

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
"""(bytes received, bytes expected or 0 when the server streams without a length)."""
CancelledFn = Callable[[], bool]

DEFAULT_SERVER = "https://lore.kernel.org/all/"
"""Where a bare Message-ID is looked up: lore's index of every list it archives."""
SERVER_ENV = "HUNKWISE_LORE_SERVER"
CONFIG_NAME = "lore.toml"
"""``server = "https://..."`` in the user config folder sets the default server."""
USER_AGENT = f"hunkwise/{__version__}"
"""Names the program to server admins (lore asks tools to identify themselves)."""
TIMEOUT = 30.0
"""Seconds any one phase (connect, each read) may take; lore streams big threads slowly.
``$HUNKWISE_LORE_TIMEOUT`` overrides it (slow links, and tests of the timeout itself)."""
TIMEOUT_ENV = "HUNKWISE_LORE_TIMEOUT"

# Path endings a thread URL may carry; the Message-ID is the segment before them.
_ENDINGS = frozenset({"T", "t", "raw", "t.mbox.gz", "t.mbox", "t.atom", "f", "d", "s"})
_GZIP_MAGIC = b"\x1f\x8b"
_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:", re.M)
_HREF = re.compile(r'href="([^"]+)"')


@dataclass(frozen=True, slots=True)
class ThreadRef:
    """One thread on a public-inbox server, named by any Message-ID in it."""

    inbox: str
    """The inbox URL, ending in ``/``: ``https://lore.kernel.org/linux-pwm/``."""
    msgid: str
    """Without angle brackets."""

    @property
    def page_url(self) -> str:
        # '/' inside an id must be escaped (public-inbox's own rule); '@' reads better as is.
        return f"{self.inbox}{quote(self.msgid, safe='@!$&()*+,;=:~')}/"

    @property
    def thread_url(self) -> str:
        return self.page_url + "t.mbox.gz"

    def describe(self) -> str:
        return f"<{self.msgid}> on {self.inbox}"


@dataclass(frozen=True, slots=True)
class SearchRef:
    """A public-inbox search: the query in its own syntax (``s:``, ``f:``, ``dfn:``, ``d:``)."""

    inbox: str
    query: str
    threads: bool = False
    """Whole threads of every match (``t=1``), not only the matching mails."""

    @property
    def url(self) -> str:
        params = {"q": self.query, "x": "m"}
        if self.threads:
            params["t"] = "1"
        return f"{self.inbox}?{urlencode(params)}"

    def describe(self) -> str:
        whole = " (whole threads)" if self.threads else ""
        return f"search {self.query!r}{whole} on {self.inbox}"


Source = ThreadRef | SearchRef


# -- servers and sources ----------------------------------------------------------------------


def normalise_server(url: str) -> str:
    """An inbox URL with a scheme and a trailing slash; raises LoreError for anything else."""
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LoreError(f"{url!r} is not a public-inbox server URL (https://host/LIST/)")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def config_file() -> Path:
    override = os.environ.get("HUNKWISE_CONFIG_DIR")
    folder = Path(override) if override else Path(platformdirs.user_config_dir("hunkwise"))
    return folder / CONFIG_NAME


def default_server() -> str:
    """``$HUNKWISE_LORE_SERVER``, else ``server`` in lore.toml, else lore's ``/all/``."""
    chosen = os.environ.get(SERVER_ENV)
    if not chosen:
        path = config_file()
        try:
            chosen = tomllib.loads(path.read_text(encoding="utf-8")).get("server")
        except FileNotFoundError:
            chosen = None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise LoreError(f"{path}: cannot read the lore settings ({error})") from None
        if chosen is not None and not isinstance(chosen, str):
            raise LoreError(f"{path}: server must be a URL in quotes")
    return normalise_server(chosen or DEFAULT_SERVER)


def parse_source(text: str, *, server: str | None = None) -> ThreadRef | None:
    """The thread a command-line argument or pasted text names, or None for a local path.

    Accepted: a thread URL (``https://host/LIST/MSGID/`` with ``/T/``, ``/t/``, ``/raw``,
    ``/t.mbox.gz`` or ``#anchor``, percent-encoded ids), ``<id>``, ``id:ID``, and a bare id
    with an ``@`` that is not an existing file. A bare id goes to ``server`` (or
    :func:`default_server`). An existing file always wins: ``foo@bar.mbox`` stays a file.
    """
    text = text.strip()
    if not text:
        return None
    if re.match(r"(?i)https?://", text):
        parts = urlsplit(text)
        segments = [s for s in parts.path.split("/") if s]
        if (parts.hostname or "").endswith("msgid.link") and len(segments) == 1:
            # Link: trailers (https://patch.msgid.link/ID) name no inbox: ask the default one.
            msgid = unquote(segments[0])
            return ThreadRef(normalise_server(server) if server else default_server(), msgid)
        return parse_thread_url(text)
    if text.startswith("<") and text.endswith(">") and len(text) > 2:
        msgid = text[1:-1].strip()
    elif text.lower().startswith("id:"):
        msgid = text[3:].strip().removeprefix("<").removesuffix(">")
    elif "@" in text and "/" not in text and not any(c.isspace() for c in text):
        if Path(text).expanduser().exists():
            return None
        msgid = text
    else:
        return None
    if not msgid or any(c.isspace() for c in msgid):
        raise LoreError(f"{text!r} is not a Message-ID")
    return ThreadRef(normalise_server(server) if server else default_server(), msgid)


def parse_thread_url(url: str) -> ThreadRef:
    """``https://lore.kernel.org/linux-pwm/<id>/T/#u`` → the inbox URL and the id."""
    parts = urlsplit(url.strip())
    # Split the raw path: an id's own '/' arrives escaped as %2F and must not split it.
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[-1] in _ENDINGS and len(segments) >= 3:
        segments.pop()
    if len(segments) < 2 or not parts.hostname:
        raise LoreError(
            f"{url} is not a thread URL (expected https://host/LIST/MESSAGE-ID/)"
        )
    msgid = unquote(segments[-1]).removeprefix("<").removesuffix(">")
    inbox = f"{parts.scheme.lower()}://{parts.netloc}/{'/'.join(segments[:-1])}/"
    return ThreadRef(inbox, msgid)


def parse_input(text: str, *, server: str | None = None, whole_threads: bool = False) -> Source:
    """What the "Open from lore" box means: a thread (URL or Message-ID), else a search.

    Anything that is not a thread is public-inbox query syntax; ``server`` is where bare ids
    and searches go. Raises LoreError for an empty box or a URL that names no thread.
    """
    text = text.strip()
    if not text:
        raise LoreError("type a lore link, a Message-ID or a search query")
    inbox = normalise_server(server) if server else default_server()
    ref = parse_source(text, server=inbox)
    if ref is not None:
        return ref
    return SearchRef(inbox, text, threads=whole_threads)


def looks_like_source(text: str) -> bool:
    """Pasted text the GUI should open from lore (a URL or an id), judged without network."""
    try:
        return parse_source(text, server=DEFAULT_SERVER) is not None
    except LoreError:
        return False


# -- fetching ---------------------------------------------------------------------------------


def _cause_chain(error: BaseException):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _network_error(error: httpx.HTTPError, url: str, timeout: float) -> LoreError:
    """One line for what went wrong under httpx: DNS, refused, TLS, timeout."""
    import httpx
    host = urlsplit(url).netloc
    if isinstance(error, httpx.TimeoutException):
        what = "connect" if isinstance(error, httpx.ConnectTimeout) else "answer"
        return LoreTimeout(f"{host} did not {what} within {timeout:g} s ({url})")
    for cause in _cause_chain(error):
        if isinstance(cause, socket.gaierror):
            return LoreUnreachable(f"cannot find the server {host}: unknown host name")
        if isinstance(cause, ssl.SSLCertVerificationError):
            return LoreUnreachable(
                f"{host}: the TLS certificate could not be verified ({cause.verify_message})"
            )
        if isinstance(cause, ConnectionRefusedError):
            return LoreUnreachable(f"cannot reach {host}: connection refused")
    text = str(error) or type(error).__name__
    if "Name or service not known" in text or "name resolution" in text:
        return LoreUnreachable(f"cannot find the server {host}: unknown host name")
    return LoreUnreachable(f"cannot reach {host}: {text}")


class _Gunzip:
    """Incremental gunzip that also reads concatenated gzip members, failing on the first
    chunk when the body is not gzip at all (an HTML error page is not worth downloading)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.parts: list[bytes] = []
        self._z = zlib.decompressobj(wbits=31)
        self.started = False
        self._open = False
        """Inside a member whose end has not arrived: the download was cut short."""
        self._done = False

    def feed(self, chunk: bytes) -> None:
        if self._done or not chunk:
            return
        if not self.started:
            if not chunk.startswith(_GZIP_MAGIC[: len(chunk)]):
                raise LoreBadBody(
                    f"{self.url}: the server did not send gzip data{_what_it_was(chunk)}"
                )
            self.started = True
        try:
            while chunk:
                self.parts.append(self._z.decompress(chunk))
                self._open = not self._z.eof
                chunk = b""
                if self._z.eof:
                    chunk = self._z.unused_data
                    self._z = zlib.decompressobj(wbits=31)
                    if chunk and not chunk.startswith(_GZIP_MAGIC[: len(chunk)]):
                        self._done = True  # padding after the last member, as gzip(1) allows
                        return
        except zlib.error as error:
            raise LoreBadBody(f"{self.url}: the gzip data is damaged ({error})") from None

    def finish(self) -> bytes:
        if not self.started:
            raise LoreBadBody(f"{self.url}: the server sent an empty answer")
        if self._open:
            raise LoreBadBody(f"{self.url}: the download was cut short (truncated gzip data)")
        return b"".join(self.parts)


def _what_it_was(head: bytes) -> str:
    sample = head[:200].lstrip().lower()
    if sample.startswith((b"<!doctype html", b"<html")):
        return " (it answered with a web page)"
    if sample.startswith(b"from "):
        return " (it sent an uncompressed mailbox)"
    return ""


def check_mail(data: bytes, url: str) -> bytes:
    """The gunzipped body must be an mbox: a ``From `` line, then a header block."""
    start = len(data) - len(data.lstrip(b"\r\n\t "))
    head = data[start : start + 8192]
    if head.startswith(b"From "):
        newline = head.find(b"\n")
        if newline >= 0 and _HEADER_LINE.match(head, newline + 1):
            return data
    raise LoreBadBody(f"{url}: the server sent gzip data that is not mail")


class LoreClient:
    """One HTTP connection pool for a session of fetches; use as a context manager."""

    def __init__(
        self, *, timeout: float | None = None, verify: bool | ssl.SSLContext = True
    ) -> None:
        import httpx
        if timeout is None:
            try:
                timeout = float(os.environ.get(TIMEOUT_ENV) or TIMEOUT)
            except ValueError:
                raise LoreError(f"${TIMEOUT_ENV} must be a number of seconds") from None
        self.timeout = timeout
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout),
            verify=verify,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
        )

    def __enter__(self) -> LoreClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- the two downloads --------------------------------------------------------------------

    def thread(
        self,
        ref: ThreadRef,
        *,
        progress: ProgressFn | None = None,
        cancelled: CancelledFn | None = None,
    ) -> bytes:
        """The thread holding ``ref.msgid`` as mboxrd bytes (gunzipped, checked to be mail)."""
        status, body = self._download("GET", ref.thread_url, progress, cancelled)
        if status == 200:
            return body
        if status == 404:
            moved = self._explain_missing(ref)
            if moved is not None:
                log.info("%s lives at %s", ref.describe(), moved.inbox)
                status, body = self._download("GET", moved.thread_url, progress, cancelled)
                if status == 200:
                    return body
        raise self._status_error(status, ref.thread_url)

    def search(
        self,
        ref: SearchRef,
        *,
        progress: ProgressFn | None = None,
        cancelled: CancelledFn | None = None,
    ) -> bytes:
        """The search results as mboxrd bytes; LoreNotFound when nothing matches."""
        if not ref.query.strip():
            raise LoreError("the search query is empty")
        # public-inbox reads the first 3 bytes of a POST body and takes "x=<anything but 0>"
        # as "whole threads": the body must not start with "x=", so x=m rides in the URL.
        status, body = self._download(
            "POST", ref.url, progress, cancelled, data={"z": "results only"}
        )
        if status == 200:
            return body
        if status == 404:
            raise LoreNotFound(f"no mail matches {ref.query!r} on {ref.inbox}")
        raise self._status_error(status, ref.url)

    # -- internals ----------------------------------------------------------------------------

    def _download(
        self,
        method: str,
        url: str,
        progress: ProgressFn | None,
        cancelled: CancelledFn | None,
        data: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """(status, mbox bytes) for 200; (status, b"") for any other status."""
        import httpx
        if cancelled is not None and cancelled():
            raise LoadCancelled("fetching was cancelled")
        try:
            with self._http.stream(method, url, data=data) as response:
                if response.status_code != 200:
                    return response.status_code, b""
                total = int(response.headers.get("content-length") or 0)
                already_decoded = "gzip" in response.headers.get("content-encoding", "")
                gunzip = _Gunzip(url)
                plain: list[bytes] = []
                received = 0
                for chunk in response.iter_bytes():
                    if cancelled is not None and cancelled():
                        raise LoadCancelled("fetching was cancelled")
                    received += len(chunk)
                    if plain or (already_decoded and not gunzip.started
                                 and chunk and not chunk.startswith(_GZIP_MAGIC)):
                        plain.append(chunk)  # Content-Encoding: gzip, httpx undid it
                    else:
                        gunzip.feed(chunk)
                    if progress is not None:
                        progress(min(response.num_bytes_downloaded, total or received), total)
        except httpx.HTTPError as error:
            raise _network_error(error, url, self.timeout) from None
        body = b"".join(plain) if plain else gunzip.finish()
        return 200, check_mail(body, url)

    def _explain_missing(self, ref: ThreadRef) -> ThreadRef | None:
        """After a 404 for t.mbox.gz: ask the HTML page why. A 300 there lists close ids
        (raised as LoreAmbiguous) or other inboxes holding this very id (returned)."""
        import httpx
        try:
            response = self._http.get(ref.page_url)
        except httpx.HTTPError as error:
            raise _network_error(error, ref.page_url, self.timeout) from None
        if response.status_code != 300:
            raise LoreNotFound(f"no message {ref.describe()} (HTTP 404)")
        found_in, partial = _suggestions(response.text, ref.page_url)
        same = [r for r in found_in if r.msgid == ref.msgid and r.inbox != ref.inbox]
        if len(same) == 1:
            return same[0]
        candidates = same or partial
        if not candidates:
            raise LoreNotFound(f"no message {ref.describe()} (HTTP 404)")
        listed = ", ".join(c.inbox if same else f"<{c.msgid}>" for c in candidates[:3])
        more = f" and {len(candidates) - 3} more" if len(candidates) > 3 else ""
        if same:
            text = f"<{ref.msgid}> is in several inboxes (HTTP 300): {listed}{more}"
        else:
            text = f"no message {ref.describe()}; did you mean (HTTP 300): {listed}{more}"
        raise LoreAmbiguous(text, tuple(c.page_url for c in candidates))

    def _status_error(self, status: int, url: str) -> LoreError:
        import httpx
        if status == 300:
            return LoreAmbiguous(f"{url}: the server answered 300 Multiple Choices")
        if status == 404:
            return LoreNotFound(f"{url}: not found (HTTP 404)")
        reason = httpx.codes.get_reason_phrase(status)
        return LoreError(f"{url}: the server answered HTTP {status} {reason}".rstrip())


def _suggestions(html: str, page_url: str) -> tuple[list[ThreadRef], list[ThreadRef]]:
    """The links of public-inbox's 300 page: (other inboxes with this id, partial matches).

    The page is ExtMsg's ``<pre>``: "found in another inbox:" or "N partial matches found:",
    each followed by links, then "Perhaps try an external site:" (other archives: ignored).
    """
    text = html.split("Perhaps try an external site", 1)[0]
    found_in: list[ThreadRef] = []
    partial: list[ThreadRef] = []
    for section, target in ((r"found in (?:another inbox|other inboxes)", found_in),
                            (r"partial match(?:es)? found", partial)):
        match = re.search(section, text)
        if match is None:
            continue
        for href in _HREF.findall(text, match.end()):
            url = urljoin(page_url, unescape(href))
            try:
                ref = parse_thread_url(url)
            except LoreError:
                continue
            if ref not in target:
                target.append(ref)
    return found_in, partial
