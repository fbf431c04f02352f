"""The price ladder: asks above, bids below, with the trader's figures beside each level.

A Line API widget. `repaint()` builds the lines whose picture changed (rows from
widgets/ladder_rows.py in the compact or the price-ladder mode, kept per side between paints
in compact mode; columns from widgets/ladder_columns.py; row strips kept by what they show in
widgets/ladder_lines.py; the cursor's readout from widgets/cursor_readout.py);
`render_line(y)` only indexes the cached strips. The owner calls `maybe_repaint()` on its
clock; nothing here runs per frame or per feed message.

Per-market settings (mode, cursor, anchor, short prices, large-order rule) live in the
market's `MarketViewState` (`self.view`); the histories (volume at price, pulling and
stacking) in its `MarketAnalytics`, fed by the app. Both are read, never copied.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from decimal import Decimal

from textual import events
from textual.geometry import Size
from textual.strip import Strip

from dfx_tui.book.liquidity_change import LiquidityDelta
from dfx_tui.book.market_analytics import MarketAnalytics
from dfx_tui.book.numbers import HUMAN_STEPS, step_label
from dfx_tui.book.orderbook import ASKS, BIDS, LadderRow, OrderBook
from dfx_tui.book.price_grid import grid_index, grid_price
from dfx_tui.book.short_prices import short_prices
from dfx_tui.widgets.columns import depth_label, window_label
from dfx_tui.widgets.cursor_readout import pack, readout_parts, readout_strip
from dfx_tui.widgets.ladder_columns import Row, Sides, large_flags, lay_out, net_changes
from dfx_tui.widgets.ladder_lines import RowStrips
from dfx_tui.widgets.ladder_rows import Body, SideMemo, compact_body, price_body, spread_strip
from dfx_tui.widgets.ladder_segments import header_segments
from dfx_tui.widgets.strip_view import StripView
from dfx_tui.widgets.trader_settings import SHORT_PRICES_BELOW
from dfx_tui.widgets.view_state import MarketViewState

DEPTH_MODES: tuple[int, ...] = (0, 5, 10, 20, 50)  # 0 = fit the height
FLASH_SECONDS = 0.5
BAR_RESCALE = 0.8  # depth bars rescale when the deepest total leaves [0.8, 1] x the scale

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
    LadderView > .ladder--cursor { background: $ladder-cursor; }
    LadderView > .ladder--readout { color: $text; background: $boost; }
    LadderView > .ladder--warn { color: $warn-text; text-style: bold; }
    LadderView > .ladder--large { color: $large-order; text-style: bold; }
    LadderView > .ladder--stacked { color: $liquidity-added; }
    LadderView > .ladder--pulled { color: $liquidity-pulled; }
    """

    COMPONENT_CLASSES = {
        "ladder--header", "ladder--ask", "ladder--bid", "ladder--ask-bar", "ladder--bid-bar",
        "ladder--cum", "ladder--spread", "ladder--flash-up", "ladder--flash-down",
        "ladder--stale", "ladder--empty", "ladder--cursor", "ladder--readout", "ladder--warn",
        "ladder--large", "ladder--stacked", "ladder--pulled",
    }

    def __init__(self, book: OrderBook, analytics: MarketAnalytics | None = None,
                 view: MarketViewState | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.book = book
        self.analytics = analytics if analytics is not None else MarketAnalytics()
        self.view = view if view is not None else MarketViewState()
        self.group_index = 0
        self.depth_mode = 0
        self.stale = False
        # Flash bookkeeping: size shown per (side, price) last repaint, and live flashes.
        self._shown: dict[tuple[str, str], Row] = {}
        self._flashes: dict[tuple[str, str], tuple[float, bool]] = {}
        # Row strips of the last repaint by what they show: an unchanged row reuses its
        # Strip, so the line diff in StripView.repaint is an identity test.
        self._row_strips = RowStrips()
        # The header and spread lines by what they show: most paints change neither.
        self._header: tuple[tuple[object, ...] | None, Strip] = (None, Strip([]))
        self._spread: tuple[tuple[object, ...] | None, Strip] = (None, Strip([]))
        # Depth-bar scale: kept while the deepest cumulative size stays within
        # [BAR_RESCALE * scale, scale], so one changed level redraws its own bars only.
        self._bar_scale = 0.0
        self.last_rows: tuple[list[LadderRow], list[LadderRow]] = ([], [])
        self._body: Body | None = None
        self._sides = (SideMemo(ASKS), SideMemo(BIDS))  # compact mode's rows, kept
        self.line_prices: list[Decimal | None] = []  # the row price on each line (clicks)
        self._shows = (False, False)  # the Δ and volume columns were drawn last repaint
        self._volume: tuple[tuple[object, ...], dict[Decimal, tuple[Decimal, Decimal]]] = (
            (), {})

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
        cursor, decimals = self.view.cursor, self.book.price_decimals
        if cursor.price is not None:  # onto the new grid
            cursor.place(grid_price(grid_index(cursor.price, decimals, self.group), decimals,
                                    self.group))
        return True

    def show_book(self, book: OrderBook, analytics: MarketAnalytics,
                  view: MarketViewState) -> None:
        """Show another market's book, histories and view settings (the market view switched
        market): nothing of the old book's picture carries over (flashes, bar scale), and the
        next repaint draws it whole."""
        self.book, self.analytics, self.view = book, analytics, view
        self.group_index, self.depth_mode = view.group_index, view.depth_mode
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

    def short_prices_on(self, width: int | None = None) -> bool:
        """Prices shown by their last digits: the market's choice, else by the width."""
        chosen = self.view.short_prices
        if chosen is not None:
            return chosen
        return (self.size.width if width is None else width) < SHORT_PRICES_BELOW

    # ----------------------------------------------------------------- the trader's keys
    def toggle_price_mode(self) -> bool:
        view = self.view
        view.price_mode = not view.price_mode
        view.price_ladder.recentre()
        self._bar_scale = 0.0
        return view.price_mode

    def recentre(self) -> None:
        self.view.price_ladder.recentre()

    def toggle_short_prices(self) -> bool:
        self.view.short_prices = not self.short_prices_on()
        return self.view.short_prices

    def move_cursor(self, rows: int) -> None:
        """Up (`rows` > 0) or down to the next row shown; the first press lands on a touch.

        Compact mode stops on levels (the spread is crossed in one step), the price-ladder
        mode on every price, empty ones included.
        """
        body, cursor = self._body, self.view.cursor
        if body is None:
            return
        price = cursor.price
        if price is None:
            first, other = ((body.best_ask, body.best_bid) if rows > 0
                            else (body.best_bid, body.best_ask))
            cursor.place(first if first is not None else other)
            return
        stops = body.stops
        if rows > 0:
            i = bisect_right(stops, price) + rows - 1
            if i < len(stops):
                cursor.place(stops[i])
        else:
            i = bisect_left(stops, price) + rows
            if i >= 0 and stops:
                cursor.place(stops[i])

    def clear_cursor(self) -> None:
        self.view.cursor.place(None)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not 0 <= offset.y < len(self.line_prices):
            return
        price = self.line_prices[offset.y]
        if price is None:
            return
        cursor = self.view.cursor
        cursor.place(None if price == cursor.price else price)  # a second click clears it
        event.stop()
        if not getattr(self.screen, "paused", False):  # a paused view keeps its picture
            self.maybe_repaint(self._last_now)

    # ----------------------------------------------------------------- clock
    def _key(self) -> tuple[object, ...]:
        size, view, analytics = self.size, self.view, self.analytics
        shows_delta, shows_volume = self._shows
        return (self.book.version, size.width, size.height, self.group_index, self.depth_mode,
                self.stale, self.book.price_decimals, view.price_mode, view.cursor.price,
                view.price_ladder.anchor is None, view.short_prices, view.large_order,
                view.large_factor,
                # The figures' histories, only while their columns are drawn: pulling and
                # stacking moves with its once-a-second samples, volume with each trade.
                int(analytics.observed_at or 0) if shows_delta else None,
                (analytics.trades_seen, len(analytics.volume)) if shows_volume else None)

    def needs_repaint(self) -> bool:
        """The book, the size or a setting changed, or a flash is running."""
        return bool(self._flashes) or super().needs_repaint()

    def next_change(self) -> float | None:
        """When the first running flash ends."""
        return min((end for end, _up in self._flashes.values()), default=None)

    # ----------------------------------------------------------------- drawing
    def clear_caches(self) -> None:
        self._row_strips.clear()  # its strips carry the old styles
        self._header = self._spread = (None, Strip([]))

    def _scale_for(self, max_value: float) -> float:
        scale = self._bar_scale
        if not (BAR_RESCALE * scale <= max_value <= scale):
            scale = self._bar_scale = max_value
        return scale

    def _volume_map(self, group: int) -> dict[Decimal, tuple[Decimal, Decimal]]:
        """Buy and sell volume by grid price, recomputed only when the window changed."""
        a = self.analytics
        key = (id(a.volume), a.trades_seen, len(a.volume), self.book.price_decimals, group)
        if self._volume[0] != key:
            # Ungrouped, the exact prices are the rows' prices: no grid arithmetic.
            levels = (a.volume.levels() if group == 1
                      else a.volume.levels(self.book.price_decimals, group))
            self._volume = (key, {v.price: (v.buy, v.sell) for v in levels})
        return self._volume[1]

    def _changes(self, group: int) -> LiquidityDelta | None:
        """Pulled and stacked size per price over the window (None before two samples)."""
        at = self.analytics.observed_at
        return None if at is None else self.analytics.liquidity.changes(self.book, at, group)

    def _build(self, now: float) -> list[Strip]:
        width, height = self.build_size  # `self.size`, asked once a paint (StripView._build_at)
        if width <= 0 or height <= 0:
            return []
        st = self.component_styles()
        book, view, group, stale = self.book, self.view, self.group, self.stale
        readout = view.cursor.readout(book, group) if view.cursor.price is not None else None
        readout_lines = [] if readout is None else pack(
            readout_parts(readout, book.price_decimals, book.size_decimals), width)
        if view.price_mode:
            body = price_body(book, view.price_ladder, group, height - 1)
        else:
            body = compact_body(book, self.per_side(height), group, height - 1, self._sides)
        self._body = body = body.cut(height - 1 - len(readout_lines))
        self.last_rows = (body.asks, body.bids)
        self._update_flashes(body.lines, now)

        # Columns: texts of the rows shown, aligned; then what fits the width.
        shown = [r for r in body.lines if r is not None]
        price_texts, label = [r.price_text for r in shown], "Price"
        if self.short_prices_on(width):
            short = short_prices(price_texts)
            price_texts, label = short.suffixes, short.label or label
        large = None
        if view.large_order is not None or view.large_factor is not None:
            large = large_flags(shown, view.large_order, view.large_factor)
        liquidity, volume = self.analytics.liquidity, self.analytics.volume
        delta_label = f"Δ{window_label(liquidity.window)}"
        changes: list[LiquidityDelta | None] = []  # asked at most once: by lay_out, then nets

        def delta() -> LiquidityDelta | None:
            if not changes:
                changes.append(self._changes(group))
            return changes[0]

        def sides() -> Sides:
            found = delta()
            return (found.asks, found.bids) if found is not None else ({}, {})

        columns = lay_out(shown, width, price_texts, label, large, delta_label, sides,
                          lambda: self._volume_map(group))
        layout = columns.layout
        self._shows = (bool(layout.delta_w), bool(layout.buy_w))
        nets = net_changes(delta(), delta_label) if layout.delta_w else ""

        hs = st["header"]
        mode = f"step {self.group_label} · depth {depth_label(self.depth_mode)}"
        if view.price_mode:
            off = body.best_ask is None and body.best_bid is None and book.mid() is not None
            # Both touches off screen: the spread is wider than the rows, in steps.
            mode = "spread > screen: + groups" if off else f"step {self.group_label} · price ladder"
        header_key = (layout, label, delta_label, volume.window, mode, hs, width)
        if self._header[0] != header_key:
            segs = header_segments(layout, label, delta_label, window_label(volume.window),
                                   mode, hs)
            self._header = (header_key, Strip(segs).adjust_cell_length(width, hs))
        lines: list[Strip] = [self._header[1]]
        self.line_prices = [None]

        values = [r.size_value if view.price_mode else r.cum_value for r in shown]
        scale = self._scale_for(max(values, default=0.0))
        blank = Strip.blank(width, st["empty"])
        spread = None
        if body.spread_at is not None:
            bid, ask = book.best_bid(), book.best_ask()
            spread_style = st["stale"] if stale else st["spread"]
            spread_key = (book.has_snapshot, bid and bid[0], ask and ask[0],
                          book.price_decimals, width, spread_style, nets)
            if self._spread[0] != spread_key:
                self._spread = (spread_key, spread_strip(book, width, spread_style, nets))
            spread = self._spread[1]
        lines += self._row_strips.lines(
            body.lines, price_texts, columns, values, scale, self._flashes,
            readout.price if readout is not None else None, stale, width, st, blank,
            body.spread_at, spread, self.line_prices)
        lines.extend([blank] * (height - len(readout_lines) - len(lines)))
        for parts in readout_lines:
            lines.append(readout_strip(parts, width, st))
        return lines[:height]

    def _update_flashes(self, lines: list[Row | None], now: float) -> None:
        """Flash each level whose size text changed since the last repaint. The rows shown
        are kept by (side, price): a level whose `Row` is the one shown last time (compact
        mode keeps unchanged rows' objects) is passed by identity, and the dict is made in
        one comprehension (bench_paint, one step a paint: ~20 -> ~17 us)."""
        flashes = self._flashes
        if flashes:
            flashes = self._flashes = {k: v for k, v in flashes.items() if v[0] > now}
        current = {(row.side, row.price_text): row for row in lines
                   if row is not None and row.side is not None}
        before_of = self._shown.get
        for key, row in current.items():
            before = before_of(key)
            if before is not None and before is not row and before.size_text != row.size_text:
                flashes[key] = (now + FLASH_SECONDS, row.size_value > before.size_value)
        self._shown = current

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

