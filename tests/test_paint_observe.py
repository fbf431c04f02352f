"""observe_markets asks each market's `next_due` once (`MarketAnalytics.changed`, then the due
time): it must feed the histories and return the delays exactly as the plain loop over
`pending` / `observe` / `hold` / `next_due` did."""

from __future__ import annotations

import random

from dfx_tui.app.alerts import AlertWatcher
from dfx_tui.app.paint_schedule import observe_markets
from dfx_tui.book.state import Market, MarketState
from dfx_tui.book.tape import Trade

T = 1_750_000_000.0


def reference(markets: list[Market], link_live: bool, now: float,
              shown: str | None) -> float | None:
    """The loop observe_markets replaced (alerts aside: none are set)."""
    due: float | None = None
    for market in markets:
        analytics, book = market.analytics, market.book
        live = link_live and market.status.state is MarketState.LIVE
        if analytics.pending(book, market.tape, live, now):
            analytics.observe(book, market.tape, live, now)
        elif market.name == shown:
            analytics.hold(book, now)
        at = analytics.next_due(book)
        if at is not None and (due is None or at < due):
            due = at
    return None if due is None else max(0.0, due - now)


def recorded(market: Market) -> tuple[object, ...]:
    a = market.analytics
    heatmap = a.heatmap
    segments = [(bytes(s.prices), bytes(s.times), bytes(s.pidx), bytes(s.sizes))
                for s in heatmap._segments]
    return (segments, heatmap._spans, heatmap._open, heatmap._last_time,
            bytes(a.mids._ring), a.mids._last_slot,
            [(s.time, s.version) for s in a.liquidity._samples],
            a.volume.totals(), a.trades_seen, a.observed_at)


def market(name: str) -> Market:
    m = Market(name)
    m.book.apply_snapshot([["101.00", "2"], ["102.00", "4"]], [["100.00", "3"], ["99.00", "1"]])
    m.status.state = MarketState.LIVE
    return m


def test_observe_markets_feeds_the_histories_as_the_plain_loop_did():
    rng = random.Random(5)
    fast = [market("A_USDT"), market("B_USDT")]
    plain = [market("A_USDT"), market("B_USDT")]
    watcher = AlertWatcher()
    now = T
    trade_id = 0
    for _ in range(600):
        now += rng.choice([0.05, 0.1, 0.1, 0.3, 1.0, 2.5])
        link_live = rng.random() > 0.05
        for i in range(2):
            roll = rng.random()
            price = f"{rng.choice([99, 100, 101, 102, 103])}.00"
            side = [[price, rng.choice(["0", "1", "2.5"])]]
            for m in (fast[i], plain[i]):
                if roll < 0.4:  # a book change
                    if price > "100.50":
                        m.book.apply_update(side, None)
                    else:
                        m.book.apply_update(None, side)
                elif roll < 0.5:  # a trade
                    m.tape.apply(False, [Trade.from_wire({
                        "id": trade_id, "time": now - 0.01, "price": "100.5",
                        "amount": "1", "type": "buy"})])
                elif roll < 0.53:  # a resync
                    m.status.state = (MarketState.LIVE if m.status.state is not MarketState.LIVE
                                      else MarketState.RESYNCING)
            trade_id += 1
        shown = rng.choice([None, "A_USDT", "B_USDT"])
        fired, due = observe_markets(fast, link_live, now, watcher, shown)
        assert fired == []
        assert due == reference(plain, link_live, now, shown)
        assert [recorded(m) for m in fast] == [recorded(m) for m in plain]
