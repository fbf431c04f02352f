"""24 h tickers from `ticker.update` and `all_ticker.update` pushes: validation into `Ticker`.

Neither channel is in the exchange's document; one `ticker.update` frame was captured by a
public client library (tests/data/captured-frames.jsonl) and nobody captured `all_ticker`. So
the rule here is that a ticker can only ever cost its own figures: a push whose params are not a
list is rejected whole, but inside a list each dict stands alone (`parse_ticker_push`), and a
field that is missing is just a missing figure. A field that is present but wrong (a JSON
number, padding, a negative or absurd value) rejects its dict: a wrong figure is worse than none,
and it means the server says something this parser does not understand.

Numbers follow the depth rule (`book/levels.py`): plain ASCII decimal strings of at most
`MAX_TEXT` characters, 0 or within [MIN_VALUE, MAX_VALUE). Prices, sizes and volumes are kept as
the exact text received; floats sit beside them only for sorting.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any, NamedTuple

from dfx_tui.book.codec import ProtocolError, normalize_market
from dfx_tui.book.levels import MAX_TEXT, MAX_VALUE, MIN_VALUE, quoted
from dfx_tui.book.text import inert_text

TICKER_UPDATE = "ticker.update"
ALL_TICKER_UPDATE = "all_ticker.update"
TICKER_METHODS = (TICKER_UPDATE, ALL_TICKER_UPDATE)

MAX_TICKERS = 10_000  # dicts in one push; the live exchange lists well under 2 000 markets
MAX_REASONS = 20  # rejected dicts described one by one in a push; the rest are counted
MAX_TIMESTAMP_MS = 1e14  # ms; year 5138, as the tape's limit on trade times

# The wire keys of the decimal figures, in the order of the captured frame.
DECIMAL_FIELDS = (
    "last", "open_24h", "high_24h", "low_24h", "base_volume_24h", "quote_volume_24h",
    "best_bid", "best_bid_size", "best_ask", "best_ask_size",
)
REQUIRED_FIELDS = ("symbol", "last")  # without these a dict says nothing


class Ticker(NamedTuple):
    """One market's 24 h figures as received: exact decimal text, None where absent."""

    symbol: str  # uppercase BASE_QUOTE
    last: str
    open_24h: str | None = None
    high_24h: str | None = None  # the live server sometimes omits it
    low_24h: str | None = None
    base_volume_24h: str | None = None
    quote_volume_24h: str | None = None
    best_bid: str | None = None
    best_bid_size: str | None = None
    best_ask: str | None = None
    best_ask_size: str | None = None
    timestamp_ms: int | None = None  # exchange time in milliseconds
    # Floats for ordering only; never shown.
    last_value: float = 0.0
    quote_volume_value: float = 0.0  # 0.0 when the volume is missing

    @property
    def base(self) -> str:
        return self.symbol.partition("_")[0]

    @property
    def quote(self) -> str:
        return self.symbol.partition("_")[2]

    @property
    def change_pct(self) -> Decimal | None:
        """(last - open_24h) / open_24h x 100, exact decimal arithmetic (34 significant digits);
        None when the open is missing or zero."""
        if self.open_24h is None:
            return None
        opened = Decimal(self.open_24h)
        if opened == 0:
            return None
        with localcontext() as ctx:
            ctx.prec = 34
            return (Decimal(self.last) - opened) * 100 / opened

    def change_text(self, places: int = 2) -> str | None:
        """The change as shown: "+1.25%", "-0.40%", "0.00%"; None when unknown."""
        change = self.change_pct
        if change is None:
            return None
        rounded = change.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        if rounded == 0:
            return f"{abs(rounded):f}%"
        return f"{rounded:+f}%"

    def as_json(self) -> dict[str, Any]:
        """Wire-named exact strings (None for absent figures) plus the change, for `--json`."""
        out: dict[str, Any] = {"symbol": self.symbol}
        for name in DECIMAL_FIELDS:
            out[name] = getattr(self, name)
        out["timestamp"] = self.timestamp_ms
        out["change_pct"] = self.change_text()
        return out


class TickerPush(NamedTuple):
    """A classified ticker push: what parsed, and why the rest did not."""

    method: str  # TICKER_UPDATE or ALL_TICKER_UPDATE
    tickers: tuple[Ticker, ...]
    rejected: tuple[str, ...]  # one reason per rejected dict (at most MAX_REASONS, then a count)

    @property
    def all_markets(self) -> bool:
        return self.method == ALL_TICKER_UPDATE


def _brief(value: object) -> str:
    """A wrong-typed value in a reason: numbers quoted, containers only named (a repr of a
    container could be megabytes)."""
    if type(value) in (int, float, bool):
        if type(value) is int and not -10**30 < value < 10**30:
            return "int (huge)"  # and repr() of one past 4300 digits raises
        return f"{type(value).__name__} {quoted(value, 24)}"
    return type(value).__name__


