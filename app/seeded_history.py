"""A market with minutes of history behind it, for the heatmap's tests and pictures.

`seeded_market` (feed_source.py) is one instant; the heatmap and the sparkline need time.
`seeded_history` runs the simulator's model with a fixed seed over a fake clock, applies every
step to a `Market` as the feed would, and has the market's analytics observe it as the app's
clock does (`observe` every step), with gaps where asked: the same history on every run.
"""

from __future__ import annotations

from collections.abc import Sequence

from dfx_tui.book.state import Market, MarketState
from dfx_tui.book.tape import Trade

HISTORY_END = 1_750_000_010.0  # tests.support.apps.WALL_T0: the frozen wall clock


def seeded_history(name: str, seed: int = 7, *, minutes: float = 15.0, rate: float = 4.0,
                   trade_rate: float = 0.6, end: float = HISTORY_END,
                   gaps: Sequence[tuple[float, float]] = ()) -> Market:
    """`name` after `minutes` of the model at `rate` steps a second, ending at `end`.

    `gaps`: (start, end) times, in the same clock, when the book is not live (as during a
    reconnect): the histories record gaps there.
    """
    from dfx_tui.app.sim.market import MarketModel, spec_for

    start = end - minutes * 60
    model = MarketModel(spec_for(name), seed, rate=rate, trade_rate=trade_rate, now=start)
    market = Market(name.upper())
    wire = model.snapshot_wire()
    market.book.apply_snapshot(wire["asks"], wire["bids"])
    market.tape.apply(True, [Trade.from_wire(dict(t)) for t in model.trades_recent])
    steps = int(minutes * 60 * rate)
    for i in range(steps + 1):
        t = start + i / rate
        delta = model.step(t)
        market.book.apply_update(model.side_wire(delta.asks) or None,
                                 model.side_wire(delta.bids) or None)
        if delta.trades:
            market.tape.apply(False, [Trade.from_wire(dict(tr)) for tr in delta.trades])
        live = not any(a <= t < b for a, b in gaps)
        market.analytics.observe(market.book, market.tape, live, t)
    market.status.state = MarketState.LIVE
    return market
