"""A `Strip` that makes its caches when first used, and writes each style as a step from the last.

Textual's `Strip.__init__` makes seven `FIFOCache`s (crop, divide, style, filter, line
length, crop-extend, offsets), each with a dictionary. Most strips the ladder, tape and
header build are only rendered once and cropped or divided never: the caches were most of
the cost of a strip. Timed on this machine (timeit, a 17-segment ladder row of 100 cells):
`Strip(segments, 100)` 1.2 us, `LeanStrip(segments, 100)` 0.2 us.

`render` writes each style as a step from the one before it (`sgr.encode`): Textual wraps
every segment in its own `ESC[codes m text ESC[0m`, and a ladder row wrote the same ~30-byte
true-colour sequence 5-9 times. The terminal shows the same cells either way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from textual.cache import FIFOCache
from textual.strip import Strip

from dfx_tui.widgets.sgr import encode

# Each cache slot of `Strip` and its size, as `Strip.__init__` makes them.
_CACHE_SIZES = {
    "_divide_cache": 4, "_crop_cache": 16, "_style_cache": 16, "_filter_cache": 4,
    "_line_length_cache": 4, "_crop_extend_cache": 4, "_offsets_cache": 4,
}


class LeanStrip(Strip):
    """A `Strip` whose caches are made on first use; otherwise the same."""

    __slots__ = ()

    def __init__(self, segments: Iterable[Segment], cell_length: int | None = None) -> None:
        # Not Strip.__init__: the cache slots stay empty until read (`__getattr__`).
        self._segments = list(segments)
        self._cell_length = cell_length
        self._render_cache = None
        self._link_ids = None
        self._cell_count = None

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup failed: an empty cache slot, made now.
        size = _CACHE_SIZES.get(name)
        if size is None:
            raise AttributeError(name)
        cache: FIFOCache[Any, Any] = FIFOCache(size)
        setattr(self, name, cache)
        return cache

    def render(self, console: Console) -> str:
        """`Strip.render`, each style reached from the one before it (`sgr.encode`)."""
        if self._render_cache is None:
            self._render_cache = encode(self._segments,
                                        console._color_system or ColorSystem.TRUECOLOR)
        return self._render_cache
