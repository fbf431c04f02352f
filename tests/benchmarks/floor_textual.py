"""The Textual floor of a ladder repaint, for bench_floor.py: one Line API widget filling the
terminal, `--lines` of its lines changed `--fps` times a second, nothing else.

Each changed line is a new cached `Strip` of a few styled segments (like a ladder row), and
only those lines are refreshed, so what this costs is what Textual itself costs to compose,
encode and write such a picture: no book, no feed, no layout.

    python tests/benchmarks/floor_textual.py --lines 22 --fps 10
"""

from __future__ import annotations

import argparse

from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

MARKER = "floor first paint"
STYLES = (Style(color="#d55e00"), Style(color="#0072b2"), Style(color="#888888", dim=True))


def row(y: int, tick: int, width: int) -> Strip:
    """A ladder-like row: price, size, cum and a bar, its figures moving with `tick`."""
    text = [f" {65000 + y * 0.01:9.2f}", f"  {(y * 7 + tick) % 97 / 10:7.4f}",
            f"  {(y * 13 + tick) % 997 / 10:9.4f}  ", "█" * ((y + tick) % 30)]
    segs = [Segment(t, STYLES[i % 3]) for i, t in enumerate(text)]
    used = sum(len(t) for t in text)
    segs.append(Segment(" " * max(0, width - used), STYLES[2]))
    return Strip(segs, width)


class Rows(Widget):
    def __init__(self, lines: int) -> None:
        super().__init__()
        self.lines, self.tick = lines, 0
        self.strips: list[Strip] = []

    def on_resize(self) -> None:
        width, height = self.size
        self.strips = [row(y, 0, width) for y in range(height)]
        if height:
            self.strips[0] = Strip([Segment(MARKER)]).adjust_cell_length(width)
        self.refresh()

    def step(self) -> None:
        width, height = self.size
        if not height:
            return
        self.tick += 1
        first = 3 + self.tick % 2  # a band below the top, as a change near the touch
        last = min(height, first + self.lines)
        for y in range(first, last):
            self.strips[y] = row(y, self.tick, width)
        self.refresh(Region(0, first, width, last - first))

    def render_line(self, y: int) -> Strip:
        return self.strips[y] if y < len(self.strips) else Strip.blank(self.size.width)


class Floor(App[None]):
    def __init__(self, lines: int, fps: float) -> None:
        super().__init__()
        self.rows, self.fps = Rows(lines), fps

    def compose(self) -> ComposeResult:
        yield self.rows

    def on_mount(self) -> None:
        self.set_interval(1.0 / self.fps, self.rows.step)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=22)
    ap.add_argument("--fps", type=float, default=10.0)
    args = ap.parse_args()
    Floor(args.lines, args.fps).run()
