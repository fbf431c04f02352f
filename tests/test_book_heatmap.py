"""Heatmap history: the run store's grid equals a naive per-tick grid, gaps stay gaps."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfx_tui.book.heatmap_grid import (
    column_edges,
    current_column,
    grid,
    intensity,
    percentile_scale,
    price_window,
    row_of,
)
from dfx_tui.book.heatmap_store import HeatmapStore, book_levels
from dfx_tui.book.orderbook import OrderBook

# Prices on a 0.5 grid; below 5 are bids, from 5 up asks. Sizes are integers so float32
# storage and float sums are exact and "equal" can mean equal.
PRICES = [x / 2 for x in range(2, 20)]
# A tick edits the running book (size 0 deletes a level), so most levels live across many
# ticks and segments, as in a real book; None is a gap (the book lives on behind it).
EDITS = st.dictionaries(st.sampled_from(PRICES), st.sampled_from([0.0, 1.0, 2.0, 3.0, 500.0]),
                        max_size=4)
TICK = st.tuples(st.integers(0, 3), st.one_of(st.none(), EDITS, EDITS, EDITS))


def split(state: dict[float, float]) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    bids = sorted(((p, s) for p, s in state.items() if p < 5), reverse=True)
    asks = sorted((p, s) for p, s in state.items() if p >= 5)
    return bids, asks


def feed(store: HeatmapStore, ticks: list[tuple[int, dict[float, float] | None]],
         max_levels: int) -> list[tuple[float, dict[float, float] | None]]:
    """Feed the store; return the naive tape: (time, book as kept, or None for a gap)."""
    tape: list[tuple[float, dict[float, float] | None]] = []
    t = 0.0
    state: dict[float, float] = {}
    for dt, edits in ticks:
        t += dt
        if edits is None:
            store.mark_gap(t)
            tape.append((t, None))
        else:
            state = {p: s for p, s in {**state, **edits}.items() if s > 0}
            bids, asks = split(state)
            store.sample(t, bids, asks)
            tape.append((t, dict(bids[:max_levels] + asks[:max_levels])))
    return tape


def naive_grid(tape, t0, t1, columns, lo, hi, rows, how, oldest=-math.inf):
    """A dense book at every tick: tick k's book holds on [t_k, t_k+1); gaps hold nothing."""
    edges = column_edges(t0, t1, columns)
    covered = [0.0] * columns
    acc = [[0.0] * columns for _ in range(rows)]
    for (a, book), (b, _next) in zip(tape, tape[1:], strict=False):
        a = max(a, oldest)
        if book is None or b <= a:
            continue
        row_sizes: list[list[float]] = [[] for _ in range(rows)]
        for p, s in book.items():
            r = row_of(p, lo, hi, rows)
            if r >= 0:
                row_sizes[r].append(s)
        for c in range(columns):
            overlap = min(b, edges[c + 1]) - max(a, edges[c])
            if overlap <= 0:
                continue
            covered[c] += overlap
            for r in range(rows):
                v = math.fsum(row_sizes[r])
                if how == "max":
                    acc[r][c] = max(acc[r][c], v)
                else:
                    acc[r][c] += v * overlap
    return [[None if covered[c] <= 0 else (acc[r][c] if how == "max" else acc[r][c] / covered[c])
             for c in range(columns)] for r in range(rows)]


def assert_cells_equal(got, want, how):
    for got_row, want_row in zip(got, want, strict=True):
        for g, w in zip(got_row, want_row, strict=True):
            if w is None or how == "max":
                assert g == w, (got, want)
            else:
                assert g is not None and math.isclose(g, w, rel_tol=1e-9, abs_tol=1e-9), (got, want)


