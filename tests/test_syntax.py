"""The token cache: lexers chosen by kernel path, lines kept aligned, each text lexed once."""

from __future__ import annotations

import pytest
from pygments.token import Comment, Keyword, Name, String

from viewer.core.syntax import TokenCache, lex_lines, lexer_name_for


@pytest.mark.parametrize(
    ("path", "lexer"),
    [
        ("drivers/watchdog/gpio_wdt.c", "c"),
        ("include/linux/watchdog.h", "c"),
        ("rust/kernel/sync.rs", "rust"),
        ("scripts/checkpatch.py", "python"),
        ("tools/testing/selftests/run.sh", "bash"),
        ("drivers/watchdog/Makefile", "make"),
        ("drivers/watchdog/Kconfig", "kconfig"),
        ("arch/x86/Kconfig.debug", "kconfig"),
        ("arch/arm64/boot/dts/exynos/exynos850.dtsi", "devicetree"),
        ("Documentation/devicetree/bindings/watchdog/gpio-wdt.yaml", "yaml"),
        ("arch/x86/entry/entry_64.S", "gas"),
        ("MAINTAINERS", "text"),
        ("firmware/blob.unknown-suffix", "text"),
    ],
)
def test_lexer_chosen_by_kernel_path(path: str, lexer: str) -> None:
    assert lexer_name_for(path) == lexer


def _kinds(spans) -> dict[str, object]:
    return {span.token: span for span in spans}


def test_lines_stay_aligned_with_leading_and_trailing_blank_lines() -> None:
    # pygments' default stripnl=True would drop the two leading blank lines and shift every
    # token up by two lines.
    text = "\n\nstatic int x;\n\n"
    lines = lex_lines("c", text)
    assert len(lines) == text.count("\n") + 1
    assert lines[0] == () and lines[1] == ()
    assert any(span.token in Keyword for span in lines[2])


def test_block_comment_is_cut_at_each_newline() -> None:
    lines = lex_lines("c", "/* one\n * two\n */\nint a;")
    for number in range(3):
        assert lines[number], number
        assert all(span.token in Comment for span in lines[number])
    # offsets are per line, not per text
    assert lines[1][0].start == 0
    assert lines[1][0].length == len(" * two")
    assert any(span.token in Keyword for span in lines[3])


def test_spans_point_at_the_token_text() -> None:
    line = 'return dev_err(dev, "boom %d\\n", ret);'
    (spans,) = lex_lines("c", line)
    words = {line[s.start : s.start + s.length]: s.token for s in spans}
    assert words["return"] in Keyword
    assert words["dev_err"] in Name
    assert any(token in String for token in words.values())


def test_non_bmp_characters_count_as_one_code_point() -> None:
    line = 'x = "🐧"; int y;'
    (spans,) = lex_lines("c", line)
    keyword = next(s for s in spans if s.token in Keyword)
    assert line[keyword.start : keyword.start + keyword.length] == "int"


def test_cache_lexes_a_text_once_and_answers_by_content() -> None:
    cache = TokenCache(size=4)
    text = "static int a;\nstatic int b;\n"
    assert cache.get("c", text) is None
    first = cache.tokens("c", text)
    again = cache.tokens("c", "".join(["static int a;\n", "static int b;\n"]))  # equal, new str
    assert again is first
    assert (cache.hits, cache.misses) == (1, 1)
    assert cache.get("c", text) is first
    # the same text under another lexer is another entry
    assert cache.tokens("make", text) is not first
    assert cache.misses == 2


def test_cache_evicts_the_least_recently_used() -> None:
    cache = TokenCache(size=2)
    cache.tokens("c", "int a;")
    cache.tokens("c", "int b;")
    cache.tokens("c", "int a;")  # a is now the most recent
    cache.tokens("c", "int c;")
    assert cache.get("c", "int a;") is not None
    assert cache.get("c", "int b;") is None
    assert cache.get("c", "int c;") is not None


def test_unknown_lexer_name_falls_back_to_plain_text() -> None:
    assert lex_lines("no-such-lexer", "a\nb") == [(), ()]


def test_last_line_without_newline_is_not_an_error():
    # The Makefile lexer only matches lines that end in a newline; a hunk's last line has none.
    text = "obj-$(CONFIG_PWM_IMG)\t\t+= pwm-img.o\nobj-$(CONFIG_PWM_IMX1)\t\t+= pwm-imx1.o"
    lines = lex_lines(lexer_name_for("drivers/pwm/Makefile"), text)
    assert len(lines) == 2
    assert [span.token for span in lines[1]] == [span.token for span in lines[0]]
    assert all("Error" not in str(span.token) for line in lines for span in line)
