"""Base of the Line API widgets (ladder, tape): lines built once per change, then indexed.

A subclass says what its picture depends on (`_key`) and how to draw it (`_build`). The owner
calls `maybe_repaint(now)` on its clock; `render_line(y)` only indexes the cached strips, so
nothing is rebuilt per frame or per feed message.

A repaint refreshes only the lines that differ from the last picture: Textual then renders,
composes and writes just those lines (measured by tests/benchmarks/bench_app.py, the
compositor and the terminal output are most of a repaint's cost). A subclass that reuses
the same `Strip` object for an unchanged line makes that check an identity test.

Colours come from component classes (`component_styles()`); when the theme changes them,
`restyle()` drops every cache and rebuilds the picture at once (see widgets/styled.py).
"""

from __future__ import annotations

from textual.geometry import Region, Size
from textual.strip import Strip

from dfx_tui.widgets.styled import StyledWidget


class StripView(StyledWidget):
    """A widget whose lines are a cached list of `Strip`s."""

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._strips: list[Strip] = []
        self._drawn: tuple[object, ...] | None = None  # the `_key()` the cached strips show
        self._strips_size: Size | None = None  # the size the cached strips were built for
        self._last_now = 0.0  # the clock of the last repaint (a restyle redraws that moment)
        self.repaints = 0

    def _key(self) -> tuple[object, ...]:
        """Everything the picture depends on; a change means a repaint."""
        raise NotImplementedError

    def _build(self, now: float) -> list[Strip]:
        raise NotImplementedError

    def needs_repaint(self) -> bool:
        return self._drawn != self._key()

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
        self._strips = new = self._build(now)
        self._strips_size = size
        self._drawn = self._key()
        self.repaints += 1
        if old_size != size or len(old) != len(new):
            self.refresh()
            return
        regions = changed_lines(old, new, size.width)
        if regions:
            self.refresh(*regions)

    def on_resize(self) -> None:
        self._drawn = None
        self._strips_size = None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if 0 <= y < len(self._strips):
            strip = self._strips[y]
            return strip if strip.cell_length == width else strip.adjust_cell_length(width)
        return Strip.blank(width, self.rich_style)


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
