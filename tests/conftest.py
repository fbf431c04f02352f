"""Shared fixtures: simulators on 127.0.0.1 and fast feed clients, stopped after each test.

Helpers (fast_config, wait_until, assert_books_match, ...) live in `tests.support`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import pytest

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.client import FeedClient
from dfx_tui.app.feed.notices import FeedNotice
from dfx_tui.app.sim.server import Faults, SimConfig, SimServer
from tests.support.fault_harness import MARKETS, SNAPSHOT_S
from tests.support.feed import FeedHarness
from tests.support.hostile_sim import HostileSim


@pytest.fixture
async def sim_factory() -> AsyncIterator[Callable[..., Any]]:
    """`await sim_factory(markets=..., faults=Faults(...), **SimConfig fields)` -> started sim."""
    started: list[SimServer] = []

    async def make(markets: Iterable[str] = ("BTC_USDT", "ETH_USDT"), faults: Faults | None = None,
                   **kw: Any) -> SimServer:
        kw.setdefault("seed", 1)
        kw.setdefault("rate", 50.0)
        kw.setdefault("trade_rate", 5.0)
        cfg = SimConfig(markets=tuple(markets), faults=faults or Faults(), **kw)
        sim = await SimServer(cfg, host="127.0.0.1", port=0).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        await sim.stop()


@pytest.fixture
async def feed_factory() -> AsyncIterator[Callable[..., Any]]:
    """`await feed_factory(config)` -> started FeedHarness with fast backoff; stopped after."""
    made: list[FeedClient] = []

    async def make(config: AppConfig, start: bool = True, **kw: Any) -> FeedHarness:
        notices: list[FeedNotice] = []
        kw.setdefault("backoff_base", 0.02)
        kw.setdefault("backoff_max", 0.2)
        feed = FeedClient(config, notices.append, **kw)
        made.append(feed)
        if start:
            await feed.start()
        return FeedHarness(feed, notices)

    yield make
    for feed in made:
        await feed.stop()


@pytest.fixture
async def hostile() -> AsyncIterator[Callable[..., Any]]:
    """`await hostile(markets=..., faults=..., **SimConfig fields)` -> a started HostileSim
    with a short snapshot interval (the fault matrix's)."""
    made: list[HostileSim] = []

    async def make(markets: Iterable[str] = MARKETS, faults: Faults | None = None,
                   port: int = 0, **kw: Any) -> HostileSim:
        kw.setdefault("seed", 11)
        kw.setdefault("rate", 40.0)
        kw.setdefault("trade_rate", 5.0)
        kw.setdefault("snapshot_interval", SNAPSHOT_S)
        kw.setdefault("levels", 30)
        sim = HostileSim(SimConfig(markets=tuple(markets), faults=faults or Faults(), **kw),
                         port=port)
        await sim.start()
        made.append(sim)
        return sim

    yield make
    for sim in made:
        await sim.stop()
