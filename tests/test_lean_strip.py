"""LeanStrip: a Strip whose caches are made on first use behaves as a Strip (it draws the same
cells), and writes each style as a step from the one before it (widgets/sgr.py)."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from textual.color import Color
from textual.filter import ANSIToTruecolor
from textual.strip import Strip

from dfx_tui.widgets.lean_strip import LeanStrip
from tests.support.terminal_model import screen_model


def _cells(text: str) -> object:
    """What a terminal shows after `text`."""
    model = screen_model().ScreenModel(40, 1)
    model.feed(text.encode())
    return model.cells


def _segments() -> list[Segment]:
    return [Segment("  ", Style(italic=False)), Segment("65001.50", Style(color="red")),
            Segment("  0.1234 ", Style(color="#00ff00", bold=True)), Segment("█▌", None)]


def test_lean_strip_renders_crops_and_filters_as_a_strip() -> None:
    console = Console(color_system="truecolor", force_terminal=True)
    lean, strip = LeanStrip(_segments(), 21), Strip(_segments(), 21)
    assert _cells(lean.render(console)) == _cells(strip.render(console))
    assert _cells(lean.crop(3, 12).render(console)) == _cells(strip.crop(3, 12).render(console))
    assert lean.crop(3, 12) is lean.crop(3, 12)  # its crop cache, made on first use, works
    assert lean.divide([5, 21])[1].text == strip.divide([5, 21])[1].text
    assert lean.adjust_cell_length(30).cell_length == 30
    line_filter = ANSIToTruecolor(DEFAULT_TERMINAL_THEME)
    background = Color(0, 0, 0)
    assert (_cells(lean.apply_filter(line_filter, background).render(console))
            == _cells(strip.apply_filter(line_filter, background).render(console)))
    assert lean == strip


def test_neighbours_share_what_their_styles_have_in_common() -> None:
    console = Console(color_system="truecolor", force_terminal=True)
    red, pad = Style(color="#ff0000"), Style(color="#ff0000") + Style(italic=False)
    grey = Style(color="#808080")
    segments = [Segment(" ", pad), Segment("65001.50", red), Segment("   ", pad),
                Segment("12.3456", grey), Segment("  ", None), Segment("x", red)]
    lean = LeanStrip(segments, 27)
    assert lean.render(console) == ("\x1b[38;2;255;0;0m 65001.50   "
                                    "\x1b[38;2;128;128;128m12.3456\x1b[0m"
                                    "  \x1b[38;2;255;0;0mx\x1b[0m")
    assert _cells(lean.render(console)) == _cells(Strip(segments, 27).render(console))
    # Textual writes one sequence a segment: the same cells, more bytes.
    assert len(lean.render(console)) < len(Strip(segments, 27).render(console))


def test_lean_strip_knows_only_its_own_cache_slots() -> None:
    with pytest.raises(AttributeError):
        _ = LeanStrip(_segments(), 21).no_such_attribute  # type: ignore[attr-defined]
