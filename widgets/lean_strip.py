"""A `Strip` that makes its caches when first used.

Textual's `Strip.__init__` makes seven `FIFOCache`s (crop, divide, style, filter, line
length, crop-extend, offsets), each with a dictionary. Most strips the ladder, tape and
header build are only rendered once and cropped or divided never: the caches were most of
the cost of a strip. Timed on this machine (timeit, a 17-segment ladder row of 100 cells):
`Strip(segments, 100)` 12.6 us, `LeanStrip(segments, 100)` 1.4 us.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.segment import Segment
from textual.cache import FIFOCache
from textual.strip import Strip

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
