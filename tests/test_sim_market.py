"""The simulator's market model on its own: precision, motion, never crossed, deterministic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dfx_tui.app.sim.market import CATALOG, MarketModel, fmt_units, spec_for
from dfx_tui.book.orderbook import OrderBook


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def test_fmt_units_fixed_precision() -> None:
    assert fmt_units(6500012, 2) == "65000.12"
    assert fmt_units(2345, 8) == "0.00002345"
    assert fmt_units(7, 0) == "7"
    assert fmt_units(1, 4) == "0.0001"


@pytest.mark.parametrize("name", ["BTC_USDT", "SHIB_USDT", "XRP_USDT", "FOO_BAR"])
def test_snapshot_shape_and_precision(name: str) -> None:
    m = MarketModel(spec_for(name), seed=3)
    snap = m.snapshot_wire()
    for side in ("asks", "bids"):
        prices = [Decimal(p) for p, _ in snap[side]]
        assert prices == sorted(prices, reverse=True), "both sides descending, as live"
        assert 40 <= len(prices) <= 60
        assert all(_decimals(p) == m.spec.price_dp for p, _ in snap[side])
        assert all(_decimals(a) == m.spec.amount_dp and Decimal(a) > 0 for _, a in snap[side])
    assert Decimal(snap["bids"][0][0]) < Decimal(snap["asks"][-1][0])


def test_precision_differs_per_market() -> None:
    assert spec_for("BTC_USDT").price_dp == 2
    assert spec_for("SHIB_USDT").price_dp == 8
    assert spec_for("btc_usdt") is CATALOG["BTC_USDT"]


@pytest.mark.parametrize("name", list(CATALOG))
def test_never_crossed_and_deltas_rebuild_the_book(name: str) -> None:
    m = MarketModel(CATALOG[name], seed=11, rate=50, trade_rate=10)
    book = OrderBook(name)
    snap = m.snapshot_wire()
    book.apply_snapshot(snap["asks"], snap["bids"])
    start_mid = m.fair
    deletions = trades = 0
    for i in range(3000):
        d = m.step(now=1000.0 + i)
        assert d.asks or d.bids
        bid, ask = m.best_bid(), m.best_ask()
        assert bid is not None and ask is not None and bid < ask, f"crossed at step {i}"
        book.apply_update(m.side_wire(d.asks), m.side_wire(d.bids))
        assert not book.is_crossed()
        deletions += sum(1 for a in (*d.asks.values(), *d.bids.values()) if a == 0)
        trades += len(d.trades)
    t = m.truth()
    assert [list(x) for x in book.bids()] == t["bids"]
    assert [list(x) for x in book.asks()] == t["asks"]
    assert deletions > 100 and trades > 100
    assert m.fair != start_mid  # the mid walks


def test_deterministic_under_seed() -> None:
    def run(seed: int) -> list:
        m = MarketModel(CATALOG["ETH_USDT"], seed=seed, now=100.0)
        out = [m.step(now=200.0 + i) for i in range(500)]
        return [(d.asks, d.bids, d.trades) for d in out] + [m.truth(), list(m.trades_recent)]

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_trades_hit_the_touch_and_consume_it() -> None:
    m = MarketModel(CATALOG["BTC_USDT"], seed=5, rate=1, trade_rate=1)  # every step trades
    seen = 0
    for i in range(200):
        before_bid, before_ask = dict(m.bids), dict(m.asks)
        best_bid, best_ask = m.best_bid(), m.best_ask()
        d = m.step(now=float(i))
        for tr in reversed(d.trades):  # oldest first
            side = before_ask if tr["type"] == "buy" else before_bid
            tick = round(Decimal(tr["price"]) * 100)
            assert tick in side
            if tr is d.trades[-1]:
                assert tick == (best_ask if tr["type"] == "buy" else best_bid)
            assert 0 < round(Decimal(tr["amount"]) * 10**4) <= side[tick]
            seen += 1
    assert seen >= 200


def test_trade_history_newest_first_with_increasing_ids() -> None:
    m = MarketModel(CATALOG["ETH_USDT"], seed=2, now=5000.0, rate=10, trade_rate=5)
    for i in range(100):
        m.step(now=5000.0 + i)
    hist = list(m.trades_recent)
    assert len(hist) == 50
    ids = [t["id"] for t in hist]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    times = [t["time"] for t in hist]
    assert times == sorted(times, reverse=True)
    for t in hist:
        assert set(t) == {"id", "time", "price", "amount", "type"}
        assert t["type"] in ("buy", "sell")
        assert isinstance(t["price"], str) and isinstance(t["amount"], str)
