"""The feed's hot path with and without the app's `watch` hook (issue 11): frames per second
through `FeedCore.handle_frame` for 4 markets, best of `--repeat`.

- ``plain``: no hook armed (one comparison per message, what the app costs between paints);
- ``armed``: the hook re-armed at every firing for one market, so it fires on a quarter of
  the messages (the worst case: the app arms it once per paint, at most `fps` times a second).

Prints one JSON object. Run it with the code before the hook to compare (`plain` only).

    python tests/benchmarks/bench_feed_hook.py [--frames 20000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.core import FeedCore
from dfx_tui.book.codec import encode_server_frame

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_book import make_stream  # noqa: E402

MARKETS = ("BTC_USDT", "ETH_USDT", "XRP_USDT", "SHIB_USDT")


def rate(frames: list[bytes], snapshots: list[bytes], armed: bool) -> float:
    core = FeedCore(AppConfig(markets=list(MARKETS)), lambda notice: None)
    for frame in snapshots:
        core.handle_frame(frame, 0.0)
    fired = [0]

    def on_data() -> None:
        fired[0] += 1
        core.watch("BTC_USDT", on_data)

    if armed:
        if not hasattr(core, "watch"):
            return 0.0
        core.watch("BTC_USDT", on_data)
    handle = core.handle_frame
    t0 = time.perf_counter()
    for frame in frames:
        handle(frame, 1.0)
    return len(frames) / (time.perf_counter() - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    snap, deltas = make_stream(args.frames)
    frames = [encode_server_frame({"method": "depth.update", "id": None,
                                   "params": [False, {"asks": a, "bids": b}, MARKETS[i % 4]]})
              for i, (a, b) in enumerate(deltas)]
    snapshots = [encode_server_frame({"method": "depth.update", "id": None,
                                      "params": [True, {"asks": snap[0], "bids": snap[1]}, m]})
                 for m in MARKETS]
    out = {}
    for mode in ("plain", "armed"):
        out[f"frames_per_s_{mode}"] = round(max(rate(frames, snapshots, mode == "armed")
                                                for _ in range(args.repeat)))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
