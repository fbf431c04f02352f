"""Order book benchmark: prints one JSON object of figures measured in this run.

Stream: a 50-level snapshot a side, then updates of 1-6 levels (a fifth of them deletions,
some far from the touch), the mid price drifting. Every book gets the same wire text and,
after each message, answers best bid and best ask (what the feed's crossed-book check asks),
so "sort on read" costs the naive reference what it would cost a real client.

    python tests/benchmarks/bench_book.py [--messages N] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
import zlib
from decimal import Decimal

from dfx_tui.book.codec import DepthUpdate, decode_frame, encode_server_frame
from dfx_tui.book.levels import parse_levels
from dfx_tui.book.orderbook import OrderBook


def make_stream(messages: int, seed: int = 1) -> tuple[list, list]:
    """(snapshot asks, snapshot bids) and a list of (asks, bids) deltas as wire string pairs."""
    rng = random.Random(seed)
    mid = 2_000_000  # in ticks of 0.01: 20000.00
    asks = {mid + 1 + i: rng.randint(1, 50_000) for i in range(50)}
    bids = {mid - 1 - i: rng.randint(1, 50_000) for i in range(50)}

    def fmt_p(t: int) -> str:
        return f"{t // 100}.{t % 100:02d}"

    def fmt_a(a: int) -> str:
        return f"{a // 10_000}.{a % 10_000:04d}"

    snap = ([[fmt_p(t), fmt_a(a)] for t, a in sorted(asks.items(), reverse=True)],
            [[fmt_p(t), fmt_a(a)] for t, a in sorted(bids.items(), reverse=True)])
    deltas = []
    for _ in range(messages):
        mid += rng.choice((-1, 0, 0, 1))  # drift
        out: dict[str, list] = {"asks": [], "bids": []}
        for _ in range(rng.randint(1, 6)):
            name = rng.choice(("asks", "bids"))
            side = asks if name == "asks" else bids
            if rng.random() < 0.2 and side:
                # Deletion: usually near the touch, sometimes far away.
                keys = sorted(side, reverse=name == "bids")
                t = keys[min(len(keys) - 1, int(rng.expovariate(0.15)))]
                del side[t]
                out[name].append([fmt_p(t), "0"])
            else:
                best = min(asks) if name == "asks" and asks else (max(bids) if bids else mid)
                if name == "asks":
                    t = max(mid + 1, (max(bids) + 1) if bids else mid + 1) + int(rng.expovariate(0.1))
                else:
                    t = min(mid - 1, (min(asks) - 1) if asks else mid - 1) - int(rng.expovariate(0.1))
                del best
                side[t] = rng.randint(1, 50_000)
                out[name].append([fmt_p(t), fmt_a(side[t])])
        deltas.append((out["asks"], out["bids"]))
    return snap, deltas


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run_ours(snap, deltas) -> None:
    book = OrderBook("BTC_USDT")
    book.apply_snapshot(*snap)
    for asks, bids in deltas:
        book.apply_update(asks, bids)
        book.best_bid_value()
        book.best_ask_value()


def run_naive(snap, deltas) -> None:
    sides = {"asks": {}, "bids": {}}
    for name, levels in zip(("asks", "bids"), snap, strict=True):
        for p, a in levels:
            sides[name][Decimal(p)] = a
    for asks, bids in deltas:
        for name, levels in (("asks", asks), ("bids", bids)):
            side = sides[name]
            for p, a in levels:
                if Decimal(a) == 0:
                    side.pop(Decimal(p), None)
                else:
                    side[Decimal(p)] = a
        sorted(sides["bids"], reverse=True)[:1]
        sorted(sides["asks"])[:1]


def run_c(snap, deltas, key=float) -> None:
    from order_book import OrderBook as COrderBook

    book = COrderBook()
    for side, levels in ((book.asks, snap[0]), (book.bids, snap[1])):
        for p, a in levels:
            side[key(p)] = key(a)
    for asks, bids in deltas:
        for side, levels in ((book.asks, asks), (book.bids, bids)):
            for p, a in levels:
                size = key(a)
                if size == 0:
                    try:  # noqa: SIM105 (faster than contextlib.suppress in a hot loop)
                        del side[key(p)]
                    except KeyError:
                        pass
                else:
                    side[key(p)] = size
        if len(book.bids):
            book.bids.index(0)
        if len(book.asks):
            book.asks.index(0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    snap, deltas = make_stream(args.messages)
    levels = sum(len(a) + len(b) for a, b in deltas)

    # Sanity: our book ends equal to the naive reference on this stream.
    check = OrderBook()
    check.apply_snapshot(*snap)
    for asks, bids in deltas:
        check.apply_update(asks, bids)
    assert not check.is_crossed(), "benchmark stream crossed the book"

    ours = timed(lambda: run_ours(snap, deltas), args.repeat)
    naive = timed(lambda: run_naive(snap, deltas[: args.messages // 5]), args.repeat) * 5
    try:
        import order_book  # noqa: F401
        c_float = timed(lambda: run_c(snap, deltas), args.repeat)
        c_decimal = timed(lambda: run_c(snap, deltas, key=Decimal), args.repeat)
    except ImportError:
        c_float = c_decimal = None

    # Full pipeline: compressed frame -> inflate -> JSON -> typed event -> apply.
    frames = [encode_server_frame({"method": "depth.update",
                                   "params": [False, {"asks": a, "bids": b}, "BTC_USDT"],
                                   "id": None}) for a, b in deltas]
    snap_frame = encode_server_frame({"method": "depth.update",
                                      "params": [True, {"asks": snap[0], "bids": snap[1]},
                                                 "BTC_USDT"], "id": None})

    def pipeline() -> None:
        book = OrderBook("BTC_USDT")
        ev = decode_frame(snap_frame)
        book.apply_snapshot_levels(ev.asks, ev.bids)
        for frame in frames:
            ev = decode_frame(frame)
            if type(ev) is DepthUpdate:  # every frame here is a delta
                book.apply_delta_levels(ev.asks, ev.bids)
                book.is_crossed()

    def floor() -> None:
        loads, decompress = json.loads, zlib.decompress
        for frame in frames:
            loads(decompress(frame))

    def parse_only() -> None:
        for asks, bids in deltas:
            parse_levels(asks)
            parse_levels(bids)

    t_pipe = timed(pipeline, args.repeat)
    t_floor = timed(floor, args.repeat)
    t_parse = timed(parse_only, args.repeat)
    n = len(deltas)

    def rate(count: float, seconds: float | None) -> float | None:
        return None if seconds is None else round(count / seconds)

    out = {
        "python": sys.version.split()[0],
        "messages": n,
        "levels": levels,
        "levels_per_s": rate(levels, ours),
        "levels_per_s_naive": rate(levels, naive),
        "levels_per_s_c_order_book": rate(levels, c_float),
        "levels_per_s_c_order_book_decimal_keys": rate(levels, c_decimal),
        "levels_per_s_validate_only": rate(levels, t_parse),
        "msgs_per_s_pipeline": rate(n, t_pipe),
        "msgs_per_s_floor": rate(n, t_floor),
    }
    out["ratio_vs_naive"] = round(out["levels_per_s"] / out["levels_per_s_naive"], 2)
    if c_float is not None:
        out["ratio_vs_c_order_book"] = round(c_float / ours, 2)
        out["ratio_vs_c_order_book_decimal_keys"] = round(c_decimal / ours, 2)
    out["ratio_pipeline_vs_floor"] = round(t_floor / t_pipe, 2)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
