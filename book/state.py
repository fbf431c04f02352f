"""What the feed knows about its connection and each market, for the UI to show.

The feed client writes these plain objects in place; widgets read them on their repaint
clock. Rare changes also travel as Textual messages, posted by the app layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from dfx_tui.book.market_analytics import MarketAnalytics
from dfx_tui.book.orderbook import OrderBook
from dfx_tui.book.tape import TradeTape
from dfx_tui.book.ticker import Ticker


class LinkState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    STALE = "stale"
    RESYNCING = "resyncing"
    RECONNECTING = "reconnecting"
    DOWN = "down"


class MarketState(StrEnum):
    WAITING = "waiting"  # subscribed, no snapshot yet
    LIVE = "live"
    STALE = "stale"  # the connection is stale or gone: the book is kept but may be old
    RESYNCING = "resyncing"  # the book failed a check; a fresh snapshot was requested
    REJECTED = "rejected"  # the server refused the market (or never sent a snapshot)


@dataclass(slots=True)
class ReplayStatus:
    """Where a replay is (written by the replay control, read by the status bar).

    The recording's clock runs from `anchor` (recording seconds) at `anchor_at` (the app's
    monotonic clock) at `speed`, unless paused or ended; `position(now)` reads it.
    """

    start: float = 0.0  # recording time of the first line
    end: float = 0.0  # and of the last
    anchor: float = 0.0
    anchor_at: float = 0.0
    speed: float = 1.0  # 0 = as fast as possible
    paused: bool = False
    ended: bool = False
    loop: bool = False
    ready: bool = False  # the recording is indexed (until then it is being read)

    def position(self, now: float) -> float:
        """The recording's time at monotonic `now`."""
        if self.paused or self.ended or self.speed <= 0 or not self.ready:
            return self.anchor
        return min(self.end, self.anchor + max(0.0, now - self.anchor_at) * self.speed)


@dataclass(slots=True)
class ConnectionStatus:
    url: str = ""
    state: LinkState = LinkState.CONNECTING
    last_message_at: float | None = None  # time.monotonic() of the last frame received
    msgs_per_s: float = 0.0
    messages: int = 0
    reconnects: int = 0
    frames_rejected: int = 0
    last_error: str = ""
    latency_ms: float | None = None  # last server.ping round trip
    clock_offset_s: float | None = None  # server time - local time, from server.time
    replay: ReplayStatus | None = None  # set while a recording plays: never shown as live


@dataclass(slots=True)
class MarketStatus:
    state: MarketState = MarketState.WAITING
    last_message_at: float | None = None
    msgs_per_s: float = 0.0
    messages: int = 0
    resyncs: int = 0
    error: str = ""


@dataclass(slots=True)
class Market:
    """Everything the app holds for one market."""

    name: str
    book: OrderBook = field(init=False)
    tape: TradeTape = field(init=False)
    status: MarketStatus = field(default_factory=MarketStatus)
    # Histories over time (volume at price, pulling and stacking, heatmap, mid), fed on the
    # render clock for every open market: see `MarketAnalytics.observe`.
    analytics: MarketAnalytics = field(default_factory=MarketAnalytics)
    # The latest 24 h ticker (ticker.update or all_ticker.update), None until one arrives;
    # `ticker_version` bumps with every change, for the header's repaint check.
    ticker: Ticker | None = None
    ticker_version: int = 0

    def __post_init__(self) -> None:
        self.book = OrderBook(self.name)
        self.tape = TradeTape(self.name)
