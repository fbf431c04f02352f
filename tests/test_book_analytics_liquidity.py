"""Pulling and stacking: per-price changes are the true size changes, and they sum to the net
change of total size over the levels considered."""

from __future__ import annotations

import random
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from dfx_tui.book.liquidity_change import LiquidityChange, _diff, _group, _take
from dfx_tui.book.orderbook import ASKS, BIDS, OrderBook

MID = 10_000  # ticks of 0.01
SIZE = st.integers(min_value=0, max_value=50).map(lambda n: f"{Decimal(n).scaleb(-1):f}")
ASK_LEVEL = st.tuples(st.integers(MID + 1, MID + 40).map(lambda t: f"{t / 100:.2f}"), SIZE)
BID_LEVEL = st.tuples(st.integers(MID - 40, MID).map(lambda t: f"{t / 100:.2f}"), SIZE)
# (seconds since the last clock tick, ask updates, bid updates); size "0.0" deletes.
STEP = st.tuples(st.sampled_from([0.1, 0.1, 0.5, 1.0, 3.0]),
                 st.lists(ASK_LEVEL.map(list), max_size=5), st.lists(BID_LEVEL.map(list),
                                                                     max_size=5))


def full(book: OrderBook, side: str) -> dict[Decimal, Decimal]:
    levels = book.bids() if side == BIDS else book.asks()
    return {Decimal(p): Decimal(a) for p, a in levels}


def covered(levels: dict[Decimal, Decimal], side: str, depth: int, price: Decimal) -> bool:
    """Known by a sample of the top `depth` levels: inside the span it saw (all if short)."""
    if len(levels) < depth:
        return True
    edge = sorted(levels, reverse=side == BIDS)[depth - 1]
    return price >= edge if side == BIDS else price <= edge


@settings(max_examples=200, deadline=None)
@given(st.lists(STEP, min_size=1, max_size=40), st.sampled_from([3, 10, 1000]),
       st.sampled_from([2.0, 10.0]))
def test_changes_are_true_size_changes_and_sum_to_the_net_change(steps, depth, window):
    book = OrderBook("T")
    book.apply_snapshot([[f"{(MID + i) / 100:.2f}", "1.0"] for i in range(1, 6)],
                        [[f"{(MID - i) / 100:.2f}", "1.0"] for i in range(5)])
    tracker = LiquidityChange(window=window, depth=depth)
    history: list[tuple[float, dict[str, dict[Decimal, Decimal]]]] = []
    now = 0.0
    for elapsed, asks, bids in steps:
        now += elapsed
        book.apply_update(asks, bids)
        if tracker.sample(book, now):
            history.append((now, {BIDS: full(book, BIDS), ASKS: full(book, ASKS)}))
        delta = tracker.changes(book, now)
        assert delta is not None
        # The base is the newest sample at least `window` old (the oldest while warming up).
        old = [h for h in history if h[0] <= now - window]
        base_time, base = old[-1] if old else history[0]
        assert delta.since == base_time
        for side, changes in ((BIDS, delta.bids), (ASKS, delta.asks)):
            then, current = base[side], full(book, side)
            considered = {p for p in then.keys() | current.keys()
                          if covered(then, side, depth, p) and covered(current, side, depth, p)}
            for price, change in changes.items():
                assert price in considered
                assert change == current.get(price, 0) - then.get(price, 0) != 0
            for price in considered - changes.keys():
                assert current.get(price, 0) == then.get(price, 0)
            net = sum((current.get(p, Decimal(0)) - then.get(p, Decimal(0)) for p in considered),
                      Decimal(0))
            assert sum(changes.values(), Decimal(0)) == net
            if depth > 100:  # whole book sampled: the changes sum to the side's total change
                assert net == book.total_size(side) - sum(then.values(), Decimal(0))
        # The sums kept through `_update` equal the changes summed afresh.
        assert delta.bid_net == sum(delta.bids.values(), Decimal(0))
        assert delta.ask_net == sum(delta.asks.values(), Decimal(0))
        # Grouping moves changes between prices, never creates or loses any.
        grouped = tracker.changes(book, now, group=5)
        assert grouped is not None
        assert grouped.bid_net == delta.bid_net and grouped.ask_net == delta.ask_net
        step = Decimal("0.05")
        for price in grouped.bids:
            assert price == (price / step).to_integral_value(ROUND_FLOOR) * step
        for price in grouped.asks:
            assert price == (price / step).to_integral_value(ROUND_CEILING) * step


