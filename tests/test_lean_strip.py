"""LeanStrip: a Strip whose caches are made on first use behaves as a Strip."""

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


def _segments() -> list[Segment]:
    return [Segment("  ", Style(italic=False)), Segment("65001.50", Style(color="red")),
            Segment("  0.1234 ", Style(color="#00ff00", bold=True)), Segment("█▌", None)]


def test_lean_strip_renders_crops_and_filters_as_a_strip() -> None:
    console = Console(color_system="truecolor", force_terminal=True)
    lean, strip = LeanStrip(_segments(), 21), Strip(_segments(), 21)
    assert lean.render(console) == strip.render(console)
    assert lean.crop(3, 12).render(console) == strip.crop(3, 12).render(console)
    assert lean.crop(3, 12) is lean.crop(3, 12)  # its crop cache, made on first use, works
    assert lean.divide([5, 21])[1].text == strip.divide([5, 21])[1].text
    assert lean.adjust_cell_length(30).cell_length == 30
    line_filter = ANSIToTruecolor(DEFAULT_TERMINAL_THEME)
    background = Color(0, 0, 0)
    assert (lean.apply_filter(line_filter, background).render(console)
            == strip.apply_filter(line_filter, background).render(console))
    assert lean == strip


def test_lean_strip_knows_only_its_own_cache_slots() -> None:
    with pytest.raises(AttributeError):
        _ = LeanStrip(_segments(), 21).no_such_attribute  # type: ignore[attr-defined]
