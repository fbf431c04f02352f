"""CPU per paint of the real app, in-process: the app's paint (`on_clock`), then what Textual
does with it (the compositor's partial update and the terminal encoding of
`Screen._on_timer_update`), over a fixed stream of dfx-sim model steps on the shown market.

Headless, so no terminal and no other process: steadier than bench_app.py on a shared
machine, for A/B choices on the render path (issue 11). Prints one JSON object.

    python tests/benchmarks/bench_paint.py [--steps 1] [--paints 400] [--no-merge]
    python tests/benchmarks/bench_paint.py --action switch    # a tab switch before each paint
    python tests/benchmarks/bench_paint.py --action regroup   # a whole-ladder regroup instead

``--action`` is the in-process form of bench_app's ``tab_over_repaint_p99``: the cost of a
paint that follows a tab switch (BTC_USDT and ETH_USDT in turn), against one that follows a
regroup (coarser, then finer: the whole ladder redrawn on the same market).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import pstats
import sys
import time
from datetime import UTC
from typing import Any

from dfx_tui.app import screen_updates
from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed_source import FixedFeed, seeded_market
from dfx_tui.app.screen_updates import LinesUpdate, direct_lines
from dfx_tui.app.sim.market import MarketModel, spec_for
from dfx_tui.app.tui import DfxApp
from dfx_tui.book.tape import Trade

MARKETS = ("BTC_USDT", "ETH_USDT", "XRP_USDT", "SHIB_USDT")
T0 = 1_750_000_000.0


def make_stream(n: int, per_paint: int) -> tuple[dict[str, Any],
                                               list[tuple[Any, Any, list[Trade]]]]:
    """A snapshot and `n` steps (asks, bids, trades) of BTC_USDT, `per_paint` steps per 0.1 s
    of market time with 2 trades a second: what the shown market gets between two paints at
    10 fps in bench_app (1 step: ~40 msg/s over 4 markets; 125: 5,000 msg/s)."""
    rate = 10.0 * per_paint
    model = MarketModel(spec_for("BTC_USDT"), 7, now=T0, rate=rate, trade_rate=2.0)
    for i in range(200):
        model.step(T0 + i * 0.05)
    snap = model.snapshot_wire()
    steps = []
    for i in range(n):
        d = model.step(T0 + 10 + i / rate)
        steps.append((model.side_wire(d.asks), model.side_wire(d.bids),
                      [Trade.from_wire(dict(t)) for t in d.trades]))
    return snap, steps


async def run(steps_per_paint: int, paints: int, action: str = "none",
              profile: cProfile.Profile | None = None,
              compositor_only: bool = False, gap_ms: float = 0.0) -> dict[str, Any]:
    # The app writes its paint at once (app/screen_updates.py draw_now); here the compositor
    # and the encoding are timed apart, so the paint only marks its lines dirty.
    def mark_drawn(screen: Any) -> bool:  # what draw_now does first; the rest is timed below
        for widget in screen._compositor.visible_widgets:
            if widget._repaint_regions:
                widget._repaint_required = False
        return False

    screen_updates.draw_now = mark_drawn
    snap, steps = make_stream(steps_per_paint * paints, steps_per_paint)
    # The whole stream is made up front (37,500 steps at 125 a paint): out of the collector's
    # sight, or full collections walking it are charged to the paints (fixed_strip read 31 us
    # a call at 125 steps a paint against 6.5 at 1).
    gc.collect()
    gc.freeze()
    btc = seeded_market("BTC_USDT")
    btc.book.apply_snapshot(snap["asks"], snap["bids"])
    feed = FixedFeed([btc, *(seeded_market(m) for m in MARKETS[1:])])
    clock = [1000.0]
    # A fixed feed is polled at the fps: 0.001 fps keeps that clock out of the way.
    app = DfxApp(AppConfig(markets=list(MARKETS), fps=0.001), feed=feed,
                 clock=lambda: clock[0], tz=UTC, wall_clock=lambda: T0 + clock[0])
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.3)
        app.on_clock()
        await pilot.pause(0.1)
        screen, console = app.screen, app.console
        direct_bytes = [0]  # what direct_lines hands the (headless) display

        def display(_screen: Any, update: Any) -> None:
            if isinstance(update, LinesUpdate):
                direct_bytes[0] += len(update.data)

        app._display = display  # type: ignore[method-assign]
        compositor = screen._compositor
        paint = compose = encode = 0.0
        total_bytes = 0
        stream = iter(steps)
        shown = ("ETH_USDT", "BTC_USDT")
        for i in range(paints):
            for _ in range(steps_per_paint):
                asks, bids, trades = next(stream)
                btc.book.apply_update(asks or None, bids or None)
                if trades:
                    btc.tape.apply(False, trades)
            clock[0] += 0.1
            feed.status.last_message_at = clock[0] - 0.01
            if gap_ms:
                time.sleep(gap_ms / 1000)  # untimed: the machine cools as between the app's paints
            if profile is not None:
                profile.enable()
            c0 = time.process_time()
            if action == "switch":
                screen.show(shown[i % 2])
            elif action == "regroup":
                screen.action_group(1 if i % 2 == 0 else -1)
            app.on_clock()
            c1 = time.process_time()
            dirty = [w for w in compositor.visible_widgets if w._repaint_regions]
            if not compositor_only:  # as the app does: its own lines past the compositor
                dirty = direct_lines(screen, dirty)
            compositor.update_widgets(set(dirty) | set(screen._dirty_widgets))
            screen._dirty_widgets.clear()
            update = compositor.render_update(screen_stack=app._background_screens)
            c2 = time.process_time()
            if update is not None:
                total_bytes += len(update.render_segments(console))
            c3 = time.process_time()
            if profile is not None:
                profile.disable()
            paint, compose, encode = paint + c1 - c0, compose + c2 - c1, encode + c3 - c2
    return {"paint_ms": round(paint / paints * 1e3, 3),
            "compose_ms": round(compose / paints * 1e3, 3),
            "encode_ms": round(encode / paints * 1e3, 3),
            "total_ms": round((paint + compose + encode) / paints * 1e3, 3),
            "bytes_per_paint": (total_bytes + direct_bytes[0]) // paints}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1, help="model steps between paints")
    ap.add_argument("--paints", type=int, default=400)
    ap.add_argument("--action", choices=("none", "switch", "regroup"), default="none",
                    help="before each paint: nothing, a tab switch, or a regroup")
    ap.add_argument("--no-merge", action="store_true",
                    help="strips as built, adjacent same-look segments not joined")
    ap.add_argument("--compositor-only", action="store_true",
                    help="every changed line through Textual's compositor (the app before "
                         "app/screen_updates.direct_lines)")
    ap.add_argument("--gap-ms", type=float, default=0.0,
                    help="sleep this long before each paint (untimed), as the app waits "
                         "between paints: its paint then costs ~2.4x the back-to-back one")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="cProfile the timed part; print its top N functions by own time "
                         "to stderr (the timings then include the profiler's cost)")
    args = ap.parse_args()
    if args.no_merge:
        import dfx_tui.widgets.strip_view as strip_view

        strip_view.merge_segments = list  # type: ignore[assignment]
    profile = cProfile.Profile() if args.profile else None
    out = asyncio.run(run(args.steps, args.paints, args.action, profile,
                          args.compositor_only, args.gap_ms))
    if profile is not None:
        pstats.Stats(profile, stream=sys.stderr).sort_stats(__import__("os").environ.get("PROFILE_SORT", "tottime")).print_stats(args.profile)
    print(json.dumps({"steps_per_paint": args.steps, "action": args.action,
                      "direct": not args.compositor_only, "gap_ms": args.gap_ms,
                      "merge": not args.no_merge, **out}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
