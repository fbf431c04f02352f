"""widgets/strip_filters.py: a widget's own strips through Textual's line filters give what
`Strip.apply_filter` gives, and are left as they are (the same objects) where the always-on
ANSIToTruecolor filter would change nothing. Pins the Textual internals it reads
(`Strip._segments`) and the filter's rule (true colours and no dim are left as they are)."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from textual.color import Color
from textual.filter import ANSIToTruecolor, Monochrome
from textual.strip import Strip

from dfx_tui.widgets import strip_filters
from dfx_tui.widgets.lean_strip import LeanStrip
from dfx_tui.widgets.strip_filters import filter_lines, style_verdicts

CONSOLE = Console(color_system="truecolor", force_terminal=True)
BACKGROUND = Color(10, 20, 30)


def _render(lines: list[Strip]) -> list[str]:
    return [strip.render(CONSOLE) for strip in lines]


def _lines() -> list[Strip]:
    red, pad = Style(color="#ff0000"), Style(color="#ff0000", bgcolor="#000010")
    return [
        LeanStrip([Segment(" 65001.50 ", red), Segment("  ", None), Segment("12", pad)], 14),
        Strip([Segment("ansi", Style(color="red")), Segment(" ok", red)], 7),  # a system colour
        LeanStrip([Segment("dim", Style(color="#e0e0e0", dim=True))], 3),  # dimmed by it
        LeanStrip([Segment("x", Style(bgcolor="blue")), Segment("y", None)], 2),
        Strip([Segment("plain", None)], 5),
    ]


def test_filtered_lines_draw_as_textual_filters_them_and_unchanged_lines_stay_themselves():
    line_filter = ANSIToTruecolor(DEFAULT_TERMINAL_THEME)
    for _ in range(2):  # styles first judged, then known by id
        lines = _lines()
        expected = [strip.apply_filter(line_filter, BACKGROUND) for strip in lines]
        got = list(lines)
        filter_lines(got, [line_filter], BACKGROUND)
        assert _render(got) == _render(expected)
        assert got == expected  # the same segments
        assert [a is b for a, b in zip(got, lines, strict=True)] == [
            True, False, False, False, True]
        again = list(lines)  # a strip filtered again: the one made the first time
        filter_lines(again, [line_filter], BACKGROUND)
        assert all(a is b for a, b in zip(again, got, strict=True))
    # The rule the shortcut relies on: Textual's filter leaves true colours without dim.
    same = Style(color="#123456", bgcolor="#654321", bold=True)
    assert line_filter.truecolor_style(same, BACKGROUND.rich_color) == same
    assert line_filter.truecolor_style(Style(color="#123456", dim=True),
                                       BACKGROUND.rich_color) != Style(color="#123456", dim=True)
    assert all(isinstance(seg, Segment) for seg in _lines()[0]._segments)  # the internal read


def test_other_filters_are_applied_as_textual_does():
    lines = [strip for strip in _lines() if all(seg.style for seg in strip)]  # its rule
    monochrome = Monochrome()
    expected = [strip.apply_filter(monochrome, BACKGROUND) for strip in lines]
    filter_lines(lines, [monochrome, ANSIToTruecolor(DEFAULT_TERMINAL_THEME)], BACKGROUND)
    assert _render(lines) == _render(
        [strip.apply_filter(ANSIToTruecolor(DEFAULT_TERMINAL_THEME), BACKGROUND)
         for strip in expected])


def test_a_style_known_by_id_is_never_another_objects():
    """The verdicts are kept by style id; the styles are kept alive with them, so an id is
    never reused by a new style the filter would change, even once the memo is emptied."""
    line_filter = ANSIToTruecolor(DEFAULT_TERMINAL_THEME)
    background = Color(1, 2, 3)
    verdicts = style_verdicts(line_filter, background)
    old_memo = strip_filters.STYLE_MEMO
    strip_filters.STYLE_MEMO = 8
    try:
        for i in range(40):
            good = LeanStrip([Segment("a", Style(color=f"#0000{i:02x}"))], 1)
            bad = LeanStrip([Segment("b", Style(color="red", bgcolor=f"#0000{i:02x}"))], 1)
            lines = [good, bad]
            filter_lines(lines, [line_filter], background)
            assert lines[0] is good and lines[1] is not bad
            assert len(verdicts.kept) <= strip_filters.STYLE_MEMO + 1
            assert verdicts.passed <= {id(None), *map(id, verdicts.kept)}
            assert set(verdicts._as) == set(map(id, verdicts.kept))
    finally:
        strip_filters.STYLE_MEMO = old_memo
