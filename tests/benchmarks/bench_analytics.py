"""Trader's-ladder figures benchmark: prints one JSON object of costs measured in this run.

Book: 50 levels a side at two price decimals (20000.00), updates of 1-6 levels a message (a
fifth deletions) as in bench_book, but held at 50 levels a side as the exchange does. Costs
are the best of `--repeat` runs, in microseconds: per trade (volume at price), per clock tick
and per readout (pulling/stacking, cursor, price ladder, imbalance), and, to justify sampling
over an apply-time hook, the cost per message of the book itself and of the bookkeeping such
a hook would add.

    python tests/benchmarks/bench_analytics.py [--messages N] [--trades N] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from decimal import Decimal

from dfx_tui.book.cursor import read_level
from dfx_tui.book.depth_signals import imbalance, large_levels, micro_price
from dfx_tui.book.levels import parse_levels
from dfx_tui.book.liquidity_change import LiquidityChange
from dfx_tui.book.orderbook import OrderBook
from dfx_tui.book.price_ladder import price_ladder
from dfx_tui.book.short_prices import short_prices
from dfx_tui.book.tape import BUY, SELL, Trade
from dfx_tui.book.tape_lines import merge_prints
from dfx_tui.book.volume_profile import VolumeAtPrice

Wire = list[list[str]]


def fmt_p(t: int) -> str:
    return f"{t // 100}.{t % 100:02d}"


def fmt_a(a: int) -> str:
    return f"{a // 10_000}.{a % 10_000:04d}"


def make_stream(messages: int, seed: int = 1) -> tuple[tuple[Wire, Wire], list[tuple[Wire, Wire]]]:
    rng = random.Random(seed)
    mid = 2_000_000
    asks = {mid + 1 + i: rng.randint(1, 50_000) for i in range(50)}
    bids = {mid - 1 - i: rng.randint(1, 50_000) for i in range(50)}
    snap = ([[fmt_p(t), fmt_a(a)] for t, a in sorted(asks.items())],
            [[fmt_p(t), fmt_a(a)] for t, a in sorted(bids.items(), reverse=True)])
    deltas = []
    for _ in range(messages):
        mid += rng.choice((-1, 0, 0, 1))
        out: dict[str, Wire] = {"asks": [], "bids": []}
        for _ in range(rng.randint(1, 6)):
            name = rng.choice(("asks", "bids"))
            side = asks if name == "asks" else bids
            if rng.random() < 0.2 and len(side) > 10:
                keys = sorted(side, reverse=name == "bids")
                t = keys[min(len(keys) - 1, int(rng.expovariate(0.15)))]
                del side[t]
                out[name].append([fmt_p(t), "0"])
                continue
            if name == "asks":
                t = max(mid + 1, max(bids) + 1) + int(rng.expovariate(0.1))
            else:
                t = min(mid - 1, min(asks) - 1) - int(rng.expovariate(0.1))
            side[t] = rng.randint(1, 50_000)
            out[name].append([fmt_p(t), fmt_a(side[t])])
            if len(side) > 50:  # the exchange keeps 50 levels: the farthest one drops out
                far = max(side) if name == "asks" else min(side)
                del side[far]
                out[name].append([fmt_p(far), "0"])
        deltas.append((out["asks"], out["bids"]))
    return snap, deltas


def make_trades(count: int, per_second: float, seed: int = 2) -> list[Trade]:
    rng = random.Random(seed)
    out, now, price = [], 1_700_000_000.0, 2_000_000
    for tid in range(count):
        now += rng.expovariate(per_second)
        price += rng.choice((-1, 0, 0, 1))
        p, a = fmt_p(price), fmt_a(rng.randint(1, 20_000))
        out.append(Trade(tid, round(now, 3), p, a, rng.choice((BUY, SELL)), float(p), float(a)))
    return out


def best_us(fn: Callable[[], object], calls: int, repeat: int) -> float:
    """Best mean cost of one call over `repeat` runs of `calls` calls, in microseconds."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t0) / calls)
    return round(best * 1e6, 2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--messages", type=int, default=20_000)
    ap.add_argument("--trades", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    repeat, calls = args.repeat, max(10, args.messages // 20)

    snap, deltas = make_stream(args.messages)
    parsed = [(parse_levels(a), parse_levels(b)) for a, b in deltas]
    book = OrderBook("BTC_USDT")
    book.apply_snapshot(*snap)

    # ---- the hot path, and what an apply-time hook would add to it
    def apply_all() -> None:
        for asks, bids in parsed:
            book.apply_delta_levels(asks, bids)

    def hook_bookkeeping() -> None:
        # Per level: the old size (a dict read), a (time, key, old, new) record, and expiry of
        # records older than the window: the least a per-level delta recorder must do.
        mirror: dict[float, tuple[str, str] | None] = {}
        log: deque[tuple[float, float, object, object]] = deque()
        now = 0.0
        for asks, bids in parsed:
            now += 0.01
            for levels in (asks, bids):
                for key, value in levels:
                    log.append((now, key, mirror.get(key), value))
                    mirror[key] = value
            while log and log[0][0] < now - 10.0:
                log.popleft()

    n_msgs = len(parsed)
    apply_us = best_us(apply_all, 1, repeat) / n_msgs
    hook_us = best_us(hook_bookkeeping, 1, repeat) / n_msgs
    book.apply_snapshot(*snap)
    for asks, bids in parsed[: n_msgs // 2]:
        book.apply_delta_levels(asks, bids)

    # ---- pulling and stacking on the repaint clock
    tracker = LiquidityChange()
    clock = [0.0]

    def tick_storing() -> None:
        clock[0] += 1.0
        tracker.sample(book, clock[0])

    def tick_skipping() -> None:
        tracker.sample(book, clock[0])

    sample_store_us = best_us(tick_storing, calls, repeat)
    sample_skip_us = best_us(tick_skipping, calls * 10, repeat)
    for asks, bids in parsed[n_msgs // 2: n_msgs // 2 + 500]:
        book.apply_delta_levels(asks, bids)

    def changed_readout(group: int) -> None:
        book.version += 1  # as after a message: the answer must be computed, not reused
        tracker.changes(book, clock[0] + 10.0, group)

    changes_us = best_us(lambda: changed_readout(1), calls, repeat)
    changes_grouped_us = best_us(lambda: changed_readout(10), calls, repeat)
    changes_again_us = best_us(lambda: tracker.changes(book, clock[0] + 10.0, 10), calls, repeat)

    # ---- readouts on the 50-level book
    asks = book.asks()
    at_touch, at_10, at_50 = (Decimal(asks[i][0]) for i in (0, 9, len(asks) - 1))
    cursor = {f"cursor_us_level_{name}": best_us(lambda p=p: read_level(book, p), calls, repeat)
              for name, p in (("1", at_touch), ("10", at_10), ("last", at_50))}
    cursor["cursor_us_level_last_grouped_10"] = best_us(
        lambda: read_level(book, at_50.quantize(Decimal("0.1")), 10), calls, repeat)
    anchor = book.mid()
    ladder_us = best_us(lambda: price_ladder(book, 40, 1, anchor), calls, repeat)
    ladder_grouped_us = best_us(lambda: price_ladder(book, 40, 10, anchor), calls, repeat)
    imbalance_us = best_us(lambda: imbalance(book, 10.0), calls, repeat)
    micro_us = best_us(lambda: micro_price(book), calls, repeat)
    sizes = [Decimal(a) for _p, a in book.bids(50) + book.asks(50)]
    large_us = best_us(lambda: large_levels(sizes), calls, repeat)

    # ---- trades: volume at price (steady state: the 300 s window full at 20 trades/s)
    trades = make_trades(args.trades, per_second=20.0)
    profile = VolumeAtPrice()

    def feed_all() -> None:
        profile.clear()
        for trade in trades:
            profile.add(trade)

    volume_us = best_us(feed_all, 1, repeat) / len(trades)
    volume_read_us = best_us(lambda: profile.levels(2, 10), calls, repeat)
    in_window = len(profile)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    fresh = make_trades(min(20_000, args.trades), per_second=1000.0, seed=3)  # one window
    full = VolumeAtPrice()
    for trade in fresh:
        full.add(trade)
    bytes_per_trade = (tracemalloc.get_traced_memory()[0] - before) / len(fresh)
    tracemalloc.stop()
    del fresh, full

    newest = list(reversed(trades[-200:]))
    merge_us = best_us(lambda: merge_prints(newest, (Decimal(1), Decimal(5)), max_lines=50),
                       calls, repeat)
    visible = [fmt_p(2_000_000 + i) for i in range(-20, 20)]
    short_us = best_us(lambda: short_prices(visible), calls, repeat)

    out = {
        "python": sys.version.split()[0],
        "messages": n_msgs,
        "apply_us_per_msg": round(apply_us, 2),
        "hook_bookkeeping_us_per_msg": round(hook_us, 2),
        "hook_overhead_ratio": round(hook_us / apply_us, 2),
        "liquidity_sample_us_per_stored_tick": sample_store_us,
        "liquidity_sample_us_per_other_tick": sample_skip_us,
        "liquidity_changes_us_per_readout": changes_us,
        "liquidity_changes_us_per_readout_grouped_10": changes_grouped_us,
        "liquidity_changes_us_per_repeated_readout": changes_again_us,
        **cursor,
        "price_ladder_us_40_rows": ladder_us,
        "price_ladder_us_40_rows_grouped_10": ladder_grouped_us,
        "imbalance_us_10bps": imbalance_us,
        "micro_price_us": micro_us,
        "large_levels_us_100_levels": large_us,
        "volume_at_price_us_per_trade": round(volume_us, 2),
        "volume_at_price_trades_in_window": in_window,
        "volume_at_price_levels_us_grouped_10": volume_read_us,
        "volume_at_price_bytes_per_trade": round(bytes_per_trade),
        "tape_merge_us_50_lines": merge_us,
        "short_prices_us_40_rows": short_us,
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