QUERY = st.tuples(
    st.integers(-4, 40).map(lambda x: x / 2),  # t0
    st.integers(1, 60).map(lambda x: x / 2),  # span
    st.integers(1, 9),  # columns
    st.sampled_from([(0.9, 9.9), (0.75, 9.75), (2.2, 6.3), (4.75, 5.25)]),
    st.integers(1, 12),  # rows
    st.sampled_from(["mean", "max"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(TICK, max_size=25), st.integers(1, 6), st.sampled_from([1.0, 2.5, 5.0, 100.0]),
       st.lists(QUERY, min_size=1, max_size=4))
def test_grid_equals_naive_per_tick_grid(ticks, max_levels, segment, queries):
    store = HeatmapStore(horizon=1e9, segment=segment, max_levels=max_levels, min_interval=0.0)
    tape = feed(store, ticks, max_levels)
    for t0, span, columns, (lo, hi), rows, how in queries:
        got = grid(store, t0, t0 + span, columns, lo, hi, rows, how=how)
        want = naive_grid(tape, t0, t0 + span, columns, lo, hi, rows, how)
        assert_cells_equal(got.cells, want, how)


@settings(max_examples=250, deadline=None)
@given(st.lists(TICK, min_size=1, max_size=40), st.sampled_from([1.0, 2.0, 3.0]),
       st.sampled_from([2.0, 5.0, 8.0]), st.lists(QUERY, min_size=1, max_size=3))
def test_pruned_store_equals_naive_grid_after_its_oldest_time(ticks, segment, horizon, queries):
    store = HeatmapStore(horizon=horizon, segment=segment, max_levels=10, min_interval=0.0)
    tape = feed(store, ticks, 10)
    if store.segment_count:
        # Bounded: the segments alive cover the horizon plus at most one segment.
        assert store.segment_count <= horizon / segment + 2
        newest_start = store.segment_starts()[-1]
        assert store.oldest <= max(store.segment_starts()[0], newest_start - horizon)
    for t0, span, columns, (lo, hi), rows, how in queries:
        got = grid(store, t0, t0 + span, columns, lo, hi, rows, how=how)
        want = naive_grid(tape, t0, t0 + span, columns, lo, hi, rows, how, oldest=store.oldest)
        assert_cells_equal(got.cells, want, how)


@settings(max_examples=200, deadline=None)
@given(st.lists(TICK, max_size=25), st.sampled_from([1.0, 3.0, 100.0]))
def test_runs_are_the_naive_runs_of_unchanged_size(ticks, segment):
    store = HeatmapStore(horizon=1e9, segment=segment, max_levels=100, min_interval=0.0)
    tape = feed(store, ticks, 100)
    for price in PRICES:
        want: list[tuple[float, float, float]] = []
        run: tuple[float, float] | None = None  # (start, size) of the open run
        for t, book in tape:
            size = (book or {}).get(price, 0.0)
            if run is not None and book is not None and size == run[1]:
                continue  # unchanged size: the run goes on
            if run is not None and t > run[0]:
                want.append((run[0], t, run[1]))
            run = (t, size) if size > 0 else None
        if run is not None and tape[-1][0] > run[0]:
            want.append((run[0], tape[-1][0], run[1]))
        assert store.runs(price) == want


def test_an_unchanged_book_records_nothing_and_a_gap_is_never_filled():
    store = HeatmapStore(min_interval=0.0)
    store.sample(0.0, [(99.0, 2.0), (98.0, 1.0)], [(101.0, 4.0)])
    held = store.nbytes()
    for t in range(1, 50):
        assert store.sample(float(t), [(99.0, 2.0), (98.0, 1.0)], [(101.0, 4.0)]) == 0
    assert store.nbytes() == held  # runs of unchanged size, not snapshots
    store.mark_gap(50.0)
    store.sample(60.0, [(99.0, 2.0)], [(101.0, 4.0)])
    store.sample(70.0, [(99.0, 2.0)], [(101.0, 4.0)])
    g = grid(store, -10.0, 80.0, 9, 97.5, 102.5, 5)  # rows 102, 101, 100, 99, 98
    assert g.cells[1] == [None, 4.0, 4.0, 4.0, 4.0, 4.0, None, 4.0, None]
    assert g.cells[3] == [None, 2.0, 2.0, 2.0, 2.0, 2.0, None, 2.0, None]
    assert g.cells[4] == [None, 1.0, 1.0, 1.0, 1.0, 1.0, None, 0.0, None]
    assert store.gaps(-10.0, 80.0) == [(-10.0, 0.0), (50.0, 60.0), (70.0, 80.0)]
    assert store.runs(98.0) == [(0.0, 50.0, 1.0)]


def test_min_interval_skips_samples_but_a_gap_ends_at_the_next_call():
    store = HeatmapStore(min_interval=1.0)
    assert store.sample(0.0, [(1.0, 1.0)], []) == 1
    assert store.sample(0.5, [(1.0, 2.0)], []) == 0  # too soon
    assert store.sample(1.0, [(1.0, 2.0)], []) == 1
    store.mark_gap(1.2)
    assert store.sample(1.3, [(1.0, 3.0)], []) == 1  # a gap ends at once
    assert store.runs(1.0) == [(0.0, 1.0, 1.0), (1.0, 1.2, 2.0)]


def test_sample_book_treats_a_book_without_snapshot_as_a_gap_and_reads_only_changes():
    book = OrderBook("BTC_USDT")
    store = HeatmapStore(min_interval=1.0, max_levels=2)
    store.sample_book(0.0, book)
    assert store.in_gap and store.segment_count == 0
    book.apply_snapshot([["101.00", "3"], ["102.00", "5"], ["103.00", "9"]],
                        [["100.00", "1.5"], ["99.00", "2"], ["98.00", "7"]])
    assert store.sample_book(1.0, book) == 4  # two levels a side
    assert store.sample_book(2.0, book) == 0  # same version: no diff
    book.apply_update([["101.00", "0"]], None)
    assert store.sample_book(3.0, book) == 2  # 101 gone, 103 comes into the top two
    book.clear()
    store.sample_book(4.0, book)
    assert store.in_gap
    assert store.runs(101.0) == [(1.0, 3.0, 3.0)]
    assert store.runs(103.0) == [(3.0, 4.0, 9.0)]
    assert store.state_at(3.5) == {100.0: 1.5, 99.0: 2.0, 102.0: 5.0, 103.0: 9.0}
    assert store.state_at(4.0) == {}


# Size texts as an exchange sends them: some equal as floats ("2" and "2.0"), so a memo keyed
# on the text must still give float(text).
SIZE_TEXTS = st.sampled_from(["0", "1", "2", "2.0", "2.50", "0.001", "500", "1e-3"])
BOOK_TICK = st.tuples(st.dictionaries(st.sampled_from(PRICES), SIZE_TEXTS, max_size=5),
                      st.dictionaries(st.sampled_from(PRICES), SIZE_TEXTS, max_size=5))


def store_record(store: HeatmapStore) -> tuple[object, ...]:
    """Everything a store has recorded, in order (its segments' arrays byte for byte)."""
    segments = [(seg.start, bytes(seg.prices), bytes(seg.times), bytes(seg.offsets),
                 bytes(seg.pidx), bytes(seg.sizes)) for seg in store._segments]
    return segments, list(store._state.items()), store._spans, store._open, store._last_time


@settings(max_examples=150, deadline=None)
@given(st.lists(BOOK_TICK, min_size=1, max_size=25), st.integers(1, 6))
def test_sample_book_records_what_sample_of_book_levels_records(ticks, max_levels):
    # `sample_book` reads sizes off the book's sides through a memo of size texts; it must
    # record what the plain `sample(now, *book_levels(book))` does, crossed books (the same
    # price on both sides, added up) and sizes that change text but not value included.
    book = OrderBook("BTC_USDT")
    fast = HeatmapStore(max_levels=max_levels, segment=5.0)
    plain = HeatmapStore(max_levels=max_levels, segment=5.0)
    for i, (bids, asks) in enumerate(ticks):
        wire = ([[f"{p:.2f}", a] for p, a in asks.items()] or None,
                [[f"{p:.2f}", a] for p, a in bids.items()] or None)
        if i == 0:
            book.apply_snapshot(wire[0] or [], wire[1] or [])
        else:
            book.apply_update(*wire)
        fast.sample_book(float(i), book)
        plain.sample(float(i), *book_levels(book, max_levels))
        assert store_record(fast) == store_record(plain)
    assert all(size == float(text) for text, size in fast._sizes.items())


def test_size_memo_is_bounded():
    book = OrderBook("BTC_USDT")
    store = HeatmapStore(max_levels=2)
    for i in range(100):  # a new size text every sample
        book.apply_snapshot([["101.00", f"{i + 1}.5"]], [["100.00", f"{i + 1}.25"]])
        store.sample_book(float(i), book)
        assert len(store._sizes) <= 8 * 2 + 2
    assert store.state_at(99.0) == {101.0: 100.5, 100.0: 100.25}


def test_trades_are_marked_in_their_cells_by_side_and_size():
    store = HeatmapStore(min_interval=0.0)
    store.sample(0.0, [(10.0, 1.0)], [(11.0, 1.0)])
    store.record_trade(1.0, 11.0, 0.5, True)
    store.record_trade(1.5, 11.0, 0.25, True)
    store.record_trade(2.5, 10.0, 2.0, False)
    store.record_trade(2.2, 10.0, 1.0, False)  # out of order: kept sorted
    store.record_trade(9.0, 10.0, 1.0, False)  # outside the window
    g = grid(store, 0.0, 4.0, 2, 9.5, 11.5, 2)
    assert {k: (m.buy, m.sell) for k, m in g.trades.items()} == {(0, 0): (0.75, 0.0),
                                                                 (1, 1): (0.0, 3.0)}
    assert [t for t, _p, _s in store.trades(0.0, 10.0)] == [1.0, 1.5, 2.2, 2.5, 9.0]


def test_trade_ring_is_bounded():
    store = HeatmapStore(max_trades=100)
    for i in range(1000):
        store.record_trade(float(i), 1.0, 1.0, i % 2 == 0)
    kept = list(store.trades(0.0, 1e9))
    assert 100 <= len(kept) <= 125 and kept[-1][0] == 999.0


def test_rows_colour_scale_and_current_column():
    assert [row_of(p, 0.0, 10.0, 5) for p in (0.0, 1.99, 2.0, 9.99, 10.0, -1.0)] == [
        4, 4, 3, 0, -1, -1]
    assert current_column([(9.0, 1.0), (8.5, 2.0), (3.0, 4.0)], [(11.0, 9.0)],
                          0.0, 10.0, 5) == [3.0, 0.0, 0.0, 4.0, 0.0]
    cells = [[1.0, 2.0, None, 0.0], [3.0, 4.0, 5.0, 1000.0]]
    scale = percentile_scale(cells, 0.8)  # 6 non-empty values; rank ceil(4.8) = 5 -> 5.0
    assert scale == 5.0
    assert percentile_scale([[None, 0.0]]) == 0.0
    assert intensity(1000.0, scale) == 1.0 and intensity(2.5, scale) == 0.5
    assert intensity(None, scale) == 0.0 and intensity(1.0, 0.0) == 0.0


@settings(max_examples=200, deadline=None)
@given(st.integers(100, 10**7), st.sampled_from([2, 4, 8]), st.sampled_from([1, 2, 5, 10, 50]),
       st.integers(1, 60))
def test_price_window_rows_hold_group_ticks_from_a_multiple(center_ticks, dp, group, rows):
    tick = 10.0**-dp
    lo, hi = price_window(center_ticks * tick, tick, group, rows)
    first = round((lo + tick / 2) / tick)  # the lowest tick in the window
    assert first % group == 0 and first <= center_ticks < first + rows * group
    for k in range(first, first + rows * group, max(1, group // 2)):
        price = float(f"{k * tick:.{dp}f}")  # as the book parses it from wire text
        assert row_of(price, lo, hi, rows) == rows - 1 - (k - first) // group


def test_grid_rejects_empty_shapes():
    store = HeatmapStore()
    with pytest.raises(ValueError):
        grid(store, 1.0, 1.0, 5, 0.0, 1.0, 5)
    with pytest.raises(ValueError):
        HeatmapStore(max_levels=0)


@pytest.mark.timeout(120)
def test_heatmap_benchmark_still_runs_and_prints_its_figures():
    """A tiny run of tests/benchmarks/bench_heatmap.py: keys and sanity only, no timings."""
    bench = Path(__file__).parent / "benchmarks" / "bench_heatmap.py"
    proc = subprocess.run([sys.executable, str(bench), "--minutes", "0.25", "--rate", "100"],
                          capture_output=True, text=True, timeout=110)
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = json.loads(proc.stdout)
    assert figures["mb_per_market_hour"] > 0 and figures["runs_stored_per_hour"] > 0
    assert figures["segments"] >= 1
    for key in ("us_per_sample_book", "ms_grid_live_200x80", "ms_grid_new_column"):
        assert isinstance(figures[key], int | float)
