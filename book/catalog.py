"""The exchange's market list, built from `all_ticker.update` slices.

Each `all_ticker.update` push carries a slice of the active markets; over a few pushes the
slices add up to all of them (the live server's slicing is unknown: nothing here depends on
its size or order). A market not refreshed for `ttl` seconds is dropped (delisted, or the
channel went quiet). Pure: the caller passes the time, any monotonic clock in seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dfx_tui.book.ticker import Ticker

DEFAULT_TTL = 60.0  # seconds without a refresh before a market leaves the list
MAX_MARKETS = 10_000  # the live exchange lists well under 2 000; the rest is garbage
_SEPARATORS = str.maketrans({"/": "_", "-": "_", " ": "_", ":": "_"})


def normalize_query(query: str) -> str:
    """What the user typed, as a symbol fragment: "btc/usdt" -> "BTC_USDT"."""
    return query.strip().upper().translate(_SEPARATORS)


class MarketCatalog:
    """Markets with their latest tickers, ordered by 24 h quote volume on demand."""

    __slots__ = ("ttl", "max_markets", "_entries", "_sorted", "version", "overflow",
                 "last_update")

    def __init__(self, ttl: float = DEFAULT_TTL, max_markets: int = MAX_MARKETS) -> None:
        self.ttl = ttl
        self.max_markets = max_markets
        # symbol -> (ticker, when last refreshed); kept in refresh order (oldest first) so
        # expiry only looks at the front.
        self._entries: dict[str, tuple[Ticker, float]] = {}
        self._sorted: list[Ticker] | None = None
        self.version = 0  # bumps on every change of the list or of a figure
        self.overflow = 0  # new symbols refused because the catalogue was full
        self.last_update: float | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._entries

    def __iter__(self) -> Iterator[Ticker]:
        return iter(self.by_volume())

    def get(self, symbol: str) -> Ticker | None:
        entry = self._entries.get(symbol.upper())
        return entry[0] if entry else None

    def update(self, tickers: Iterable[Ticker], now: float) -> int:
        """Add or refresh markets from one slice; return how many were new. A ticker older
        (by exchange timestamp) than the one held refreshes the market but not its figures."""
        self.expire(now)
        entries = self._entries
        new = 0
        for ticker in tickers:
            held = entries.pop(ticker.symbol, None)
            if held is None:
                if len(entries) >= self.max_markets:
                    self.overflow += 1
                    continue
                new += 1
            elif (held[0].timestamp_ms is not None and ticker.timestamp_ms is not None
                  and ticker.timestamp_ms < held[0].timestamp_ms):
                ticker = held[0]
            entries[ticker.symbol] = (ticker, now)  # re-inserted: now the newest
        self._sorted = None
        self.version += 1
        self.last_update = now
        return new

    def expire(self, now: float) -> int:
        """Drop markets not refreshed since `now - ttl`; return how many."""
        cutoff = now - self.ttl
        stale: list[str] = []
        for symbol, (_, seen) in self._entries.items():
            if seen >= cutoff:
                break
            stale.append(symbol)
        for symbol in stale:
            del self._entries[symbol]
        if stale:
            self._sorted = None
            self.version += 1
        return len(stale)

    def by_volume(self, now: float | None = None) -> list[Ticker]:
        """Every market, highest 24 h quote volume first (ties by symbol); a missing volume
        counts as 0. `now` expires stale markets first."""
        if now is not None:
            self.expire(now)
        if self._sorted is None:
            self._sorted = sorted((t for t, _ in self._entries.values()),
                                  key=lambda t: (-t.quote_volume_value, t.symbol))
        return list(self._sorted)

    def search(self, query: str, limit: int = 20, now: float | None = None) -> list[Ticker]:
        """Markets whose symbol contains the query (so a prefix or part of the base or the
        quote matches: "eth", "usdt", "btc/u"), highest quote volume first; an exact symbol or
        base comes before the other matches. An empty query lists by volume."""
        if limit <= 0:
            return []
        ranked = self.by_volume(now)
        q = normalize_query(query)
        if not q:
            return ranked[:limit]
        exact: list[Ticker] = []
        partial: list[Ticker] = []
        for t in ranked:
            if q == t.symbol or q == t.base:
                exact.append(t)
            elif q in t.symbol:
                partial.append(t)
        return (exact + partial)[:limit]
