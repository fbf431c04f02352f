"""How one market is shown: the settings a trader changes per market (grouping, depth, ...).

The screen keeps one `MarketViewState` per open market; the market view shows whichever
market is active with that market's state, so switching tabs restores each market's settings
without keeping a widget tree per market. Widgets read and change it; it holds no widget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from dfx_tui.book.cursor import LevelCursor
from dfx_tui.book.price_ladder import PriceLadder
from dfx_tui.widgets.trader_settings import TraderSettings

# What the body shows beside the tape: the ladder, or a chart in its place.
BodyView = Literal["ladder", "heatmap", "depth"]


@dataclass(slots=True)
class MarketViewState:
    """Per-market view settings (fields are added by the features that own them)."""

    group_index: int = 0  # index into book.numbers.HUMAN_STEPS
    depth_mode: int = 0  # ladder rows per side: 0 = fit the height
    # The trader's ladder (issue 12). The cursor keeps its price while the book moves; the
    # price ladder keeps its anchor (the centre row's price) between repaints.
    price_mode: bool = False  # one row per grid price (True) or one row per level (False)
    cursor: LevelCursor = field(default_factory=LevelCursor)
    price_ladder: PriceLadder = field(default_factory=PriceLadder)
    short_prices: bool | None = None  # None: automatic, by the ladder's width
    large_order: Decimal | None = None  # absolute size of a large resting level (None: off)
    large_factor: float | None = None  # k x the median visible level (None: off)
    # The tape: merged prints, the size filter and the large-trade tiers (changed by keys).
    merge_trades: bool = False
    min_trade: Decimal | None = None  # hide prints (or merged lines) smaller than this
    big_trade: tuple[Decimal, ...] | None = None  # ascending tiers; None: automatic
    # Issue 13, the charts. One field for the body, so the heatmap and the depth chart are
    # never both "shown".
    body: BodyView = "ladder"
    depth_bps: int = 10  # depth chart range, +- bps of the mid (book.depth_chart.BPS_STEPS)
    heatmap_seconds: int = 5  # heatmap: seconds of history per column
    heatmap_group: int = 0  # heatmap price rows: 0 = fit the book, else HUMAN_STEPS index + 1


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
