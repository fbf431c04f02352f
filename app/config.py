"""Run-time options of dfx-tui, shared by the CLI, the feed client and the Textual app."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from dfx_tui.widgets.trader_settings import TraderSettings

if TYPE_CHECKING:  # the alert engine is imported only once an alert exists (cold start)
    from dfx_tui.book.alerts import AlertSpec

DEFAULT_URL = "wss://openapi.digifinex.com/ws/v1/"
CN_URL = "wss://openapi.digifinex.vip/ws/v1/"
DEFAULT_MARKETS = ("BTC_USDT",)


@dataclass(slots=True)
class AppConfig:
    markets: list[str] = field(default_factory=lambda: list(DEFAULT_MARKETS))  # uppercase
    url: str = DEFAULT_URL
    demo: bool = False  # start dfx-sim in-process on a free loopback port and use it
    demo_seed: int = 7
    demo_rate: float = 20.0  # depth messages per second per market in the demo
    fps: float = 10.0  # repaint clock of the widgets
    record: str | None = None  # record every received frame to this file (.gz: gzip)
    replay: str | None = None  # feed a recording instead of the network
    speed: float = 1.0  # replay speed; 0 = as fast as possible
    replay_loop: bool = False  # --loop: a replay starts again at its end
    ping_interval: float = 20.0
    pong_timeout: float = 10.0
    stale_after: float = 15.0  # no frame for this long: the link is stale, reconnect
    request_timeout: float = 8.0
    snapshot_timeout: float = 10.0
    big_trade: float | None = None  # tape highlight threshold in base units (None: automatic)
    min_trade: float | None = None  # tape hides trades smaller than this (None: show all)
    theme: str | None = None  # a Textual theme name (None: the default)
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> keys, from the file
    # The trader's ladder and tape: windows, bands, thresholds, per-market sizes ([ladder],
    # [tape] and [market.NAME] in the config file). `big_trade`/`min_trade` above are the
    # older top-level spelling of the global tape sizes; `trader_settings()` folds them in.
    trader: TraderSettings = field(default_factory=TraderSettings)

    def trader_settings(self) -> TraderSettings:
        """`trader` with the top-level `big_trade` / `min_trade` as its global sizes when it
        sets none itself."""
        sizes = self.trader.sizes
        big, small = sizes.big_trade, sizes.min_trade
        if big is None and self.big_trade is not None:
            big = (Decimal(repr(self.big_trade)),)
        if small is None and self.min_trade:
            small = Decimal(repr(self.min_trade))
        if (big, small) == (sizes.big_trade, sizes.min_trade):
            return self.trader
        return self.trader._replace(sizes=sizes._replace(big_trade=big, min_trade=small))
    alerts: list[AlertSpec] = field(default_factory=list)  # [[alerts]] of the config file
    export_dir: str | None = None  # export and screenshot folder (None: the working directory)