def test_one_sample_per_resolution_and_none_without_a_book():
    book = OrderBook("T")
    tracker = LiquidityChange(window=10.0)
    assert not tracker.sample(book, 0.0)  # no snapshot yet
    assert tracker.changes(book, 0.0) is None
    book.apply_snapshot([["100.01", "5"]], [["100.00", "5"]])
    assert tracker.sample(book, 0.0)
    assert not tracker.sample(book, 0.5)  # same second: nothing stored, nothing read
    book.apply_update([["100.01", "2"]], [["100.00", "0"], ["99.99", "7"]])
    assert tracker.sample(book, 1.0)
    delta = tracker.changes(book, 10.5)
    assert delta is not None and delta.since == 0.0
    assert delta.asks == {Decimal("100.01"): Decimal(-3)}  # pulled
    assert delta.bids == {Decimal("100.00"): Decimal(-5), Decimal("99.99"): Decimal(7)}
    book.clear()
    assert tracker.changes(book, 11.0) is None
    tracker.clear()
    book.apply_snapshot([["100.01", "5"]], [["100.00", "5"]])
    assert tracker.changes(book, 12.0) is None


def test_a_sample_is_the_top_levels_as_the_book_lists_them():
    """`_take` reads the book's sides by their float keys: the same levels, best first, and
    the same edges as reading `bids(depth)` / `asks(depth)` and parsing each price."""
    book = OrderBook("T")
    book.apply_snapshot([[f"{100 + i / 100:.2f}", f"{i + 1}"] for i in range(1, 9)],
                        [[f"{100 - i / 100:.2f}", f"{i + 2}"] for i in range(1, 5)])
    for depth in (1, 3, 4, 8, 50):
        sample = _take(book, depth, 5.0)
        bids, asks = book.bids(depth), book.asks(depth)
        assert list(sample.bids.items()) == [(float(p), (p, a)) for p, a in bids]
        assert list(sample.asks.items()) == [(float(p), (p, a)) for p, a in asks]
        assert sample.bid_floor == (float(bids[-1][0]) if len(bids) >= depth else None)
        assert sample.ask_ceiling == (float(asks[-1][0]) if len(asks) >= depth else None)


def test_kept_changes_equal_a_fresh_diff_through_random_deltas():
    """`changes` updates its last answer from the levels that moved (`_update`) while the base
    stands: every answer equals a fresh `_diff` of the base against the book now, through
    inserts, deletes and resizes near the touch and at the sampled edge, new bases, and the
    covered span's edge moving both ways."""
    rng = random.Random(5)
    book = OrderBook("T")
    book.apply_snapshot([[f"{(MID + i) / 100:.2f}", "1.0"] for i in range(1, 30)],
                        [[f"{(MID - i) / 100:.2f}", "1.0"] for i in range(30)])
    depth = 12
    tracker = LiquidityChange(window=2.0, depth=depth)
    now = 0.0
    for step in range(3000):
        for _ in range(rng.choice((1, 1, 1, 2, 8))):
            side = rng.choice((ASKS, BIDS))
            offset = rng.choice((0, 1, 2, 5, 9, 10, 11, 12, 13, 15, 25))
            tick = MID + 1 + offset if side == ASKS else MID - offset
            size = "0" if rng.random() < 0.3 else f"{rng.randint(1, 40) / 10:.1f}"
            level = [[f"{tick / 100:.2f}", size]]
            book.apply_update(level if side == ASKS else None, level if side == BIDS else None)
        now += rng.choice((0.1, 0.1, 0.1, 0.7))
        tracker.sample(book, now)
        group = rng.choice((1, 1, 1, 5))
        delta = tracker.changes(book, now, group)
        assert delta is not None
        base, current = tracker._base(now), _take(book, depth, now)
        assert base is not None
        bids = _diff(base.bids, current.bids, base.bid_floor, current.bid_floor, True)
        asks = _diff(base.asks, current.asks, base.ask_ceiling, current.ask_ceiling, False)
        if group > 1:
            bids = _group(bids, book.price_decimals, group, round_up=False)
            asks = _group(asks, book.price_decimals, group, round_up=True)
        assert (delta.bids, delta.asks) == (bids, asks), f"step {step}"
        if step % 7 == 0:  # an earlier answer is the caller's: the next one leaves it be
            held = (delta, dict(delta.bids), dict(delta.asks))
        elif step % 7 == 6:
            assert (held[0].bids, held[0].asks) == held[1:]
