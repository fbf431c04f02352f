"""Soak: the app against dfx-sim with random faults for N minutes; prints one JSON object.

    python tests/benchmarks/soak.py --minutes 30 [--seed 1] [--no-app]

The app is the real FeedClient driving the real DfxApp (headless, `App.run_test`), against an
in-process dfx-sim (`HostileSim`, tests/support/hostile_sim.py) whose faults change at random:
TCP aborts, close frames, lifetime closes, stalls with the socket open, unanswered pings, refused
handshakes (502), corrupt zlib, invalid JSON, wrong shapes, crossed updates, deltas before
snapshots, snapshots of unsubscribed markets, refused subscribes, duplicate trades,
decompression bombs, oversized frames and add/replace switches.

Every `--check-every` seconds the sim is paused and every LIVE book must equal the sim's truth
(a book shown LIVE but wrong is a failure); at the end the faults stop, the sim is paused, and
every book must equal the truth within a few snapshot intervals (`books_match`). RSS is read
from /proc after a warm-up and at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import sys
import time
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.client import FeedClient
from dfx_tui.app.sim.faults import corrupt_frame, crossed_update
from dfx_tui.app.sim.server import Faults, SimConfig
from dfx_tui.book.codec import MAX_INFLATED
from dfx_tui.book.state import LinkState, MarketState

if not __package__:
    # Run by path (`python tests/benchmarks/soak.py`): Python put tests/benchmarks/ first on
    # sys.path, not the repo root, so `tests.support` would not import. (`python -m
    # tests.benchmarks.soak` from the root needs nothing.)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.hostile_sim import HostileSim, depth_push, trades_push  # noqa: E402

MARKETS = ("BTC_USDT", "ETH_USDT", "XRP_USDT", "SHIB_USDT")
SNAPSHOT_S = 5.0
log = logging.getLogger("soak")


def rss_mb(trim: bool = True) -> float:
    """Resident set size; first hand freed heap back to the OS (glibc keeps it otherwise, so a
    one-off 16 MiB inflate would read as a plateau that is not live memory)."""
    if trim:
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


class Soak:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.faults: Counter[str] = Counter()
        self.checks = 0
        self.check_failures: list[str] = []
        self.sim: HostileSim | None = None
        self.feed: FeedClient | None = None
        self.app: Any = None
        self.bomb = zlib.compress(b" " * (MAX_INFLATED + (1 << 20)), 9)
        self.notices: Counter[str] = Counter()

    # ------------------------------------------------------------------ faults
    def _stall_now(self) -> None:
        assert self.sim is not None
        for s in self.sim.sessions:
            s.stalled = True
            self.sim._detach(s)

    async def inject_one(self) -> None:
        sim, feed, rng = self.sim, self.feed, self.rng
        assert sim is not None and feed is not None
        kinds = [("abort", 3), ("close_frame", 2), ("lifetime_close", 1), ("stall", 1),
                 ("no_pong", 1), ("refuse_502", 1), ("bad_zlib", 4), ("bad_json", 4),
                 ("bad_shape", 4), ("crossed", 3), ("delta_before_snapshot", 1),
                 ("foreign_snapshot", 2), ("subscribe_error", 1), ("dup_trades", 3),
                 ("bomb", 1), ("oversized", 1), ("mode_switch", 1), ("hostile_numbers", 2),
                 ("utf8_text", 1)]
        kind = rng.choices([k for k, _w in kinds], weights=[w for _k, w in kinds])[0]
        market = rng.choice(MARKETS)
        self.faults[kind] += 1
        if kind == "abort":
            sim.abort_all()
        elif kind == "close_frame":
            sim.close_all(rng.choice([1001, 1011, 1012, 4000]), "soak close [red]x[/red]")
        elif kind == "lifetime_close":
            sim.close_all(1000, "connection lifetime reached")
        elif kind == "stall":
            self._stall_now()
        elif kind == "no_pong":
            sim.answer_pings = False
            await asyncio.sleep(rng.uniform(1.0, 5.0))
            sim.answer_pings = True
        elif kind == "refuse_502":
            sim.set_faults(Faults(refuse_handshakes=rng.randint(1, 4)))
            sim.abort_all()
        elif kind in ("bad_zlib", "bad_json", "bad_shape"):
            sim.inject(corrupt_frame(kind, market))
        elif kind == "crossed":
            sim.inject(crossed_update(sim.model(market)), market=market)
        elif kind == "delta_before_snapshot":
            sim.delta_before_snapshot = 1
            sim.abort_all()
        elif kind == "foreign_snapshot":
            sim.inject(depth_push("DOGE_USDT", [["2", "1"]], [["1", "1"]], clean=True))
        elif kind == "subscribe_error":
            # Several in a row: the retries (and any one-by-one probing) are refused too.
            sim.fail_next_subscribes(rng.choice(["depth", "trades"]), rng.randint(1, 6),
                                     code=rng.choice([2, 3, 5]), message="soak: try later")
            sim.abort_all()
        elif kind == "dup_trades":
            recent = sim.trades(market)[:8]
            rng.shuffle(recent)
            sim.inject(trades_push(market, recent))
        elif kind == "bomb":
            sim.inject(self.bomb)
        elif kind == "oversized":
            sim.inject(os.urandom(feed.max_size + 4096))
        elif kind == "hostile_numbers":
            # A trade in milliseconds (crashed the TUI once), a huge int, sneaky texts.
            trade = {**sim.trades(market)[0], "id": 10**12 + rng.randrange(10**6)}
            sim.inject(trades_push(market, [{**trade, "time": trade["time"] * 1000}]))
            sim.inject(trades_push(market, [{**trade, "time": 10**400}]))
            sim.inject(trades_push(market, [{**trade, "price": "\x0b" + trade["price"]}]))
            sim.inject(depth_push(market, [["1e400", "1"]], [["1", "\u2028"]]), market=market)
        elif kind == "utf8_text":
            sim.inject_invalid_utf8_text()
        elif kind == "mode_switch":
            sim.set_subscribe_mode("add" if sim.config.subscribe_mode == "replace" else "replace")
            feed._request_resubscribe()  # an ordinary resubscribe under the other semantics

    def calm(self) -> None:
        """Every fault off."""
        sim = self.sim
        assert sim is not None
        sim.answer_pings = True
        sim.delta_before_snapshot = 0
        sim.subscribe_errors = {"depth": [], "trades": []}
        sim.set_faults(Faults())

    # ------------------------------------------------------------------ checks
    def mismatched(self, only_live: bool) -> list[str]:
        sim, feed = self.sim, self.feed
        assert sim is not None and feed is not None
        out = []
        for name, market in feed.markets.items():
            state = market.status.state
            if only_live and (state is not MarketState.LIVE or feed.status.state is not
                              LinkState.LIVE):
                continue
            if state is not MarketState.LIVE or market.book.as_dict() != sim.truth(name):
                out.append(f"{name}[{state}]")
        return out

    async def check_live_books(self) -> None:
        """Paused: a book shown LIVE must equal the truth (allowing in-flight frames to land
        and, if it is wrong, one snapshot interval to be put right)."""
        sim = self.sim
        assert sim is not None
        self.checks += 1
        sim.pause()
        try:
            await asyncio.sleep(0.5)
            deadline = time.monotonic() + SNAPSHOT_S + 2.0
            bad = self.mismatched(only_live=True)
            while bad and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
                bad = self.mismatched(only_live=True)
            if bad:
                self.check_failures.append(f"t={time.monotonic() - self.t0:.0f}s {bad}")
                log.error("LIVE book != truth: %s", bad)
        finally:
            sim.resume()

    async def settle(self, timeout: float) -> bool:
        sim = self.sim
        assert sim is not None
        sim.pause()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.mismatched(only_live=False):
                return True
            await asyncio.sleep(0.1)
        return False

    # ------------------------------------------------------------------ the run
    async def run(self) -> dict[str, Any]:
        args = self.args
        self.sim = HostileSim(SimConfig(markets=MARKETS, seed=args.seed, rate=args.rate,
                                        trade_rate=2.0, snapshot_interval=SNAPSHOT_S,
                                        idle_timeout=60.0, levels=40))
        await self.sim.start()
        config = AppConfig(markets=list(MARKETS), url=self.sim.url, fps=10.0, ping_interval=2.0,
                           pong_timeout=2.0, stale_after=3.0, request_timeout=3.0,
                           snapshot_timeout=8.0)
        self.feed = FeedClient(config, backoff_base=0.1, backoff_max=2.0)
        try:
            if args.no_app:
                self.feed.on_notice = lambda n: self.notices.update([n.kind])
                await self.feed.start()
                return await self.body()
            from dfx_tui.app.tui import DfxApp

            self.app = DfxApp(config, feed=self.feed)

            def on_notice(n: Any) -> None:
                self.notices.update([n.kind])
                self.app._on_feed_notice(n)

            self.feed.on_notice = on_notice
            async with self.app.run_test(size=(160, 48)) as pilot:
                result = await self.body()
                await pilot.pause(0.1)
                result["app_ticks"] = self.app.ticks
                result["app_alive"] = self.app.is_running
                return result
        finally:
            with contextlib.suppress(Exception):
                await self.feed.stop()
            await self.sim.stop()

    async def body(self) -> dict[str, Any]:
        args, feed = self.args, self.feed
        assert feed is not None
        self.t0 = time.monotonic()
        if not await feed.wait_ready(15):
            raise SystemExit("soak: the feed never became ready")
        # Warm-up, with one of each big-allocation fault so that rss_mb_start already holds
        # their one-off high-water marks and only growth over time shows.
        assert self.sim is not None
        self.sim.inject(self.bomb)
        self.sim.inject(os.urandom(feed.max_size + 4096))
        self.faults.update(["bomb", "oversized"])
        await asyncio.sleep(min(10.0, args.minutes * 60 / 6))
        rss_start = rss_mb()
        rss_max = rss_start
        end = self.t0 + args.minutes * 60
        next_check = time.monotonic() + args.check_every
        while time.monotonic() < end:
            await asyncio.sleep(min(self.rng.expovariate(1.0 / args.fault_every),
                                    max(0.0, end - time.monotonic())))
            if time.monotonic() >= end:
                break
            await self.inject_one()
            rss_max = max(rss_max, rss_mb(trim=False))
            if time.monotonic() >= next_check:
                self.calm()
                await asyncio.sleep(3.0)  # let the last fault play out
                await self.check_live_books()
                next_check = time.monotonic() + args.check_every
                log.info("t=%.0fs messages=%d reconnects=%d rss=%.1f MB faults=%d",
                         time.monotonic() - self.t0, feed.status.messages,
                         feed.status.reconnects, rss_mb(), sum(self.faults.values()))
        self.calm()
        await asyncio.sleep(3.0)
        ok = await self.settle(3 * SNAPSHOT_S + 10.0)
        st = feed.status
        return {
            "minutes": args.minutes,
            "elapsed_s": round(time.monotonic() - self.t0, 1),
            "app": not args.no_app,
            "messages": st.messages,
            "reconnects": st.reconnects,
            "resyncs": sum(m.status.resyncs for m in feed.markets.values()),
            "frames_rejected": st.frames_rejected,
            "frames_dropped": feed.frames_dropped,
            "faults_injected": sum(self.faults.values()),
            "faults": dict(sorted(self.faults.items())),
            "live_checks": self.checks,
            "live_check_failures": self.check_failures,
            "books_match": ok,
            "mismatched": self.mismatched(only_live=False),
            "market_states": {n: str(m.status.state) for n, m in feed.markets.items()},
            "notices": dict(self.notices),
            "rss_mb_start": rss_start,
            "rss_mb_end": rss_mb(),
            "rss_mb_max": rss_max,
        }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rate", type=float, default=20.0, help="depth messages/s per market")
    p.add_argument("--fault-every", type=float, default=3.0, help="mean seconds between faults")
    p.add_argument("--check-every", type=float, default=60.0,
                   help="seconds between paused LIVE-book checks")
    p.add_argument("--no-app", action="store_true", help="the feed only, no DfxApp")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("dfx_tui").setLevel(logging.ERROR)
    logging.getLogger("websockets").setLevel(logging.CRITICAL)
    result = asyncio.run(Soak(args).run())
    print(json.dumps(result), flush=True)
    return 0 if result["books_match"] and not result["live_check_failures"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
