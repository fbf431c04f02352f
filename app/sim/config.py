"""How a simulator runs: its markets, rates, protocol choices and faults."""

from __future__ import annotations

from dataclasses import dataclass, field

from dfx_tui.app.sim.faults import Faults


@dataclass(frozen=True)
class SimConfig:
    markets: tuple[str, ...] = ("BTC_USDT", "ETH_USDT", "XRP_USDT", "SHIB_USDT")
    seed: int = 0
    rate: float = 20.0  # depth messages per second per market
    subscribe_mode: str = "replace"  # or "add"
    idle_timeout: float = 60.0  # close a connection silent this long (0 = never)
    snapshot_interval: float = 60.0  # a fresh clean=true depth this often (0 = never)
    trade_rate: float = 2.0  # trades per second per market (on average)
    faults: Faults = field(default_factory=Faults)
    levels: int = 50  # levels per side, about
    tick_hz: float = 100.0  # market clock; each tick sends rate/tick_hz messages
    max_buffer: int = 64 << 20  # bytes queued to one client before it is dropped as slow
    ticker_interval: float = 1.0  # seconds between ticker/all_ticker pushes (tests go faster)

    def __post_init__(self) -> None:
        if self.subscribe_mode not in ("replace", "add"):
            raise ValueError(f"subscribe_mode must be replace or add, not {self.subscribe_mode!r}")
        if not self.markets:
            raise ValueError("at least one market")
        object.__setattr__(self, "markets", tuple(m.upper() for m in self.markets))
