"""`dfx-tui --once`: fetch books headless, print them, exit; `dfx-tui --markets`: the
exchange's market list from all_ticker. No Textual import here."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from datetime import UTC, datetime
from typing import Any, TextIO

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.client import FeedClient
from dfx_tui.app.feed.tickers import AllTickerState
from dfx_tui.book.catalog import MarketCatalog
from dfx_tui.book.state import Market, MarketState
from dfx_tui.book.ticker import Ticker

MAX_FAILED_CONNECTS = 4  # give up on an unreachable server after this many failed handshakes
# After the books: how long to wait for every market's first ticker (the live server pushes
# them about once a second). Never longer, and not at all once ticker.subscribe was refused:
# a missing ticker costs only its figures (null in the JSON).
TICKER_GRACE_S = 2.0
# `--markets`: all_ticker pushes in a row that add no market before the list counts as
# complete (each push is a slice of the markets; the slices add up over pushes).
SETTLE_PUSHES = 2


class OnceError(Exception):
    """A one-line reason why --once failed."""


async def fetch_once(config: AppConfig, *, wait: float = 0.0, timeout: float = 15.0,
                     feed_kwargs: dict[str, Any] | None = None) -> FeedClient:
    """Run a feed until every market has its snapshot (plus `wait` seconds); return it stopped.

    Raises OnceError with a one-line reason on failure.
    """
    feed = FeedClient(config, **(feed_kwargs or {}))
    await feed.start()
    try:
        deadline = time.monotonic() + timeout
        while not feed.ready():
            if feed.replay_done:
                break
            if feed.connects == 0 and feed.failed_connects >= MAX_FAILED_CONNECTS:
                raise OnceError(f"cannot reach {config.url}: {feed.status.last_error}")
            if time.monotonic() >= deadline:
                raise OnceError(_timeout_reason(feed, timeout))
            await asyncio.sleep(0.02)
        _check_rejected(feed)
        if not config.replay:
            await _wait_for_tickers(feed, min(TICKER_GRACE_S, deadline - time.monotonic()))
        if wait > 0 and not config.replay:
            await asyncio.sleep(wait)
        elif config.replay:
            while not feed.replay_done and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        _check_rejected(feed)
    finally:
        await feed.stop()
    if config.replay and not feed.ready():
        missing = [n for n, m in feed.markets.items() if not m.book.has_snapshot]
        if missing:
            raise OnceError(f"the recording has no snapshot for {', '.join(missing)}")
        # A book that failed a check near the end (crossed, unreadable update) is not shown.
        bad = [m for m in feed.markets.values()
               if m.status.state not in (MarketState.LIVE, MarketState.REJECTED)]
        if bad:
            m = bad[0]
            raise OnceError(f"the recording ends with {m.name} {m.status.state}"
                            + (f" ({m.status.error})" if m.status.error else ""))
    return feed


async def _wait_for_tickers(feed: FeedClient, grace: float) -> None:
    until = time.monotonic() + grace
    tickers = feed.core.tickers
    while time.monotonic() < until and not tickers.refused:
        if all(m.ticker is not None for m in feed.markets.values()
               if m.status.state is not MarketState.REJECTED):
            return
        await asyncio.sleep(0.02)


def _check_rejected(feed: FeedClient) -> None:
    bad = [m for m in feed.markets.values() if m.status.state is MarketState.REJECTED]
    if bad:
        names = ", ".join(m.name for m in bad)
        raise OnceError(f"market not available: {names} ({bad[0].status.error})")


def _timeout_reason(feed: FeedClient, timeout: float) -> str:
    if feed.connects == 0:
        why = feed.status.last_error or "no handshake"
        return f"cannot reach {feed.config.url} within {timeout:g} s: {why}"
    missing = [n for n, m in feed.markets.items() if m.status.state is not MarketState.LIVE]
    extra = f" (last error: {feed.status.last_error})" if feed.status.last_error else ""
    return f"no order book for {', '.join(missing)} within {timeout:g} s{extra}"


# ------------------------------------------------------------------ output
def market_summary(market: Market, depth: int) -> dict[str, Any]:
    book = market.book
    bid, ask = book.best_bid(), book.best_ask()
    spread = book.spread()
    return {
        "state": str(market.status.state),
        "bids": [[p, a] for p, a in book.bids(depth)],
        "asks": [[p, a] for p, a in book.asks(depth)],
        "best_bid": None if bid is None else bid[0],
        "best_ask": None if ask is None else ask[0],
        "spread": None if spread is None else str(spread),
        "trades": [{"id": t.id, "time": t.time, "price": t.price, "amount": t.amount,
                    "type": t.side} for t in market.tape.newest(depth)],
        "ticker": None if market.ticker is None else market.ticker.as_json(),
    }


def write_json(feed: FeedClient, depth: int, out: TextIO) -> None:
    doc = {"markets": {n: market_summary(m, depth) for n, m in feed.markets.items()}}
    out.write(json.dumps(doc, separators=(",", ":")) + "\n")


def write_text(feed: FeedClient, depth: int, out: TextIO) -> None:
    for i, market in enumerate(feed.markets.values()):
        if i:
            out.write("\n")
        out.write(format_market(market, depth))


def format_market(market: Market, depth: int) -> str:
    book = market.book
    lines = []
    bid, ask = book.best_bid(), book.best_ask()
    head = f"{market.name}"
    head += f"  bid {bid[0]} x {bid[1]}" if bid else "  bid -"
    head += f"  ask {ask[0]} x {ask[1]}" if ask else "  ask -"
    spread, bps = book.spread(), book.spread_bps()
    if spread is not None:
        head += f"  spread {spread}" + (f" ({bps:.2f} bps)" if bps is not None else "")
    lines.append(head)
    ticker = market.ticker
    if ticker is not None:
        volume = ticker.quote_volume_24h
        figures = [("24h", ticker.change_text()), ("high", ticker.high_24h),
                   ("low", ticker.low_24h), ("vol", volume and f"{volume} {ticker.quote}")]
        shown = [f"{name} {value}" for name, value in figures if value]
        if shown:
            lines.append("  " + "  ".join(shown))
    bids, asks = book.bids(depth), book.asks(depth)
    wp = max([len(p) for p, _ in bids + asks] + [5])
    wa = max([len(a) for _, a in bids + asks] + [6])
    col = wp + wa + 2
    lines.append(f"  {'BIDS':<{col}}    ASKS")
    for k in range(max(len(bids), len(asks))):
        left = f"{bids[k][0]:>{wp}}  {bids[k][1]:<{wa}}" if k < len(bids) else " " * col
        right = f"{asks[k][0]:>{wp}}  {asks[k][1]:<{wa}}" if k < len(asks) else ""
        lines.append(f"  {left}    {right}".rstrip())
    trades = market.tape.newest(depth)
    if trades:
        lines.append("  trades (newest first)")
        for t in trades:
            when = datetime.fromtimestamp(t.time, UTC).strftime("%H:%M:%S.%f")[:-3]
            lines.append(f"  {when}  {t.side:<4}  {t.price:>{wp}}  {t.amount}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ --markets
async def fetch_catalog(config: AppConfig, *, wait: float = 0.0, timeout: float = 15.0,
                        feed_kwargs: dict[str, Any] | None = None) -> tuple[MarketCatalog, bool]:
    """Subscribe all_ticker alone (no books) until the market list is complete: SETTLE_PUSHES
    pushes in a row without a new market, or `wait` seconds when given. Returns the catalogue
    and whether it settled (False: `timeout` came first, the list may lack markets).

    Raises OnceError with a one-line reason when no market arrived at all."""
    feed = FeedClient(dataclasses.replace(config, markets=[]), **(feed_kwargs or {}))
    tickers = feed.core.tickers
    await feed.start()
    try:
        start = time.monotonic()
        deadline = start + timeout
        seen, size, quiet = 0, 0, 0
        while True:
            now = time.monotonic()
            if feed.connects == 0 and feed.failed_connects >= MAX_FAILED_CONNECTS:
                raise OnceError(f"cannot reach {config.url}: {feed.status.last_error}")
            if tickers.all_state == AllTickerState.REFUSED and not len(feed.catalog):
                raise OnceError(f"the server refused all_ticker.subscribe: "
                                f"{tickers.all_refusal}")
            if tickers.all_pushes_read != seen:  # a push with nothing readable proves nothing
                grew = len(feed.catalog) > size
                quiet = 0 if grew else quiet + tickers.all_pushes_read - seen
                seen, size = tickers.all_pushes_read, len(feed.catalog)
            if wait > 0:
                if now - start >= wait and size:
                    return feed.catalog, True
            elif size and quiet >= SETTLE_PUSHES:
                return feed.catalog, True
            if now >= deadline:
                if size:
                    return feed.catalog, False
                raise OnceError(_silence_reason(feed, timeout))
            await asyncio.sleep(0.02)
    finally:
        await feed.stop()


def _silence_reason(feed: FeedClient, timeout: float) -> str:
    tickers = feed.core.tickers
    if feed.connects == 0:
        why = feed.status.last_error or "no handshake"
        return f"cannot reach {feed.config.url} within {timeout:g} s: {why}"
    if tickers.all_pushes:
        return (f"no readable market in {tickers.all_pushes} all_ticker pushes within "
                f"{timeout:g} s ({tickers.last_problem})")
    if tickers.all_state == AllTickerState.NO_REPLY:
        return f"no reply to all_ticker.subscribe and no push within {timeout:g} s"
    return f"the server sent no all_ticker push within {timeout:g} s"


CATALOG_COLUMNS = ("MARKET", "LAST", "24H", "HIGH", "LOW", "QUOTE VOL")


def catalog_json(catalog: MarketCatalog, complete: bool, out: TextIO) -> None:
    doc = {"complete": complete, "markets": [t.as_json() for t in catalog.by_volume()]}
    out.write(json.dumps(doc, separators=(",", ":")) + "\n")


def catalog_text(catalog: MarketCatalog, out: TextIO) -> None:
    """One row per market, highest 24 h quote volume first; "-" for a missing figure."""
    rows = [CATALOG_COLUMNS] + [_catalog_row(t) for t in catalog.by_volume()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(CATALOG_COLUMNS))]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                          strict=True)]
        out.write("  ".join(cells).rstrip() + "\n")


def _catalog_row(t: Ticker) -> tuple[str, ...]:
    volume = ("-" if t.quote_volume_24h is None
              else f"{compact_volume(t.quote_volume_value)} {t.quote}")
    return (t.symbol, t.last, t.change_text() or "-", t.high_24h or "-", t.low_24h or "-",
            volume)


def compact_volume(value: float) -> str:
    """12.3M, 456.7k, 950: a quote volume at a glance (the exact text is in --json)."""
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"{value / limit:.1f}{suffix}"
    return f"{value:.0f}" if value >= 1 else f"{value:.3g}"
