"""First screen of a big reviewed patch: the review page against the naive HTML way.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_patch_view.py [--lines 5000]

The naive way is what a first version would do: pygments' HtmlFormatter turns every file of
the patch into HTML (with the comments as HTML blocks), and a QTextBrowser shows it with
setHtml. "First screen" is the time from the call until the widget has painted once
(``widget.grab()``), both measured in the same process on the same generated patch. The
token cache is cleared before the cold run; the warm run shows the same patch again.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from PySide6.QtWidgets import QApplication, QTextBrowser

from viewer.core.annotation import Anchor, Annotation
from viewer.core.message import Person
from viewer.core.patch import Patch, parse_patch
from viewer.core.review_page import build_page
from viewer.core.syntax import TOKEN_CACHE
from viewer.ui.patch_view import PatchView

C_BODY = [
    "static int {name}(struct {name}_priv *priv, unsigned int value)",
    "{{",
    "\tint ret;",
    "",
    "\t/* program the {name} register, then wait for the ack */",
    "\tret = regmap_write(priv->regmap, {name}_REG, value);",
    "\tif (ret < 0)",
    '\t\treturn dev_err_probe(priv->dev, ret, "write %u failed\\n", value);',
    "\treturn 0;",
    "}}",
    "",
]


def generated_patch(lines: int, files: int = 5) -> str:
    """A kernel-style patch of about ``lines`` diff lines in ``files`` C files."""
    out = [
        "Rework the register access of every block so that errors reach the caller.",
        "",
        "Signed-off-by: Jane Hacker <jane@example.org>",
        "---",
        "",
    ]
    per_file = lines // files
    rng = random.Random(5)
    for f in range(files):
        path = f"drivers/bench/block{f}.c"
        out += [f"diff --git a/{path} b/{path}", "index 1111111..2222222 100644",
                f"--- a/{path}", f"+++ b/{path}"]
        body: list[str] = []
        n = 0
        while len(body) < per_file:
            for template in C_BODY:
                body.append(template.format(name=f"blk{f}_fn{n}"))
            n += 1
        body = body[:per_file]
        kinds = [rng.choice("  +") for _ in body]
        old_count = sum(1 for k in kinds if k == " ")
        new_count = len(body)
        out.append(f"@@ -1,{old_count} +1,{new_count} @@")
        out += [kind + text for kind, text in zip(kinds, body, strict=True)]
    return "\n".join(out) + "\n"


def comments_for(patch: Patch, count: int) -> list[Annotation]:
    rng = random.Random(7)
    lines = [(f.path, line) for f in patch.files for h in f.hunks for line in h.lines]
    notes = []
    for i in range(count):
        path, line = rng.choice(lines)
        notes.append(Annotation(
            f"n{i}", f"r{i}@x", Person(f"Reviewer {i % 4}", f"r{i % 4}@example.org"), 1.6e9 + i,
            "Please check the error path here.\nThe ack may never come.",
            Anchor("diff", "p@x", path, line.old_line, line.new_line, line.kind + line.text),
            confidence=1.0, method="exact"))
    return notes


def naive_html(patch: Patch, notes: list[Annotation]) -> str:
    """pygments HTML of each file's diff, comments as blocks after their lines."""
    by_line: dict[tuple, list[Annotation]] = {}
    for note in notes:
        key = (note.anchor.file, note.anchor.old_line, note.anchor.new_line)
        by_line.setdefault(key, []).append(note)
    formatter = HtmlFormatter(noclasses=True, nowrap=True)
    lexer = get_lexer_by_name("c", stripnl=False)
    parts = ["<html><body><pre>"]
    for diff in patch.files:
        parts.append(f"<b>{html.escape(diff.path)}</b>\n")
        for hunk in diff.hunks:
            parts.append(html.escape(hunk.header) + "\n")
            text = "\n".join(line.text for line in hunk.lines)
            rendered = highlight(text, lexer, formatter).split("\n")
            for line, shown in zip(hunk.lines, rendered, strict=False):
                color = {"+": "#e6ffec", "-": "#ffebe9"}.get(line.kind, "#ffffff")
                parts.append(f'<span style="background:{color}">{line.kind}{shown}</span>\n')
                for note in by_line.get((diff.path, line.old_line, line.new_line), []):
                    parts.append(
                        '<div style="background:#fff8e1;border:1px solid #d0b060">'
                        f"<b>{html.escape(str(note.author))}</b>\n{html.escape(note.comment)}</div>"
                    )
    parts.append("</pre></body></html>")
    return "".join(parts)


def time_naive(app: QApplication, patch: Patch, notes: list[Annotation]) -> float:
    browser = QTextBrowser()
    browser.resize(1100, 900)
    browser.show()
    app.processEvents()
    started = time.perf_counter()
    browser.setHtml(naive_html(patch, notes))
    browser.grab()
    elapsed = time.perf_counter() - started
    browser.close()
    browser.deleteLater()
    app.processEvents()
    return elapsed


STALLS: list[float] = []
"""Longest single event-loop turn while colouring, per cold run: how long the GUI froze."""


def time_view(app: QApplication, view: PatchView, patch: Patch, notes) -> tuple[float, float]:
    """(first screen, fully coloured) seconds for showing the patch, page building included."""
    started = time.perf_counter()
    page = build_page(patch, notes, msgid="p@x", subject="[PATCH] bench", author=Person("Jane", ""))
    view.show_page(page)
    view.grab()
    first = time.perf_counter() - started
    longest = 0.0
    while not view.is_highlighted():
        turn = time.perf_counter()
        app.processEvents()
        longest = max(longest, time.perf_counter() - turn)
    STALLS.append(longest)
    return first, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--comments", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    patch = parse_patch(generated_patch(args.lines))
    notes = comments_for(patch, args.comments)
    rows = len(build_page(patch, notes).rows)
    view = PatchView()
    view.resize(1100, 900)
    view.show()
    app.processEvents()

    naive, cold, cold_full, warm = [], [], [], []
    for _ in range(args.runs):
        naive.append(time_naive(app, patch, notes))
        TOKEN_CACHE.clear()
        view.clear()
        app.processEvents()
        first, full = time_view(app, view, patch, notes)
        cold.append(first)
        cold_full.append(full)
        view.clear()
        app.processEvents()
        warm.append(time_view(app, view, patch, notes)[0])

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:8.1f} ms"

    diff_lines = sum(len(h.lines) for f in patch.files for h in f.hunks)
    print(f"patch: {diff_lines} diff lines in {len(patch.files)} files, {len(notes)} comments, "
          f"{rows} page rows; median of {args.runs} runs")
    print(f"naive QTextBrowser.setHtml(pygments HTML) first screen: {ms(naive)}")
    print(f"review page, cold cache, first screen:              {ms(cold)}")
    print(f"review page, cold cache, all files coloured:        {ms(cold_full)}")
    print(f"review page, same patch again (cache hit):          {ms(warm)}")
    print(f"longest GUI-thread stall while colouring (lexing on a worker): "
          f"{max(STALLS) * 1000:.1f} ms")
    ratio = statistics.median(naive) / statistics.median(cold)
    print(f"first screen speed-up over naive: {ratio:.1f}x (cache hit: "
          f"{statistics.median(naive) / statistics.median(warm):.1f}x)")


if __name__ == "__main__":
    main()
