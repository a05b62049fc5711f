"""Reading a listing's facts with a forked helper gives the very facts reading them here does."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.hostile_mail import mail, patch_mail, review_reply
from viewer.core.archive import Archive
from viewer.core.identity import Identity
from viewer.core.listing_facts import _read, read_listing_facts
from viewer.core.store import Store
from viewer.core.triage import Triage

# Run in a fresh interpreter: the split only happens in a process without other threads,
# and a test process may have some (Qt's thread pools, other tests' workers).
_CHILD = """
import json, sys
from viewer.core.archive import Archive
from viewer.core.listing_facts import read_listing_facts
from viewer.core.identity import Identity
from viewer.core.triage import Triage
archive = Archive.open(sys.argv[1], use_cache=False)
given = read_listing_facts(Triage(archive, None, Identity("", "")), min_patches=1)
facts = {repr(k): repr(v) for k, v in archive.facts.items()}
print(json.dumps({"given": given, "facts": facts}))
"""


def _mailbox(tmp_path):
    parts = []
    for n in range(1, 7):
        parts.append(patch_mail(f"p{n}@x", f"[PATCH {n}/6] foo: step {n}"))
        parts.append(review_reply(f"r{n}@x", f"p{n}@x"))
    path = tmp_path / "t.mbox"
    path.write_bytes(b"".join(parts) + mail("q@x", "Re: step", "Acked-by: A <a@x>\n",
                                             parent="r1@x", refs=("p1@x", "r1@x")))
    return path


def test_split_reading_gives_the_facts_one_process_reads(tmp_path):
    path = _mailbox(tmp_path)
    result = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                            text=True, timeout=120, check=True)
    split = json.loads(result.stdout)
    assert split["given"] > 0  # the child did read its half
    archive = Archive.open(path, use_cache=False)
    triage = Triage(archive, None, Identity("", ""))
    _read(triage, archive.patch_ids())
    assert split["facts"] == {repr(k): repr(v) for k, v in archive.facts.items()}


def test_no_split_for_a_small_archive(tmp_path):
    archive = Archive.open(_mailbox(tmp_path), use_cache=False)
    with Store(tmp_path / "state.db") as store:
        triage = Triage(archive, store, Identity("", ""))
        assert read_listing_facts(triage) == 0  # 6 patches: well below the minimum
    assert not any(key[0] == "patch" for key in archive.facts)
