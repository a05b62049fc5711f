"""Fetching threads and searches from a real public-inbox-httpd, into the offline library."""

from __future__ import annotations

import ssl

import pytest

from tests.lore.conftest import DEMO, GROW_FIRST, split_mbox
from viewer.core.archive import Archive
from viewer.core.errors import (
    LoadCancelled,
    LoreAmbiguous,
    LoreBadBody,
    LoreError,
    LoreNotFound,
    LoreTimeout,
    LoreUnreachable,
)
from viewer.core.library import Library, message_keys, obtain
from viewer.core.lore import USER_AGENT, LoreClient, SearchRef, ThreadRef, parse_source

V1_COVER = "20260112081403.2231-1-ilse.marten@lumora.example"
V1_REPLY = "aWbC9q1Lx3hT0vZr@vesth-x1.example"
V2_PATCH = "20260209100247.7781-3-ilse.marten@lumora.example"
DEMO_MESSAGES = split_mbox(DEMO.read_bytes())


def ids(data: bytes) -> list[str]:
    return [key for key, _start, _end in message_keys(data)]


@pytest.fixture
def client():
    with LoreClient(timeout=5) as c:
        yield c


def test_thread_from_any_message_of_it(public_inbox, client):
    by_cover = client.thread(ThreadRef(public_inbox.inbox("demo"), V1_COVER))
    by_reply = client.thread(parse_source(f"{public_inbox.inbox('demo')}{V1_REPLY}/T/#u"))
    assert by_cover == by_reply
    assert sorted(ids(by_cover)) == sorted(ids(b"".join(DEMO_MESSAGES[:10])))


def test_progress_reports_bytes_and_cancel_stops(public_inbox, client):
    seen = []
    client.thread(ThreadRef(public_inbox.inbox("demo"), V1_COVER),
                  progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] > 0
    with pytest.raises(LoadCancelled):
        client.thread(ThreadRef(public_inbox.inbox("demo"), V1_COVER), cancelled=lambda: True)


def test_requests_name_the_program(bad_server, client):
    from viewer import __version__

    client.thread(ThreadRef(bad_server.url, "good@test"))
    assert bad_server.user_agents[-1] == USER_AGENT == f"hunkwise/{__version__}"


def test_obtain_keeps_it_offline(public_inbox, library_dir):
    ref = ThreadRef(public_inbox.inbox("demo"), V1_COVER)
    first = obtain(ref)
    assert first.fetched and first.added == first.total == 10
    assert first.path.is_relative_to(library_dir)
    again = obtain(ref)  # already there: no network at all
    assert not again.fetched and again.path == first.path and "library" in again.note
    offline = obtain(ref, offline=True)
    assert offline.path == first.path
    assert len(Archive.open(offline.path).entries) == 10
    [entry] = Library().entries()
    assert entry.source == ref and entry.messages == 10


def test_a_thread_is_kept_once_whichever_id_opened_it(public_inbox, library_dir):
    inbox = public_inbox.inbox("demo")
    first = obtain(ThreadRef(inbox, V1_COVER))
    by_reply = obtain(ThreadRef(inbox, V1_REPLY))
    assert not by_reply.fetched and by_reply.path == first.path
    refreshed = obtain(ThreadRef(inbox, V1_REPLY), refresh=True)
    assert refreshed.fetched and refreshed.path == first.path and refreshed.added == 0
    assert len(Library().entries()) == 1


def test_refresh_adds_only_new_messages(public_inbox, library_dir):
    ref = ThreadRef(public_inbox.inbox("grow"), V1_COVER)
    first = obtain(ref)
    assert first.total == GROW_FIRST
    before = first.path.read_bytes()
    Archive.open(first.path)  # writes the index cache of the short copy

    assert obtain(ref, refresh=True).added == 0  # nothing new yet: file untouched
    assert first.path.read_bytes() == before

    public_inbox.import_mbox("grow", b"".join(DEMO_MESSAGES[GROW_FIRST:10]))
    refreshed = obtain(ref, refresh=True)
    assert refreshed.fetched and refreshed.added == 10 - GROW_FIRST
    data = refreshed.path.read_bytes()
    assert data.startswith(before)  # appended: the old copy is a prefix
    assert len(ids(data)) == len(set(ids(data))) == 10
    archive = Archive.open(refreshed.path)
    assert len(archive.entries) == 10
    assert not archive.source.from_cache  # grew: the cached prefix was kept, the tail scanned
    assert Archive.open(refreshed.path).source.from_cache
    assert obtain(ref, refresh=True).added == 0


def test_moved_id_is_followed_to_the_inbox_that_has_it(public_inbox, client):
    # "lonely" does not hold it; its 300 page names the one inbox that does.
    data = client.thread(ThreadRef(public_inbox.inbox("lonely"), V2_PATCH))
    assert V2_PATCH in ids(data) and len(ids(data)) == 8


