"""CPU of `observe_markets` (app/paint_schedule.py) per paint, in-process, as the app at
50 msg/s over 4 markets does it: every market's book changes between two paints (one dfx-sim
model step each), paints 0.1 s apart, so each paint observes all 4 and most calls find no
sample due (samples are 1 s apart). bench_paint changes only the shown market.

Prints one JSON object: microseconds of process time per paint, and digests of what the
histories recorded and of the delays returned, so an A/B of two versions also shows that
they record the same (equal digests).

    python tests/benchmarks/bench_observe.py [--paints 3000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import json
import pstats
import time
from typing import Any

from dfx_tui.app.alerts import AlertWatcher
from dfx_tui.app.feed_source import seeded_market
from dfx_tui.app.paint_schedule import observe_markets
from dfx_tui.app.sim.market import MarketModel, spec_for
from dfx_tui.book.levels import Level, parse_levels
from dfx_tui.book.state import Market
from dfx_tui.book.tape import Trade

MARKETS = ("BTC_USDT", "ETH_USDT", "XRP_USDT", "SHIB_USDT")
T0 = 1_750_000_000.0
Step = tuple[list[Level], list[Level], list[Trade]]


def streams(n: int) -> list[tuple[dict[str, Any], list[Step]]]:
    """Per market a snapshot and `n` model steps 0.1 s apart (10 msg/s, a trade every 2 s)."""
    out = []
    for k, name in enumerate(MARKETS):
        model = MarketModel(spec_for(name), 7 + k, now=T0, rate=10.0, trade_rate=0.5)
        for i in range(200):
            model.step(T0 + i * 0.05)
        snap = model.snapshot_wire()
        steps = []
        for i in range(n):
            d = model.step(T0 + 10 + i / 10.0)
            steps.append((parse_levels(model.side_wire(d.asks)),
                          parse_levels(model.side_wire(d.bids)),
                          [Trade.from_wire(dict(t)) for t in d.trades]))
        out.append((snap, steps))
    return out


def digest(markets: list[Market]) -> str:
    """What the histories recorded: heatmap arrays, mids, liquidity samples, volume."""
    h = hashlib.sha256()
    for m in markets:
        a = m.analytics
        heatmap = a.heatmap
        for seg in heatmap._segments:
            for arr in (seg.prices, seg.times, seg.offsets, seg.pidx, seg.sizes):
                h.update(bytes(arr))
        h.update(repr((heatmap._spans, heatmap._open, heatmap._last_time,
                       sorted(heatmap._state.items()))).encode())
        h.update(bytes(a.mids._ring))
        h.update(repr((a.mids._last_slot, a.mids.held)).encode())
        for s in a.liquidity._samples:
            h.update(repr((s.time, s.version)).encode())
        h.update(repr((a.volume.now, a.volume.totals(), len(a.volume), a.trades_seen)).encode())
    return h.hexdigest()[:16]


def run(paints: int, profile: cProfile.Profile | None = None) -> dict[str, Any]:
    data = streams(paints)
    markets = [seeded_market(name) for name in MARKETS]
    for m, (snap, _) in zip(markets, data, strict=True):
        m.book.apply_snapshot(snap["asks"], snap["bids"])
    watcher = AlertWatcher()
    gc.collect()
    gc.freeze()  # the streams, made up front, out of the collector's sight
    now = T0 + 10
    total = 0.0
    dues = []
    for i in range(paints):
        for m, (_, steps) in zip(markets, data, strict=True):
            asks, bids, trades = steps[i]
            m.book.apply_delta_levels(asks or None, bids or None)
            if trades:
                m.tape.apply(False, trades)
        now += 0.1
        if profile is not None:
            profile.enable()
        c0 = time.process_time()
        _fired, due = observe_markets(markets, True, now, watcher, MARKETS[0])
        total += time.process_time() - c0
        if profile is not None:
            profile.disable()
        dues.append(due)
    return {"paints": paints, "us_per_paint": round(total / paints * 1e6, 2),
            "digest": digest(markets),
            "dues": hashlib.sha256(repr(dues).encode()).hexdigest()[:16]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paints", type=int, default=3000)
    parser.add_argument("--profile", action="store_true", help="cProfile, by own time")
    args = parser.parse_args()
    profile = cProfile.Profile() if args.profile else None
    print(json.dumps(run(args.paints, profile)))
    if profile is not None:
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
