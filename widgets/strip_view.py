"""Base of the Line API widgets (ladder, tape): lines built once per change, then indexed.

A subclass says what its picture depends on (`_key`) and how to draw it (`_build`). The owner
calls `maybe_repaint(now)` on its clock; `render_line(y)` only indexes the cached strips, so
nothing is rebuilt per frame or per feed message.

A repaint refreshes only the lines that differ from the last picture: Textual then renders,
composes and writes just those lines (bench_app: the compositor and the terminal output are
most of a repaint's cost). A subclass that reuses the same `Strip` object for an unchanged
line makes that check an identity test. A changed line is written whole: a region ending at
its last changed cell saves the bytes of the unchanged tail, but Textual then crops every
such line before encoding it, which cost more CPU than the bytes saved (in-process paint
benchmark, one delta a paint on a 160x50 ladder: +0.7 ms encode for -30% bytes).

A subclass makes each line with `line(segments, width, pad)`: adjacent segments that look
the same joined (`merge_segments`), padded or cut to the width, one `Strip` whose length is
known. Each segment costs the terminal a full colour escape (~40 bytes) and Textual a pass
per filter, cut and encode; each `Strip` costs seven caches. tests/benchmarks/bench_paint.py
(the real app in-process, 160x50; ladder rows 9.6 -> 6.6 segments): one delta a paint, bytes
per paint 6341 -> ~5100; ten deltas a paint, 17188 -> ~13500. Joining the strips after they
were built (a second Strip per row) cost more than Textual saved: +0.7 ms a paint at ten
deltas.

The compositor asks `render_lines` for the changed lines. Textual's own path (StylesCache)
re-derives every line through borders, padding, tint and opacity this widget does not have,
makes a new `Strip` of it and then filters that new strip (ANSIToTruecolor), so its filter
cache never hits. With no box effects `render_lines` returns the cached strips themselves,
left as they are where the filter would change nothing (widgets/strip_filters.py): a row of
known styles costs one set test.

Colours come from component classes (`component_styles()`); when the theme changes them,
`restyle()` drops every cache and rebuilds the picture at once (see widgets/styled.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from dfx_tui.widgets.columns import PAD
from dfx_tui.widgets.lean_strip import LeanStrip
from dfx_tui.widgets.strip_filters import filter_lines
from dfx_tui.widgets.styled import StyledWidget


class LineWidget(StyledWidget):
    """A widget that draws from strips it keeps (StripView, widgets/text_line.TextLine)."""

    # With a `plain_box`, `render_lines` hands out the cached strips themselves: the app may
    # write its changed lines without Textual's compositor (app/screen_updates.py).
    OWN_LINES: ClassVar[bool] = True

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._box: tuple[bool, Color] | None = None

    def box(self) -> tuple[bool, Color]:
        """(`plain_box(self)`, the background its lines are filtered over), kept until
        Textual updates this widget's styles. Both walk every ancestor's styles, and a paint
        asked for them for each repainted widget twice and once (bench_paint, 1 step a
        paint: ~0.1 ms of ~2.0). Textual re-applies the styles of a node and all its
        descendants on a theme change and on any class or pseudo-class change
        (`App.update_styles`), calling `notify_style_update`; the app sets no inline styles
        and has no style transitions."""
        box = self._box
        if box is None:
            box = self._box = (plain_box(self), self.background_colors[1])
        return box

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._box = None

    def own_lines(self, ys: list[int], size: Size) -> list[Strip]:
        """`render_lines` of the lines `ys` (sorted) of a `plain_box` laid out at `size` (its
        region in the compositor's map), for app/screen_updates.direct_lines."""
        lines: list[Strip] = []
        for y0, count in line_runs(ys):
            lines += self.render_lines(Region(0, y0, size.width, count))
        return lines

    @staticmethod
    def line(segments: Iterable[Segment], width: int, pad: Style,
             cells: int | None = None) -> Strip:
        """One line of `width` cells: same-look segments joined, padded with `pad` (or cut).
        `cells`: the segments' width when the caller knows it (else each is measured)."""
        merged = merge_segments(segments)
        if cells is None:
            cells = sum(seg.cell_length for seg in merged)
        if cells < width:
            merged.append(Segment(" " * (width - cells), pad))
        elif cells > width:
            return Strip(merged, cells).crop(0, width)
        return LeanStrip(merged, width)

    def refresh_lines(self, *regions: Region) -> None:
        """`refresh(*regions)` for changed lines. Inside a paint that writes its own changes
        (`quiet_refresh`), only marked dirty: `refresh` also prompts the widget's message
        pump, whose idle handler then finds nothing to do (the paint drew the lines), a task
        wake-up per repainted widget per paint."""
        marked = _QUIET[0]
        if marked is None or not self.is_mounted:
            self.refresh(*regions)
            return
        size = self._size
        if self.box()[0] and size:
            # Textual's `_set_dirty`, less what a plain box does not need: its content starts
            # at its origin (no border or padding; scrollbars are right and bottom), and its
            # lines never go through the StylesCache whose dirty lines it also marks
            # (`render_lines`), while it asked `content_offset` (the gutter's Spacing sums)
            # and, for the whole widget, `size` (bench_paint, 1 step a paint, timed around
            # the ~2 calls a paint: ~29 -> ~7 us). tests/test_direct_lines.py checks the two
            # mark the same.
            if not regions:
                self._dirty_regions.clear()
                self._repaint_regions.clear()
                regions = (size.region,)
            self._dirty_regions.update(regions)
            self._repaint_regions.update(regions)
        else:
            self._set_dirty(*regions)
        self._repaint_required = True
        marked.append(self)


# The widgets marked dirty by `refresh_lines` during a `quiet_refresh` block (None outside).
_QUIET: list[list[Widget] | None] = [None]


@contextmanager
def quiet_refresh() -> Iterator[list[Widget]]:
    """A paint that writes what it marked itself (app/screen_updates.draw_now): the own-line
    widgets' `refresh_lines` in the block only mark their lines. The caller must write them,
    and prompt (`Widget.check_idle`) any of the yielded widgets still waiting to be drawn."""
    marked: list[Widget] = []
    outer = _QUIET[0]
    _QUIET[0] = marked
    try:
        yield marked
    finally:
        _QUIET[0] = outer


class StripView(LineWidget):
    """A widget whose lines are a cached list of `Strip`s."""

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._strips: list[Strip] = []
        self._drawn: tuple[object, ...] | None = None  # the `_key()` the cached strips show
        self._strips_size: Size | None = None  # the size the cached strips were built for
        self._last_now = 0.0  # the clock of the last repaint (a restyle redraws that moment)
        self.build_size = Size(0, 0)  # the size `_build` draws for (see `_build_at`)
        self.repaints = 0

    def _key(self) -> tuple[object, ...]:
        """Everything the picture depends on; a change means a repaint."""
        raise NotImplementedError

    def _build(self, now: float) -> list[Strip]:
        raise NotImplementedError

    def needs_repaint(self) -> bool:
        return self._drawn != self._key()

    def next_change(self) -> float | None:
        """When the picture changes with time alone (on the clock `repaint` is given), if it
        does: the owner paints then, instead of on every tick."""
        return None

    def maybe_repaint(self, now: float = 0.0) -> bool:
        """Repaint if anything the picture depends on changed. Cheap if not."""
        if not self.needs_repaint():
            return False
        self.repaint(now)
        return True

    def clear_caches(self) -> None:
        """Drop whatever a subclass keeps between repaints (built in the old styles)."""

    def restyle(self) -> None:
        self.clear_caches()
        self.repaint(self._last_now)

    def repaint(self, now: float = 0.0) -> None:
        self._last_now = now
        old, old_size = self._strips, self._strips_size
        size = self.size
        self._strips = new = self._build_at(size, now)
        self._strips_size = size
        self._drawn = self._key()
        self.repaints += 1
        if old_size != size or len(old) != len(new):
            self.refresh()
            return
        regions = self._changed_regions(old, new, size.width)
        if regions:
            self.refresh_lines(*regions)

    def _build_at(self, size: Size, now: float) -> list[Strip]:
        """`_build(now)` for a content area of `size` (as `self.size` says now), which a
        subclass's `_build` may read as `self.build_size`: `self.size` walks the DOM to the
        screen and looks the widget up in the compositor's map, ~15 times a paint (bench_paint,
        1 step a paint, 2000 paints, profiled: 30,929 calls, 0.47 of 7.9 s in on_clock; with
        this, `own_lines` and `refresh_lines`: 17,341 calls, 0.22 s)."""
        self.build_size = size
        return self._build(now)

    def _changed_regions(self, old: list[Strip], new: list[Strip], width: int) -> list[Region]:
        """What to refresh when the lines went from `old` to `new` (same count and size)."""
        return changed_lines(old, new, width)

    def on_resize(self) -> None:
        self._drawn = None
        self._strips_size = None

    def render_lines(self, crop: Region) -> list[Strip]:
        if not self.box()[0]:
            return super().render_lines(crop)
        size = self.size
        self._draw_for(size)
        strips, count = self._strips, len(self._strips)
        return cached_lines(self, crop, lambda y: strips[y] if 0 <= y < count
                            else self.render_line(y), size.width)

    def own_lines(self, ys: list[int], size: Size) -> list[Strip]:
        # `render_lines` of these lines without asking `self.size` (twice a widget a paint).
        if type(self).render_lines is not StripView.render_lines:  # a subclass draws its own
            return super().own_lines(ys, size)
        self._draw_for(size)
        strips, count = self._strips, len(self._strips)
        width = size.width
        lines = [strips[y] if 0 <= y < count else self.render_line(y) for y in ys]
        for i, strip in enumerate(lines):
            if strip.cell_length != width:
                lines[i] = strip.adjust_cell_length(width)
        filter_lines(lines, self.get_line_filters(), self.box()[1])
        return lines

    def _draw_for(self, size: Size) -> None:
        """Laid out at a new size (the first layout, a resize) and not drawn for it yet:
        draw now, so this screen update shows the picture instead of blank lines and the
        owner's next paint another update."""
        if self._strips_size != size and size.width > 0 and size.height > 0:
            self._drawn = None
            self._strips = self._build_at(size, self._last_now)
            self._strips_size = size
            self._drawn = self._key()
            self.repaints += 1

    def render_line(self, y: int) -> Strip:
        size = self.size
        self._draw_for(size)
        width = size.width
        if 0 <= y < len(self._strips):
            strip = self._strips[y]
            return strip if strip.cell_length == width else strip.adjust_cell_length(width)
        return Strip.blank(width, self.rich_style)


def plain_box(widget: Widget) -> bool:
    """No border, outline, padding, tint, hatch or opacity: a line is the strip itself."""
    styles = widget.styles
    return (not any(edge[0] for edge in styles.border)
            and not any(edge[0] for edge in styles.outline)
            and not any(styles.padding) and not styles.tint.a
            and widget.opacity == 1.0 and styles.text_opacity == 1.0
            and (not styles.has_rule("hatch") or styles.hatch == "none"))


def cached_lines(widget: LineWidget, crop: Region, line_of: Callable[[int], Strip],
                 width: int | None = None) -> list[Strip]:
    """The compositor's lines of a `plain_box` widget: its own cached strips (`line_of(y)`),
    fitted to its width (`width`, when the caller knows it) and filtered (`filter_lines`;
    see the module)."""
    if width is None:
        width = widget.size.width
    lines = []
    for y in crop.line_range:
        strip = line_of(y)
        if strip.cell_length != width:
            strip = strip.adjust_cell_length(width)
        lines.append(strip)
    filter_lines(lines, widget.get_line_filters(), widget.box()[1])
    x1, x2 = crop.column_span
    if (x1, x2) != (0, width):
        lines = [strip.crop(x1, x2) for strip in lines]
    return lines


def line_runs(ys: list[int]) -> list[tuple[int, int]]:
    """Sorted line numbers as (first, count) runs of consecutive lines."""
    runs: list[tuple[int, int]] = []
    for y in ys:
        if runs and runs[-1][0] + runs[-1][1] == y:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((y, 1))
    return runs




@lru_cache(maxsize=4096)
def same_look(a: Style | None, b: Style | None) -> bool:
    """Whether two styles draw the same: equal, or equal but for an explicit `italic=False`
    (widgets/columns.py marks padding segments with it to keep them apart)."""
    if a is b or a == b:
        return True
    if a is None or b is None or a.italic or b.italic:
        return False
    return a + PAD == b + PAD


def merge_segments(segments: Iterable[Segment]) -> list[Segment]:
    """Adjacent segments that look the same, joined. A segment that starts with a space gets
    nothing appended: an exported SVG would drop the spaces leading its text (librsvg), which
    is why widgets/columns.py `lead_split` keeps leading spaces in a segment of their own."""
    out: list[Segment] = []
    texts: list[str] = []  # the run being joined
    style: Style | None = None
    joinable = False  # the run may take more (no control codes, starts with a non-space)
    for text, seg_style, control in segments:
        if joinable and not control and same_look(style, seg_style):
            texts.append(text)
            continue
        if texts:
            out.append(Segment("".join(texts), style))
        if control:
            out.append(Segment(text, seg_style, control))
            texts, joinable = [], False
            continue
        texts, style = [text], seg_style
        joinable = text[:1] not in ("", " ")
    if texts:
        out.append(Segment("".join(texts), style))
    return out


def changed_lines(old: list[Strip], new: list[Strip], width: int) -> list[Region]:
    """Regions (one per run of consecutive lines) where `new` differs from `old`."""
    regions: list[Region] = []
    start = -1
    for y, (a, b) in enumerate(zip(old, new, strict=True)):
        if a is b or a == b:
            if start >= 0:
                regions.append(Region(0, start, width, y - start))
                start = -1
        elif start < 0:
            start = y
    if start >= 0:
        regions.append(Region(0, start, width, len(new) - start))
    return regions
