"""The simulator's ticker channels: `ticker.*` (chosen markets) and `all_ticker.*` (every market).

`ticker.subscribe [markets]` (add or replace, as the depth and trades channels) is acked, then
one `ticker.update` with those markets' tickers goes out at once and, about once a second, one
with every market the connection has. `all_ticker.subscribe []` is acked, then about once a
second an `all_ticker.update` carries one slice (a third) of every market the simulator knows:
the catalogue and the markets it runs. The slices rotate, so three pushes cover all of them.

Markets of the catalogue the simulator does not run (no depth, no trades channel) still trade
quietly here, one model step a second, so the whole list moves. Every ticker is built from
the model at the moment of the push: `last` is the last trade sent, the best bid and ask are
the book's top (see ticker_data for the 24 h figures).

The fault flags act here as on the other channels (stall, drop, lifetime, text acks,
`snapshot_before_ack` for the first push, `corrupt_every` counted on ticker pushes), and three
more are the ticker's own: `ticker_silent`, `ticker_error`, `ticker_garbage`.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any, Protocol

from dfx_tui.app.sim import wire
from dfx_tui.app.sim.config import SimConfig
from dfx_tui.app.sim.market import CATALOG, MarketModel, spec_for
from dfx_tui.app.sim.session import Session
from dfx_tui.app.sim.ticker_data import GARBAGE_KINDS, DayStats, garbage_params

TICKER_REQUESTS = ("ticker.subscribe", "ticker.unsubscribe",
                   "all_ticker.subscribe", "all_ticker.unsubscribe")
QUIET_RATE = 1.0  # model steps per second of a market the simulator does not run
QUIET_TRADE_RATE = 0.3  # its trades per second
ALL_TICKER_SLICES = 3


class TickerHost(Protocol):
    """What the desk needs of the server (the config may be replaced while running)."""

    config: SimConfig

    @property
    def paused(self) -> bool: ...

    def model(self, market: str) -> MarketModel: ...


class TickerDesk:
    """Ticker subscriptions, the 24 h figures of every market, and the once-a-second pushes."""

    def __init__(self, host: TickerHost, now: float) -> None:
        self._host = host
        cfg = host.config
        served = list(cfg.markets)
        self.markets: tuple[str, ...] = (*served, *(m for m in CATALOG if m not in served))
        self._quiet: dict[str, MarketModel] = {
            m: MarketModel(spec_for(m), cfg.seed, levels=cfg.levels, rate=QUIET_RATE,
                           trade_rate=QUIET_TRADE_RATE, now=now)
            for m in self.markets if m not in served
        }
        self._stats = {m: DayStats(self._model(m), cfg.seed) for m in self.markets}
        self._subs: dict[str, set[Session]] = {m: set() for m in self.markets}
        self._all: set[Session] = set()
        self._rotation = 0
        self._garbage = 0
        self.pushes = 0  # ticks that pushed something (any connection)

    # ----- figures -------------------------------------------------------------------
    def _model(self, m: str) -> MarketModel:
        quiet = self._quiet.get(m)
        return quiet if quiet is not None else self._host.model(m)

    def observe(self, market: str, trades: list[dict[str, Any]]) -> None:
        """Trades a served market just made (the server calls this on every step)."""
        self._stats[market].observe(trades)

    def ticker(self, market: str, now_ms: int | None = None) -> dict[str, Any]:
        """The market's ticker dict as it would be pushed now."""
        m = market.upper()
        when = int(time.time() * 1000) if now_ms is None else now_ms
        return self._stats[m].ticker(self._model(m), when)

    def slice_of(self, k: int) -> tuple[str, ...]:
        """The markets of all_ticker slice k (of ALL_TICKER_SLICES, contiguous chunks)."""
        size = math.ceil(len(self.markets) / ALL_TICKER_SLICES)
        k %= ALL_TICKER_SLICES
        return self.markets[k * size:(k + 1) * size]

    def step_quiet(self) -> None:
        """One step of every market the simulator does not run (the desk's own clock)."""
        now = time.time()
        for m, model in self._quiet.items():
            d = model.step(now)
            if d.trades:
                self._stats[m].observe(d.trades)

    # ----- requests ------------------------------------------------------------------
    def handle(self, s: Session, rid: Any, method: str, params: Any) -> None:
        channel, _, verb = method.partition(".")
        every = channel == "all_ticker"
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            s.reply(wire.error(rid, wire.ERR_INVALID_ARGUMENT, "invalid argument"))
            return
        faults = self._host.config.faults
        if verb == "subscribe" and faults.ticker_error:
            s.reply(wire.error(rid, faults.ticker_error, "ticker unavailable"))
            return
        if every:
            self._all_ticker(s, rid, verb == "subscribe")
            return
        markets: list[str] = []
        for p in params:
            m = p.upper()
            if m not in self._subs:
                s.reply(wire.error(rid, wire.ERR_INVALID_ARGUMENT,
                                   f"invalid argument: unknown market {p}"))
                return
            if m not in markets:
                markets.append(m)
        if verb == "unsubscribe":
            for m in markets or list(s.ticker):
                s.ticker.discard(m)
                self._subs[m].discard(s)
            s.reply(wire.reply(rid, {"status": "success"}))
            return
        if not markets:
            s.reply(wire.error(rid, wire.ERR_INVALID_ARGUMENT, "invalid argument"))
            return
        if self._host.config.subscribe_mode == "replace":
            for m in s.ticker - set(markets):
                self._subs[m].discard(s)
            s.ticker.clear()
        s.ticker.update(markets)
        for m in markets:
            self._subs[m].add(s)
        self._ack_then_push(s, rid, lambda: self._push(s, markets, all_markets=False))

    def _all_ticker(self, s: Session, rid: Any, on: bool) -> None:
        s.all_ticker = on
        if not on:
            self._all.discard(s)
            s.reply(wire.reply(rid, {"status": "success"}))
            return
        self._all.add(s)
        k = self._rotation
        self._ack_then_push(s, rid, lambda: self._push(s, self.slice_of(k), all_markets=True))

    def _ack_then_push(self, s: Session, rid: Any, first_push: Callable[[], None]) -> None:
        ack = wire.reply(rid, {"status": "success"})
        before = self._host.config.faults.snapshot_before_ack
        if not before:
            s.reply(ack)
        first_push()
        if before:
            s.reply(ack)

    def detach(self, s: Session) -> None:
        for m in s.ticker:
            self._subs[m].discard(s)
        self._all.discard(s)

    # ----- pushes --------------------------------------------------------------------
    def _frame(self, markets: tuple[str, ...] | list[str], all_markets: bool) -> bytes | None:
        faults = self._host.config.faults
        if faults.ticker_silent:
            return None
        now_ms = int(time.time() * 1000)
        params: Any = [self.ticker(m, now_ms) for m in markets]
        if faults.ticker_garbage:
            params = garbage_params(GARBAGE_KINDS[self._garbage % len(GARBAGE_KINDS)], params)
            self._garbage += 1
        method = "all_ticker.update" if all_markets else "ticker.update"
        return wire.encode(wire.push(method, params))

    def _push(self, s: Session, markets: tuple[str, ...] | list[str], all_markets: bool) -> None:
        frame = self._frame(sorted(markets) if not all_markets else markets, all_markets)
        if frame is not None:
            s.send_ticker(frame, all_markets)

    def tick(self) -> None:
        """One round of pushes: each ticker subscriber its markets (one frame per distinct
        market list), every all_ticker subscriber the next slice."""
        if not self._host.paused:
            self.step_quiet()
        by_list: dict[tuple[str, ...], list[Session]] = {}
        for s in {s for subs in self._subs.values() for s in subs}:
            by_list.setdefault(tuple(sorted(s.ticker)), []).append(s)
        sent = False
        for markets, sessions in by_list.items():
            frame = self._frame(markets, all_markets=False)
            if frame is None:
                continue
            for s in sessions:
                s.send_ticker(frame, False)
                sent = True
        if self._all:
            self._rotation = (self._rotation + 1) % ALL_TICKER_SLICES
            frame = self._frame(self.slice_of(self._rotation), all_markets=True)
            if frame is not None:
                for s in list(self._all):
                    s.send_ticker(frame, True)
                    sent = True
        self.pushes += sent

    async def run(self) -> None:
        """Tick every `ticker_interval` (1 s) until cancelled."""
        loop = asyncio.get_running_loop()
        interval = max(0.01, self._host.config.ticker_interval)
        next_tick = loop.time() + interval
        while True:
            await asyncio.sleep(max(0.0, next_tick - loop.time()))
            next_tick = max(next_tick + interval, loop.time() + interval / 4)
            self.tick()
