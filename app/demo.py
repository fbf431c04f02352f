"""The offline demo: the built-in exchange simulator, started the same way for the UI and
for `--once`. Imports nothing of Textual (the headless mode must not)."""

from __future__ import annotations

from dfx_tui.app.config import AppConfig
from dfx_tui.app.sim.market import CATALOG
from dfx_tui.app.sim.server import SimConfig, SimServer


async def start_demo_sim(config: AppConfig) -> SimServer:
    """Start the simulator on a free loopback port and point `config.url` at it.

    It serves the configured markets and the whole catalogue, so any catalogue market can be
    added later (`sim.markets` are the names worth suggesting). The caller stops it.
    """
    markets = tuple(dict.fromkeys([*config.markets, *CATALOG]))
    sim = SimServer(SimConfig(markets=markets, seed=config.demo_seed, rate=config.demo_rate),
                    host="127.0.0.1", port=0)
    await sim.start()
    config.url = sim.url
    return sim
