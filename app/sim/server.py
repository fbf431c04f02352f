"""dfx-sim: a local DigiFinex public WebSocket v1 server (see docs/protocol.md).

One model per market ticks in its own task and publishes each step, encoded once, to every
subscriber; so all connections see the same market, and ``truth(market)`` is the book a
client holds after applying everything sent so far.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from dfx_tui.app.sim import wire
from dfx_tui.app.sim.config import SimConfig
from dfx_tui.app.sim.faults import Faults
from dfx_tui.app.sim.market import MarketModel, spec_for
from dfx_tui.app.sim.session import Counters, Session
from dfx_tui.app.sim.ticker_feed import TICKER_REQUESTS, TickerDesk
from dfx_tui.app.sim.watchdog import watch

__all__ = ["Counters", "Faults", "SimConfig", "SimServer", "PATH"]

log = logging.getLogger("dfx_tui.sim")

PATH = "/ws/v1/"
CHANNELS = ("depth", "trades")


class SimServer:
    """The server: handshakes, requests and subscriptions, and one clock task per market.

    Subclasses (tests' HostileSim) hook `_handle_request`, `_subscribe` and `_detach`."""

    def __init__(self, config: SimConfig | None = None, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.config = config or SimConfig()
        self.host = host
        self.port = port
        self.stats = Counters()
        now = time.time()
        self._models = {
            m: MarketModel(
                spec_for(m),
                self.config.seed,
                levels=self.config.levels,
                rate=self.config.rate,
                trade_rate=self.config.trade_rate,
                now=now,
            )
            for m in self.config.markets
        }
        self._subs: dict[str, dict[str, set[Session]]] = {
            ch: {m: set() for m in self._models} for ch in CHANNELS
        }
        self._sessions: set[Session] = set()
        self._snap_cache: dict[str, tuple[int, bytes]] = {}
        self._server: Server | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._paused = False
        self._handshakes = 0
        self.tickers = TickerDesk(self, now)  # ticker.* and all_ticker.* (ticker_feed.py)

    # ----- public API ---------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}{PATH}"

    @property
    def markets(self) -> tuple[str, ...]:
        return self.config.markets

    async def start(self) -> SimServer:
        self._server = await serve(
            self._handler,
            self.host,
            self.port,
            process_request=self._process_request,
            compression=None,  # the live server negotiates no permessage-deflate
            ping_interval=None,  # and never pings
            max_size=1 << 20,
            logger=log,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._tasks = [
            asyncio.create_task(self._run_market(m), name=f"sim-{m}") for m in self._models
        ]
        self._tasks.append(asyncio.create_task(self.tickers.run(), name="sim-tickers"))
        log.info("listening on %s", self.url)
        return self

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks = []
        if self._server is not None:
            self._server.close(close_connections=True)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None

    async def __aenter__(self) -> SimServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def serve_forever(self) -> None:
        assert self._server is not None
        await self._server.serve_forever()

    def pause(self) -> None:
        """Stop market motion (periodic snapshots still go out; they equal the truth)."""
        self._paused = True

    def resume(self) -> None:
        self._paused = False

    @property
    def paused(self) -> bool:
        return self._paused

    def truth(self, market: str) -> dict[str, list[list[str]]]:
        """The book as published so far, best first: {"bids": [[p, a], ...], "asks": [...]}."""
        return self._models[market.upper()].truth()

    def trades(self, market: str) -> list[dict[str, Any]]:
        """Recent trades as sent, newest first."""
        return [dict(t) for t in self._models[market.upper()].trades_recent]

    def model(self, market: str) -> MarketModel:
        return self._models[market.upper()]

    def advance(self, market: str | None = None, n: int = 1) -> None:
        """Step a market (or all) n times now and publish, paused or not."""
        for m in [market.upper()] if market else list(self._models):
            for _ in range(n):
                self._step(m)

    def send_snapshots(self, market: str | None = None) -> None:
        """Push a clean=true depth to every subscriber now (the periodic one, on demand)."""
        for m in [market.upper()] if market else list(self._models):
            self._publish_snapshot(m)

    @property
    def sessions(self) -> list[Session]:
        """Open connections, oldest first; each has .stats (Counters), .depth, .trades."""
        return sorted(self._sessions, key=lambda s: s.id)

    # ----- handshake ----------------------------------------------------------------
    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path != PATH:
            self.stats.not_found += 1
            return conn.respond(HTTPStatus.NOT_FOUND, "Not Found\n")
        self._handshakes += 1
        if self._handshakes <= self.config.faults.refuse_handshakes:
            self.stats.handshakes_refused += 1
            return conn.respond(HTTPStatus.BAD_GATEWAY, "502 Bad Gateway\n")
        return None

    # ----- connection ---------------------------------------------------------------
    async def _handler(self, ws: ServerConnection) -> None:
        loop = asyncio.get_running_loop()
        faults = self.config.faults
        s = Session(
            ws,
            self.stats,
            now=loop.time(),
            text_replies=faults.text_acks,
            corrupt_every=faults.corrupt_every,
            max_buffer=self.config.max_buffer,
            on_slow=self._on_slow,
        )
        self._sessions.add(s)
        self.stats.connections += 1
        self.stats.active += 1
        watchdog = asyncio.create_task(watch(s, self.config, self._detach, self.model),
                                       name=f"sim-watch-{s.id}")
        try:
            async for msg in ws:
                s.last_recv = loop.time()
                s.bump("requests")
                if not s.stalled:
                    self._handle_request(s, msg)
        except ConnectionClosed:
            pass
        finally:
            watchdog.cancel()
            s.closed = True
            self._sessions.discard(s)
            self.stats.active -= 1
            self._detach(s)

    def _on_slow(self, s: Session) -> None:
        s.bump("slow_closes")
        self._detach(s)
        asyncio.get_running_loop().create_task(s.ws.close(1013, "slow consumer"))

    def _detach(self, s: Session) -> None:
        for ch in CHANNELS:
            for m in list(s.depth if ch == "depth" else s.trades):
                self._subs[ch][m].discard(s)
        self.tickers.detach(s)

    # ----- requests -----------------------------------------------------------------
    def _handle_request(self, s: Session, msg: str | bytes) -> None:
        try:
            req = wire.decode_request(msg)
        except ValueError:
            s.reply(wire.error(None, wire.ERR_INVALID_ARGUMENT, "invalid argument"))
            return
        rid = req.get("id")
        method = req.get("method")
        params = req.get("params", [])
        if not isinstance(method, str):
            s.reply(wire.error(rid, wire.ERR_INVALID_ARGUMENT, "invalid argument"))
            return
        if method == "server.ping":
            s.reply(wire.reply(rid, "pong"))
        elif method == "server.time":
            s.reply(wire.reply(rid, int(time.time())))
        elif method in ("depth.subscribe", "trades.subscribe"):
            self._subscribe(s, rid, method.split(".")[0], params)
        elif method in ("depth.unsubscribe", "trades.unsubscribe"):
            self._unsubscribe(s, rid, method.split(".")[0], params)
        elif method in TICKER_REQUESTS:
            self.tickers.handle(s, rid, method, params)
        else:
            s.reply(wire.error(rid, wire.ERR_METHOD_NOT_FOUND, "method not found"))

    def _markets_param(self, s: Session, rid: Any, params: Any,
                       allow_empty: bool) -> list[str] | None:
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            s.reply(wire.error(rid, wire.ERR_INVALID_ARGUMENT, "invalid argument"))
            return None
        if not params and not allow_empty:
            s.reply(wire.error(rid, wire.ERR_INVALID_ARGUMENT, "invalid argument"))
            return None
        out: list[str] = []
        for p in params:
            m = p.upper()
            if m not in self._models:
                s.reply(
                    wire.error(
                        rid, wire.ERR_INVALID_ARGUMENT, f"invalid argument: unknown market {p}"
                    )
                )
                return None
            if m not in out:
                out.append(m)
        return out

    def _subscribe(self, s: Session, rid: Any, ch: str, params: Any) -> None:
        markets = self._markets_param(s, rid, params, allow_empty=False)
        if markets is None:
            return
        mine = s.depth if ch == "depth" else s.trades
        if self.config.subscribe_mode == "replace":
            for m in mine - set(markets):
                self._subs[ch][m].discard(s)
            mine.clear()
        mine.update(markets)
        for m in markets:
            self._subs[ch][m].add(s)
        ack = wire.reply(rid, {"status": "success"})
        if not self.config.faults.snapshot_before_ack:
            s.reply(ack)
        for m in markets:
            if ch == "depth":
                s.send_snapshot(self._snapshot_frame(m))
            else:
                s.send_trades(self._trades_snapshot_frame(m))
        if self.config.faults.snapshot_before_ack:
            s.reply(ack)

    def _unsubscribe(self, s: Session, rid: Any, ch: str, params: Any) -> None:
        markets = self._markets_param(s, rid, params, allow_empty=True)
        if markets is None:
            return
        mine = s.depth if ch == "depth" else s.trades
        for m in markets or list(mine):
            mine.discard(m)
            self._subs[ch][m].discard(s)
        s.reply(wire.reply(rid, {"status": "success"}))

    # ----- market clock -------------------------------------------------------------
    def _snapshot_frame(self, m: str) -> bytes:
        model = self._models[m]
        cached = self._snap_cache.get(m)
        if cached is None or cached[0] != model.steps:
            body = wire.push("depth.update", [True, model.snapshot_wire(), m])
            cached = (model.steps, wire.encode(body))
            self._snap_cache[m] = cached
        return cached[1]

    def _trades_snapshot_frame(self, m: str) -> bytes:
        return wire.encode(wire.push("trades.update", [True, self.trades(m), m]))

    def _publish_snapshot(self, m: str) -> None:
        subs = self._subs["depth"][m]
        if subs:
            frame = self._snapshot_frame(m)
            for s in list(subs):
                s.send_snapshot(frame)

    def _step(self, m: str) -> None:
        model = self._models[m]
        d = model.step(time.time())
        subs = self._subs["depth"][m]
        if subs:
            body = {"asks": model.side_wire(d.asks), "bids": model.side_wire(d.bids)}
            frame = wire.encode(wire.push("depth.update", [False, body, m]))
            for s in list(subs):
                s.send_depth(frame, m)
        if d.trades:
            self.tickers.observe(m, d.trades)
            tsubs = self._subs["trades"][m]
            if tsubs:
                frame = wire.encode(wire.push("trades.update", [False, d.trades, m]))
                for s in list(tsubs):
                    s.send_trades(frame)

    async def _run_market(self, m: str) -> None:
        cfg = self.config
        loop = asyncio.get_running_loop()
        rate = max(cfg.rate, 0.0)
        interval = max(1.0 / cfg.tick_hz, 1.0 / rate) if rate > 0 else 0.25
        max_burst = max(1, int(rate * interval * 10))
        credit = 0.0
        last = loop.time()
        next_tick = last + interval
        next_snap = last + cfg.snapshot_interval if cfg.snapshot_interval > 0 else float("inf")
        while True:
            await asyncio.sleep(max(0.0, next_tick - loop.time()))
            now = loop.time()
            next_tick = max(next_tick + interval, now + interval / 4)
            if self._paused:
                credit = 0.0
            else:
                credit += rate * (now - last)
                n = min(int(credit), max_burst)
                credit = min(credit - n, float(max_burst))
                for _ in range(n):
                    self._step(m)
            last = now
            if now >= next_snap:
                next_snap = now + cfg.snapshot_interval
                self._publish_snapshot(m)
