"""Volume at price: over its window it sums to the tape's volume in that window."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfx_tui.book.tape import BUY, SELL, Trade, TradeTape
from dfx_tui.book.volume_profile import VolumeAtPrice


def make_trade(tid: int, time: float, ticks: int, lots: int, side: str) -> Trade:
    price, amount = f"{Decimal(ticks).scaleb(-2):f}", f"{Decimal(lots).scaleb(-3):f}"
    return Trade(tid, time, price, amount, side, float(price), float(amount))


@st.composite
def trade_batches(draw: st.DrawFn) -> list[list[Trade]]:
    """Batches newest first, like the wire. Ids are unique per trade (a resent trade has the
    same fields), times mostly rise with some arriving late, some trades are resent."""
    catalogue: list[Trade] = []
    time = draw(st.integers(0, 10**6)) / 4
    batches = []
    for _ in range(draw(st.integers(1, 15))):
        batch = []
        for _ in range(draw(st.integers(0, 6))):
            time += draw(st.sampled_from([0, 0, 0.25, 1, 7, 40, 120]))
            late = draw(st.sampled_from([0, 0, 0, 0, 3, 30]))
            catalogue.append(make_trade(len(catalogue), time - late, draw(st.integers(9990, 10010)),
                                        draw(st.integers(1, 10**5)),
                                        draw(st.sampled_from([BUY, SELL]))))
            batch.append(catalogue[-1])
        if catalogue and draw(st.booleans()):
            batch += draw(st.lists(st.sampled_from(catalogue), max_size=3))  # resent
        batches.append(sorted(batch, key=lambda t: (t.time, t.id), reverse=True))
    return batches


@settings(max_examples=150, deadline=None)
@given(trade_batches(), st.sampled_from([5.0, 60.0, 300.0]))
def test_window_volume_equals_the_tapes(batches, window):
    profile = VolumeAtPrice(window=window)
    tape = TradeTape(maxlen=10**6)
    first_seen: dict[int, Trade] = {}
    for batch in batches:
        # Trades already outside the window on arrival are not counted; later arrivals of a
        # counted trade are duplicates.
        for trade in sorted(batch, key=lambda t: (t.time, t.id)):
            cutoff = None if profile.now is None else profile.now - window
            accepted = profile.add(trade)
            fresh = trade.id not in first_seen and (cutoff is None or trade.time >= cutoff)
            assert accepted == fresh
            if fresh:
                first_seen[trade.id] = trade
        tape.apply(False, batch)
        now = profile.now
        assert now == max(t.time for t in first_seen.values()) if first_seen else now is None
        if now is None:
            continue
        in_window = [t for t in tape if t.time >= now - window]
        buy = sum((Decimal(t.amount) for t in in_window if t.side == BUY), Decimal(0))
        sell = sum((Decimal(t.amount) for t in in_window if t.side == SELL), Decimal(0))
        levels = profile.levels()
        assert sum((lv.buy for lv in levels), Decimal(0)) == buy
        assert sum((lv.sell for lv in levels), Decimal(0)) == sell
        assert profile.totals() == (buy, sell)
        assert tape.rolling_volume(window, now) == pytest.approx((float(buy), float(sell)))
        # Per price, exactly.
        for level in levels:
            at = [t for t in in_window if Decimal(t.price) == level.price]
            assert level.buy == sum((Decimal(t.amount) for t in at if t.side == BUY), Decimal(0))
            assert level.sell == sum((Decimal(t.amount) for t in at if t.side == SELL),
                                     Decimal(0))
            assert level.total > 0
        assert len(profile) == len(in_window)
        assert profile.covers_window


@settings(max_examples=60, deadline=None)
@given(trade_batches(), st.sampled_from([2, 5, 10, 100]))
def test_grouped_levels_conserve_volume_and_round_towards_the_consumed_side(batches, group):
    profile = VolumeAtPrice(window=1e9)
    for batch in batches:
        profile.add_many(batch)
    step = Decimal(group).scaleb(-2)
    exact = profile.levels()
    grouped = {lv.price: lv for lv in profile.levels(decimals=2, group=group)}
    assert sum((lv.total for lv in grouped.values()), Decimal(0)) == sum(
        (lv.total for lv in exact), Decimal(0))
    want_buy: dict[Decimal, Decimal] = {}
    for lv in exact:
        if lv.buy:
            key = (lv.price / step).to_integral_value(ROUND_CEILING) * step
            want_buy[key] = want_buy.get(key, Decimal(0)) + lv.buy
        if lv.sell:
            key = (lv.price / step).to_integral_value(ROUND_FLOOR) * step
            assert grouped[key].sell >= lv.sell
    assert {p: lv.buy for p, lv in grouped.items() if lv.buy} == want_buy
    prices = list(grouped)
    assert prices == sorted(prices, reverse=True)


def test_expiry_clear_and_memory_bound():
    profile = VolumeAtPrice(window=10.0, max_trades=3)
    for i in range(5):
        assert profile.add(make_trade(i, 100.0 + i, 10_000, 1000, BUY))
    assert len(profile) == 3 and profile.totals()[0] == 3
    assert not profile.covers_window  # trades 0 and 1 left early, still inside the window
    profile.expire(112.0)  # window [102, 112]: trade 1 (t=101) is now out of it anyway
    assert profile.covers_window and len(profile) == 3
    profile.expire(113.0)
    assert len(profile) == 2 and profile.totals() == (Decimal(2), Decimal(0))
    profile.expire(200.0)
    assert len(profile) == 0 and profile.levels() == []
    assert not profile.add(make_trade(9, 150.0, 10_000, 1000, SELL))  # older than the window
    profile.clear()
    assert profile.now is None and profile.add(make_trade(9, 150.0, 10_000, 1000, SELL))
