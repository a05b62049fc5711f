"""The review page widget, offscreen: rows, cards, folding, jumps, colours, UTF-16 offsets."""

from __future__ import annotations

import os
import threading
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QTextCursor

from tests.people import person
from viewer.core.anchoring import anchor_thread
from viewer.core.annotation import Anchor, Annotation
from viewer.core.patch import parse_patch
from viewer.core.review_page import ReviewPage, build_page
from viewer.core.syntax import TokenCache
from viewer.ui.patch_view import PatchView
from viewer.ui.qt_text import python_index, qt_index, utf16_len, utf16_offsets
from viewer.ui.theme import DARK, LIGHT

# The offscreen platform says this on every top-level show; it is not about our code.
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("does not support propagateSizeHints")]

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "review" / "gpio-wdt.patch"
CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()
SHOTS = Path("/tmp/shots")
C_FILE = "drivers/watchdog/gpio_wdt.c"


def note(ident: str, old: int | None, new: int | None, *, reply_to: str | None = None,
         date: float = 1.0e9, method: str = "exact", confidence: float = 1.0,
         author: str = "Guenter Roeck <linux@roeck-us.net>") -> Annotation:
    return Annotation(ident, f"{ident}@mail", person(author), date,
                      f"Comment {ident}\nsecond line",
                      Anchor("diff", "p@x", C_FILE, old, new), in_reply_to=reply_to,
                      confidence=confidence, method=method)


@pytest.fixture
def page() -> ReviewPage:
    patch = parse_patch(FIXTURE.read_text(encoding="utf-8"))
    notes = [
        note("a", None, 23),
        note("a-reply", None, 23, reply_to="a", date=2.0e9,
             author="Jane Hacker <jane@example.org>"),
        note("b", None, 66, method="nearest", confidence=0.6),
    ]
    return build_page(patch, notes, msgid="p@x", subject="[PATCH v2] watchdog: gpio: cache",
                      author=person("Jane Hacker <jane@example.org>"), date=1.0e9)


@pytest.fixture
def view(qtbot) -> PatchView:
    widget = PatchView(cache=TokenCache())
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def shown(qtbot, view: PatchView, page: ReviewPage) -> PatchView:
    with qtbot.waitSignal(view.highlighting_finished, timeout=5000):
        view.show_page(page)
    return view


def block(view: PatchView, index: int):
    return view.editor.document().findBlockByNumber(index)


