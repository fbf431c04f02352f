"""What the feed knows about its connection and each market, for the UI to show.

The feed client writes these plain objects in place; widgets read them on their repaint
clock. Rare changes also travel as Textual messages, posted by the app layer.
"""

from __future__ import annotations

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


# Plain classes with slots, not dataclasses: the four cost ~2.5 ms of CPU to define at every
# start (a dataclass compiles its generated methods); nothing compares or prints them.
class ReplayStatus:
    """Where a replay is (written by the replay control, read by the status bar).

    The recording's clock runs from `anchor` (recording seconds) at `anchor_at` (the app's
    monotonic clock) at `speed`, unless paused or ended; `position(now)` reads it.
    """

    __slots__ = ("start", "end", "anchor", "anchor_at", "speed", "paused", "ended", "loop",
                 "ready")

    def __init__(self, start: float = 0.0, end: float = 0.0, anchor: float = 0.0,
                 anchor_at: float = 0.0, speed: float = 1.0, paused: bool = False,
                 ended: bool = False, loop: bool = False, ready: bool = False) -> None:
        self.start = start  # recording time of the first line
        self.end = end  # and of the last
        self.anchor = anchor
        self.anchor_at = anchor_at
        self.speed = speed  # 0 = as fast as possible
        self.paused = paused
        self.ended = ended
        self.loop = loop
        self.ready = ready  # the recording is indexed (until then it is being read)

    def position(self, now: float) -> float:
        """The recording's time at monotonic `now`."""
        if self.paused or self.ended or self.speed <= 0 or not self.ready:
            return self.anchor
        return min(self.end, self.anchor + max(0.0, now - self.anchor_at) * self.speed)


class ConnectionStatus:
    __slots__ = ("url", "state", "last_message_at", "msgs_per_s", "messages", "reconnects",
                 "frames_rejected", "last_error", "latency_ms", "clock_offset_s", "replay")

    def __init__(self, url: str = "", state: LinkState = LinkState.CONNECTING,
                 last_message_at: float | None = None, msgs_per_s: float = 0.0,
                 messages: int = 0, reconnects: int = 0, frames_rejected: int = 0,
                 last_error: str = "", latency_ms: float | None = None,
                 clock_offset_s: float | None = None,
                 replay: ReplayStatus | None = None) -> None:
        self.url = url
        self.state = state
        self.last_message_at = last_message_at  # time.monotonic() of the last frame received
        self.msgs_per_s = msgs_per_s
        self.messages = messages
        self.reconnects = reconnects
        self.frames_rejected = frames_rejected
        self.last_error = last_error
        self.latency_ms = latency_ms  # last server.ping round trip
        self.clock_offset_s = clock_offset_s  # server time - local time, from server.time
        self.replay = replay  # set while a recording plays: never shown as live


class MarketStatus:
    __slots__ = ("state", "last_message_at", "msgs_per_s", "messages", "resyncs", "error")

    def __init__(self, state: MarketState = MarketState.WAITING,
                 last_message_at: float | None = None, msgs_per_s: float = 0.0,
                 messages: int = 0, resyncs: int = 0, error: str = "") -> None:
        self.state = state
        self.last_message_at = last_message_at
        self.msgs_per_s = msgs_per_s
        self.messages = messages
        self.resyncs = resyncs
        self.error = error


class Market:
    """Everything the app holds for one market."""

    __slots__ = ("name", "book", "tape", "status", "analytics", "ticker", "ticker_version")

    def __init__(self, name: str, status: MarketStatus | None = None,
                 analytics: MarketAnalytics | None = None, ticker: Ticker | None = None,
                 ticker_version: int = 0) -> None:
        self.name = name
        self.book = OrderBook(name)
        self.tape = TradeTape(name)
        self.status = status if status is not None else MarketStatus()
        # Histories over time (volume at price, pulling and stacking, heatmap, mid), fed on
        # the render clock for every open market: see `MarketAnalytics.observe`.
        self.analytics = analytics if analytics is not None else MarketAnalytics()
        # The latest 24 h ticker (ticker.update or all_ticker.update), None until one
        # arrives; `ticker_version` bumps with every change, for the header's repaint check.
        self.ticker = ticker
        self.ticker_version = ticker_version
