"""Column helpers shared by the ladder and the tape: decimal alignment and compact numbers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import repeat
from operator import sub

from rich.segment import Segment
from rich.style import Style

# Added to a blank run's style: renders like no change, but keeps the run a segment of its own
# (an exported SVG drops the spaces leading a text). One for every widget that pads so.
PAD = Style(italic=False)


def align_decimals(texts: Sequence[str]) -> tuple[list[str], int]:
    """Pad decimal strings so their points line up; return them and the common width.

    Integer parts are right-aligned and fractions left-aligned, so "9.5" and "10.25" line up
    even when a level carries more places than the market precision.
    """
    if not texts:
        return [], 0
    int_w, frac_w = decimal_widths(texts)
    return [aligned(t, int_w, frac_w) for t in texts], int_w + frac_w


@lru_cache(maxsize=8192)
def _split_widths(text: str) -> tuple[int, int]:
    """(integer part, point and fraction) widths of one decimal text."""
    whole, point, fraction = text.partition(".")
    return len(whole), (len(fraction) + 1) if point else 0


def decimal_widths(texts: Iterable[str]) -> tuple[int, int]:
    """The integer and fraction widths `align_decimals` aligns `texts` to."""
    int_w = frac_w = 0
    for text in texts:
        i, f = _split_widths(text)
        if i > int_w:
            int_w = i
        if f > frac_w:
            frac_w = f
    return int_w, frac_w


def kept_widths(texts: Sequence[str]) -> tuple[int, int]:
    """`decimal_widths` of `texts`, kept for the last few columns of texts: a ladder
    paint's prices and sizes are mostly the last paint's."""
    key = tuple(texts)
    found = _WIDTHS.get(key)
    if found is None:
        if len(_WIDTHS) >= 64:
            _WIDTHS.clear()
        found = _WIDTHS[key] = decimal_widths(key)
    return found


_WIDTHS: dict[tuple[str, ...], tuple[int, int]] = {}


def new_widths(texts: Sequence[str]) -> tuple[int, int]:
    """`decimal_widths` of texts mostly not seen before (the ladder's cumulative sizes: a
    delta moves every one past it), in C-level maps where each text has a point rather
    than a cached split a text (timeit, 42 new texts: ~15 -> ~6 us)."""
    points = list(map(str.find, texts, repeat(".")))
    if points and min(points) >= 0:  # the whole part ends at the first point, as partition
        return max(points), max(map(sub, map(len, texts), points))
    return decimal_widths(texts)


def aligned(text: str, int_w: int, frac_w: int) -> str:
    """`text` aligned as `align_decimals` aligns it to widths `int_w` and `frac_w`."""
    whole, point, fraction = text.partition(".")
    return whole.rjust(int_w) + ((point + fraction).ljust(frac_w) if frac_w else "")


def compact(value: float) -> str:
    """A short human figure: 950, 12.3k, 4.56M, 0.0123 (for volumes, never for prices)."""
    v = abs(value)
    if v >= 1e9:
        return f"{value / 1e9:.2f}B"
    if v >= 1e6:
        return f"{value / 1e6:.2f}M"
    if v >= 1e4:
        return f"{value / 1e3:.1f}k"
    if v >= 100:
        return f"{value:.0f}"
    if v >= 1:
        return f"{value:.2f}"
    if v == 0:
        return "0"
    return f"{value:.4g}"


def gap(text: str, style: Style) -> Segment:
    """A run of spaces between columns, kept apart from its neighbours (see `lead_split`)."""
    return Segment(text, style + PAD)


def lead_split(text: str, style: Style) -> list[Segment]:
    """`text` as Segments with its leading spaces in a segment of their own.

    Exported SVGs put each segment in its own <text> element, and some SVG renderers
    (librsvg) drop leading spaces inside one; a separate blank segment keeps the layout.
    """
    body = text.lstrip(" ")
    lead = len(text) - len(body)
    if not lead or not body:
        return [Segment(text, style)]
    return [Segment(" " * lead, style + PAD), Segment(body, style)]


_EIGHTHS = " ▏▎▍▌▋▊▉"


def depth_label(mode: int) -> str:
    return "auto" if mode == 0 else str(mode)


def window_label(seconds: float) -> str:
    return f"{seconds / 60:g}m" if seconds >= 60 and seconds % 60 == 0 else f"{seconds:g}s"


def bar_text(fraction: float, width: int) -> str:
    """A left-aligned bar of `width` cells filled to `fraction`, with eighth-cell precision."""
    if width <= 0:
        return ""
    eighths = max(0, min(width * 8, round(fraction * width * 8)))
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part and full < width else "")
    return text.ljust(width)
