"""The price ladder: asks above, a spread row, bids below, best prices nearest the middle.

A Line API widget. `repaint()` builds every line once (rows from `OrderBook.ladder`, then
Segments and Strips); `render_line(y)` only indexes the cached strips. The owner calls
`maybe_repaint()` on its clock; nothing here runs per frame or per feed message.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip

from dfx_tui.book.numbers import HUMAN_STEPS, step_label
from dfx_tui.book.orderbook import ASKS, BIDS, LadderRow, OrderBook
from dfx_tui.widgets.columns import align_decimals, gap, lead_split
from dfx_tui.widgets.strip_view import StripView

DEPTH_MODES: tuple[int, ...] = (0, 5, 10, 20, 50)  # 0 = fit the height
FLASH_SECONDS = 0.5
BAR_RESCALE = 0.8  # depth bars rescale when the deepest total leaves [0.8, 1] x the scale
_EIGHTHS = " ▏▎▍▌▋▊▉"
_GAP = "  "


def depth_label(mode: int) -> str:
    return "auto" if mode == 0 else str(mode)


def bar_text(fraction: float, width: int) -> str:
    """A left-aligned bar of `width` cells filled to `fraction`, with eighth-cell precision."""
    if width <= 0:
        return ""
    eighths = max(0, min(width * 8, round(fraction * width * 8)))
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part and full < width else "")
    return text.ljust(width)


class LadderView(StripView):
    """Vertical order-book ladder of one `OrderBook`."""

    DEFAULT_CSS = """
    LadderView {
        width: 1fr;
        height: 1fr;
        min-width: 24;
    }
    LadderView > .ladder--header { color: $text-muted; text-style: bold; }
    LadderView > .ladder--ask { color: $ask; }
    LadderView > .ladder--bid { color: $bid; }
    LadderView > .ladder--ask-bar { color: $ask-bar; }
    LadderView > .ladder--bid-bar { color: $bid-bar; }
    LadderView > .ladder--cum { color: $text-muted; }
    LadderView > .ladder--spread { color: $text; background: $boost; text-style: bold; }
    LadderView > .ladder--flash-up { background: $flash-up; color: $flash-text; }
    LadderView > .ladder--flash-down { background: $flash-down; color: $flash-text; }
    LadderView > .ladder--stale { color: $stale; }
    LadderView > .ladder--empty { color: $text-muted; }
    """

    COMPONENT_CLASSES = {
        "ladder--header",
        "ladder--ask",
        "ladder--bid",
        "ladder--ask-bar",
        "ladder--bid-bar",
        "ladder--cum",
        "ladder--spread",
        "ladder--flash-up",
        "ladder--flash-down",
        "ladder--stale",
        "ladder--empty",
    }

    def __init__(self, book: OrderBook, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.book = book
        self.group_index = 0
        self.depth_mode = 0
        self.stale = False
        # Flash bookkeeping: size shown per (side, price) last repaint, and live flashes.
        self._shown: dict[tuple[str, str], tuple[str, float]] = {}
        self._flashes: dict[tuple[str, str], tuple[float, bool]] = {}
        # Row strips of the last repaint by what they show: an unchanged row reuses its
        # Strip, so the line diff in StripView.repaint is an identity test.
        self._row_cache: dict[tuple[object, ...], Strip] = {}
        # Depth-bar scale: kept while the deepest cumulative size stays within
        # [BAR_RESCALE * scale, scale], so one changed level redraws its own bars only.
        self._bar_scale = 0.0
        self.last_rows: tuple[list[LadderRow], list[LadderRow]] = ([], [])

    # ----------------------------------------------------------------- settings
    @property
    def group(self) -> int:
        return HUMAN_STEPS[self.group_index]

    @property
    def group_label(self) -> str:
        return step_label(self.book.price_decimals, self.group)

    def change_group(self, delta: int) -> bool:
        """Walk the human grouping steps; True if the step changed."""
        index = max(0, min(len(HUMAN_STEPS) - 1, self.group_index + delta))
        if index == self.group_index:
            return False
        self.group_index = index
        self._shown.clear()
        self._flashes.clear()
        self._bar_scale = 0.0
        return True

    def show_book(self, book: OrderBook) -> None:
        """Show another book (the market view switched market): nothing of the old book's
        picture carries over (flashes, bar scale), and the next repaint draws it whole."""
        self.book = book
        self._shown.clear()
        self._flashes.clear()
        self._bar_scale = 0.0
        self._drawn = None

    def cycle_depth(self) -> int:
        self.depth_mode = DEPTH_MODES[(DEPTH_MODES.index(self.depth_mode) + 1) % len(DEPTH_MODES)]
        self._bar_scale = 0.0
        return self.depth_mode

    def per_side(self, height: int | None = None) -> int:
        """Rows per side for a height: the depth mode, capped by what fits."""
        h = self.size.height if height is None else height
        fits = max(0, (h - 2) // 2)
        return fits if self.depth_mode == 0 else min(self.depth_mode, fits)

    # ----------------------------------------------------------------- clock
    def _key(self) -> tuple[object, ...]:
        size = self.size
        return (self.book.version, size.width, size.height, self.group_index, self.depth_mode,
                self.stale, self.book.price_decimals)

    def needs_repaint(self) -> bool:
        """The book, the size or a setting changed, or a flash is running."""
        return bool(self._flashes) or super().needs_repaint()

    def next_change(self) -> float | None:
        """When the first running flash ends."""
        return min((end for end, _up in self._flashes.values()), default=None)

    # ----------------------------------------------------------------- drawing

    def clear_caches(self) -> None:
        self._row_cache.clear()  # its strips carry the old styles

    def _scale_for(self, max_cum: float) -> float:
        scale = self._bar_scale
        if not (BAR_RESCALE * scale <= max_cum <= scale):
            scale = self._bar_scale = max_cum
        return scale

    def _build(self, now: float) -> list[Strip]:
        width, height = self.size.width, self.size.height
        if width <= 0 or height <= 0:
            return []
        st = self.component_styles()
        blank = Strip.blank(width, st["empty"])
        n = self.per_side(height)
        book = self.book
        asks = book.ladder(ASKS, n, self.group) if n else []
        bids = book.ladder(BIDS, n, self.group) if n else []
        self.last_rows = (asks, bids)
        self._update_flashes(asks, bids, now)

        # Columns: price, size, cumulative size, then the depth bar in what is left.
        prices, pw = align_decimals([r.price for r in asks + bids])
        sizes, sw = align_decimals([r.size for r in asks + bids])
        cums, cw = align_decimals([r.cum_size for r in asks + bids])
        pw, sw, cw = max(pw, 5), max(sw, 4), max(cw, 3)
        used = 1 + pw + len(_GAP) + sw
        show_cum = used + len(_GAP) + cw <= width
        if show_cum:
            used += len(_GAP) + cw
        bar_w = width - used - len(_GAP) - 1
        show_bar = bar_w >= 3

        hs = st["header"]
        header = [*lead_split(" " + "Price".rjust(pw), hs), *lead_split(_GAP + "Size".rjust(sw), hs)]
        if show_cum:
            header += lead_split(_GAP + "Cum".rjust(cw), hs)
        if show_bar:
            label = f"step {self.group_label} · depth {depth_label(self.depth_mode)}"
            header += lead_split(_GAP + label[:bar_w].rjust(bar_w), hs)
        lines: list[Strip] = [self.line(header, width, st["header"])]

        max_cum = self._scale_for(
            max([r.cum_size_value for r in (asks[-1:] + bids[-1:])] or [0.0]))
        stale = self.stale
        ask_style = st["stale"] if stale else st["ask"]
        bid_style = st["stale"] if stale else st["bid"]
        ask_bar = st["stale"] if stale else st["ask-bar"]
        bid_bar = st["stale"] if stale else st["bid-bar"]
        cum_style = st["stale"] if stale else st["cum"]

        old_rows: dict[tuple[object, ...], Strip] = self._row_cache
        rows_cache: dict[tuple[object, ...], Strip] = {}
        self._row_cache = rows_cache

        def row_strip(i: int, row: LadderRow, side: str) -> Strip:
            text_style = ask_style if side == ASKS else bid_style
            cell_style = text_style
            flash = self._flashes.get((side, row.price))
            if flash is not None and not stale:
                cell_style = st["flash-up"] if flash[1] else st["flash-down"]
            bar = None
            if show_bar:
                bar = bar_text(row.cum_size_value / max_cum if max_cum > 0 else 0.0, bar_w)
            key = (side, prices[i], sizes[i], cums[i] if show_cum else None, bar, width,
                   stale, text_style, cell_style, cum_style)
            strip = old_rows.get(key)
            if strip is None:
                segs = [*lead_split(" " + prices[i], text_style), gap(_GAP, text_style),
                        *lead_split(sizes[i], cell_style)]
                if show_cum:
                    segs.append(gap(_GAP, text_style))
                    segs += lead_split(cums[i], cum_style)
                if bar is not None:
                    segs.append(gap(_GAP, text_style))
                    segs.append(Segment(bar, ask_bar if side == ASKS else bid_bar))
                strip = self.line(segs, width, text_style)
            rows_cache[key] = strip
            return strip

        body_h = height - 1
        block = 2 * n + 1
        top_pad = max(0, (body_h - block) // 2)
        lines.extend([blank] * top_pad)
        # Asks: worst at the top, best just above the spread; short books pad at the top.
        lines.extend([blank] * (n - len(asks)))
        for i in range(len(asks) - 1, -1, -1):
            lines.append(row_strip(i, asks[i], ASKS))
        lines.append(self._spread_strip(width, st["stale"] if stale else st["spread"]))
        offset = len(asks)
        for i, row in enumerate(bids):
            lines.append(row_strip(offset + i, row, BIDS))
        lines.extend([blank] * (height - len(lines)))
        return lines[:height]

    def _spread_strip(self, width: int, style: Style) -> Strip:
        book = self.book
        if not book.has_snapshot:
            text = "waiting for the book…"
        elif book.best_bid() is None or book.best_ask() is None:
            text = "one-sided book"
        else:
            spread, bps, mid = book.spread_text(), book.spread_bps(), book.mid_text()
            parts = [f"spread {spread}"]
            if bps is not None:
                parts.append(f"{bps:.1f} bps")
            parts.append(f"mid {mid}")
            text = " · ".join(parts)
            if len(text) > width:
                text = f"spread {spread}"
        text = text[:width]
        left = (width - len(text)) // 2
        return Strip([Segment(" " * left, style + Style(italic=False)), Segment(text, style),
                      Segment(" " * (width - left - len(text)), style)])

    def _update_flashes(self, asks: list[LadderRow], bids: list[LadderRow], now: float) -> None:
        shown = self._shown
        flashes = {k: v for k, v in self._flashes.items() if v[0] > now}
        current: dict[tuple[str, str], tuple[str, float]] = {}
        for side, rows in ((ASKS, asks), (BIDS, bids)):
            for row in rows:
                key = (side, row.price)
                current[key] = (row.size, row.size_value)
                before = shown.get(key)
                if before is not None and before[0] != row.size:
                    flashes[key] = (now + FLASH_SECONDS, row.size_value > before[1])
        self._shown = current
        self._flashes = flashes

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height
