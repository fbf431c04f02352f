"""Fault injection: what the simulator can do wrong on purpose, and the bad frames it sends."""

from __future__ import annotations

import json
import zlib
from typing import Any, NamedTuple

from dfx_tui.app.sim.market import MarketModel, fmt_units


class Faults(NamedTuple):  # not a frozen dataclass: ~1.2 ms of every demo start
    """Faults, all off by default. Times are seconds of a connection's age."""

    drop_every: float = 0.0  # abort each connection (no close frame) this long after it opened
    stall_after: float = 0.0  # then send nothing at all, keep the socket open
    corrupt_every: int = 0  # one corrupt frame after every N depth messages (kinds rotate)
    crossed_after: float = 0.0  # one crossed-book depth update (a lie; the truth is unchanged)
    refuse_handshakes: int = 0  # the first K handshakes get HTTP 502
    text_acks: bool = False  # replies (acks, pong, time, errors) as text frames, not zlib
    snapshot_before_ack: bool = False  # on subscribe, the snapshots go out before the ack
    lifetime: float = 0.0  # clean close (1000) at this age, like the live server at ~2 h
    # The ticker channels (ticker.*, all_ticker.*), which a client must survive losing:
    ticker_silent: bool = False  # subscribes are acked, nothing is ever pushed
    ticker_error: int = 0  # subscribes get an error reply with this code (0 = off)
    ticker_garbage: bool = False  # every push has an odd shape (ticker_data.GARBAGE_KINDS)

    def any(self) -> bool:
        return self != Faults()


CORRUPT_KINDS = ("bad_zlib", "bad_json", "bad_shape")


def corrupt_frame(kind: str, market: str) -> bytes:
    """One broken server frame of the given kind."""
    if kind == "bad_zlib":
        # Starts like a zlib stream (78 9c) but the rest is garbage.
        return b"\x78\x9c\xde\xad\xbe\xef\x00\x01garbage"
    if kind == "bad_json":
        return zlib.compress(b'{"method": "depth.update", "params": [false, {"asks": [[')
    # Valid JSON, wrong shape: the depth object is a list and the market is missing.
    body = {"method": "depth.update", "params": [False, [["1", "2"]]], "id": None}
    return zlib.compress(json.dumps(body).encode())


def corrupt_ticker_frame(kind: str, all_markets: bool) -> bytes:
    """One broken ticker push of the given kind (a CORRUPT_KINDS name)."""
    method = "all_ticker.update" if all_markets else "ticker.update"
    if kind == "bad_zlib":
        return b"\x78\x9c\xde\xad\xbe\xef\x00\x01garbage"
    if kind == "bad_json":
        return zlib.compress(f'{{"method": "{method}", "params": [{{"symbol": '.encode())
    # Valid JSON, wrong shape: params an object, not a list of tickers.
    body = {"method": method, "params": {"symbol": "BTC_USDT"}, "id": None}
    return zlib.compress(json.dumps(body).encode())


def crossed_update(model: MarketModel) -> dict[str, Any]:
    """A depth.update (clean=false) body that puts a bid above the best ask."""
    ask = model.best_ask()
    tick = (ask if ask is not None else int(model.fair)) + max(1, model.spec.gap)
    units = 10**model.spec.amount_dp
    levels: dict[str, list[list[str]]] = {"asks": [], "bids": [[model.price_str(tick), fmt_units(units, model.spec.amount_dp)]]}
    return {"method": "depth.update", "params": [False, levels, model.name], "id": None}
