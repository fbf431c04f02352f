"""The ticker channels of one feed: `ticker.*` for the open markets, `all_ticker.*` for the
exchange's market list (a `MarketCatalog`).

Neither channel is in the exchange's document (docs/protocol.md, "Tickers"), so they can only
ever cost their own figures. An error reply, no reply, silence, or a push in an odd shape
leaves figures blank, is counted, and is shown in the status bar's last error at most once a
connection, and only where no other error is (a book's trouble matters more). It never
resyncs, rejects or reconnects anything, and it stays out of the depth subscription's
bookkeeping: ticker requests carry no markets (so their acks settle no snapshot wait), their
replies never reach the transient-refusal backoff or the probe, and a change of the ticker
list is only ever sent along with a depth resubscribe, never instead of one.

Subscribing follows the other channels: on a connection, `ticker.subscribe` with the wanted
markets and `all_ticker.subscribe []`, both after depth and trades; when the wanted markets
change, `ticker.unsubscribe []` then one `ticker.subscribe` with the full list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dfx_tui.app.feed.notices import ERROR_LIMIT
from dfx_tui.book.catalog import MarketCatalog
from dfx_tui.book.codec import ErrorReply, Reply
from dfx_tui.book.text import inert_text
from dfx_tui.book.ticker import ALL_TICKER_UPDATE, Ticker, TickerPush, ticker_event

if TYPE_CHECKING:
    from dfx_tui.app.feed.core import FeedCore
    from dfx_tui.app.feed.requests import Request

TICKER_PREFIXES = ("ticker.", "all_ticker.")
ALL_TICKER_SUBSCRIBE = "all_ticker.subscribe"
# A catalogue market (not an open one) is read from all_ticker again only this long after it
# was last read, and at most REREAD_BUDGET of them a push (the rest wait a push or more); in
# between its dicts only keep it listed. Reading a ticker costs 14-30 us on the 2-core test
# machine, so a live list of ~1 500 markets pushed whole every second would cost 20-45 ms a
# second in one go on the UI's loop; this way a push costs little more than its JSON, and the
# add dialog's figures are some seconds old. New and open markets are always read.
CATALOG_REFRESH_S = 5.0
REREAD_BUDGET = 150


class AllTickerState:
    """What became of this connection's `all_ticker.subscribe` (for `--markets`' reasons)."""

    OFF = "not subscribed"
    SENT = "no reply yet"
    ACKED = "acked"
    REFUSED = "refused"
    NO_REPLY = "no reply"


class TickerFeed:
    """Ticker subscriptions, pushes and problems; the figures land on `Market.ticker` and in
    `catalog`."""

    __slots__ = ("core", "catalog", "sent", "refused", "all_sent", "all_state", "all_refusal",
                 "reported", "pushes", "all_pushes", "all_pushes_read", "problems", "last_problem",
                 "last_all_push_at", "new_in_last_slice", "_read_at")

    def __init__(self, core: FeedCore, catalog: MarketCatalog | None = None) -> None:
        self.core = core
        self.catalog = catalog if catalog is not None else MarketCatalog()
        # Per connection:
        self.sent: tuple[str, ...] | None = None  # the ticker.subscribe list on this link
        self.refused = False  # the latest ticker.subscribe got an error reply
        self.all_sent = False
        self.all_state = AllTickerState.OFF
        self.all_refusal = ""  # the server's words, when all_ticker was refused
        self.reported = False  # a ticker problem was shown in last_error on this link
        # Over the feed's life:
        self.pushes = 0  # ticker.update pushes received
        self.all_pushes = 0  # all_ticker.update pushes received
        self.all_pushes_read = 0  # of which at least one ticker could be read
        self.problems = 0  # refusals, time-outs and rejected tickers (or whole pushes)
        self.last_problem = ""
        self.last_all_push_at: float | None = None
        self.new_in_last_slice = 0  # markets the latest all_ticker push added to the list
        self._read_at: dict[str, float] = {}  # catalogue symbol -> when its dict was last read

    def reset_link(self) -> None:
        """A new connection: nothing subscribed. Figures and the catalogue stay (the
        catalogue expires markets by itself)."""
        self.sent = None
        self.refused = False
        self.all_sent = False
        self.all_state = AllTickerState.OFF
        self.all_refusal = ""
        self.reported = False

    # ================================================================ what to send
    def plan(self, wanted: list[str], *, fresh: bool) -> list[tuple[str, list[str]]]:
        """The ticker requests due along with a depth (re)subscribe of `wanted`: the ticker
        list only when it changed on this connection, all_ticker once a connection."""
        out: list[tuple[str, list[str]]] = []
        key = tuple(wanted)
        if key != self.sent:
            if self.sent and not fresh:
                out.append(("ticker.unsubscribe", []))
            if wanted:
                out.append(("ticker.subscribe", list(wanted)))
                self.refused = False
            self.sent = key
        if not self.all_sent:
            self.all_sent = True
            self.all_state = AllTickerState.SENT
            out.append((ALL_TICKER_SUBSCRIBE, []))
        return out

    # ================================================================ what comes back
    def on_unknown_push(self, method: str, params: Any, now: float) -> None:
        """A push the codec left alone: a ticker push is read here, anything else ignored."""
        kept: list[str] = []
        if method == ALL_TICKER_UPDATE and type(params) is list:
            params, kept = self._thin(params, now)
        push = ticker_event(method, params)
        if push is not None:
            self.on_push(push, now, kept)

    def _thin(self, params: list[Any], now: float) -> tuple[list[Any], list[str]]:
        """The dicts of an all_ticker push worth reading now, and the symbols only kept
        listed: catalogue markets read within CATALOG_REFRESH_S that are not open."""
        read_at, markets = self._read_at, self.core.markets
        fresh: list[Any] = []
        kept: list[str] = []
        budget = REREAD_BUDGET
        for raw in params:
            symbol = raw.get("symbol") if type(raw) is dict else None
            if type(symbol) is str and symbol not in markets:
                seen = read_at.get(symbol)
                if seen is not None and (now - seen < CATALOG_REFRESH_S or budget <= 0):
                    kept.append(symbol)
                    continue
                if seen is not None:
                    budget -= 1
            fresh.append(raw)  # new to the list, due, open, or not a market at all
        return fresh, kept

    def on_push(self, push: TickerPush, now: float, kept: list[str] | None = None) -> None:
        """One parsed ticker push (about one a second per channel); `kept`: all_ticker
        symbols not read again this time, only kept listed."""
        if push.rejected:
            self.problem(push.rejected[0], count=len(push.rejected))
        if push.all_markets:
            catalog = self.catalog
            self.all_pushes += 1
            self.all_pushes_read += bool(push.tickers or kept)
            self.last_all_push_at = now
            listed = [t for t in map(catalog.get, kept or ()) if t is not None]
            self.new_in_last_slice = catalog.update([*listed, *push.tickers], now)
            read_at = self._read_at
            if len(read_at) > 2 * catalog.max_markets:
                read_at.clear()  # symbols of markets long gone: read them all again once
            for ticker in push.tickers:
                read_at[ticker.symbol] = now
        else:
            self.pushes += 1
        markets = self.core.markets
        for ticker in push.tickers:
            market = markets.get(ticker.symbol)
            if market is None:
                continue
            held = market.ticker
            if held is not None and _older(ticker, held):
                continue  # all_ticker and ticker.update may cross: keep the newer
            if held != ticker:
                market.ticker = ticker
                if held is None or not _same_figures(held, ticker):
                    # A push with only a newer time shows nothing new: no header repaint.
                    market.ticker_version += 1
                    self.core.market_changed(ticker.symbol)  # shown: repaint it soon

    def on_reply(self, request: Request, ev: Reply | ErrorReply) -> None:
        if request.method == ALL_TICKER_SUBSCRIBE:
            if type(ev) is ErrorReply:
                self.all_state = AllTickerState.REFUSED
                self.all_refusal = inert_text(ev.message, ERROR_LIMIT)
            else:
                self.all_state = AllTickerState.ACKED
        if type(ev) is ErrorReply:
            if request.method == "ticker.subscribe":
                self.sent = None  # try again with the next depth resubscribe
                self.refused = True
            self.problem(f"{request.method} refused: {ev.message}")

    def on_timeout(self, request: Request, timeout: float) -> None:
        if request.method == ALL_TICKER_SUBSCRIBE and self.all_state == AllTickerState.SENT:
            self.all_state = AllTickerState.NO_REPLY
        self.problem(f"{request.method}: no reply within {timeout:g} s")

    def problem(self, text: str, count: int = 1) -> None:
        """Counted always; shown once a connection, and only over an empty last error."""
        self.problems += count
        self.last_problem = inert_text(text, ERROR_LIMIT)
        status = self.core.status
        if not self.reported and not status.last_error:
            self.reported = True
            status.last_error = self.last_problem


def is_ticker_request(method: str) -> bool:
    return method.startswith(TICKER_PREFIXES)


def _same_figures(a: Ticker, b: Ticker) -> bool:
    """Equal but for the exchange's timestamp (which no view shows)."""
    return a._replace(timestamp_ms=b.timestamp_ms) == b


def _older(new: Ticker, held: Ticker) -> bool:
    return (new.timestamp_ms is not None and held.timestamp_ms is not None
            and new.timestamp_ms < held.timestamp_ms)
