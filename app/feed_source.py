"""What the app needs of a feed (`FeedSource`), and a fixed one for tests and pictures.

`FeedClient` is the real source. `FixedFeed` holds markets filled beforehand (`seeded_market`:
the simulator's model with a fixed seed and fixed times), so tests, snapshots, screenshots and
benchmarks show the same books on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from dfx_tui.book.state import ConnectionStatus, LinkState, Market, MarketState
from dfx_tui.book.tape import Trade


class FeedSource(Protocol):
    """What `DfxApp` uses of a feed: `FeedClient`, or `FixedFeed`."""

    markets: dict[str, Market]
    status: ConnectionStatus

    def add_market(self, name: str) -> Market: ...
    def remove_market(self, name: str) -> None: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


class FixedFeed:
    """A feed over markets filled beforehand: no I/O, nothing changes unless a test says so.

    `new_market(name)` makes the markets added later (the `a` key, the command palette);
    by default they are empty.
    """

    def __init__(self, markets: Iterable[Market], status: ConnectionStatus | None = None,
                 new_market: Callable[[str], Market] = Market) -> None:
        self.markets: dict[str, Market] = {m.name: m for m in markets}
        self.status = status or ConnectionStatus(url="fixed://", state=LinkState.LIVE)
        self.new_market = new_market
        self.removed: list[str] = []

    def add_market(self, name: str) -> Market:
        if name not in self.markets:
            self.markets[name] = self.new_market(name)
        return self.markets[name]

    def remove_market(self, name: str) -> None:
        self.markets.pop(name, None)
        self.removed.append(name)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


def seeded_market(name: str, seed: int = 7, *, steps: int = 200, t0: float = 1_750_000_000.0,
                  state: MarketState = MarketState.LIVE) -> Market:
    """A market filled from the simulator's model with a fixed seed and fixed times."""
    from dfx_tui.app.sim.market import MarketModel, spec_for

    model = MarketModel(spec_for(name), seed, now=t0)
    for i in range(steps):
        model.step(t0 + i * 0.05)
    market = Market(name.upper())
    wire = model.snapshot_wire()
    market.book.apply_snapshot(wire["asks"], wire["bids"])
    market.tape.apply(True, [Trade.from_wire(dict(t)) for t in model.trades_recent])
    market.status.state = state
    return market
