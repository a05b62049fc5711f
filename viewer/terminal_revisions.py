"""Terminal renderings of revisions: the range-diff as git prints it, and where comments went."""

from __future__ import annotations

from collections.abc import Sequence

from viewer.core.range_diff import RangeDiffEntry, render
from viewer.core.revisions import RevisionReport

_RESET = "\033[0m"
# git range-diff's colours: the pair header in yellow (old side red, new green when changed),
# the outer diff's own "+"/"-" in green/red, its hunk headers in cyan.
_COLOURS = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m", "head": "\033[33m",
            "dim": "\033[2m"}
_STATUS_STYLE = {"unchanged": "\033[33m", "changed": "\033[32m", "removed": "\033[36m",
                 "unknown": "\033[2m"}


def print_range_diff(entries: Sequence[RangeDiffEntry], *, colour: bool, numbers: bool) -> None:
    lines = render(entries, numbers=numbers)
    if not colour:
        for text in lines:
            print(text)
        return
    gutter = 12 if numbers else 0
    for text in lines:
        body = text[gutter:]
        if not body.startswith("    "):
            style = _COLOURS["head"]
        elif body.startswith("    @@"):
            style = _COLOURS["@"]
        else:
            style = _COLOURS.get(body[4:5], "")
        print(f"{text[:gutter]}{style}{body}{_RESET}" if style else text)


def print_revisions(report: RevisionReport) -> None:
    if not report.chain:
        print("not part of a patch series")
        return
    versions = " · ".join(f"v{s.version}" for s in report.chain)
    print(f"{report.chain[-1].subject}\n  revisions: {versions}")
    for step, counts in zip(report.steps, report.summary(), strict=True):
        print(f"\nv{step.old.version} → v{step.new.version}: {counts['comments']} comments: "
              f"{counts['changed']} changed, {counts['unchanged']} unchanged, "
              f"{counts['removed']} gone, {counts['unknown']} unknown")
        for pair in step.pairs:
            if pair.how == "cover":
                continue
            left = f"{pair.old_counter}" if pair.old_counter is not None else "-"
            right = f"{pair.new_counter}" if pair.new_counter is not None else "-"
            print(f"  patch {left:>2} → {right:<2} {pair.status} ({pair.how})")
        for item in report.comments:
            if (item.from_version, item.to_version) != (step.old.version, step.new.version):
                continue
            anchor = item.annotation.anchor
            where = anchor.file or ("commit message" if anchor.kind == "commit_message" else "")
            line = anchor.new_line or anchor.old_line
            place = f"{where}:{line}" if line else where or "general"
            first = item.annotation.comment.strip().splitlines()[0][:60] \
                if item.annotation.comment.strip() else ""
            print(f"    {item.status:<9} {place:<40} {first}")
