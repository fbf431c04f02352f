"""Base of the Line API widgets (ladder, tape): lines built once per change, then indexed.

A subclass says what its picture depends on (`_key`) and how to draw it (`_build`). The owner
calls `maybe_repaint(now)` on its clock; `render_line(y)` only indexes the cached strips, so
nothing is rebuilt per frame or per feed message.
"""

from __future__ import annotations

from textual.strip import Strip
from textual.widget import Widget


class StripView(Widget):
    """A widget whose lines are a cached list of `Strip`s."""

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._strips: list[Strip] = []
        self._drawn: tuple | None = None  # the `_key()` the cached strips show
        self.repaints = 0

    def _key(self) -> tuple:
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

    def repaint(self, now: float = 0.0) -> None:
        self._strips = self._build(now)
        self._drawn = self._key()
        self.repaints += 1
        self.refresh()

    def on_resize(self) -> None:
        self._drawn = None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if 0 <= y < len(self._strips):
            strip = self._strips[y]
            return strip if strip.cell_length == width else strip.adjust_cell_length(width)
        return Strip.blank(width, self.rich_style)
