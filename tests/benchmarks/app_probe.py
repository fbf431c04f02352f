"""The app side of bench_app: the real DfxApp, real FeedClient, real socket, instrumented.

Run by bench_app.py in a pseudo-terminal, so the driver `dfx-tui` ships (app/terminal.py, with
pictures never held) encodes and writes every frame (the headless driver skips that work). Instrumentation wraps instance attributes only,
so nothing of the app changes:

- ``FeedClient.handle_frame``: counts frames and stamps the first change of the visible
  market's book that no drawn frame shows yet (frame index and arrival time);
- ``LadderView.repaint`` / ``refresh`` / ``render_line(s)`` / ``own_lines`` and ``App._display``: a ladder
  repaint that shows the stamped change (it refreshed some line), followed by a screen
  update in which the ladder's lines were rendered, is "drawn"; the sample is (drawn at,
  frame index, arrival time);
- a tab switch (the screen's ``current_market()`` changed) is drawn at the first screen update
  that renders the shown ladder with the new market's current book version; reported at once.
  The shown ladder is ``app.active_pane().ladder``: one per market with a tabbed view, or the
  one market view whose book is swapped, so the probe measures either;
- a regroup (the visible ladder built with another ``group_index``, e.g. after ``+``/``-``) is
  drawn at the next screen update that renders the ladder; reported at once ("ordinary
  repaint": a key that redraws the whole ladder without switching tabs);
- ``App.on_clock``: a clock tick whose ladder repaint changed some line is drawn at the next
  screen update that renders the ladder; the sample is (drawn at - tick start).

Between ``mark`` and ``report`` a watchdog task wakes every ``LAG_PERIOD_S`` and records how
late it woke (the event loop was busy, or the process was not running) with the main
thread's CPU share over that interval (near 1: the app's own work held the loop; near 0: the
machine did not run the app); garbage collections are timed by ``gc.callbacks``. Both tell a
tail latency of the app from one of a shared machine.

For A/B runs, two environment variables: ``DFX_BENCH_DRIVER=textual`` runs Textual's stock
driver instead, ``DFX_LAG_PERIOD`` sets the watchdog's period in seconds (default 0.5).

Control: commands arrive one per line on ``--cmd-fd`` (mark, report, status, quit); results
go out as one JSON object per line on ``--out-fd``. All times are ``time.monotonic()``, which
is one clock for every process on Linux, so the orchestrator can subtract its own stamps.

    python tests/benchmarks/app_probe.py --url URL --markets A,B --cmd-fd N --out-fd M
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import time
from typing import Any

mono = time.monotonic
NEVER_HOLD_S = 3600.0
# Each wake-up of the app's sleeping loop costs it ~0.2 ms of CPU on the 2-core machine
# (`asyncio.sleep(0.01)` in a loop: 161-189 us a turn), so the watchdog is part of what it
# measures: at 20 wake-ups a second it added 0.004-0.006 core to the app at 50 msg/s (3
# interleaved pairs: 0.039 against 0.033 median), a sixth of the app. Twice a second.
LAG_PERIOD_S = float(os.environ.get("DFX_LAG_PERIOD", "0.5"))


class Probe:
    def __init__(self, app: Any, feed: Any, out: Any) -> None:
        self.app = app
        self.feed = feed
        self.out = out
        self.ladders: dict[str, Any] = {}  # pane id -> LadderView
        # (id(ladder), id(book)) -> version of that book the ladder last built
        self.painted_version: dict[tuple[int, int], int] = {}
        self.active = ""
        self.vis_ladder: Any = None
        self.vis_book: Any = None
        self.frames = 0  # frames handled on this connection (the sim counts the same)
        self.first_unpainted: tuple[int, float] | None = None  # (frame index, arrived at)
        self.painting: tuple[int, float] | None = None  # built, not yet on screen
        self.rendered = False  # the visible ladder rendered lines since the last update
        self.switch: dict[str, Any] | None = None
        self.groups: dict[int, Any] = {}  # id(ladder) -> group_index last built
        self.regroup = False  # the visible ladder was built with a new grouping, not drawn yet
        self.regroup_built: tuple[float, float] | None = None  # (key handled at, built at)
        self.acted_at = 0.0  # when the last grouping key reached its action
        self.tick_t: float | None = None  # start of the clock tick now running
        self.clock_paint: float | None = None  # tick start of a built, undrawn ladder change
        self.ready_sent = False
        self._buf = b""
        self._gc_t: float | None = None
        self._watch: asyncio.Task[None] | None = None
        self.reset()

    def reset(self) -> None:
        self.mark_t = mono()
        self.mark_frames = self.frames
        self.displays = 0
        self.ladder_draws = 0
        self.samples: list[tuple[float, int, float]] = []
        self.clock_samples: list[float] = []
        self.repaints0 = sum(lad.repaints for lad in self.ladders.values())
        self.lags: list[tuple[float, float]] = []  # (late by s, main-thread CPU share)
        self.gc_pauses: list[tuple[int, float]] = []  # (generation, seconds)
        self.paint_cpu = 0.0  # main-thread CPU seconds inside the paint (on_clock)
        self.observe_cpu = 0.0  # of which in observe_markets (the histories, all markets)
        self.build_cpu = 0.0  # of which in the markets screen's tick (the widgets' builds)
        self.main_cpu0 = time.thread_time()  # the loop's thread (the probe runs on it)

    async def watch_loop(self) -> None:
        while True:
            t0, c0 = mono(), time.thread_time()
            await asyncio.sleep(LAG_PERIOD_S)
            t1, c1 = mono(), time.thread_time()
            self.lags.append((t1 - t0 - LAG_PERIOD_S, (c1 - c0) / (t1 - t0)))

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_t = mono()
        elif self._gc_t is not None:
            self.gc_pauses.append((info.get("generation", -1), mono() - self._gc_t))
            self._gc_t = None

    def loop_figures(self) -> dict[str, Any]:
        lags = sorted(self.lags)
        worst = lags[-1] if lags else (0.0, 0.0)
        pauses = [p for _, p in self.gc_pauses]
        return {
            "loop_lag_ms_p99": lags[int(0.99 * (len(lags) - 1))][0] * 1000 if lags else None,
            "loop_lag_ms_max": worst[0] * 1000,
            "loop_lag_max_cpu_share": worst[1],
            "gc_ms_max": max(pauses, default=0.0) * 1000,
            "gc_ms_total": sum(pauses) * 1000,
            "gc_full": sum(1 for g, _ in self.gc_pauses if g == 2),
            "gc_ms_by_generation": [sum(p for g, p in self.gc_pauses if g == gen) * 1000
                                    for gen in range(3)],
            "gc_count_by_generation": [sum(1 for g, _ in self.gc_pauses if g == gen)
                                       for gen in range(3)],
        }

    def send(self, obj: dict[str, Any]) -> None:
        self.out.write(json.dumps(obj) + "\n")
        self.out.flush()

    # ------------------------------------------------------------ instrumentation
    def install(self) -> None:
        feed, app = self.feed, self.app
        handle = feed.handle_frame

        def handle_frame(data: Any, received_at: float) -> None:
            book = self.vis_book
            if book is None:
                handle(data, received_at)
                self.frames += 1
                return
            version = book.version
            handle(data, received_at)
            self.frames += 1
            if book.version != version and self.first_unpainted is None:
                self.first_unpainted = (self.frames, received_at)

        feed.handle_frame = handle_frame

        make_pane = app._make_pane

        def _make_pane(market: Any) -> Any:
            pane = make_pane(market)
            self._wrap_ladder(market.name, pane.ladder)
            return pane

        app._make_pane = _make_pane

        display = app._display

        def _display(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None:
                self.on_display()

        app._display = _display

        on_clock = app.on_clock

        def wrapped_on_clock() -> None:
            self.tick_t = mono()
            c0 = time.thread_time()
            try:
                on_clock()
            finally:
                self.tick_t = None
                self.paint_cpu += time.thread_time() - c0

        app.on_clock = wrapped_on_clock  # before on_mount, which hands it to set_interval

        # The paint's parts: the histories of every market, the widgets' builds (the rest,
        # draw_now, is Textual composing and encoding the changed lines).
        observe = app.observe_markets

        def timed_observe(shown: Any = None) -> Any:
            c0 = time.thread_time()
            try:
                return observe(shown)
            finally:
                self.observe_cpu += time.thread_time() - c0

        app.observe_markets = timed_observe

        from dfx_tui.app.markets_screen import MarketsScreen

        # The grouping keys are the markets screen's actions, looked up on it by name when
        # a key arrives: wrapped on the class.
        action_group = MarketsScreen.action_group

        def wrapped_action_group(screen: Any, delta: int) -> None:
            self.acted_at = mono()
            action_group(screen, delta)

        MarketsScreen.action_group = wrapped_action_group  # type: ignore[method-assign]
        screen_tick = MarketsScreen.tick

        def timed_tick(screen: Any, *args: Any, **kwargs: Any) -> None:
            c0 = time.thread_time()
            try:
                screen_tick(screen, *args, **kwargs)
            finally:
                self.build_cpu += time.thread_time() - c0

        MarketsScreen.tick = timed_tick  # type: ignore[method-assign]

    def _wrap_ladder(self, market: str, ladder: Any) -> None:
        from dfx_tui.app.markets_screen import pane_id

        self.ladders[pane_id(market)] = ladder
        repaint, render_line, refresh = ladder.repaint, ladder.render_line, ladder.refresh
        refresh_lines = ladder.refresh_lines
        refreshed = [False]

        def wrapped_refresh(*args: Any, **kwargs: Any) -> Any:
            refreshed[0] = True
            return refresh(*args, **kwargs)

        def wrapped_refresh_lines(*regions: Any) -> Any:  # a paint's changed lines
            refreshed[0] = True
            return refresh_lines(*regions)

        def wrapped_repaint(now: float) -> None:
            self.check_active()
            refreshed[0] = False
            repaint(now)
            self.painted_version[(id(ladder), id(ladder.book))] = ladder.book.version
            group = getattr(ladder, "group_index", None)
            regrouped = self.groups.get(id(ladder), group) != group
            self.groups[id(ladder)] = group
            if ladder is self.vis_ladder:
                if regrouped and self.switch is None:
                    self.regroup = True
                    self.regroup_built = (self.acted_at, mono())
                elif (refreshed[0] and self.tick_t is not None and self.switch is None
                      and self.clock_paint is None):
                    self.clock_paint = self.tick_t
                if self.first_unpainted is not None:
                    # A change that altered no line (e.g. below the shown depth) is on
                    # screen as soon as it is applied: no sample.
                    if self.painting is None and refreshed[0]:
                        self.painting = self.first_unpainted
                    self.first_unpainted = None
                if self.switch is not None:
                    self.switch["built"] = True

        def wrapped_render_line(y: int) -> Any:
            if ladder is self.vis_ladder:
                self.rendered = True
            return render_line(y)

        render_lines = ladder.render_lines

        def wrapped_render_lines(crop: Any) -> Any:  # the compositor's call (StripView)
            if ladder is self.vis_ladder:
                self.rendered = True
            return render_lines(crop)

        own_lines = ladder.own_lines

        def wrapped_own_lines(ys: Any, size: Any) -> Any:  # app/screen_updates.direct_lines
            if ladder is self.vis_ladder:
                self.rendered = True
            return own_lines(ys, size)

        ladder.repaint = wrapped_repaint
        ladder.render_line = wrapped_render_line
        ladder.render_lines = wrapped_render_lines
        ladder.own_lines = wrapped_own_lines
        ladder.refresh = wrapped_refresh
        ladder.refresh_lines = wrapped_refresh_lines

    def check_active(self) -> None:
        try:
            active = self.app.markets_screen.current_market()
            pane = self.app.active_pane()
        except Exception:
            return
        if not active or pane is None or active == self.active:
            return
        self.active = active
        self.vis_ladder = pane.ladder
        self.vis_book = pane.ladder.book
        self.first_unpainted = self.painting = None
        self.regroup, self.clock_paint = False, None
        self.rendered = False
        self.switch = {"to": active, "seen": mono(), "built": False}

    def on_display(self) -> None:
        now = mono()
        self.check_active()
        self.displays += 1
        if not self.rendered:
            return
        self.rendered = False
        self.ladder_draws += 1
        if self.painting is not None:
            self.samples.append((now, *self.painting))
            self.painting = None
        if self.clock_paint is not None:
            self.clock_samples.append(now - self.clock_paint)
            self.clock_paint = None
        if self.regroup:
            self.regroup = False
            if self.ready_sent:
                acted, built = self.regroup_built or (now, now)
                self.send({"ev": "regroup", "acted": acted, "built": built, "drawn": now})
        sw, ladder = self.switch, self.vis_ladder
        if sw is not None and ladder is not None and (
                sw["built"] or self.painted_version.get((id(ladder), id(ladder.book)))
                == ladder.book.version):
            self.switch = None
            if self.ready_sent:
                self.send({"ev": "tab", "to": sw["to"], "seen": sw["seen"], "drawn": now})

    # ------------------------------------------------------------ control
    async def wait_ready(self) -> None:
        while True:
            await asyncio.sleep(0.02)
            ladder = self.vis_ladder
            if (self.feed.ready() and ladder is not None and ladder.book.has_snapshot
                    and self.painted_version.get((id(ladder), id(ladder.book))) is not None
                    and self.switch is None and self.feed._ws is not None):
                break
        ws = self.feed._ws
        self.ready_sent = True
        self.send({"ev": "ready", "port": ws.local_address[1], "t": mono()})

    def on_command_ready(self, fd: int) -> None:
        chunk = os.read(fd, 4096)
        if not chunk:
            self.app.exit()
            return
        self._buf += chunk
        while b"\n" in self._buf:
            line, self._buf = self._buf.split(b"\n", 1)
            self.command(line.decode().strip())

    def command(self, cmd: str) -> None:
        if cmd == "mark":
            self.reset()
            if self._watch is None:
                self._watch = asyncio.get_running_loop().create_task(self.watch_loop())
            self.send({"ev": "marked", "t": self.mark_t})
        elif cmd == "report":
            now = mono()
            if self._watch is not None:  # not in the idle window: it would cost CPU there
                self._watch.cancel()
                self._watch = None
            self.send({
                "ev": "report",
                "t0": self.mark_t,
                "t1": now,
                "frames": self.frames - self.mark_frames,
                "frames_total": self.frames,
                "messages": self.feed.status.messages,
                "connects": self.feed.connects,
                "displays": self.displays,
                "ladder_draws": self.ladder_draws,
                "ladder_repaints": sum(lad.repaints for lad in self.ladders.values())
                - self.repaints0,
                "samples": self.samples,
                "clock_samples": self.clock_samples,
                "paint_cpu_s": self.paint_cpu,
                "observe_cpu_s": self.observe_cpu,
                "build_cpu_s": self.build_cpu,
                "main_thread_cpu_s": time.thread_time() - self.main_cpu0,
                **self.loop_figures(),
            })
        elif cmd == "status":
            self.send({"ev": "status", "frames_total": self.frames,
                       "connects": self.feed.connects, "active": self.active})
        elif cmd == "quit":
            self.app.exit()


async def run(args: argparse.Namespace) -> None:
    from dfx_tui.app.update_rate import follow_paint_clock

    follow_paint_clock()  # as `dfx-tui` does before importing Textual
    from dfx_tui.app.config import AppConfig
    from dfx_tui.app.feed.client import FeedClient
    from dfx_tui.app.tui import DfxApp

    config = AppConfig(markets=[m.upper() for m in args.markets.split(",")], url=args.url,
                       fps=args.fps)
    if args.stale_after > 0:  # an idle window longer than the default would end in a resync
        config.stale_after = args.stale_after
    feed = FeedClient(config)
    app = DfxApp(config, feed=feed)
    # The driver `dfx-tui` runs with (run_tui), so its writer and key reading are measured,
    # but with pictures never held: when this bench's reader falls behind (its process also
    # runs the simulator and models the screen), the driver rightly skips pictures, which
    # would read as staleness of the app (tried: p99 0.5 s at 5,000 msg/s on a loaded
    # machine). tests/test_terminal_backpressure.py covers the hold.
    if os.environ.get("DFX_BENCH_DRIVER", "ours") == "ours":
        from dfx_tui.app import terminal

        terminal.HOLD_AFTER_S = NEVER_HOLD_S
        terminal.HOLD_AFTER_CHARS = 1 << 40
        app.driver_class = terminal.with_backpressure(app.driver_class)
    feed.on_notice = app._on_feed_notice  # what DfxApp.on_load does for its own feed
    out = os.fdopen(args.out_fd, "w")
    probe = Probe(app, feed, out)
    probe.install()
    gc.callbacks.append(probe.on_gc)
    loop = asyncio.get_running_loop()
    loop.add_reader(args.cmd_fd, probe.on_command_ready, args.cmd_fd)
    ready = asyncio.create_task(probe.wait_ready())
    try:
        await app.run_async()
    finally:
        ready.cancel()
        loop.remove_reader(args.cmd_fd)
        probe.send({"ev": "exit"})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--markets", required=True, help="comma-separated")
    ap.add_argument("--fps", type=float, default=10.0)
    ap.add_argument("--stale-after", type=float, default=0.0,
                    help="the feed's stale_after (0: the default)")
    ap.add_argument("--cmd-fd", type=int, required=True)
    ap.add_argument("--out-fd", type=int, required=True)
    asyncio.run(run(ap.parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
