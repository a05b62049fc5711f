"""Ready to apply: a series as an mbox for ``git am``, every collected trailer in place.

What ``b4 am`` makes, for a maintainer who has the mail already: each patch of the series in
order, its commit message ending in one trailer block made of the patch's own trailers followed
by those given in replies to it and to the cover letter (:func:`merge_trailers`, b4's order,
checked against b4's own expected outputs in the corpus tests), optionally a ``Link:`` to the
list archive. The cover letter is left out: ``git am`` would make a commit of it.

A series with patches missing from the mailbox is refused unless forced: applying 1, 2 and 4
of 4 builds something nobody reviewed. Applying runs the real ``git am``; when it fails, git's
own message is passed on and ``git am --abort`` puts the repository back as it was.
"""

from __future__ import annotations

import logging
import re
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from viewer.core.archive import Archive
from viewer.core.errors import HunkwiseError
from viewer.core.series import Series
from viewer.core.trailers import Trailer, merge_trailers

log = logging.getLogger(__name__)

_FROM_LINE = "From git@z Thu Jan  1 00:00:00 1970"
_DIFF_START = re.compile(r"^(?:diff --git |Index: |--- a/|--- /dev/null)")


class AmError(HunkwiseError):
    """A series cannot be exported or applied as asked (the message says why and what to do)."""


class IncompleteSeries(AmError):
    """Patches of the series are not in the mailbox; export only when forced."""


class AmFailed(AmError):
    """``git am`` refused the series; the repository was put back with ``git am --abort``."""


@dataclass(slots=True)
class AmExport:
    """An mbox ready for ``git am`` and what went into it."""

    series: Series
    mbox: bytes
    patches: list[str] = field(default_factory=list)
    """Message-IDs of the patches written, in order."""
    added: dict[str, list[Trailer]] = field(default_factory=dict)
    """Per patch, the trailers collected from replies (and the Link) that were not in it."""
    missing: list[int] = field(default_factory=list)
    """Counters of patches not in the mailbox (exported anyway only when forced)."""
    carried_over: dict[int, str] = field(default_factory=dict)
    """Counters a partial re-roll did not resend, taken from the earlier revision."""


def series_for(archive: Archive, msgid: str) -> Series:
    """The series a mail belongs to: a patch's or cover's own, or the one its thread holds."""
    archive.entry(msgid)  # a clear error for an unknown id
    series = archive.series_of(msgid)
    if series is None:
        for node in archive.root_of(msgid).walk():
            if node.entry is not None and archive.series_of(node.msgid) is not None:
                series = archive.series_of(node.msgid)
                break
    if series is None or not series.patches:
        raise AmError(f"<{msgid}> is not part of a patch series: nothing to apply")
    return series


def link_trailer(base: str, msgid: str) -> Trailer:
    """``Link: https://lore.kernel.org/r/<msgid>`` for a base of ``https://lore.kernel.org/r``."""
    return Trailer("Link", f"{base.rstrip('/')}/{msgid}")


def _split_body(body: str) -> tuple[list[str], list[str]]:
    """(commit message lines, everything from "---" or the diff on)."""
    lines = body.replace("\r\n", "\n").split("\n")
    for number, line in enumerate(lines):
        if line.rstrip() == "---" or _DIFF_START.match(line):
            return lines[:number], lines[number:]
    return lines, []


def _with_trailers(message: list[str], own_block: list[str], trailers: list[Trailer]) -> list[str]:
    """The commit message with its trailer block replaced by ``trailers``.

    ``own_block`` is the block as the patch parser found it: only that paragraph is replaced,
    so a message whose last paragraph is prose (no trailers at all) keeps it and gains a block.
    """
    while message and not message[-1].strip():
        message = message[:-1]
    if own_block:
        start = len(message)
        while start and message[start - 1].strip():
            start -= 1
        if [line for line in message[start:] if line.strip()] == [
            line for line in own_block if line.strip()
        ]:
            message = message[:start]
    while message and not message[-1].strip():
        message = message[:-1]
    return [*message, "", *(str(t) for t in trailers)]


def _header(name: str, value: str) -> str:
    return f"{name}: {' '.join(value.split())}"


def _date_header(raw: bytes) -> str | None:
    """The Date header as sent (its time zone is the author's, which git am records)."""
    head = raw.split(b"\n\n", 1)[0].replace(b"\r\n", b"\n")
    match = re.search(rb"^Date:[ \t]*(.*(?:\n[ \t].*)*)", head, re.M | re.I)
    return " ".join(match.group(1).decode("ascii", "replace").split()) if match else None


