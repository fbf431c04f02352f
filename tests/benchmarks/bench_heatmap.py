"""Heatmap history benchmark: prints one JSON object of figures measured in this run.

A simulated market (app/sim's MarketModel, the same model dfx-sim serves) runs at --rate
depth messages a second for --minutes of simulated time, faster than real time: every message
is applied to a real OrderBook as wire text, trades go to the store as they print, and once
every --interval seconds of simulated time the store samples the book (`sample_book`, as the
app does on its clock). Then:

- memory: the same sampled books are fed to a fresh store under tracemalloc; the bytes still
  held by the store's allocations, scaled to an hour, are the MB per market-hour;
- cost: microseconds per sample (reading the book included), milliseconds per grid query
  (a live 200-column view, the whole hour, one new column), per colour scale;
- why sampling: how many level changes per-update recording would have stored instead.

    python tests/benchmarks/bench_heatmap.py [--minutes 60] [--rate 500] [--market BTC_USDT]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc

from dfx_tui.app.sim.market import MarketModel, spec_for
from dfx_tui.book.heatmap_grid import grid, percentile_scale
from dfx_tui.book.heatmap_store import HeatmapStore, PriceSize, book_levels
from dfx_tui.book.orderbook import OrderBook

Sample = tuple[float, list[PriceSize], list[PriceSize]]


def simulate(args: argparse.Namespace) -> dict:
    """Run the market; return the sampled books, trades and live-path timings."""
    model = MarketModel(spec_for(args.market), args.seed, levels=args.levels, rate=args.rate,
                        trade_rate=args.trade_rate)
    book = OrderBook(args.market)
    snap = model.snapshot_wire()
    book.apply_snapshot(snap["asks"], snap["bids"])
    live = HeatmapStore(horizon=args.minutes * 60 + 600, segment=args.segment,
                        max_levels=args.max_levels, min_interval=args.interval)
    samples: list[Sample] = []
    trades: list[tuple[float, float, float, bool]] = []
    per_update_changes = 0
    sample_seconds = 0.0
    steps_per_sample = int(args.rate * args.interval)
    now = 0.0
    for k in range(int(args.minutes * 60 / args.interval)):
        for i in range(steps_per_sample):
            t = now + i / args.rate
            d = model.step(t)
            book.apply_update(model.side_wire(d.asks) if d.asks else None,
                              model.side_wire(d.bids) if d.bids else None)
            per_update_changes += len(d.asks) + len(d.bids)
            for tr in reversed(d.trades):
                trades.append((t, float(tr["price"]), float(tr["amount"]), tr["type"] == "buy"))
                live.record_trade(t, float(tr["price"]), float(tr["amount"]), tr["type"] == "buy")
        now = (k + 1) * args.interval
        started = time.perf_counter()
        live.sample_book(now, book)
        sample_seconds += time.perf_counter() - started
        samples.append((now, *book_levels(book, args.max_levels)))
    return {"samples": samples, "trades": trades, "per_update_changes": per_update_changes,
            "sample_book_us": sample_seconds / len(samples) * 1e6, "end": now}


def fill(store: HeatmapStore, samples: list[Sample],
         trades: list[tuple[float, float, float, bool]]) -> None:
    ti = 0
    for now, bids, asks in samples:
        while ti < len(trades) and trades[ti][0] < now:
            store.record_trade(*trades[ti])
            ti += 1
        store.sample(now, bids, asks)


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="simulated minutes")
    ap.add_argument("--rate", type=float, default=500.0, help="depth messages per second")
    ap.add_argument("--trade-rate", type=float, default=2.0)
    ap.add_argument("--market", default="BTC_USDT")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--levels", type=int, default=50, help="sim levels per side")
    ap.add_argument("--max-levels", type=int, default=100, help="store cap per side")
    ap.add_argument("--interval", type=float, default=1.0, help="sample step, seconds")
    ap.add_argument("--segment", type=float, default=60.0, help="store segment, seconds")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    sim = simulate(args)
    sim_seconds = time.perf_counter() - started
    samples, trades, end = sim["samples"], sim["trades"], sim["end"]
    hours = args.minutes / 60
    # Keep the whole run: this measures an hour of history, not a prune.
    config = {"horizon": args.minutes * 60 + 600, "segment": args.segment,
              "max_levels": args.max_levels, "min_interval": 0.0}

    # Memory: what the store's own allocations still hold after the run.
    gc.collect()
    tracemalloc.start()
    store = HeatmapStore(**config)
    fill(store, samples, trades)
    gc.collect()
    snap = tracemalloc.take_snapshot()
    tracemalloc.stop()
    held = sum(stat.size for stat in snap.filter_traces(  # the store and its trade ring
        [tracemalloc.Filter(True, "*heatmap_*.py")]).statistics("filename"))

    # Cost of a sample alone (diff + record), without tracemalloc.
    fresh = HeatmapStore(**config)
    t_fill = timed(lambda: fill(HeatmapStore(**config), samples, []), 3)
    fill(fresh, samples, trades)

    last_bids, last_asks = samples[-1][1], samples[-1][2]
    mid = (last_bids[0][0] + last_asks[0][0]) / 2
    mids = [(b[0][0] + a[0][0]) / 2 for _t, b, a in samples if b and a]
    live_view = (end - 200, end, 200, mid - 20.0, mid + 20.0, 80)  # 200 s, 80 half-rows
    hour_view = (end - args.minutes * 60, end, 200, min(mids) - 20.0, max(mids) + 20.0, 80)
    new_column = (end - 1, end, 1, mid - 20.0, mid + 20.0, 80)
    live_grid = grid(fresh, *live_view)
    changes = sum(len(p) for _t, p, _s in fresh.changes(-1.0, end + 1))
    levels_avg = sum(len(b) + len(a) for _t, b, a in samples) / len(samples)
    out = {
        "python": sys.version.split()[0],
        "market": args.market,
        "simulated_minutes": args.minutes,
        "msgs_per_s": args.rate,
        "sample_interval_s": args.interval,
        "sim_wall_s": round(sim_seconds, 1),
        "levels_in_book_avg": round(levels_avg, 1),
        "trades": len(trades),
        "mb_per_market_hour": round(held / hours / 1e6, 2),
        "mb_per_market_hour_self_count": round(fresh.nbytes() / hours / 1e6, 2),
        "runs_stored_per_hour": round(changes / hours),
        "changes_per_sample": round(changes / len(samples), 1),
        "level_changes_per_hour_if_fed_per_update": round(sim["per_update_changes"] / hours),
        "mb_per_hour_as_float64_snapshots": round(levels_avg * 16 * len(samples) / hours / 1e6,
                                                  2),
        "segment_s": args.segment,
        "segments": fresh.segment_count,
        "us_per_sample_book": round(sim["sample_book_us"], 1),
        "us_per_sample_levels": round(t_fill / len(samples) * 1e6, 1),
        "ms_grid_live_200x80": round(timed(lambda: grid(fresh, *live_view)) * 1e3, 2),
        "ms_grid_live_200x80_max": round(timed(lambda: grid(fresh, *live_view, how="max"))
                                         * 1e3, 2),
        "ms_grid_hour_200x80": round(timed(lambda: grid(fresh, *hour_view)) * 1e3, 2),
        "ms_grid_new_column": round(timed(lambda: grid(fresh, *new_column)) * 1e3, 3),
        "ms_percentile_scale_200x80": round(timed(lambda: percentile_scale(live_grid.cells))
                                            * 1e3, 2),
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
