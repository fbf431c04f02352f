"""Settings of the trader's ladder and tape: windows, bands, thresholds, per-market sizes.

Plain data without Textual: the config file fills it (app/settings.py, `[ladder]`, `[tape]`
and `[market.NAME]`), the app hands it to each market's view, and the widgets read it. Sizes
are exact Decimals in base units; a size may be set per market, the rest is global.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple

from dfx_tui.book.market_analytics import AnalyticsSettings

SHORT_PRICES_BELOW = 70  # "auto" short prices: on when the ladder is narrower than this
AUTO_BIG_FACTORS = (4, 16, 64)  # automatic large-trade tiers: times the median print size
DEFAULT_BIG_RATIOS = (1, 5, 25)  # tiers 2 and 3 when a key sets the first tier from "auto"


# NamedTuples, not frozen dataclasses: each of those cost ~0.9 ms of every start to define.
class MarketSizes(NamedTuple):
    """Sizes of one market (base units); None: the global setting applies, 0: off."""

    large_order: Decimal | None = None  # a resting level at least this big is marked
    min_trade: Decimal | None = None  # the tape hides prints smaller than this
    big_trade: tuple[Decimal, ...] | None = None  # up to three ascending large-trade tiers


class TraderSettings(NamedTuple):
    """Every figure of the trader's ladder, with its default."""

    volume_window: float = 300.0  # volume at price, seconds
    liquidity_window: float = 10.0  # pulling and stacking, seconds
    recentre_band: float = 0.5  # price-ladder mode: share of the half-height the touch may roam
    imbalance_bps: float = 10.0  # header imbalance: levels within this many bps of mid
    large_factor: float | None = 5.0  # a level at least k x the median visible level is large
    short_prices: bool | None = None  # None: automatic (ladder narrower than SHORT_PRICES_BELOW)
    price_ladder: bool = False  # start in price-ladder mode instead of the compact one
    merge_trades: bool = False  # start with the tape's prints of one time and side merged
    sizes: MarketSizes = MarketSizes()  # the global sizes
    markets: Mapping[str, MarketSizes] = MappingProxyType({})  # per market, by name

    def sizes_for(self, market: str) -> MarketSizes:
        """The sizes of `market`: its own where the config sets them, else the global ones."""
        own, base = self.markets.get(market), self.sizes
        if own is None:
            return base
        return MarketSizes(
            own.large_order if own.large_order is not None else base.large_order,
            own.min_trade if own.min_trade is not None else base.min_trade,
            own.big_trade if own.big_trade is not None else base.big_trade)

    def analytics(self) -> AnalyticsSettings:
        """The windows of the per-market histories (volume at price, pulling and stacking)."""
        return AnalyticsSettings(volume_window=self.volume_window,
                                 liquidity_window=self.liquidity_window)