def test_id_in_several_inboxes_is_ambiguous(public_inbox, client):
    with pytest.raises(LoreAmbiguous, match="several inboxes") as caught:
        client.thread(ThreadRef(public_inbox.inbox("lonely"), V1_COVER))
    assert "HTTP 300" in str(caught.value)
    assert len(caught.value.candidates) >= 2


def test_partial_id_lists_what_it_may_mean(public_inbox, client):
    with pytest.raises(LoreAmbiguous, match="did you mean") as caught:
        client.thread(ThreadRef(public_inbox.inbox("demo"), V2_PATCH[:-1]))
    assert V2_PATCH in str(caught.value)


def test_unknown_id_is_not_found(public_inbox, client):
    with pytest.raises(LoreNotFound, match="404"):
        client.thread(ThreadRef(public_inbox.inbox("demo"), "no-such-message@hunkwise.test"))


def test_search_posts_x_m_and_loads_results(public_inbox, client):
    inbox = public_inbox.inbox("demo")
    only = client.search(SearchRef(inbox, 's:"LM3200 watchdog"'))
    whole = client.search(SearchRef(inbox, 's:"LM3200 watchdog"', threads=True))
    assert 0 < len(ids(only)) < len(ids(whole))
    assert set(ids(only)) <= set(ids(whole))
    for key in ids(only):
        number = next(i for i, m in enumerate(DEMO_MESSAGES) if key in ids(m))
        assert b"LM3200" in DEMO_MESSAGES[number].split(b"\n\n", 1)[0]
    with pytest.raises(LoreNotFound, match="no mail matches"):
        client.search(SearchRef(inbox, "s:zzzqqqnothing"))


def test_search_lands_in_the_library_and_refresh_merges(public_inbox, library_dir):
    ref = SearchRef(public_inbox.inbox("demo"), "f:vesth", threads=False)
    got = obtain(ref, refresh=True)
    assert got.fetched and got.total >= 2
    assert obtain(ref, refresh=True).added == 0
    assert Library().entry_at(got.path).source == ref


# -- what goes wrong ----------------------------------------------------------------------------


def test_dns_failure(client):
    with pytest.raises(LoreUnreachable, match="unknown host name"):
        client.thread(ThreadRef("http://hunkwise-test.invalid/list/", "a@b"))


def test_connection_refused(client, public_inbox):
    ref = ThreadRef("http://127.0.0.1:1/list/", "a@b")
    with pytest.raises(LoreUnreachable, match="refused"):
        client.thread(ref)


def test_tls_is_verified(tls_server):
    ref = ThreadRef(tls_server.url, "good@test")
    with LoreClient(timeout=5) as client, pytest.raises(LoreUnreachable, match="certificate"):
        client.thread(ref)
    # the same server, its certificate trusted explicitly: the refusal was the verification
    trusting = ssl.create_default_context(cafile=str(tls_server.cert))
    with LoreClient(timeout=5, verify=trusting) as client:
        assert len(ids(client.thread(ref))) == len(DEMO_MESSAGES)


def test_timeout_when_the_server_never_answers(bad_server):
    with LoreClient(timeout=0.5) as slow, pytest.raises(LoreTimeout, match="did not answer"):
        slow.thread(ThreadRef(bad_server.silent_url, "a@b"))


@pytest.mark.parametrize(
    ("msgid", "words"),
    [
        ("html@test", "did not send gzip data (it answered with a web page)"),
        ("plain@test", "did not send gzip data"),
        ("junk@test", "gzip data that is not mail"),
        ("cut@test", "cut short"),
        ("empty@test", "empty answer"),
    ],
)
def test_bad_bodies(bad_server, client, library_dir, msgid, words):
    ref = ThreadRef(bad_server.url, msgid)
    with pytest.raises(LoreBadBody, match=words.replace("(", r"\(").replace(")", r"\)")):
        client.thread(ref)
    with pytest.raises(LoreBadBody):
        obtain(ref)
    assert not library_dir.exists() or not any(library_dir.rglob("*.mbox"))


def test_failed_refresh_keeps_the_copy_and_says_so(bad_server, library_dir):
    good = ThreadRef(bad_server.url, "good@test")
    first = obtain(good)
    before = first.path.read_bytes()
    # Same library file, now answered with junk: the copy stays as it was.
    lib = Library()
    junk = ThreadRef(bad_server.url, "junk@test")
    junk_path, _added, _total = lib.store(junk, before)  # as if fetched while it was good
    used = obtain(junk, refresh=True)
    assert not used.fetched and used.path == junk_path
    assert "could not refresh" in used.note and "not mail" in used.note
    assert junk_path.read_bytes() == before
    assert first.path.read_bytes() == before


def test_offline_without_a_copy_is_a_clear_error(library_dir):
    with pytest.raises(LoreError, match="not in the library"):
        obtain(ThreadRef("https://lore.kernel.org/all/", "x@y"), offline=True)
