"""Textual's line filters over a widget's own cached strips (widgets/strip_view.py
`cached_lines`), skipped where they would change nothing."""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import ANSIToTruecolor, LineFilter
from textual.strip import Strip


def filter_lines(lines: list[Strip], filters: Iterable[LineFilter], background: Color) -> None:
    """Each of `lines`, in place, `strip.apply_filter(line_filter, background)` for each
    filter in turn, but the strip itself where Textual's always-on ANSIToTruecolor filter
    would change nothing (every colour already true colour, nothing dim): the filter makes a
    new Strip of new segments for every new line, which was 40% of writing a paint's lines at
    5,000 msg/s (bench_paint, 125 steps a paint, the direct path: 1.6 -> 0.9 ms with filters
    off). Which styles it leaves as they are is kept per filter and background
    (`StyleVerdicts`)."""
    for line_filter in filters:
        if type(line_filter) is not ANSIToTruecolor:
            lines[:] = [strip.apply_filter(line_filter, background) for strip in lines]
            continue
        verdicts = style_verdicts(line_filter, background)
        known = verdicts.passed.issuperset
        for i, strip in enumerate(lines):
            try:
                if not known(map(id, map(_STYLE, strip._segments))):
                    lines[i] = verdicts.apply(strip)
            except AttributeError:  # a Textual without these internals: its own path
                lines[i] = strip.apply_filter(line_filter, background)


_STYLE = itemgetter(1)  # a Segment's style


class StyleVerdicts:
    """Which styles an ANSIToTruecolor filter over one background leaves as they are.

    `passed` holds the ids of the styles it leaves (and of None), so a line whose every style
    is known is checked in one C-level pass (`passed.issuperset(map(id, ...))`), with no
    Python frame per segment: `Style.__hash__` is Python code, and the segment-by-segment
    dictionary lookup it took was most of writing a paint's lines (bench_paint, 1 step a
    paint, 1000 paints, medians of 5 interleaved runs: the direct path and compositor 0.333
    -> 0.226 ms a paint). A style is judged once, by id (`_as`: what the filter makes of it).
    `kept` holds those styles, so an id is never another object's."""

    __slots__ = ("line_filter", "background", "passed", "kept", "_as")

    def __init__(self, line_filter: ANSIToTruecolor, background: Color) -> None:
        self.line_filter, self.background = line_filter, background
        self.passed: set[int] = {id(None)}
        self.kept: list[Style] = []
        self._as: dict[int, Style] = {}

    def apply(self, strip: Strip) -> Strip:
        """`strip.apply_filter(line_filter, background)`, or the strip itself where the
        filter leaves every style as it is. The filtered strip is kept in the strip's filter
        cache as `apply_filter` keeps it, and made as it makes it (new segments, no control
        codes) from each style's verdict: the filter's lru_cache hashed the style and the
        background's Rich colour (an Enum, hashed in Python) per segment; the header's dim
        styles go through it every paint (bench_paint, 1 step a paint: ~20 us a paint)."""
        if len(self.kept) > STYLE_MEMO:  # emptied in place: `filter_lines` holds `passed`
            self.passed.clear()
            self.passed.add(id(None))
            self.kept.clear()
            self._as.clear()
        passed, as_of = self.passed, self._as
        bg = None
        styles: list[Style | None] = []
        changed = False
        for _text, style, _control in strip._segments:
            if style is None or id(style) in passed:
                styles.append(style)
                continue
            new = as_of.get(id(style))
            if new is None:
                if bg is None:
                    bg = self.background.rich_color
                new = as_of[id(style)] = self.line_filter.truecolor_style(style, bg)
                self.kept.append(style)
                if new == style:
                    passed.add(id(style))
                    styles.append(style)
                    continue
            changed = True
            styles.append(new)
        if not changed:
            return strip
        key = (self.line_filter, self.background)
        cached: Strip | None = strip._filter_cache.get(key)
        if cached is None:
            cached = Strip([Segment(text, style, None) for (text, _style, _control), style
                            in zip(strip._segments, styles, strict=True)], strip._cell_length)
            strip._filter_cache[key] = cached
        return cached


def style_verdicts(line_filter: ANSIToTruecolor, background: Color) -> StyleVerdicts:
    """The `StyleVerdicts` of a filter over a background, kept (at most `STYLE_MEMO` pairs)."""
    key = (line_filter, background)
    verdicts = _VERDICTS.get(key)
    if verdicts is None:
        if len(_VERDICTS) > STYLE_MEMO:
            _VERDICTS.clear()
        verdicts = _VERDICTS[key] = StyleVerdicts(line_filter, background)
    return verdicts


STYLE_MEMO = 4096  # (filter, background) pairs, and styles for each, kept
_VERDICTS: dict[tuple[ANSIToTruecolor, Color], StyleVerdicts] = {}
