"""Everything computed over time for one market, fed for every open market, shown or not.

`observe()` on the render clock, for every open market (the app calls it for hidden tabs too,
so a heatmap, a volume profile or an alert is right the moment its tab is shown), whenever
`pending()` says it has something to take: the book, the tape or the live state changed, or
a history changes with time alone (`next_due`: a book change not sampled yet, the pulling
and stacking window passing a sample, a trade leaving the volume window). Nothing here runs
per feed message: the feed only mutates the book and the tape; `observe()` reads what changed
since the last call (new trades by (time, id), the book through its version), so the hot path
keeps its rate and the cost is bounded by the clock. An unchanged market is not observed at
all (issue 11: an idle app observed every market every second): its mid is held (see
`MidHistory.held`), its samples still stand.

Times: `now` is wall-clock Unix seconds (the exchange's time base, as trade times are; in a
replay, the recording's clock), so histories line up with the trades drawn on them.
"""

from __future__ import annotations

from typing import NamedTuple

from dfx_tui.book.heatmap_store import HeatmapStore
from dfx_tui.book.liquidity_change import LiquidityChange
from dfx_tui.book.mid_history import MidHistory
from dfx_tui.book.orderbook import OrderBook
from dfx_tui.book.tape import BUY, Trade, TradeTape
from dfx_tui.book.volume_profile import VolumeAtPrice


class AnalyticsSettings(NamedTuple):  # not a frozen dataclass: ~0.9 ms of every start
    """Windows and depths; the config file sets them (per market where a size is involved)."""

    volume_window: float = 300.0  # volume at price, seconds
    liquidity_window: float = 10.0  # pulling and stacking, seconds
    liquidity_depth: int = 50  # levels a side sampled for pulling and stacking
    heatmap_horizon: float = 3600.0  # seconds of resting-size history kept
    heatmap_levels: int = 100  # levels a side recorded in the heatmap
    sparkline_minutes: float = 15.0  # mid-price history


class MarketAnalytics:  # a plain class, not a dataclass: ~0.7 ms of every start to define
    """Volume at price, pulling and stacking, heatmap and mid histories of one market."""

    __slots__ = ("settings", "volume", "liquidity", "heatmap", "mids", "trades_seen",
                 "observed_at", "_newest", "_tape_version", "_book_version", "_live")

    def __init__(self, settings: AnalyticsSettings | None = None) -> None:
        s = self.settings = settings if settings is not None else AnalyticsSettings()
        self.trades_seen = 0  # trades taken from the tape so far
        self.observed_at: float | None = None  # `now` of the last observe(): the histories' clock
        self._newest: tuple[float, int] | None = None  # (time, id) of the newest trade taken
        self._tape_version = -1
        self._book_version = -1  # the book's version at the last observe()
        self._live = False
        self.volume = VolumeAtPrice(window=s.volume_window)
        self.liquidity = LiquidityChange(window=s.liquidity_window, depth=s.liquidity_depth)
        self.heatmap = HeatmapStore(horizon=s.heatmap_horizon, max_levels=s.heatmap_levels)
        self.mids = MidHistory(minutes=s.sparkline_minutes)

    def observe(self, book: OrderBook, tape: TradeTape, live: bool, now: float) -> list[Trade]:
        """Take what changed since the last call; returns the trades new since then, oldest
        first (the history of a first clean batch is counted but not returned: it is not news,
        and an alert must not fire on it).

        `live`: the book is known good (snapshot, LIVE state). Otherwise the histories record a
        gap (reconnect, resync, before the first snapshot): never filled in.
        """
        # Every paint calls this for every market whose book moved (all 4 at 50 msg/s), and
        # most calls find no sample due: tests/benchmarks/bench_observe.py, median of 7
        # interleaved runs, 59.0 -> 35.4 us a paint over 4 markets with the heatmap's sizes
        # read off the book through a memo, the mid from the book's float keys, `next_due`
        # asked once without lists (the same digests of what is recorded).
        self.observed_at = now
        self._book_version = book.version
        fresh = self._take_trades(tape) if tape.version != self._tape_version else []
        if live and book.has_snapshot:
            self._live = True
            self.liquidity.sample(book, now)
            self.heatmap.sample_book(now, book)
            # Floats: the sparkline only draws it (the exact mid is book.mid()). The book's
            # keys are the float of each price text, so no float() of the texts.
            bid, ask = book.best_bid_value(), book.best_ask_value()
            mids = self.mids
            mids.record(now, None if bid is None or ask is None else (bid + ask) / 2)
            mids.held = True  # until the next observe(), which a change brings
        elif self._live or not book.has_snapshot:
            self._live = False
            self.heatmap.mark_gap(now)
            self.mids.mark_gap(now)
            self.liquidity.clear()
        self.volume.expire(now)
        return fresh

    def pending(self, book: OrderBook, tape: TradeTape, live: bool, now: float) -> bool:
        """Whether `observe(now)` has anything to take: never observed, the book, the tape or
        the live state changed since, or a history is due (`next_due`)."""
        if self.changed(book, tape, live):
            return True
        due = self.next_due(book)
        return due is not None and now >= due

    def changed(self, book: OrderBook, tape: TradeTape, live: bool) -> bool:
        """`pending` without the histories' due times: never observed, or the book, the tape
        or the live state changed since (app/paint_schedule.py asks `next_due` once)."""
        return (self.observed_at is None or book.version != self._book_version
                or tape.version != self._tape_version
                or (live and book.has_snapshot) != self._live)

    def next_due(self, book: OrderBook) -> float | None:
        """When the histories change with time alone, with nothing new from the feed: a book
        change the 1 s samples have not taken yet, the pulling and stacking window passing a
        sample, the next trade leaving the volume window. None: not before new data."""
        # The smallest of four, without a list and a generator a call: every paint asks it
        # of every market.
        due = self.volume.next_expiry()
        if self._live and self.observed_at is not None:
            liquidity = self.liquidity
            for at in (liquidity.next_sample_due(book), self.heatmap.next_sample_due(book),
                       liquidity.next_change(self.observed_at)):
                if at is not None and (due is None or at < due):
                    due = at
        return due

    def hold(self, book: OrderBook, now: float) -> None:
        """Extend the heatmap's covered time to `now` for a book unchanged and live since the
        last `observe()` (the mid is held already): for a heatmap on screen, which draws
        what it has not covered as a gap."""
        if self._live and book.version == self._book_version:
            self.heatmap.sample_book(now, book)

    def _take_trades(self, tape: TradeTape) -> list[Trade]:
        if tape.version == self._tape_version:
            return []
        self._tape_version = tape.version
        newest = self._newest
        taken: list[Trade] = []
        for trade in tape:  # newest first: stop at the first one already taken
            if newest is not None and (trade.time, trade.id) <= newest:
                break
            taken.append(trade)
        if not taken:
            return []
        taken.reverse()
        self._newest = (taken[-1].time, taken[-1].id)
        self.trades_seen += len(taken)
        heatmap, volume = self.heatmap, self.volume
        for trade in taken:
            volume.add(trade)
            heatmap.record_trade(trade.time, trade.price_value, trade.amount_value,
                                 trade.side == BUY)
        return taken if newest is not None else []

    def clear_volume(self) -> None:
        self.volume.clear()
