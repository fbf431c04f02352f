"""The feed's hot path with and without the app's `watch` hook (issue 11): frames per second
through `FeedCore.handle_frame` for 4 markets, best of `--repeat`.

Each market gets its own stream from the simulator's model (app/sim/market.py: what dfx-sim
sends bench_app at 5,000 msg/s: 1,250 depth deltas a second a market, a few levels each,
and about 2 trades a second a market), interleaved market by market, so every delta applies to a book that
matches it. (Until this version the 4 markets shared one stream dealt round-robin: their
books crossed within a few frames and nearly every delta was then dropped as "update before
any snapshot", so the figure left out the book.) `applied` says how many depth deltas the
last run applied: all of them, or the figure is not the data path's.

- ``plain``: no hook armed (one comparison per message, what the app costs between paints);
- ``armed``: the hook re-armed at every firing for one market, so it fires on a quarter of
  the messages (the worst case: the app arms it once per paint, at most `fps` times a second).

Prints one JSON object (``us_per_frame_*``: 1e6 / frames per second).

    python tests/benchmarks/bench_feed_hook.py [--frames 20000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import time

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.core import FeedCore
from dfx_tui.app.sim.market import MarketModel, spec_for
from dfx_tui.book.codec import encode_server_frame

MARKETS = ("BTC_USDT", "ETH_USDT", "XRP_USDT", "SHIB_USDT")


def make_frames(n: int, seed: int = 1) -> tuple[list[bytes], list[bytes]]:
    """(snapshots, frames): one snapshot a market, then `n` frames, the markets in turn."""
    models = [MarketModel(spec_for(m), seed, rate=1250.0, trade_rate=2.0) for m in MARKETS]
    snapshots = [encode_server_frame({"method": "depth.update", "id": None,
                                      "params": [True, model.snapshot_wire(), model.name]})
                 for model in models]
    frames: list[bytes] = []
    now = 1_700_000_000.0
    while len(frames) < n:
        for model in models:
            now += 0.0002
            d = model.step(now)
            body = {"asks": model.side_wire(d.asks), "bids": model.side_wire(d.bids)}
            frames.append(encode_server_frame({"method": "depth.update", "id": None,
                                               "params": [False, body, model.name]}))
            if d.trades:
                frames.append(encode_server_frame({"method": "trades.update", "id": None,
                                                   "params": [False, d.trades, model.name]}))
    return snapshots, frames[:n]


def run(frames: list[bytes], snapshots: list[bytes], armed: bool) -> tuple[float, FeedCore]:
    core = FeedCore(AppConfig(markets=list(MARKETS)), lambda notice: None)
    for frame in snapshots:
        core.handle_frame(frame, 0.0)
    fired = [0]

    def on_data() -> None:
        fired[0] += 1
        core.watch("BTC_USDT", on_data)

    if armed:
        core.watch("BTC_USDT", on_data)
    handle = core.handle_frame
    t0 = time.perf_counter()
    for frame in frames:
        handle(frame, 1.0)
    return len(frames) / (time.perf_counter() - t0), core


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    snapshots, frames = make_frames(args.frames)
    out: dict[str, float | int] = {}
    for mode in ("plain", "armed"):
        best = 0.0
        for _ in range(args.repeat):
            fps, core = run(frames, snapshots, mode == "armed")
            best = max(best, fps)
        out[f"frames_per_s_{mode}"] = round(best)
        out[f"us_per_frame_{mode}"] = round(1e6 / best, 2)
    out["dropped"] = core.frames_dropped
    out["resyncs"] = sum(m.status.resyncs for m in core.markets.values())
    out["levels"] = sum(len(m.book) for m in core.markets.values())
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
