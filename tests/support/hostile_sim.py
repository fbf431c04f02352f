"""A dfx-sim that misbehaves on cue: the faults its flags cannot produce, on real sockets.

`HostileSim` is the real `SimServer` (so `truth(market)` stays the reference book) plus hooks
that script exactly what goes wrong:

- `inject(body)` sends one extra frame to every open connection: a dict is zlib+JSON like the
  live server, `bytes` go out as they are (bad zlib, bombs, oversized), `str` as a text frame;
- `answer_pings = False`: `server.ping` is never answered (everything else is);
- `subscribe_errors`: the next N subscribes of a channel get an error reply instead of an ack;
- `delta_before_snapshot`: on depth.subscribe the ack is followed by a stale delta, and only
  then by the snapshot;
- `close_all(code, reason)`: a proper close frame on every connection; `abort_all()`: a TCP
  abort with no close frame;
- `set_subscribe_mode("add" | "replace")`: switch the subscription semantics mid-session.

Imported by tests (`from tests.support.hostile_sim import HostileSim`) and by
tests/benchmarks/soak.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import zlib
from typing import Any

from dfx_tui.app.sim import wire
from dfx_tui.app.sim.server import Faults, SimConfig, SimServer
from dfx_tui.app.sim.session import Session

# Strings that would take over a terminal if shown raw, or restyle a Rich/Textual screen.
HOSTILE_TEXT = ("[red]x[/red] [link=file:///etc/passwd]y[/link] \x1b[2J\x1b]0;pwned\x07"
                "\x1b[31mred \x07bell \x9b2J \x08\x7f\r\nnext\u202eevil")


class HostileSim(SimServer):
    def __init__(self, config: SimConfig | None = None, port: int = 0) -> None:
        super().__init__(config, host="127.0.0.1", port=port)
        self.answer_pings = True
        self.pings_ignored = 0
        self.subscribe_errors: dict[str, list[dict[str, Any]]] = {"depth": [], "trades": []}
        self.delta_before_snapshot = 0  # how many more depth.subscribes get the stale delta
        self.injected = 0

    # ----- scripted faults -------------------------------------------------------------
    def inject(self, body: Any, *, market: str | None = None) -> int:
        """Send one extra frame to every open connection (only those subscribed to `market`'s
        depth, if given). Returns how many connections it went to."""
        if isinstance(body, bytes | str):
            frame: bytes | str = body
        else:
            frame = zlib.compress(json.dumps(body, separators=(",", ":")).encode())
        n = 0
        for s in self.sessions:
            if s.closed or s.stalled or (market is not None and market.upper() not in s.depth):
                continue
            s.send_raw(frame, "corrupt_sent")
            n += 1
        self.injected += n
        return n

    def inject_invalid_utf8_text(self) -> int:
        """A text frame whose payload is not UTF-8 (websockets' str API cannot send one)."""
        n = 0
        for s in self.sessions:
            if s.closed:
                continue
            s.ws.protocol.send_text(b'{"id": 1, "result": "\xff\xfe"}')
            s.ws.send_data()
            n += 1
        return n

    def fail_next_subscribes(self, channel: str, n: int = 1, *, code: int = 3,
                             message: str = "service unavailable") -> None:
        self.subscribe_errors[channel].extend({"code": code, "message": message}
                                              for _ in range(n))

    def close_all(self, code: int = 1000, reason: str = "") -> None:
        for s in self.sessions:
            self._detach(s)
            s.closed = True
            asyncio.get_running_loop().create_task(s.ws.close(code, reason))

    def abort_all(self) -> None:
        for s in self.sessions:
            self._detach(s)
            s.closed = True
            if s.ws.transport is not None:
                s.ws.transport.abort()

    def set_subscribe_mode(self, mode: str) -> None:
        self.config = dataclasses.replace(self.config, subscribe_mode=mode)

    def set_faults(self, faults: Faults) -> None:
        """New faults for connections opened from now on (an open connection keeps its timers,
        text acks and corruption; `snapshot_before_ack` applies to every subscribe from now)."""
        self.config = dataclasses.replace(self.config, faults=faults)
        self._handshakes = 0  # refuse_handshakes counts from here

    # ----- request handling --------------------------------------------------------------
    def _handle_request(self, s: Session, msg: str | bytes) -> None:
        try:
            req = wire.decode_request(msg)
        except ValueError:
            req = {}
        method = req.get("method")
        if method == "server.ping" and not self.answer_pings:
            self.pings_ignored += 1
            return
        if method in ("depth.subscribe", "trades.subscribe"):
            ch = method.split(".")[0]
            if self.subscribe_errors[ch]:
                err = self.subscribe_errors[ch].pop(0)
                s.reply(wire.error(req.get("id"), err["code"], err["message"]))
                return
            if ch == "depth" and self.delta_before_snapshot > 0:
                self.delta_before_snapshot -= 1
                self._subscribe_with_stale_delta(s, req)
                return
        super()._handle_request(s, msg)

    def _subscribe_with_stale_delta(self, s: Session, req: dict[str, Any]) -> None:
        """ack, then a delta that belongs to no snapshot the client has, then the snapshot."""
        params = req.get("params")
        markets = self._markets_param(s, req.get("id"), params, allow_empty=False)
        if markets is None:
            return
        s.reply(wire.reply(req.get("id"), {"status": "success"}))
        for m in markets:
            model = self.model(m)
            ask = model.best_ask() or 1
            stale = {"asks": [[model.price_str(ask), "123"]], "bids": []}
            s.send_raw(wire.encode(wire.push("depth.update", [False, stale, m])), "depth_msgs_sent")
        real_reply = s.reply
        s.reply = lambda body: None  # type: ignore[method-assign]  # the ack went out already
        try:
            self._subscribe(s, req.get("id"), "depth", params)
        finally:
            with contextlib.suppress(AttributeError):
                del s.reply
        assert s.reply == real_reply


def depth_push(market: str, asks: Any, bids: Any, clean: bool = False) -> dict[str, Any]:
    return {"method": "depth.update", "params": [clean, {"asks": asks, "bids": bids}, market],
            "id": None}


def trades_push(market: str, trades: list[dict[str, Any]], clean: bool = False) -> dict[str, Any]:
    return {"method": "trades.update", "params": [clean, trades, market], "id": None}