def test_document_blocks_are_the_page_rows(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    document = view.editor.document()
    assert document.blockCount() == len(page.rows)
    for index in (0, page.files[0].row, page.comment_rows[-1], len(page.rows) - 1):
        assert document.findBlockByNumber(index).text() == page.rows[index].text
    assert not document.isUndoRedoEnabled()
    assert view.editor.isReadOnly()


def test_cards_sit_under_their_rows(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    heads = page.comment_rows
    assert [page.rows[i].annotation.id for i in heads] == ["a", "a-reply", "b"]
    above = heads[0] - 1
    assert page.rows[above].kind == "diff" and page.rows[above].line.new_line == 23
    # the reply follows the first card's text, one level deeper
    assert page.rows[heads[1]].depth == 1 and heads[1] == heads[0] + 3
    assert page.rows[heads[2] - 1].line.new_line == 66


def test_next_and_previous_comment_move_the_cursor(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    assert view.current_row() == 0
    seen = []
    while view.next_comment():
        seen.append(view.current_row())
    assert seen == page.comment_rows
    assert view.previous_comment()
    assert view.current_row() == page.comment_rows[-2]
    # the target row is on screen
    rect = view.editor.cursorRect()
    assert view.editor.viewport().rect().contains(rect.center())


def test_next_and_previous_file(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    locations = []
    view.current_location_changed.connect(lambda path, line: locations.append(path))
    assert view.next_file() and view.current_row() == page.files[0].row
    assert view.next_file() and view.current_row() == page.files[1].row
    assert not view.next_file()
    assert view.previous_file() and view.current_row() == page.files[0].row
    assert locations[-1] == C_FILE


def test_keyboard_shortcuts_jump(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    view.editor.setFocus()
    view.activateWindow()
    qtbot.waitUntil(lambda: view.editor.hasFocus(), timeout=2000)
    qtbot.keyClick(view.editor, Qt.Key.Key_N)
    assert view.current_row() == page.comment_rows[0]
    qtbot.keyClick(view.editor, Qt.Key.Key_BracketRight)
    assert view.current_row() == page.files[1].row


def test_collapse_and_expand_a_thread(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    thread = page.threads["a"]
    view.toggle_thread("a")
    assert view.is_collapsed("a")
    assert block(view, thread.rows[0]).isVisible()
    assert not any(block(view, i).isVisible() for i in thread.rows[1:])
    assert block(view, page.comment_rows[2]).isVisible()  # the other thread is untouched
    # a folded discussion's replies are skipped by next comment
    view.editor.moveCursor(QTextCursor.MoveOperation.Start)
    view.next_comment()
    view.next_comment()
    assert view.current_row() == page.comment_rows[2]
    view.toggle_thread("a")
    assert all(block(view, i).isVisible() for i in thread.rows)


def test_collapse_all_and_toggle_under_cursor(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    view.collapse_all_threads(True)
    assert view.collapse_all_action.isChecked()
    hidden = [i for t in page.threads.values() for i in t.rows[1:]]
    assert hidden and not any(block(view, i).isVisible() for i in hidden)
    view.collapse_all_threads(False)
    assert all(block(view, i).isVisible() for i in hidden)
    view.jump_to_annotation("b")
    view.toggle_thread_at_cursor()
    assert view.is_collapsed("b") and not view.is_collapsed("a")


def test_only_commented_hunks_hides_the_others(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    view.set_only_commented_hunks(True)
    for hunk in page.hunks:
        rows = range(hunk.row, hunk.end_row)
        assert all(block(view, i).isVisible() == hunk.commented for i in rows), hunk
    assert block(view, page.files[1].row).isVisible()  # file headers stay
    assert view.only_commented_action.isChecked()
    view.set_only_commented_hunks(False)
    assert all(block(view, i).isVisible() for i in range(len(page.rows)))


def _format_at(view: PatchView, index: int, qt_column: int):
    for fmt_range in block(view, index).layout().formats():
        if fmt_range.start <= qt_column < fmt_range.start + fmt_range.length:
            return fmt_range
    return None


def _row_of(page: ReviewPage, text: str) -> int:
    return next(i for i, r in enumerate(page.rows) if r.kind == "diff" and r.text == text)


def test_c_keyword_gets_the_theme_colour(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    index = _row_of(page, " static void gpio_wdt_disable(struct gpio_wdt_priv *priv)")
    found = _format_at(view, index, 1)  # "static", after the one-character diff prefix
    assert found is not None and found.start == 1 and found.length == len("static")
    assert found.format.foreground().color() == QColor(LIGHT.tokens[__import__(
        "pygments.token").token.Keyword])
    view.set_theme(DARK)
    again = _format_at(view, index, 1)
    assert again is not None
    assert again.format.foreground().color() == QColor(DARK.token_style(
        __import__("pygments.token").token.Keyword))


def test_non_bmp_text_shifts_token_offsets(qtbot, view) -> None:
    patch = parse_patch(
        "Emoji\n---\ndiff --git a/e.c b/e.c\n--- a/e.c\n+++ b/e.c\n@@ -1,1 +1,2 @@\n"
        ' int a;\n+x = "🐧𝛼"; return 0;\n'
    )
    page = build_page(patch)
    shown(qtbot, view, page)
    index = _row_of(page, '+x = "🐧𝛼"; return 0;')
    text = page.rows[index].text
    column = qt_index(text, text.index("return"))
    assert column == text.index("return") + 2  # two astral characters, two extra units
    found = _format_at(view, index, column)
    assert found is not None and (found.start, found.length) == (column, len("return"))
    assert block(view, index).text() == text


def test_same_patch_again_is_coloured_before_the_first_paint(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    cache = view.cache
    misses = cache.misses
    view.show_page(page)  # no event loop turn yet
    assert view.is_highlighted()
    assert cache.misses == misses
    assert view.highlighter.tokens.keys() == {(f, s) for f in range(len(page.files))
                                              for s in ("old", "new")}


def test_select_all_copies_the_page_text(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    view.editor.selectAll()
    view.editor.copy()
    copied = QGuiApplication.clipboard().text()
    assert "+\tunsigned int\t\ttimeout;" in copied
    assert "Comment a" in copied


def test_clear_empties_the_view(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    view.clear()
    assert view.page is None
    assert view.editor.document().toPlainText() == ""
    assert not view.next_comment()


def test_utf16_helpers() -> None:
    assert utf16_offsets("plain ascii") is None
    assert utf16_offsets("é ü") is None  # BMP only: offsets equal indices
    assert utf16_offsets("a🐧b") == [0, 1, 3, 4]
    assert utf16_len("a🐧b") == 4
    assert qt_index("a🐧b", 2) == 3
    assert python_index("a🐧b", 3) == 2
    assert python_index("abc", 2) == 2


# -- real threads: screenshots to look at ----------------------------------------------------


def _corpus_page(name: str, needle: str) -> ReviewPage:
    from viewer.core.mbox import open_mailbox

    path = CORPUS / "threads" / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    source = open_mailbox(path, use_cache=False)
    messages = [source.message(i) for i in range(len(source))]
    target = next(m for m in messages
                  if needle in m.subject and not m.subject.lower().startswith("re"))
    notes = [a for a in anchor_thread(messages) if a.anchor.patch_message_id == target.msgid]
    return build_page(parse_patch(target.body), notes, msgid=target.msgid,
                      subject=target.subject, author=target.author, date=target.date)


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "needle", "shot"),
    [
        ("linux-watchdog-archive__20211028_v1_watchdog-s3c2410-add-exynos850-support.mbox",
         "4/7", "watchdog-4of7"),
        ("linux-pwm-archive__20201205_v1_pwm-pwm-gpio-new-driver.mbox", "[PATCH v2 1/2]",
         "pwm-gpio-v2"),
    ],
)
def test_screenshots_of_real_threads(qtbot, view, name, needle, shot) -> None:
    page = _corpus_page(name, needle)
    assert page.comment_rows, "the thread has review comments to show"
    shown(qtbot, view, page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.resize(1100, 900)
    for theme in (LIGHT, DARK):
        view.set_theme(theme)
        view.editor.moveCursor(QTextCursor.MoveOperation.Start)
        assert view.grab().save(str(SHOTS / f"{shot}-{theme.name}.png"))
        view.next_comment()
        assert view.grab().save(str(SHOTS / f"{shot}-{theme.name}-comment.png"))
        # every card row has a patch row or its own discussion above it, never nothing
        assert page.rows[view.current_row()].kind == "comment_head"


def test_jump_to_reply_shows_its_first_comment_in_context(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    assert view.jump_to_reply("a-reply@mail")
    head = page.head_row("a-reply")
    assert view.current_row() == head
    # The card is on screen with rows of its code above it, not at the very top.
    top = view.editor.firstVisibleBlock().blockNumber()
    assert top < head - 2
    rect = view.editor.blockBoundingGeometry(block(view, head)).translated(
        view.editor.contentOffset())
    assert 0 <= rect.top() < view.editor.viewport().height()
    assert not view.jump_to_reply("nobody@mail")
    view.go_to_top()
    assert view.current_row() == 0


class _GatedCache(TokenCache):
    """Lexes only when let through, and notes the thread it lexed on."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.threads: set[int] = set()
        self.texts: list[str] = []

    def tokens(self, lexer_name: str, text: str):
        self.threads.add(threading.get_ident())
        self.texts.append(text)
        assert self.gate.wait(10), "the test never opened the gate"
        return super().tokens(lexer_name, text)


def test_lexing_runs_off_the_gui_thread_and_drops_stale_pages(qtbot, page) -> None:
    cache = _GatedCache()
    widget = PatchView(cache=cache)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.show_page(page)  # returns although no file can be lexed yet
    assert not widget.is_highlighted()
    ticked = []
    QTimer.singleShot(0, lambda: ticked.append(True))
    qtbot.waitUntil(lambda: bool(ticked) and bool(cache.texts))  # the GUI thread runs on
    other = build_page(parse_patch(FIXTURE.read_text(encoding="utf-8").replace(
        "gpio_wdt", "gpio_watchdog")), msgid="other@x")
    widget.show_page(other)  # while the first page's file is still in the lexer
    written: list[tuple[tuple[int, str], object]] = []

    class Spy(dict):
        def __setitem__(self, key, value) -> None:
            written.append((key, value))
            super().__setitem__(key, value)

    widget.highlighter.tokens = Spy(widget.highlighter.tokens)
    with qtbot.waitSignal(widget.highlighting_finished, timeout=10000):
        cache.gate.set()
    assert threading.get_ident() not in cache.threads
    # Every token table ever set is the new page's: the old page's late result was dropped.
    assert written
    for (index, side), tokens in written:
        text = getattr(other.files[index], f"{side}_text")
        assert tokens == cache.get(other.files[index].lexer, text)
    assert widget.highlighter.tokens.keys() == {(f, s) for f in range(len(other.files))
                                                for s in ("old", "new")}
    index = _row_of(other, " static void gpio_watchdog_disable(struct gpio_watchdog_priv *priv)")
    assert _format_at(widget, index, 1) is not None  # and the rows got their colours


def test_a_300_character_line_keeps_the_card_narrow_and_copies_whole(qtbot, view) -> None:
    # an indented log line is kept as it is, a URL is one word: both need splitting
    log = "  [   12.345678] gpio-wdt: " + "/sys/devices/platform/soc/ff0a0000.watchdog " * 6
    url = "https://lore.kernel.org/all/" + "0123456789abcdef" * 17
    assert len(log) > 280 and len(url) > 280
    patch = parse_patch(FIXTURE.read_text(encoding="utf-8"))
    long_note = Annotation("long", "long@mail", person("Guenter Roeck <linux@roeck-us.net>"), 1.0e9,
                           f"Boot log:\n{log}\nSee {url}\nThanks",
                           Anchor("diff", "p@x", C_FILE, None, 23), confidence=1.0,
                           method="exact")
    page = build_page(patch, [long_note], msgid="p@x", subject="[PATCH] watchdog: gpio: x",
                      author=person("Jane Hacker <jane@example.org>"), date=1.0e9)
    shown(qtbot, view, page)
    card = [i for i, r in enumerate(page.rows) if r.annotation is long_note]
    editor = view.editor
    char = editor.char_width()
    # no card row reaches beyond ~120 columns, whatever the reviewer pasted
    assert max(len(page.rows[i].text) for i in card) <= 125
    assert editor.horizontalScrollBar().maximum() < 40 * char
    cursor = QTextCursor(block(view, card[0]))
    cursor.setPosition(block(view, card[-1]).position() + len(page.rows[card[-1]].text),
                       QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    editor.copy()
    copied = QGuiApplication.clipboard().text()
    assert log in copied and url in copied
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.editor.setTextCursor(QTextCursor(block(view, card[0])))
    view.editor.centerCursor()
    view.grab().save(str(SHOTS / "r2-long-line-card.png"))


def test_robot_reports_start_folded(qtbot, view) -> None:
    patch = parse_patch(FIXTURE.read_text(encoding="utf-8"))
    notes = [note("human", None, 23),
             note("robot", None, 66, author="kernel test robot <lkp@intel.com>")]
    page = build_page(patch, notes, msgid="p@x", subject="[PATCH] watchdog: gpio: x",
                      author=person("Jane Hacker <jane@example.org>"), date=1.0e9)
    shown(qtbot, view, page)
    assert view.is_collapsed("robot") and not view.is_collapsed("human")
    robot_text = [i for i, r in enumerate(page.rows)
                  if r.annotation is notes[1] and r.kind == "comment"]
    assert robot_text and not any(block(view, i).isVisible() for i in robot_text)
    assert view.jump_to_annotation("robot") and not view.is_collapsed("robot")


def test_fold_snippet_is_one_short_line(qtbot, view) -> None:
    patch = parse_patch(FIXTURE.read_text(encoding="utf-8"))
    text = "   131 |\t\t\tdo_div(tem,   rate);" + " padding" * 30 + "\nsecond line"
    robot = person("kernel test robot <lkp@intel.com>")
    long_note = Annotation("log", "log@mail", robot, 1.0e9, text,
                           Anchor("unanchored", "p@x"))
    page = build_page(patch, [long_note], msgid="p@x", subject="[PATCH] x",
                      author=person("Jane Hacker <jane@example.org>"), date=1.0e9)
    shown(qtbot, view, page)
    snippet = view.editor.fold_snippet(page.rows[page.head_row("log")])
    assert snippet.startswith("— 131 | do_div(tem, rate); padding")
    assert snippet.endswith("…") and len(snippet) <= 75 and "\t" not in snippet


def test_card_text_stays_inside_its_box(qtbot, view) -> None:
    from PySide6.QtGui import QFontMetricsF

    patch = parse_patch(FIXTURE.read_text(encoding="utf-8"))
    prose = ("never be passed to it in the first place. The check for \"if (timeout < 1)\"\n"
             "    " + "indented code line " * 5)
    notes = [note("a", None, 23)]
    guenter = person("Guenter Roeck <linux@roeck-us.net>")
    notes += [Annotation(f"r{n}", f"r{n}@mail", guenter, 2.0e9 + n, prose,
                         Anchor("diff", "p@x", C_FILE, None, 23),
                         in_reply_to="a" if n == 0 else f"r{n - 1}") for n in range(6)]
    page = build_page(patch, notes, msgid="p@x", subject="[PATCH] x",
                      author=person("Jane Hacker <jane@example.org>"), date=1.0e9)
    shown(qtbot, view, page)
    editor = view.editor
    metrics = QFontMetricsF(editor.font())
    margin = editor.document().documentMargin()
    card_rows = [r for r in page.rows if r.annotation is not None]
    assert any(r.depth == 6 for r in card_rows)
    for row in card_rows:
        assert margin + metrics.horizontalAdvance(row.text) <= editor.card_right(row), row.text


def test_ctrl_c_copies_through_the_same_path(qtbot, view, page) -> None:
    shown(qtbot, view, page)
    QGuiApplication.clipboard().clear()
    view.editor.selectAll()
    qtbot.keyClick(view.editor, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == view.editor.selected_text()
    assert "Comment a" in QGuiApplication.clipboard().text()


def test_a_tag_chip_on_a_card_is_painted_as_a_chip_in_both_themes(qtbot, view) -> None:
    patch = parse_patch(FIXTURE.read_text(encoding="utf-8"))
    tagged = note("t", None, 23)
    tagged.trailers = ["Reviewed-by: Guenter Roeck <linux@roeck-us.net>"]
    page = build_page(patch, [tagged], msgid="p@x")
    shown(qtbot, view, page)
    index = page.head_row("t")
    column = qt_index(page.rows[index].text, page.rows[index].text.index("Reviewed-by"))
    for theme in (LIGHT, DARK):
        view.set_theme(theme)
        found = _format_at(view, index, column)
        assert found is not None
        assert found.format.background().color() == QColor(theme.chip_bg)
        assert found.format.foreground().color() == QColor(theme.chip_text)
