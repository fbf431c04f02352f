"""How one market is shown: the settings a trader changes per market (grouping, depth, ...).

The screen keeps one `MarketViewState` per open market; the market view shows whichever
market is active with that market's state, so switching tabs restores each market's settings
without keeping a widget tree per market. Widgets read and change it; it holds no widget.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from dfx_tui.book.cursor import LevelCursor
from dfx_tui.book.price_ladder import PriceLadder
from dfx_tui.widgets.trader_settings import TraderSettings

# What the body shows beside the tape: the ladder, or a chart in its place.
BodyView = Literal["ladder", "heatmap", "depth"]


class MarketViewState:  # a plain class, not a dataclass: ~0.9 ms of every start to define
    """Per-market view settings (fields are added by the features that own them)."""

    __slots__ = ("group_index", "depth_mode", "price_mode", "cursor", "price_ladder",
                 "short_prices", "large_order", "large_factor", "merge_trades", "min_trade",
                 "big_trade", "body", "depth_bps", "heatmap_seconds", "heatmap_group")

    def __init__(self, *, group_index: int = 0, depth_mode: int = 0, price_mode: bool = False,
                 cursor: LevelCursor | None = None, price_ladder: PriceLadder | None = None,
                 short_prices: bool | None = None, large_order: Decimal | None = None,
                 large_factor: float | None = None, merge_trades: bool = False,
                 min_trade: Decimal | None = None, big_trade: tuple[Decimal, ...] | None = None,
                 body: BodyView = "ladder", depth_bps: int = 10, heatmap_seconds: int = 5,
                 heatmap_group: int = 0) -> None:
        self.group_index = group_index  # index into book.numbers.HUMAN_STEPS
        self.depth_mode = depth_mode  # ladder rows per side: 0 = fit the height
        # The trader's ladder (issue 12). The cursor keeps its price while the book moves;
        # the price ladder keeps its anchor (the centre row's price) between repaints.
        self.price_mode = price_mode  # one row per grid price (True) or per level (False)
        self.cursor = cursor if cursor is not None else LevelCursor()
        self.price_ladder = price_ladder if price_ladder is not None else PriceLadder()
        self.short_prices = short_prices  # None: automatic, by the ladder's width
        self.large_order = large_order  # absolute size of a large resting level (None: off)
        self.large_factor = large_factor  # k x the median visible level (None: off)
        # The tape: merged prints, the size filter and the large-trade tiers (changed by keys).
        self.merge_trades = merge_trades
        self.min_trade = min_trade  # hide prints (or merged lines) smaller than this
        self.big_trade = big_trade  # ascending tiers; None: automatic
        # Issue 13, the charts. One field for the body, so the heatmap and the depth chart
        # are never both "shown".
        self.body: BodyView = body
        # Depth chart range, +- bps of the mid (book.depth_chart.BPS_STEPS).
        self.depth_bps = depth_bps
        self.heatmap_seconds = heatmap_seconds  # heatmap: seconds of history per column
        # Heatmap price rows: 0 = fit the book, else HUMAN_STEPS index + 1.
        self.heatmap_group = heatmap_group


def view_state_for(market: str, settings: TraderSettings) -> MarketViewState:
    """A market's view as the config file starts it."""
    sizes = settings.sizes_for(market)
    return MarketViewState(
        price_mode=settings.price_ladder,
        price_ladder=PriceLadder(settings.recentre_band),
        short_prices=settings.short_prices,
        large_order=sizes.large_order or None,  # 0: off
        large_factor=settings.large_factor,
        merge_trades=settings.merge_trades,
        min_trade=sizes.min_trade or None,
        big_trade=sizes.big_trade,
    )
