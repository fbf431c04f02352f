"""`dfx-tui --once`: fetch books headless, print them, exit. No Textual import here."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any, TextIO

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.client import FeedClient
from dfx_tui.book.state import Market, MarketState

MAX_FAILED_CONNECTS = 4  # give up on an unreachable server after this many failed handshakes


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
