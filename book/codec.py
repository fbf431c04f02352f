"""The DigiFinex public WebSocket v1 wire codec: pure functions, no I/O.

Server frames are binary zlib data with the zlib header, or (acks, reportedly) plain JSON text.
`decode_frame` turns either into one typed event; anything malformed raises `ProtocolError`
and nothing else.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable
from typing import Any, NamedTuple

from dfx_tui.book.levels import MAX_LEVELS, Level, parse_levels, quoted
from dfx_tui.book.tape import Trade

MAX_INFLATED = 16 * 1024 * 1024  # a frame may not inflate past 16 MiB (decompression bombs)
MAX_TEXT_FRAME = 16 * 1024 * 1024
# Deflate cannot expand data more than 1032:1, so a frame this small cannot reach the cap and
# may take the faster one-shot zlib.decompress.
_SMALL_FRAME = MAX_INFLATED // 1100

METHODS = (
    "server.ping", "server.time",
    "depth.subscribe", "depth.unsubscribe",
    "trades.subscribe", "trades.unsubscribe",
    "ticker.subscribe", "ticker.unsubscribe",
    "all_ticker.subscribe", "all_ticker.unsubscribe",
)

_MARKET_RE = re.compile(r"[A-Za-z0-9]{1,24}_[A-Za-z0-9]{1,24}\Z")


class ProtocolError(ValueError):
    """A frame that is not valid DigiFinex v1 server output. The message says what was wrong."""


# ------------------------------------------------------------------- events
# NamedTuples, not dataclasses: made once per frame and never changed, and each slotted
# dataclass cost ~0.5 ms of every start to define (the five: ~2.7 ms of CPU on the test machine).
class Reply(NamedTuple):
    id: int
    result: Any


class ErrorReply(NamedTuple):
    id: int
    code: int | None
    message: str


class DepthUpdate(NamedTuple):
    market: str  # uppercase
    clean: bool
    asks: list[Level] | None  # None: side missing, no change
    bids: list[Level] | None


class TradesUpdate(NamedTuple):
    market: str
    clean: bool
    trades: list[Trade]  # newest first, as on the wire


class UnknownPush(NamedTuple):
    method: str
    params: Any


Event = Reply | ErrorReply | DepthUpdate | TradesUpdate | UnknownPush


# ------------------------------------------------------------------- requests
class RequestEncoder:
    """Encodes client requests with a per-connection, strictly increasing id."""

    def __init__(self, start: int = 1) -> None:
        self._next = start

    def encode(self, method: str, params: list[Any] | None = None) -> tuple[int, str]:
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}")
        rid = self._next
        self._next += 1
        return rid, encode_request(rid, method, params or [])


def encode_request(rid: int, method: str, params: list[Any]) -> str:
    return json.dumps({"id": rid, "method": method, "params": params}, separators=(",", ":"))


_known_markets: dict[str, str] = {}


def normalize_market(name: str) -> str:
    """Uppercase BASE_QUOTE; raise ValueError for anything that is not a market name."""
    try:
        return _known_markets[name]  # hot path: every push names its market
    except (KeyError, TypeError):
        pass
    if type(name) is not str or not _MARKET_RE.match(name):
        raise ValueError(f"not a market name: {quoted(name, 40)}")
    if len(_known_markets) < 4096:
        _known_markets[name] = name.upper()
    return name.upper()


# ------------------------------------------------------------------- server frames
def encode_server_frame(obj: Any) -> bytes:
    """What the live server sends: JSON, zlib-compressed with the zlib header."""
    return zlib.compress(json.dumps(obj, separators=(",", ":")).encode())


def inflate(data: bytes) -> bytes:
    """zlib-inflate with a hard cap on the output size."""
    if len(data) < _SMALL_FRAME:
        try:
            return zlib.decompress(data)
        except zlib.error as exc:
            raise ProtocolError(f"bad zlib data: {exc}") from None
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, MAX_INFLATED)
    except zlib.error as exc:
        raise ProtocolError(f"bad zlib data: {exc}") from None
    if d.unconsumed_tail:
        raise ProtocolError(f"frame inflates past {MAX_INFLATED // (1024 * 1024)} MiB: rejected")
    if not d.eof:
        raise ProtocolError("truncated zlib data")
    return out


def parse_json(data: bytes | str) -> Any:
    """Parse UTF-8 JSON. NaN/Infinity literals parse, but every field that matters is
    type- and range-checked afterwards, so they are rejected there."""
    if len(data) > MAX_TEXT_FRAME:
        raise ProtocolError("frame too large")
    try:
        if isinstance(data, bytes):
            data = data.decode()
        # json.loads is this scanner behind two Python calls and two regex matches (leading
        # and trailing whitespace): called directly it parses a feed frame in 1.6 us instead
        # of 3.2 (bench frames, best of 7). Whatever it does not take whole (leading
        # whitespace, a BOM, trailing text, no JSON at all) goes to json.loads, which then
        # returns the same or raises the usual error.
        try:
            obj, end = _scan_once(data, 0)
        except StopIteration:
            return _loads(data)
        if end != len(data) and data[end:].strip(_JSON_SPACE):
            return _loads(data)
        return obj
    except (ValueError, RecursionError, TypeError) as exc:  # UnicodeDecodeError is a ValueError
        raise ProtocolError(f"bad JSON: {str(exc)[:80]}") from None


_loads = json.loads
# What json.loads runs (its default decoder's scanner); typeshed does not declare the attribute.
_scan_once: Callable[[str, int], tuple[Any, int]] = (
    json.JSONDecoder().scan_once)  # type: ignore[attr-defined]
_JSON_SPACE = " \t\n\r"  # JSON's whitespace: nothing else may trail a message


def decode_frame(data: object) -> Event:
    """Binary frame = zlib + JSON; text frame = JSON. Returns a typed event."""
    if type(data) is bytes:
        obj = parse_json(inflate(data))
    elif isinstance(data, str):
        obj = parse_json(data)
    elif isinstance(data, bytearray | memoryview):
        obj = parse_json(inflate(bytes(data)))
    else:
        raise ProtocolError(f"frame must be bytes or str, got {type(data).__name__}")
    return classify(obj)


def classify(obj: Any) -> Event:
    """Turn a parsed server message into a typed event."""
    if type(obj) is not dict:
        raise ProtocolError(f"message must be a JSON object, got {type(obj).__name__}")
    method = obj.get("method")
    rid = obj.get("id")
    if method is not None and rid is None:
        if method == "depth.update":
            return _depth(obj.get("params"))
        if method == "trades.update":
            return _trades(obj.get("params"))
        if type(method) is not str:
            raise ProtocolError("push method must be a string")
        # Ticker pushes too: `dfx_tui.book.ticker.ticker_event` classifies them (that module
        # builds on this one), so a bad ticker can never fail a frame here.
        return UnknownPush(method, obj.get("params"))
    if method is not None:
        raise ProtocolError("message has both a method and an id: a client request, "
                            "not server output")
    if rid is not None:
        if type(rid) is not int:
            raise ProtocolError("reply id must be an integer")
        error = obj.get("error")
        if error is not None:
            return _error(rid, error)
        if "result" not in obj:
            raise ProtocolError("reply has neither result nor error")
        return Reply(rid, obj["result"])
    raise ProtocolError("message is neither a reply (id) nor a push (method)")


def _error(rid: int, error: Any) -> ErrorReply:
    if type(error) is dict:
        code = error.get("code")
        message = error.get("message")
        if code is not None and type(code) is not int:
            code = None
        text = message if type(message) is str else json.dumps(error)[:200]
        return ErrorReply(rid, code, text[:500])
    if type(error) is str:
        return ErrorReply(rid, None, error[:500])
    return ErrorReply(rid, None, json.dumps(error)[:200])


def _push_params(params: Any, what: str) -> tuple[bool, Any, str]:
    if type(params) is not list or len(params) < 3:
        raise ProtocolError(f"{what} params must be [clean, data, market]")
    clean, data, market = params[0], params[1], params[2]
    if type(clean) is not bool:
        raise ProtocolError(f"{what} clean flag must be a boolean")
    try:
        market = normalize_market(market)
    except ValueError as exc:
        raise ProtocolError(f"{what}: {exc}") from None
    return clean, data, market


def _depth(params: Any) -> DepthUpdate:
    clean, depth, market = _push_params(params, "depth.update")
    if type(depth) is not dict:
        raise ProtocolError("depth.update data must be an object")
    asks, bids = depth.get("asks"), depth.get("bids")
    try:
        parsed_asks = None if asks is None else parse_levels(asks)
        parsed_bids = None if bids is None else parse_levels(bids)
    except ValueError as exc:
        raise ProtocolError(f"depth.update {market}: {exc}") from None
    if clean:
        # A snapshot with a missing side means that side is empty.
        parsed_asks = parsed_asks or []
        parsed_bids = parsed_bids or []
    return DepthUpdate(market, clean, parsed_asks, parsed_bids)


def _trades(params: Any) -> TradesUpdate:
    clean, raw, market = _push_params(params, "trades.update")
    if type(raw) is not list:
        raise ProtocolError("trades.update data must be a list")
    if len(raw) > MAX_LEVELS:
        raise ProtocolError(f"trades.update {market}: more than {MAX_LEVELS} trades")
    try:
        trades = [Trade.from_wire(t) for t in raw]
    except ValueError as exc:
        raise ProtocolError(f"trades.update {market}: {exc}") from None
    return TradesUpdate(market, clean, trades)
