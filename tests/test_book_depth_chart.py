"""Depth chart and mid sparkline series: exact figures, gaps kept."""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from dfx_tui.book.depth_chart import BPS_STEPS, depth_series, next_bps
from dfx_tui.book.mid_history import MidHistory, bucket_min_max
from dfx_tui.book.orderbook import OrderBook

TICKS = st.integers(1, 400)
SIZES = st.integers(1, 10**6).map(lambda t: f"{Decimal(t).scaleb(-4)}")


@st.composite
def books(draw):
    """A real OrderBook, uncrossed: bids below 100.00, asks from 100.01, 0.01 ticks."""
    bids = draw(st.dictionaries(TICKS, SIZES, min_size=1, max_size=30))
    asks = draw(st.dictionaries(TICKS, SIZES, min_size=1, max_size=30))
    book = OrderBook("T_USDT")
    book.apply_snapshot([[f"{Decimal(10_000 + t).scaleb(-2)}", a] for t, a in asks.items()],
                        [[f"{Decimal(10_000 - t).scaleb(-2)}", a] for t, a in bids.items()])
    return book


@settings(max_examples=300, deadline=None)
@given(books(), st.sampled_from([1, 5, 10, 25, 100, 250, 500]), st.integers(1, 60))
def test_depth_columns_are_exact_cumulative_sizes_out_to_each_far_edge(book, bps, width):
    series = depth_series(book.bids(), book.asks(), bps, width)
    assert series is not None
    bids = [(Decimal(p), Decimal(a)) for p, a in book.bids()]
    asks = [(Decimal(p), Decimal(a)) for p, a in book.asks()]
    mid = (bids[0][0] + asks[0][0]) / 2
    assert series.mid == mid and len(series.columns) == width
    assert series.price_lo == mid - mid * bps / 10_000
    assert series.price_hi == mid + mid * bps / 10_000
    col = series.columns[series.mid_column]
    assert col.price_lo <= mid < col.price_hi
    for left, right in zip(series.columns, series.columns[1:], strict=False):
        assert left.price_hi == right.price_lo  # contiguous
    for c, column in enumerate(series.columns):
        if c <= series.mid_column:
            assert column.bids == sum((a for p, a in bids if p >= column.price_lo), Decimal(0))
        else:
            assert column.bids is None
        if c >= series.mid_column:
            assert column.asks == sum((a for p, a in asks if p <= column.price_hi), Decimal(0))
        else:
            assert column.asks is None
    shown = [v for col in series.columns for v in (col.bids, col.asks) if v is not None]
    assert series.max_cum == max(shown)


def test_depth_chart_example_and_range_steps():
    book = OrderBook("T_USDT")
    book.apply_snapshot([["100.5", "2"], ["101", "3"], ["103", "100"]],
                        [["99.5", "1"], ["99.0", "4"], ["90", "100"]])
    series = depth_series(book.bids(), book.asks(), 200, 4)  # mid 100, 98..102, 1 a column
    assert series is not None
    assert [(c.price_lo, c.price_hi) for c in series.columns] == [
        (98, 99), (99, 100), (100, 101), (101, 102)]
    assert [c.bids for c in series.columns] == [5, 5, 0, None]  # 99.0 sits on an edge: counted
    assert [c.asks for c in series.columns] == [None, None, 5, 5]  # 101 sits on an edge
    assert series.mid_column == 2 and series.max_cum == 5
    assert depth_series([], book.asks(), 10, 5) is None
    assert next_bps(25, wider=True) == 50 and next_bps(25, wider=False) == 10
    assert next_bps(BPS_STEPS[-1], wider=True) == BPS_STEPS[-1]
    assert next_bps(7, wider=False) == 5 and next_bps(1, wider=False) == BPS_STEPS[0]


RECORDS = st.lists(st.tuples(st.integers(0, 5), st.one_of(st.none(), st.integers(1, 99))),
                   max_size=80)


@settings(max_examples=300, deadline=None)
@given(RECORDS, st.integers(1, 30), st.integers(0, 40), st.integers(1, 50))
def test_mid_history_keeps_the_last_value_a_second_and_gaps(records, capacity, ahead, width):
    history = MidHistory(minutes=capacity / 60, step=1.0)
    truth: dict[int, float | None] = {}
    t = 100.25
    for dt, mid in records:
        t += dt / 2
        value = None if mid is None else float(mid)
        history.record(t, value)
        truth[math.floor(t)] = value
    now = t + ahead
    want = [truth.get(s) for s in range(math.floor(now) - capacity + 1, math.floor(now) + 1)]
    assert history.series(now) == want
    assert history.last() == (truth[math.floor(t)] if records else None)
    assert history.buckets(now, width) == bucket_min_max(want, width)


def test_bucket_min_max_splits_evenly_and_keeps_empty_buckets_empty():
    values = [1.0, 5.0, None, None, 2.0, 3.0]
    assert bucket_min_max(values, 3) == [(1.0, 5.0), None, (2.0, 3.0)]
    assert bucket_min_max(values, 2) == [(1.0, 5.0), (2.0, 3.0)]
    assert bucket_min_max([4.0, 6.0], 4) == [(4.0, 4.0), (4.0, 4.0), (6.0, 6.0), (6.0, 6.0)]
    history = MidHistory(minutes=1)
    history.record(10.0, 5.0)
    history.record(9.0, 1.0)  # the clock went back: ignored
    history.mark_gap(12.2)
    assert history.series(12.9)[-4:] == [None, 5.0, None, None]  # 9 s was never kept
    assert len(history.series(12.9)) == 60


def series_by_slot(history: MidHistory, now: float) -> list[float | None]:
    """`MidHistory.series` as it was written first, slot by slot: the reference."""
    slot, last = math.floor(now / history.step), history.last_slot
    held = history.last() if history.held else None
    out: list[float | None] = []
    for k in range(slot - history.capacity + 1, slot + 1):
        if last is None or k <= last - history.capacity:
            out.append(None)
        elif k > last:
            out.append(held)
        else:
            value = history._ring[k % history.capacity]
            out.append(None if math.isnan(value) else value)
    return out


@settings(max_examples=300, deadline=None)
@given(RECORDS, st.integers(1, 30), st.integers(-40, 40), st.integers(1, 50), st.booleans())
def test_mid_history_window_by_slices_equals_the_slot_by_slot_one(records, capacity, ahead,
                                                                  width, held):
    """The sliced window (`MidHistory._window`) and the buckets taken whole, held or not,
    with `now` before the last record too."""
    history = MidHistory(minutes=capacity / 60, step=1.0)
    history.held = held
    t = 100.25
    for dt, mid in records:
        t += dt / 2
        history.record(t, None if mid is None else float(mid))
        now = t + ahead / 2
        want = series_by_slot(history, now)
        assert history.series(now) == want
        assert history.buckets(now, width) == bucket_min_max(want, width)
