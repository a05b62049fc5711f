"""Which command-line arguments and pasted texts name a lore thread, and which one."""

from __future__ import annotations

import pytest

from viewer.core.errors import LoreError
from viewer.core.lore import (
    DEFAULT_SERVER,
    SearchRef,
    ThreadRef,
    default_server,
    looks_like_source,
    normalise_server,
    parse_input,
    parse_source,
)

LORE = "https://lore.kernel.org/linux-pwm/"
MSGID = "20200618081345.1234-2-rahul.tanwar@linux.intel.com"


@pytest.mark.parametrize(
    "url",
    [
        f"{LORE}{MSGID}/",
        f"{LORE}{MSGID}",
        f"{LORE}{MSGID}/T/",
        f"{LORE}{MSGID}/T/#u",
        f"{LORE}{MSGID}/t/#m3f0c2",
        f"{LORE}{MSGID}/raw",
        f"{LORE}{MSGID}/t.mbox.gz",
        f"{LORE}{MSGID.replace('@', '%40')}/",
        f"  {LORE}{MSGID}/#r  ",
    ],
)
def test_thread_url_forms_name_the_same_thread(url):
    assert parse_source(url) == ThreadRef(LORE, MSGID)


def test_percent_encoded_slash_stays_inside_the_id():
    ref = parse_source("https://lore.kernel.org/git/a%2Fb@example.org/T/")
    assert ref == ThreadRef("https://lore.kernel.org/git/", "a/b@example.org")
    # and goes back out escaped, or the server would read two path segments
    assert ref.thread_url == "https://lore.kernel.org/git/a%2Fb@example.org/t.mbox.gz"


def test_inbox_below_a_path_prefix():
    ref = parse_source("http://127.0.0.1:8080/lists/pwm/x@y/T/")
    assert ref == ThreadRef("http://127.0.0.1:8080/lists/pwm/", "x@y")


@pytest.mark.parametrize("text", [f"<{MSGID}>", f"id:{MSGID}", f"id:<{MSGID}>", MSGID])
def test_bare_message_ids_go_to_the_server(text):
    assert parse_source(text, server="https://lore.kernel.org/linux-pwm") == ThreadRef(LORE, MSGID)


def test_default_server_is_lores_all(monkeypatch):
    monkeypatch.delenv("HUNKWISE_LORE_SERVER", raising=False)
    assert default_server() == DEFAULT_SERVER == "https://lore.kernel.org/all/"
    assert parse_source(f"<{MSGID}>") == ThreadRef(DEFAULT_SERVER, MSGID)


def test_server_from_environment_then_config_file(monkeypatch, tmp_path):
    monkeypatch.setenv("HUNKWISE_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("HUNKWISE_LORE_SERVER", raising=False)
    (tmp_path / "lore.toml").write_text('server = "https://inbox.example.org/list"\n')
    assert default_server() == "https://inbox.example.org/list/"
    monkeypatch.setenv("HUNKWISE_LORE_SERVER", "http://127.0.0.1:9/x/")
    assert default_server() == "http://127.0.0.1:9/x/"


def test_broken_config_file_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("HUNKWISE_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("HUNKWISE_LORE_SERVER", raising=False)
    (tmp_path / "lore.toml").write_text("server = [\n")
    with pytest.raises(LoreError, match=r"lore\.toml"):
        default_server()


def test_local_paths_are_not_sources(tmp_path):
    existing = tmp_path / "patch@v2.mbox"
    existing.write_text("From x\n")
    assert parse_source(str(existing)) is None  # a file wins over an id-looking name
    assert parse_source("mail/archive.mbox") is None
    assert parse_source("archive.mbox") is None
    assert parse_source("") is None


def test_not_a_thread_url():
    with pytest.raises(LoreError, match="not a thread URL"):
        parse_source("https://lore.kernel.org/linux-pwm/")
    with pytest.raises(LoreError):
        normalise_server("ftp://example.org/")


def test_looks_like_source_for_pasting():
    assert looks_like_source(f"{LORE}{MSGID}/T/#u")
    assert looks_like_source(f"<{MSGID}>")
    assert not looks_like_source("hello world")
    assert not looks_like_source("https://lore.kernel.org/")


def test_search_url_keeps_x_m_in_the_query_string():
    ref = SearchRef("https://lore.kernel.org/all/", "s:pwm f:tanwar", threads=True)
    assert ref.url == "https://lore.kernel.org/all/?q=s%3Apwm+f%3Atanwar&x=m&t=1"


def test_dialog_input_is_a_thread_or_else_a_search():
    server = "https://lore.kernel.org/linux-pwm/"
    assert parse_input(f"{LORE}{MSGID}/T/", server="https://x.org/y/") == ThreadRef(LORE, MSGID)
    assert parse_input(f"<{MSGID}>", server=server) == ThreadRef(LORE, MSGID)
    assert parse_input("s:pwm f:tanwar", server=server, whole_threads=True) == SearchRef(
        LORE, "s:pwm f:tanwar", threads=True)
    with pytest.raises(LoreError, match="type a lore link"):
        parse_input("   ", server=server)


def test_msgid_link_urls_go_to_the_server():
    ref = parse_source(f"https://patch.msgid.link/{MSGID}", server=LORE)
    assert ref == ThreadRef(LORE, MSGID)
