"""The app side of bench_views: the real DfxApp and FeedClient on a real socket, in a terminal.

Reports on ``--out-fd`` (one JSON object a line): ``ready`` once the visible market has its
book (the orchestrator then presses keys in the terminal), and at the end a ``report``.

With ``--alert-latency`` every market gets a trade alert (any size, 1 s cool-down) and the
probe times each notification from the arrival of the frame that carried the trade:
``FeedClient.handle_frame`` stamps the first frame since the last clock tick that changed a
market's tape; the alert's notification is stamped in ``AlertWatcher.notify``; the toast is
on screen at the first screen update (``App._display``) after it mounted.

    python tests/benchmarks/views_probe.py --url URL --markets A,B --seconds S --out-fd N
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from typing import Any

mono = time.monotonic


async def run(args: argparse.Namespace) -> None:
    from textual.widgets._toast import Toast

    from dfx_tui.app.config import AppConfig
    from dfx_tui.app.feed.client import FeedClient
    from dfx_tui.app.tui import DfxApp
    from dfx_tui.book.alerts import AlertSpec

    markets = [m.upper() for m in args.markets.split(",")]
    alerts = [AlertSpec.trade(m, 1e-9, cooldown=1.0) for m in markets] \
        if args.alert_latency else []
    config = AppConfig(markets=markets, url=args.url, fps=args.fps, alerts=alerts)
    feed = FeedClient(config)
    app = DfxApp(config, feed=feed)
    feed.on_notice = app._on_feed_notice
    out = os.fdopen(args.out_fd, "w")

    def send(obj: dict[str, Any]) -> None:
        out.write(json.dumps(obj) + "\n")
        out.flush()

    pending: dict[str, float] = {}  # market -> arrival of the first trade frame this tick
    samples: list[list[float | None]] = []  # [arrived, notified, shown]
    mounted = [0.0]
    handle = feed.handle_frame

    def handle_frame(data: Any, received_at: float) -> None:
        before = {n: m.tape.version for n, m in feed.markets.items()}
        handle(data, received_at)
        for name, market in feed.markets.items():
            if market.tape.version != before.get(name) and name not in pending:
                pending[name] = received_at

    feed.handle_frame = handle_frame  # type: ignore[method-assign]
    observe = app.observe_markets
    watcher = app.alert_watcher
    notify = watcher.notify

    def observe_markets(*args: Any) -> Any:
        due = observe(*args)
        pending.clear()  # trades that fired nothing (a cool-down) are not waited for
        return due

    def timed_notify(target: Any, fired: Any) -> None:
        notify(target, fired)
        now = mono()
        for market in {f.spec.market for f in fired}:
            if market in pending:
                samples.append([pending[market], now, None])

    app.observe_markets = observe_markets  # type: ignore[method-assign]
    watcher.notify = timed_notify  # type: ignore[method-assign]
    toast_mount = Toast._on_mount

    def on_mount(self: Any, event: Any) -> None:
        mounted[0] = mono()
        toast_mount(self, event)

    Toast._on_mount = on_mount  # type: ignore[method-assign]
    display = app._display

    def _display(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        now = mono()
        for sample in samples[-8:]:
            notified = sample[1]
            if sample[2] is None and notified is not None and mounted[0] >= notified:
                sample[2] = now

    app._display = _display  # type: ignore[method-assign]

    async def lifecycle() -> None:
        while True:
            await asyncio.sleep(0.05)
            pane = app.active_pane() if app.screen_stack else None
            if pane is not None and pane.market.book.has_snapshot:
                break
        send({"ev": "ready", "t": mono()})
        await asyncio.sleep(args.seconds)
        pane = app.active_pane()
        send({"ev": "report", "body": pane.view.body if pane else None,
              "seconds": pane.view.heatmap_seconds if pane else None,
              "messages": feed.status.messages, "alerts_fired": watcher.fired_count,
              "samples": samples})
        app.exit()

    task = asyncio.create_task(lifecycle())
    try:
        await app.run_async()
    finally:
        task.cancel()
        send({"ev": "exit"})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--markets", required=True, help="comma-separated")
    ap.add_argument("--fps", type=float, default=10.0)
    ap.add_argument("--seconds", type=float, required=True, help="run this long once ready")
    ap.add_argument("--out-fd", type=int, required=True)
    ap.add_argument("--alert-latency", action="store_true")
    asyncio.run(run(ap.parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
