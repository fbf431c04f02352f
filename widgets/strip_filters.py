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
                segments = strip._segments
            except AttributeError:  # a Textual without this internal: its own path
                lines[i] = strip.apply_filter(line_filter, background)
                continue
            if not known(map(id, map(_STYLE, segments))) and not verdicts.leaves_as_is(segments):
                lines[i] = strip.apply_filter(line_filter, background)


_STYLE = itemgetter(1)  # a Segment's style


class StyleVerdicts:
    """Which styles an ANSIToTruecolor filter over one background leaves as they are.

    `passed` holds the ids of the styles it leaves (and of None), so a line whose every style
    is known is checked in one C-level pass (`passed.issuperset(map(id, ...))`), with no
    Python frame per segment: `Style.__hash__` is Python code, and the segment-by-segment
    dictionary lookup it took was most of writing a paint's lines (bench_paint, 1 step a
    paint: `_leaves_as_is` 0.33 of `direct_lines` 2.15 s cumulative over 2000 paints,
    profiled; see the commit for the measured change). `kept` holds those styles, so an id
    in `passed` is never another object's. A style is judged once (`_same`, by equality: a
    new Style equal to a known one costs a lookup, not the filter)."""

    __slots__ = ("line_filter", "background", "passed", "kept", "_same")

    def __init__(self, line_filter: ANSIToTruecolor, background: Color) -> None:
        self.line_filter, self.background = line_filter, background
        self.passed: set[int] = {id(None)}
        self.kept: list[Style] = []
        self._same: dict[Style, bool] = {}

    def leaves_as_is(self, segments: Iterable[Segment]) -> bool:
        """Whether the filter leaves every style of `segments` as it is (and notes those
        it leaves). Asked once per style: a dict lookup where the filter's own lru_cache cost
        a call and a style comparison per segment."""
        if len(self.kept) > STYLE_MEMO:  # emptied in place: `filter_lines` holds `passed`
            self.passed.clear()
            self.passed.add(id(None))
            self.kept.clear()
            self._same.clear()
        passed, same_of = self.passed, self._same
        bg = self.background.rich_color
        for _text, style, _control in segments:
            if style is None or id(style) in passed:
                continue
            same = same_of.get(style)
            if same is None:
                same = same_of[style] = self.line_filter.truecolor_style(style, bg) == style
            if not same:
                return False
            passed.add(id(style))
            self.kept.append(style)
        return True


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
