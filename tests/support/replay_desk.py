"""The replay desk's tests: a real session recorded against dfx-sim, the same on other
clocks, and replays of it driven by hand through the real core (no event loop)."""

from __future__ import annotations

import asyncio
import functools
import json
import time
from pathlib import Path
from typing import Any

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.client import FeedClient
from dfx_tui.app.feed.core import FeedCore
from dfx_tui.app.feed.replay_control import ReplayControl
from dfx_tui.app.feed.replay_index import RecordingIndex, build_index
from dfx_tui.app.sim.config import SimConfig
from dfx_tui.app.sim.faults import Faults
from dfx_tui.app.sim.server import SimServer
from tests.support.feed import fast_config

MARKETS = ("BTC_USDT", "ETH_USDT")
ADDED, CLOSED = "XRP_USDT", "ETH_USDT"
DAY = 86400.0


# ------------------------------------------------------------------ the recording
async def record_session(path: Path) -> None:
    sim = await SimServer(SimConfig(markets=(*MARKETS, ADDED), seed=3, rate=60.0, trade_rate=5.0,
                                    snapshot_interval=0.5, levels=30,
                                    faults=Faults(drop_every=1.3, crossed_after=0.5,
                                                  corrupt_every=50)),
                          host="127.0.0.1", port=0).start()
    feed = FeedClient(fast_config(sim.url, MARKETS, record=str(path)), backoff_base=0.02,
                      backoff_max=0.2)
    try:
        await feed.start()
        await asyncio.sleep(1.2)
        feed.add_market(ADDED)
        await asyncio.sleep(1.2)
        feed.remove_market(CLOSED)
        await asyncio.sleep(1.2)
    finally:
        await feed.stop()
        await sim.stop()


def retimed(src: Path, dst: Path, stretch: float, shift: float) -> None:
    """The same recording on another clock: every line's time and every trade's time mapped
    by t -> start + (t - start) * stretch + shift (the frames are otherwise untouched)."""
    lines = [json.loads(x) for x in src.read_text().splitlines()]
    start = lines[1]["t"]

    def move(t: float) -> float:
        return round(start + (t - start) * stretch + shift, 6)

    for line in lines:
        line["t"] = move(line["t"])
        if isinstance(line.get("frame"), dict) and line["frame"].get("method") == "trades.update":
            for trade in line["frame"]["params"][1]:
                trade["time"] = move(trade["time"])
    dst.write_text("".join(json.dumps(x, separators=(",", ":")) + "\n" for x in lines))


@functools.cache
def index_of(path: str) -> RecordingIndex:
    return build_index(path)


def control_of(path: str, markets: tuple[str, ...] = MARKETS, **kw: Any) -> ReplayControl:
    core = FeedCore(AppConfig(markets=list(markets), replay=path), lambda notice: None)
    control = ReplayControl(core, path, speed=0.0, **kw)
    control.open(index_of(path), 0.0)
    return control


def view_of(markets: Any) -> dict[str, Any]:
    """What must match between two replays: every book and tape, and the state of each market
    with a book (one without may say waiting where a straight replay says resyncing: see
    `RecordingIndex.rebuild_point`)."""
    return {name: (m.book.as_dict(), [t.id for t in m.tape],
                   str(m.status.state) if m.book.has_snapshot else "no book")
            for name, m in markets.items()}


def straight(path: str, target: float, markets: tuple[str, ...] = MARKETS) -> dict[str, Any]:
    control = control_of(path, markets)
    control.advance_to(target)
    return view_of(control.core.markets)


def depth_push(market: str, clean: bool, bid: str, ask: str) -> dict[str, Any]:
    return {"method": "depth.update", "id": None,
            "params": [clean, {"asks": [[ask, "1"]], "bids": [[bid, "2"]]}, market]}


async def until(pilot: Any, condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)
