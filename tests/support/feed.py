"""Feed-test helpers: fast client settings, a started client with its notices, polling, and the
book-versus-simulator-truth check."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.client import FeedClient
from dfx_tui.app.feed.notices import FeedNotice
from dfx_tui.app.sim.server import SimServer

# Small timeouts so fault tests finish in well under a second or two each.
FAST: dict[str, float] = dict(ping_interval=0.3, pong_timeout=0.5, stale_after=0.8,
                              request_timeout=1.0, snapshot_timeout=2.0)


def fast_config(url: str, markets: Iterable[str] = ("BTC_USDT",), **overrides: Any) -> AppConfig:
    """An AppConfig for `url` with the FAST timeouts (any field can be overridden)."""
    return AppConfig(markets=list(markets), url=url, **{**FAST, **overrides})


class FeedHarness:
    """A started FeedClient plus the notices it raised."""

    def __init__(self, feed: FeedClient, notices: list[FeedNotice]) -> None:
        self.feed = feed
        self.notices = notices

    def kinds(self) -> list[str]:
        return [n.kind for n in self.notices]


async def wait_until(pred: Callable[[], bool], timeout: float = 5.0, what: str = "") -> float:
    """Poll `pred` until true; return the seconds it took; fail with `what` on timeout."""
    t0 = time.monotonic()
    while not pred():
        if time.monotonic() - t0 > timeout:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what or pred}")
        await asyncio.sleep(0.01)
    return time.monotonic() - t0


def book_diff(book: dict[str, Any], truth: dict[str, Any]) -> str:
    """What differs between two `as_dict()`-shaped books, per side (a few levels of each kind)."""
    out = []
    for side in ("bids", "asks"):
        a = {p: q for p, q in book[side]}
        b = {p: q for p, q in truth[side]}
        extra = sorted(set(a) - set(b))[:5]
        missing = sorted(set(b) - set(a))[:5]
        wrong = [(p, a[p], b[p]) for p in sorted(set(a) & set(b)) if a[p] != b[p]][:5]
        if extra or missing or wrong:
            out.append(f"{side}: extra {extra} missing {missing} wrong (price, ours, truth) {wrong}")
    return "; ".join(out) or "equal"


async def assert_books_match(feed: FeedClient, sim: SimServer, markets: Iterable[str] | None = None,
                             timeout: float = 5.0) -> float:
    """Pause the sim and wait until each market's book equals the sim's truth (and is LIVE).

    Returns the seconds it took; fails with a per-side diff."""
    sim.pause()
    names = list(markets) if markets is not None else list(feed.markets)
    t0 = time.monotonic()
    while True:
        ok = all(feed.markets[m].book.as_dict() == sim.truth(m)
                 and feed.markets[m].status.state == "live" for m in names)
        if ok:
            return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            report = [f"{m} [{feed.markets[m].status.state}]: "
                      f"{book_diff(feed.markets[m].book.as_dict(), sim.truth(m))}" for m in names]
            pytest.fail(f"book != truth after {timeout:g} s: {' | '.join(report)} "
                        f"(link {feed.status.state}, last error {feed.status.last_error!r})")
        await asyncio.sleep(0.01)