def _decimal(raw: dict[str, Any], key: str, symbol: str) -> tuple[str | None, float]:
    """A present decimal field as (text, float); (None, 0.0) when absent or null."""
    text = raw.get(key)
    if text is None:
        return None, 0.0
    if type(text) is not str:
        raise ProtocolError(f"ticker {symbol}: {key} must be a decimal string, got {_brief(text)}")
    if len(text) > MAX_TEXT:
        raise ProtocolError(f"ticker {symbol}: {key} text too long ({len(text)} characters)")
    # The plain-decimal rule of levels.plain_pair, for one text.
    if not (text.isascii() and text[:1] > " " and text[-1:] > " ") or "_" in text:
        raise ProtocolError(f"ticker {symbol}: {key} is not a plain decimal: {quoted(text, 24)}")
    try:
        value = float(text)
    except ValueError:
        raise ProtocolError(f"ticker {symbol}: {key} is not a decimal number: "
                            f"{quoted(text, 24)}") from None
    if not (value == 0.0 or MIN_VALUE <= value < MAX_VALUE):  # also false for NaN, inf
        raise ProtocolError(f"ticker {symbol}: {key} must be 0 or a positive number in range, "
                            f"got {quoted(text, 24)}")
    return text, value


def _timestamp(raw: dict[str, Any], symbol: str) -> int | None:
    value = raw.get("timestamp")
    if value is None:
        return None
    if type(value) not in (int, float) or not 0 <= value < MAX_TIMESTAMP_MS:
        raise ProtocolError(f"ticker {symbol}: timestamp must be Unix milliseconds, got "
                            f"{_brief(value)}")
    return int(value)


def parse_ticker(obj: object) -> Ticker:
    """Validate one wire ticker dict; raise ProtocolError (an inert, short reason) if bad.

    Extra keys (the captured frame has `last_qty`) are ignored; every figure but `symbol` and
    `last` may be missing or null."""
    if type(obj) is not dict:
        raise ProtocolError(f"a ticker must be an object, got {type(obj).__name__}")
    for key in REQUIRED_FIELDS:
        if obj.get(key) is None:
            named = obj.get("symbol")
            which = inert_text(named[:60], 40) if type(named) is str else ""
            raise ProtocolError(f"ticker {which} lacks {key!r}" if which
                                else f"ticker lacks {key!r}")
    name = obj["symbol"]
    if type(name) is not str:
        raise ProtocolError(f"ticker symbol must be a string, got {_brief(name)}")
    if len(name) > 49:  # BASE_QUOTE of at most 24 + 1 + 24 characters
        raise ProtocolError(f"ticker symbol too long ({len(name)} characters)")
    try:
        symbol = normalize_market(name)
    except ValueError as exc:
        raise ProtocolError(f"ticker: {inert_text(exc, 80)}") from None
    texts: dict[str, str | None] = {}
    floats: dict[str, float] = {}
    for key in DECIMAL_FIELDS:
        texts[key], floats[key] = _decimal(obj, key, symbol)
    last = texts["last"]
    assert last is not None  # required above; _decimal returns text for a present value
    return Ticker(
        symbol=symbol,
        last=last,
        open_24h=texts["open_24h"],
        high_24h=texts["high_24h"],
        low_24h=texts["low_24h"],
        base_volume_24h=texts["base_volume_24h"],
        quote_volume_24h=texts["quote_volume_24h"],
        best_bid=texts["best_bid"],
        best_bid_size=texts["best_bid_size"],
        best_ask=texts["best_ask"],
        best_ask_size=texts["best_ask_size"],
        timestamp_ms=_timestamp(obj, symbol),
        last_value=floats["last"],
        quote_volume_value=floats["quote_volume_24h"],
    )


def parse_ticker_push(params: object, method: str = TICKER_UPDATE) -> tuple[list[Ticker],
                                                                             list[str]]:
    """The params of a ticker push: (the tickers that parsed, one reason per rejected dict).

    Params that are not a list (or a list past MAX_TICKERS) reject the whole push with one
    reason; otherwise a bad dict costs only itself. Never raises."""
    if type(params) is not list:
        return [], [f"{method} params must be a list of tickers, got {type(params).__name__}"]
    if len(params) > MAX_TICKERS:
        return [], [f"{method}: more than {MAX_TICKERS} tickers in one push"]
    tickers: list[Ticker] = []
    reasons: list[str] = []
    bad = 0
    for raw in params:
        try:
            tickers.append(parse_ticker(raw))
        except ProtocolError as exc:
            bad += 1
            if len(reasons) < MAX_REASONS:
                reasons.append(str(exc))
    if bad > len(reasons):
        reasons.append(f"{method}: {bad - len(reasons)} more tickers rejected")
    return tickers, reasons


def ticker_event(method: object, params: object) -> TickerPush | None:
    """Classify an unknown push (the codec's `UnknownPush.method`/`.params`) as a ticker push;
    None when the method is not a ticker channel. Never raises."""
    if method not in TICKER_METHODS:
        return None
    name = TICKER_UPDATE if method == TICKER_UPDATE else ALL_TICKER_UPDATE
    tickers, rejected = parse_ticker_push(params, name)
    return TickerPush(name, tuple(tickers), tuple(rejected))
