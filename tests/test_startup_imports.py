"""Cold start (issue 11): what the first drawn book does not need is not imported before it.

The alert engine, export, the replay and recorder modules, the dialogs and the two charts are
imported when first used; each was measured milliseconds of every start (see the commits).
A fresh interpreter parses `--demo` as the command line does, runs the real app headless with
its in-process simulator on loopback until the book is drawn, and lists what got imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DEFERRED = (
    "dfx_tui.app.export", "dfx_tui.app.feed.headless", "dfx_tui.app.feed.recorder",
    "dfx_tui.app.feed.replay", "dfx_tui.app.feed.replay_control",
    "dfx_tui.app.feed.replay_index", "dfx_tui.app.alert_specs", "dfx_tui.book.alerts",
    "dfx_tui.widgets.alerts_screen", "dfx_tui.widgets.add_market",
    "dfx_tui.widgets.confirm_quit", "dfx_tui.widgets.heatmap", "dfx_tui.widgets.depth_chart",
    "tomllib", "statistics",
    # websockets imports these; app/deferred_modules.py leaves them to their first use.
    "importlib.metadata._meta", "email.message", "zipfile", "http.client", "urllib.response",
)

_RUN_TO_FIRST_BOOK = """
import asyncio, json, sys
from dfx_tui.app.cli import build_parser, config_from_args, prepare_ui
prepare_ui()  # as cli.main does before it imports the UI
from dfx_tui.app.tui import DfxApp

async def main() -> None:
    app = DfxApp(config_from_args(build_parser().parse_args(["--demo"])))
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.active_pane()
        for _ in range(500):
            await pilot.pause(0.02)
            if pane.market.book.has_snapshot and "spread " in "".join(
                    strip.text for strip in pane.ladder.render_lines(pane.ladder.region)):
                break
        drawn = pane.market.book.has_snapshot
    print(json.dumps({"drawn": drawn, "modules": sorted(sys.modules)}))

asyncio.run(main())
"""


def test_the_first_book_is_drawn_without_the_deferred_modules(tmp_path: Path) -> None:
    # An empty config home: a config file of the machine's would rightly import tomllib.
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path))
    env.pop("DFX_TUI_CONFIG", None)
    out = subprocess.run([sys.executable, "-c", _RUN_TO_FIRST_BOOK], capture_output=True,
                         text=True, timeout=60, check=True, env=env)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["drawn"] is True
    loaded = set(result["modules"])
    # It really ran the app on the simulator (an empty list would pass vacuously).
    assert {"dfx_tui.widgets.ladder", "dfx_tui.app.sim.server", "dfx_tui.app.feed.client",
            "dfx_tui.app.settings"} <= loaded
    assert sorted(loaded & set(DEFERRED)) == []


_USE_DEFERRED = """
import json, sys
from dfx_tui.app.deferred_modules import defer_modules
deferred = defer_modules()
import websockets.asyncio.client, websockets.asyncio.server
from websockets.proxy import get_proxy
from websockets.uri import parse_uri
loaded_before_use = "zipfile" in sys.modules or "http.client" in sys.modules
proxy = get_proxy(parse_uri("wss://openapi.digifinex.com/ws/v1/"))  # a live feed's look-up
from importlib.metadata import version
import urllib.request
print(json.dumps({"deferred": deferred, "loaded_before_use": loaded_before_use,
                  "proxy": proxy, "version": version("websockets"),
                  "opener": urllib.request.build_opener().__class__.__name__}))
"""


def test_a_deferred_module_works_at_its_first_use() -> None:
    import websockets

    env = dict(os.environ, https_proxy="http://proxy.example:3128")
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    out = subprocess.run([sys.executable, "-c", _USE_DEFERRED], capture_output=True,
                         text=True, timeout=60, check=True, env=env)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"deferred": ["importlib.metadata", "urllib.request"],
                      "loaded_before_use": False, "proxy": "http://proxy.example:3128",
                      "version": websockets.__version__, "opener": "OpenerDirector"}
