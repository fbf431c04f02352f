"""Tape merge conserves count, size and notional; tiers; short prices reassemble exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfx_tui.book.short_prices import short_prices
from dfx_tui.book.tape import BUY, SELL, Trade
from dfx_tui.book.tape_lines import merge_prints, notional, tier_of

PRICE = st.one_of(st.integers(1, 10**7).map(lambda n: f"{Decimal(n).scaleb(-2):f}"),
                  st.integers(1, 10**6).map(lambda n: f"{Decimal(n).scaleb(-8):f}"))
AMOUNT = st.integers(1, 10**9).map(lambda n: f"{Decimal(n).scaleb(-6):f}")
THRESHOLDS = st.lists(st.integers(1, 2000).map(Decimal), max_size=3).map(sorted)


@st.composite
def tapes(draw: st.DrawFn) -> list[Trade]:
    """Newest first; runs of prints share a time and side, as one taker order's fills do."""
    out = []
    time = 1_700_000_000.0
    for tid in range(draw(st.integers(0, 25))):
        if draw(st.integers(0, 2)) == 0:
            time -= draw(st.sampled_from([0.001, 1.0, 5.0]))
        price, amount = draw(PRICE), draw(AMOUNT)
        out.append(Trade(10**6 - tid, time, price, amount, draw(st.sampled_from([BUY, SELL])),
                         float(price), float(amount)))
    return out


@settings(max_examples=150, deadline=None)
@given(tapes(), THRESHOLDS, st.booleans())
def test_merge_conserves_count_size_and_notional(trades, thresholds, by_notional):
    lines = merge_prints(trades, thresholds, by_notional)
    assert sum(line.prints for line in lines) == len(trades)
    assert sum((line.size for line in lines), Decimal(0)) == sum(
        (Decimal(t.amount) for t in trades), Decimal(0))
    assert sum((line.notional for line in lines), Decimal(0)) == sum(
        (notional(t) for t in trades), Decimal(0))
    start = 0
    for i, line in enumerate(lines):
        members = trades[start:start + line.prints]
        start += line.prints
        assert {(t.time, t.side) for t in members} == {(line.time, line.side)}
        assert (line.first_id, line.last_id) == (members[0].id, members[-1].id)
        if i:  # neighbours that could have merged did
            assert (lines[i - 1].time, lines[i - 1].side) != (line.time, line.side)
        assert line.low <= line.vwap <= line.high
        if line.prints == 1:
            assert line.vwap == Decimal(members[0].price)
            assert line.notional == notional(members[0])
        else:  # the VWAP is off the exact quotient by at most half a unit in its last place
            places = max(-Decimal(t.price).as_tuple().exponent for t in members) + 2
            assert abs(line.vwap - line.notional / line.size) <= Decimal(1).scaleb(-places) / 2
        assert line.tier == tier_of(line.notional if by_notional else line.size, thresholds)
    assert len(merge_prints(trades, thresholds, max_lines=3)) == min(3, len(lines))


def test_tiers_count_the_thresholds_reached():
    thresholds = [Decimal(1), Decimal(5), Decimal(20)]
    assert [tier_of(Decimal(x), thresholds) for x in ("0.5", "1", "4.99", "5", "19", "20",
                                                       "1000")] == [0, 1, 1, 2, 2, 3, 3]
    assert tier_of(Decimal(100), []) == 0
    with pytest.raises(ValueError):
        merge_prints([], [Decimal(5), Decimal(1)])


def test_a_sweep_becomes_one_line():
    def trade(tid: int, time: float, price: str, amount: str, side: str) -> Trade:
        return Trade(tid, time, price, amount, side, float(price), float(amount))

    lines = merge_prints([trade(4, 2.0, "100.03", "1", BUY), trade(3, 2.0, "100.01", "2", BUY),
                          trade(2, 2.0, "100.00", "1", SELL), trade(1, 1.0, "100.00", "3", SELL)],
                         [Decimal(3)])
    assert [(ln.prints, ln.size, ln.notional, ln.vwap, ln.tier) for ln in lines] == [
        (2, Decimal(3), Decimal("300.05"), Decimal("100.0167"), 1),
        (1, Decimal(1), Decimal("100.00"), Decimal("100.00"), 0),
        (1, Decimal(3), Decimal("300.00"), Decimal("100.00"), 1)]


WIDTH_PRICES = st.integers(1, 8).flatmap(
    lambda digits: st.lists(st.integers(10 ** (digits - 1), 10**digits - 1), min_size=1,
                            max_size=40, unique=True)).map(
    lambda ns: [f"{Decimal(n).scaleb(-2):f}" for n in ns])


@settings(max_examples=200, deadline=None)
@given(st.one_of(WIDTH_PRICES, st.lists(PRICE, max_size=30, unique=True)),
       st.integers(1, 6))
def test_short_prices_reassemble_and_stay_distinct(prices, min_keep):
    short = short_prices(prices, min_keep)
    assert [short.prefix + s for s in short.suffixes] == prices
    assert len(set(short.suffixes)) == len(prices)  # never ambiguous
    if short.prefix:
        assert short.label.startswith(short.prefix) and short.label.endswith("x")
        assert all(len(s) >= min_keep and not s.startswith(".") for s in short.suffixes)
        assert len({len(p) for p in prices}) == 1
    else:
        assert short.label == "" and short.suffixes == prices


def test_short_prices_examples():
    assert short_prices(["65003.42", "65003.45"]).label == "6500x"
    assert short_prices(["65003.42", "65003.45"]).suffixes == ["3.42", "3.45"]
    wide = short_prices(["65003.42", "65012.10"])
    assert (wide.prefix, wide.label, wide.suffixes) == ("650", "650xx", ["03.42", "12.10"])
    small = short_prices(["0.00012345", "0.00012399"])
    assert (small.label, small.suffixes) == ("0.0001xxxx", ["2345", "2399"])
    assert short_prices(["9999.50", "10000.50"]).suffixes == ["9999.50", "10000.50"]
    assert short_prices([]).suffixes == []
