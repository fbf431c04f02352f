"""MarketAnalytics: fed from a real book and tape on the clock, never per message."""

from __future__ import annotations

from dfx_tui.book.market_analytics import AnalyticsSettings, MarketAnalytics
from dfx_tui.book.orderbook import OrderBook
from dfx_tui.book.tape import Trade, TradeTape

T = 1_750_000_000.0


def trade(i: int, t: float, side: str = "buy", price: str = "100.0", amount: str = "1") -> Trade:
    return Trade.from_wire({"id": i, "time": t, "price": price, "amount": amount, "type": side})


def book_with(bid: str, ask: str) -> OrderBook:
    book = OrderBook("X_USDT")
    book.apply_snapshot([[ask, "2"]], [[bid, "3"]])
    return book


def test_history_batch_is_counted_but_not_news_then_new_trades_are_returned_oldest_first():
    a = MarketAnalytics()
    tape = TradeTape("X_USDT")
    book = book_with("99.5", "100.5")
    tape.apply(True, [trade(2, T + 1), trade(1, T)])  # wire order: newest first
    assert a.observe(book, tape, True, T + 1) == []
    assert a.trades_seen == 2
    assert a.volume.totals() == (2, 0)
    tape.apply(False, [trade(4, T + 3, "sell", amount="0.5"), trade(3, T + 2)])
    fresh = a.observe(book, tape, True, T + 3)
    assert [t.id for t in fresh] == [3, 4]
    assert a.observe(book, tape, True, T + 3.1) == []  # nothing new: nothing returned
    buy, sell = a.volume.totals()
    assert (buy, sell) == (3, 0.5)
    # The heatmap keeps the trades from its first sample (T + 1) on: an older one has no
    # book to be drawn on.
    assert [t for t, _p, _s in a.heatmap.trades(T - 1, T + 10)] == [T + 1, T + 2, T + 3]


def test_a_book_that_is_not_live_is_a_gap_in_the_histories():
    a = MarketAnalytics(AnalyticsSettings(sparkline_minutes=1))
    tape = TradeTape("X_USDT")
    book = book_with("99.5", "100.5")
    a.observe(book, tape, True, T)
    a.observe(book, tape, True, T + 1)
    assert a.mids.last() == 100.0
    assert not a.heatmap.in_gap
    a.observe(book, tape, False, T + 2)  # resyncing or reconnecting
    assert a.heatmap.in_gap
    assert a.mids.last() is None
    a.observe(book, tape, True, T + 3)
    assert not a.heatmap.in_gap
    series = a.mids.series(T + 3)
    assert series[-1] == 100.0 and None in series  # the gap stays a gap


def test_volume_window_follows_the_clock():
    a = MarketAnalytics(AnalyticsSettings(volume_window=10))
    tape = TradeTape("X_USDT")
    book = book_with("99.5", "100.5")
    a.observe(book, tape, True, T)
    tape.apply(False, [trade(1, T + 1)])
    a.observe(book, tape, True, T + 1)
    assert a.volume.totals() == (1, 0)
    a.observe(book, tape, True, T + 20)  # the trade left the 10 s window
    assert a.volume.totals() == (0, 0)