def patch_for_am(
    archive: Archive, msgid: str, *, link_base: str | None = None
) -> tuple[str, list[Trailer]]:
    """One patch mail as ``git am`` should see it, and the trailers that were added to it."""
    patch = archive.patch(msgid)
    if patch is None:
        raise AmError(f"<{msgid}> carries no diff that git am could apply")
    message = archive.message(msgid)
    merged = merge_trailers(patch.trailers, archive.followup_trailers(msgid))
    if link_base:
        link = link_trailer(link_base, msgid)
        if all(str(t) != str(link) for t in merged):
            merged.append(link)
    own = {str(t) for t in patch.trailers}
    added = [t for t in merged if str(t) not in own]
    text, rest = _split_body(message.body)
    body = _with_trailers(text, patch.trailer_lines, merged) + rest
    entry = archive.entry(msgid)
    headers = [_header("Subject", entry.subject), _header("From", str(message.author))]
    date = _date_header(archive.raw(msgid))
    if date is None and entry.date is not None:
        date = format_datetime(datetime.fromtimestamp(entry.date, tz=UTC))
    if date:
        headers.append(_header("Date", date))
    headers += [
        f"Message-Id: <{msgid}>",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: 8bit",
    ]
    text = "\n".join(body).rstrip("\n") + "\n"
    # mboxrd: a body line that starts with (any number of ">" and) "From " gets one more ">".
    text = re.sub(r"^(>*From )", r">\1", text, flags=re.M)
    return f"{_FROM_LINE}\n" + "\n".join(headers) + "\n\n" + text + "\n", added


def _with_reroll(archive: Archive, series: Series) -> tuple[dict[int, str], dict[int, str]]:
    """The patches to apply: the series' own, and for a partial re-roll ("[PATCH v3 2/2]"
    resent alone in v2's thread) the ones it did not resend, from the nearest earlier
    revision of the same size, as b4 does."""
    patches = dict(series.patches)
    carried: dict[int, str] = {}
    if not series.missing or series.cover or not series.patches:
        return patches, carried
    root = archive.root_of(next(iter(series.patches.values()))).msgid
    earlier = [archive.series_by_key(k) for k in series.revisions]
    earlier = [s for s in earlier if s is not None and s.version < series.version]
    for older in sorted(earlier, key=lambda s: s.version, reverse=True):
        first = older.cover or next(iter(older.patches.values()), None)
        if older.total != series.total or first is None or archive.root_of(first).msgid != root:
            continue  # not a re-roll posted inside this earlier revision's thread
        for counter in series.missing:
            if counter not in patches and counter in older.patches:
                patches[counter] = carried[counter] = older.patches[counter]
    return patches, carried


def export_series(
    archive: Archive, msgid: str, *, link_base: str | None = None, force: bool = False
) -> AmExport:
    """The series holding ``msgid`` as an mbox for ``git am`` (cover letter left out).

    Raises :class:`IncompleteSeries` when patches are missing and ``force`` is not set.
    """
    series = series_for(archive, msgid)
    patches, carried = _with_reroll(archive, series)
    missing = [n for n in range(1, series.total + 1) if n not in patches]
    if missing and not force:
        counters = ", ".join(str(n) for n in missing)
        raise IncompleteSeries(
            f"patch{'es' if len(missing) > 1 else ''} {counters} of {series.total} "
            f"of \"{series.subject}\" (v{series.version}) "
            f"{'are' if len(missing) > 1 else 'is'} not in the mailbox; "
            "export the rest anyway with --force"
        )
    parts: list[str] = []
    export = AmExport(series, b"", missing=missing, carried_over=carried)
    for counter in sorted(patches):
        patch_msgid = patches[counter]
        text, added = patch_for_am(archive, patch_msgid, link_base=link_base)
        parts.append(text)
        export.patches.append(patch_msgid)
        export.added[patch_msgid] = added
    export.mbox = "".join(parts).encode("utf-8", "surrogateescape")
    return export


# -- applying ------------------------------------------------------------------------------------


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, capture_output=True, timeout=300
    )


def _message(done: subprocess.CompletedProcess) -> str:
    text = (done.stderr or b"").decode("utf-8", "replace").strip()
    text = text or (done.stdout or b"").decode("utf-8", "replace").strip()
    return " ".join(text.split()) or f"exit status {done.returncode}"


def git_am(repo: str | Path, mbox: bytes, *, branch: str | None = None) -> str:
    """Apply with ``git am`` in ``repo``, on ``branch`` (made from HEAD if it does not exist).

    Returns git's summary on success. On failure raises :class:`AmFailed` with git's message,
    after ``git am --abort`` has put the repository back as it was before the ``git am``.
    """
    repo = Path(repo).expanduser()
    try:
        check = _git(repo, "rev-parse", "--git-dir")
    except (OSError, subprocess.SubprocessError) as error:
        raise AmError(f"cannot run git: {error}") from None
    if check.returncode != 0:
        raise AmError(f"{repo} is not a git repository: {_message(check)}")
    if branch:
        exists = _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
        switch = ("checkout", branch) if exists.returncode == 0 else ("checkout", "-b", branch)
        done = _git(repo, *switch)
        if done.returncode != 0:
            raise AmError(f"git could not switch to {branch}: {_message(done)}")
    done = _git(repo, "am", stdin=mbox)
    if done.returncode == 0:
        log.info("git am applied %d bytes in %s", len(mbox), repo)
        return (done.stdout or b"").decode("utf-8", "replace").strip()
    reason = _message(done)
    aborted = _git(repo, "am", "--abort")
    if aborted.returncode != 0:
        log.warning("git am --abort in %s: %s", repo, _message(aborted))
    raise AmFailed(
        f"git am failed in {repo}: {reason} (the repository was reset with git am --abort)"
    )
