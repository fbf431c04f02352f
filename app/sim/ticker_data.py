"""The simulator's 24 h tickers: figures consistent with its own trades and books, and the odd
shapes `--ticker-garbage` sends instead.

A market's 24 h window is a made-up history before the simulator started (deterministic per
seed and market) plus every trade the simulator has made since, history trades included:
`open_24h` is the price at the start of the window, `high_24h`/`low_24h` bracket the history
and every trade, and the volumes add each trade's amount and amount x price. Figures are kept
in integer units (ticks, amount units) so the volumes are exact: between two pushes, a client
that received every trade in between sees the base volume grow by exactly their amounts.
The window never slides (a simulator run is far shorter than 24 h).
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Iterable
from typing import Any

from dfx_tui.app.sim.market import MarketModel, fmt_units

GARBAGE_KINDS = ("not_a_list", "missing_fields", "not_decimal", "huge", "mixed")


def omits_high(market: str) -> bool:
    """The live server sometimes leaves `high_24h` out: here, a fixed third of the markets
    (ETH_USDT, EOS_USDT and DFT_USDT of the catalogue), whatever the seed."""
    return zlib.crc32(market.encode()) % 3 == 0


def _units(text: str) -> int:
    """A fixed-precision decimal string of the simulator's own making, in integer units."""
    return int(text.replace(".", ""))


class DayStats:
    """One market's 24 h figures in integer units (price ticks, amount units)."""

    def __init__(self, model: MarketModel, seed: int | str) -> None:
        self.name = model.name
        self.price_dp = model.spec.price_dp
        self.amount_dp = model.spec.amount_dp
        self.omit_high = omits_high(model.name)
        rng = random.Random(f"{seed}:{model.name}:24h")  # its own: the model's sequence is intact
        history = list(model.trades_recent)  # newest first
        first = _units(history[-1]["price"]) if history else max(1, int(model.fair))
        self.open_tick = max(1, round(first * math.exp(rng.gauss(0.0, 0.04))))
        self.high_tick = math.ceil(max(self.open_tick, first) * (1 + abs(rng.gauss(0.0, 0.015))))
        self.low_tick = max(1, int(min(self.open_tick, first) * (1 - abs(rng.gauss(0.0, 0.015)))))
        self.base_units = int(model.spec.size * 10**self.amount_dp * rng.uniform(200, 2000))
        self.quote_units = self.base_units * ((self.open_tick + first) // 2)
        self.last_tick = first
        self.last_units = 0
        self.trades_seen = 0
        self.observe(history)

    def observe(self, trades: Iterable[dict[str, Any]]) -> None:
        """Add trades as the simulator sent them (wire dicts, newest first)."""
        newest: dict[str, Any] | None = None
        for trade in trades:
            tick, units = _units(trade["price"]), _units(trade["amount"])
            newest = newest or trade
            self.high_tick = max(self.high_tick, tick)
            self.low_tick = min(self.low_tick, tick)
            self.base_units += units
            self.quote_units += tick * units
            self.trades_seen += 1
        if newest is not None:
            self.last_tick = _units(newest["price"])
            self.last_units = _units(newest["amount"])

    def ticker(self, model: MarketModel, now_ms: int) -> dict[str, Any]:
        """The wire dict, keys in the captured frame's order; the book top from `model`."""
        pdp, adp = self.price_dp, self.amount_dp
        bid, ask = model.best_bid(), model.best_ask()
        out: dict[str, Any] = {
            "symbol": self.name,
            "open_24h": fmt_units(self.open_tick, pdp),
            "high_24h": fmt_units(self.high_tick, pdp),
            "low_24h": fmt_units(self.low_tick, pdp),
            "base_volume_24h": fmt_units(self.base_units, adp),
            "quote_volume_24h": fmt_units(self.quote_units, pdp + adp),
            "last": fmt_units(self.last_tick, pdp),
            "last_qty": fmt_units(self.last_units, adp),
            "best_bid": fmt_units(bid or 0, pdp),
            "best_bid_size": fmt_units(model.bids[bid] if bid is not None else 0, adp),
            "best_ask": fmt_units(ask or 0, pdp),
            "best_ask_size": fmt_units(model.asks[ask] if ask is not None else 0, adp),
            "timestamp": now_ms,
        }
        if self.omit_high:
            del out["high_24h"]
        return out


def garbage_params(kind: str, good: list[dict[str, Any]]) -> Any:
    """Odd `ticker.update`/`all_ticker.update` params of one kind, made from real tickers.

    Each kind is something a client must survive without losing more than the bad dicts:
    params that are not a list, dicts missing fields (and one valid sparse one), figures that
    are not plain decimal strings, numbers out of any range, and a list mixing good tickers
    with non-dicts and hostile symbols."""
    base = dict(good[0]) if good else {"symbol": "BTC_USDT", "last": "1", "timestamp": 0}

    def variant(**changes: Any) -> dict[str, Any]:
        out = dict(base)
        for key, value in changes.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = value
        return out

    if kind == "not_a_list":
        return base  # a dict where the list should be
    if kind == "missing_fields":
        return [variant(last=None), variant(symbol=None),
                {"symbol": base["symbol"], "last": base["last"]}]  # the last one is valid
    if kind == "not_decimal":
        return [variant(last="4,000.5"), variant(best_bid="abc"), variant(open_24h=" 1"),
                variant(low_24h=1.5), variant(best_ask="NaN"), variant(base_volume_24h="1_000"),
                variant(best_ask_size="-3")]
    if kind == "huge":
        return [variant(last="9" * 400), variant(quote_volume_24h="1e400"),
                variant(high_24h="1e35"), variant(timestamp=10**20), variant(last=10**40)]
    if kind == "mixed":
        return [*good, 42, "ticker", None, [], {"symbol": "\x1b[31mBTC_USDT", "last": "1"},
                variant(symbol="BTC_USD\u0422"), variant(symbol=["BTC", "USDT"])]
    raise ValueError(f"unknown garbage kind {kind!r}")
