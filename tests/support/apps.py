"""The app under test: the real `DfxApp` over seeded fixed markets, a frozen clock, UTC times.

No I/O: the feed is a `FixedFeed` (markets added later by a key or the palette are seeded
too), so every run paints the same books.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed_source import FixedFeed, seeded_market
from dfx_tui.app.tui import DfxApp
from dfx_tui.book.state import ConnectionStatus, LinkState, MarketState

T0 = 1000.0  # the frozen clock
WALL_T0 = 1_750_000_010.0  # the frozen wall clock: just after seeded_market's trades
MARKETS = ("BTC_USDT", "ETH_USDT")


def fixed_status(state: LinkState = LinkState.LIVE, *, age: float = 0.2,
                 **fields: Any) -> ConnectionStatus:
    """A connection status whose last message came `age` seconds before `T0`."""
    return ConnectionStatus(url="fixed://", state=state, last_message_at=T0 - age, **fields)


def fixed_app(markets: Sequence[str] = MARKETS, *, status: ConnectionStatus | None = None,
              market_state: MarketState = MarketState.LIVE, **config: Any) -> DfxApp:
    """`DfxApp` on seeded `markets`; `config` sets `AppConfig` fields (fps, keymap, theme...)."""
    feed = FixedFeed([seeded_market(m, state=market_state) for m in markets],
                     status or fixed_status(), new_market=seeded_market)
    return DfxApp(AppConfig(markets=list(markets), **config), feed=feed, clock=lambda: T0,
                  tz=UTC, wall_clock=lambda: WALL_T0)


def fixed_feed(app: DfxApp) -> FixedFeed:
    """The app's feed, typed (tests read `removed` and change books and states)."""
    assert isinstance(app.feed, FixedFeed)
    return app.feed
