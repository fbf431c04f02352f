"""End-to-end load benchmark of the running app: prints one JSON object of figures.

dfx-sim runs in this process (so its per-connection counters are at hand); the app runs in a
child process (`app_probe.py`: the real DfxApp, FeedClient and widgets, on a real loopback
socket, in a pseudo-terminal so Textual's real driver encodes and writes every frame), and
a bare consumer (`bare_consumer.py`: receive, inflate, parse, nothing else) in another,
subscribed to the same markets of the same simulator, so both get the same frames and their
CPU is compared in the same run. The terminal answers Textual's synchronized-output query as
modern terminals do, so every screen update arrives as one block (bench_common.py).

For each load (total depth messages per second over 4 markets, plus about 2 trades per
second per market) it measures, over a steady window of ``--seconds`` with no key pressed:

- ``app_cpu_per_s`` / ``bare_cpu_per_s``: CPU seconds per wall second of each process
  (/proc/PID/stat utime+stime, all threads), and ``cpu_ratio`` = app / bare;
- ``repaints_per_s``: screen updates that drew the visible ladder (``screen_updates_per_s``:
  all screen updates; ``ladder_builds_per_s``: ladder rebuilds);
- ``staleness_ms_p50/p99``: from the simulator writing a frame that changed the visible
  book to the screen update that draws it (so a backlog in the app counts as staleness);
  ``staleness_intervals_p50/p99``: the same in clock intervals (1/fps);
  ``staleness_recv_ms_*`` measure the same from the frame's arrival in the app;
- ``clock_repaint_ms_p50/p99``: from a clock tick that changed a line of the ladder to the
  screen update that draws it (the app's own share of a repaint, input not included);
- ``terminal_bytes_per_update``, ``cells_written_per_update``, ``changed_cells_per_update``
  and ``bytes_per_changed_cell``: each screen update of the window replayed through a model
  of the screen (screen_model.py): the bytes it took, the cells it wrote, the cells whose
  character or style really changed, and total bytes / total changed cells;
- ``tab_switch_ms_p50/p99``, in a second window (``--tab-seconds``) at the same load: from
  writing a tab key into the terminal to the screen update that draws the new tab's ladder
  with its current book, a switch every ~0.5 s (``app_cpu_per_s_switching_tabs``: the CPU
  of that window);
- ``ordinary_repaint_ms_p50/p99``, in a third window as long: measured exactly like a tab
  switch, for a key that redraws the whole visible ladder without switching (``+``/``-``,
  coarser then finer grouping), and ``tab_over_repaint_p99`` = tab switch p99 / that p99;
- ``loop_lag_ms_p99/max``: how late a 50 ms watchdog in the app woke during the steady
  window, and ``loop_lag_max_cpu_share``, the app's main-thread CPU share over the worst
  interval (near 1: the app's own work held its loop; near 0: the machine did not run it);
  ``gc_ms_max/total``, ``gc_full``: garbage collections in that window;
- ``peak_rss_mb``: VmHWM of the app process;
- ``kept_up``: after the windows the simulator pauses; the app must have handled every frame
  the simulator wrote to it (received == sent) within ``DRAIN_LIMIT_S``. ``backlog_end`` is
  how many frames were still in flight when the tab window closed.

Then ``idle_cpu_per_s`` (feed connected, simulator paused: nothing moving, over
``--idle-seconds`` from ``--idle-quiet`` seconds after the pause: the ladder's Δ10s column
moves for 10 s after the book's last change; the app's ``stale_after`` is set longer than
that quiet time, so the window holds no drop and resync) against ``idle_cpu_per_s_bare_textual``, a one-widget
Textual app (`bare_textual.py`) in the same kind of terminal (``--only idle``: these pairs
alone, with ``idle_wakeups_per_s`` of each side, context switches of all threads); ``cold_start_s`` (spawning ``dfx-tui --demo`` to the first drawn book, the
spread row on the terminal's output) against ``cold_start_bare_textual_s`` (spawning the
one-widget app to its first paint), both started from bytecode as installed packages are
(``cold_start_modules_compiled``: how many of the app's modules the bench byte-compiled
first, see ``byte_compile_app``); and ``rss_mb_10_markets`` (peak RSS with 10 markets open
and each tab drawn once).

The machine is noisy, so everything is repeated ``--reps`` times, interleaved (every load,
then the idle and cold-start pairs, app then baseline; then again): each figure is the
median over the repetitions and each ratio the median of the per-repetition ratios
(bench_goals.py). ``goals`` checks every goal of issue 11 against its limit.

    python tests/benchmarks/bench_app.py [--reps 3] [--seconds 12] [--loads 50,500,5000]
    python tests/benchmarks/bench_app.py --quick        # a few seconds, for the smoke test
    python tests/benchmarks/bench_app.py --loads= --idle-seconds 0 --many 0 --reps 1 \
        --cold-runs 9                                     # the cold-start pairs only
    python tests/benchmarks/bench_app.py --only idle --reps 5   # the idle pairs alone
    python tests/benchmarks/bench_app.py --profile DIR  # py-spy over each steady window
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import shlex
import sys
from pathlib import Path
from typing import Any

from bench_common import (
    COLS,
    ROWS,
    Terminal,
    cpu_seconds,
    cpu_seconds_fine,
    median,
    mem_mb,
    mono,
    pct,
    r,
    ratio,
)
from bench_goals import aggregate, evaluate, goals_table
from bench_procs import (
    TRADE_RATE,
    AppProcess,
    SendClock,
    byte_compile_app,
    cold_pair,
    find_session,
    idle_app,
    idle_one_widget,
    idle_stale_after,
    key_window,
    quiet_until,
    rss_many,
    start_bare,
    start_profiler,
    start_sim,
    stop_proc,
)
from screen_model import ScreenModel, summarize

MARKETS = ("BTC_USDT", "ETH_USDT", "XRP_USDT", "SHIB_USDT")
MARKETS_10 = ("BTC_USDT", "ETH_USDT", "SOL_USDT", "EOS_USDT", "XRP_USDT", "DOGE_USDT",
              "DFT_USDT", "SHIB_USDT", "PEPE_USDT", "ABC_USDT")
DRAIN_LIMIT_S = 2.0


# ------------------------------------------------------------------ windows of one load
def screen_figures(term: Terminal, start: int, end: int, wall: float) -> dict[str, Any]:
    """The window's screen updates replayed through a screen model (after the app stopped,
    so the replay takes no CPU from it)."""
    assert term.data is not None
    model = ScreenModel(term.cols, term.rows)
    model.feed(bytes(term.data[:end]))
    s = summarize(model.updates, start, end)
    n = s["updates"]
    lines = model.lines()
    return {
        "terminal_updates_per_s": r(n / wall),
        "terminal_bytes_per_update": r(s["bytes"] / n) if n else None,
        "cells_written_per_update": r(s["written"] / n) if n else None,
        "changed_cells_per_update": r(s["changed"] / n) if n else None,
        "bytes_per_changed_cell": r(ratio(s["bytes"], s["changed"]), 2),
        "written_per_changed_cell": r(ratio(s["written"], s["changed"]), 2),
        # The model must show what the app drew: the spread row and the first tab's name.
        "screen_model_ok": any("spread " in ln for ln in lines)
        and any(MARKETS[0] in ln for ln in lines),
    }


async def run_load(rate: float, args: argparse.Namespace, *, idle_seconds: float = 0.0,
                   profile_to: Path | None = None) -> dict[str, Any]:
    seconds, fps, settle = args.seconds, args.fps, args.settle
    key_seconds = args.tab_seconds or seconds
    sim = await start_sim(MARKETS, rate)
    app = bare = None
    try:
        app = await AppProcess.start(sim.url, MARKETS, fps, stale_after=idle_stale_after(
            idle_seconds, args.idle_quiet) if idle_seconds > 0 else 0.0)
        ready = await app.expect("ready", 30.0)
        session = find_session(sim, ready["port"])
        clock = SendClock(session)
        bare, bare_port = await start_bare(sim.url, MARKETS)
        bare_session = find_session(sim, bare_port)
        await asyncio.sleep(settle)

        # ---- window 1, steady load: CPU, repaints, staleness, bytes (no keys pressed)
        await app.ask("mark", "marked")
        profiler = (await start_profiler(app.pid, seconds, profile_to)
                    if profile_to else None)
        t0 = mono()
        c_app0, c_bare0 = cpu_seconds(app.pid), cpu_seconds(bare.pid)
        out0, bare_frames0 = app.term.bytes, bare_session.stats.frames_sent
        await asyncio.sleep(seconds)
        t1 = mono()
        c_app1, c_bare1 = cpu_seconds(app.pid), cpu_seconds(bare.pid)
        out1 = app.term.bytes
        report = await app.ask("report", "report")
        bare_frames1 = bare_session.stats.frames_sent
        if profiler is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(profiler.wait(), 10.0)

        # ---- window 2, the same load with a tab key every KEY_EVERY_S
        tabs = await key_window(app, bare, [b"\t"], "tab", key_seconds)
        sent_end = session.stats.frames_sent
        status = await app.ask("status", "status")
        backlog_end = max(0, sent_end - status["frames_total"])

        # ---- window 3, the same load with a whole-ladder redraw key (coarser, finer, ...)
        regroups = await key_window(app, bare, [b"+", b"-"], "regroup", key_seconds)

        # ---- drain: nothing new is sent; the app must catch up with every frame
        sim.pause()
        t_pause = mono()
        kept_up = False
        while mono() - t_pause < DRAIN_LIMIT_S + 3.0:
            status = await app.ask("status", "status")
            if status["frames_total"] == session.stats.frames_sent:
                kept_up = mono() - t_pause <= DRAIN_LIMIT_S
                break
            await asyncio.sleep(0.02)
        drain_s = mono() - t_pause

        idle = None
        if idle_seconds > 0:
            await quiet_until(t_pause, args.idle_quiet, settle)
            i0, ti0 = cpu_seconds_fine(app.pid), mono()
            await asyncio.sleep(idle_seconds)
            idle = (cpu_seconds_fine(app.pid) - i0) / (mono() - ti0)
        mem = mem_mb(app.pid)
    finally:
        if bare is not None:
            await stop_proc(bare)
        if app is not None:
            await app.stop()
        await sim.stop()

    wall = t1 - t0
    app_cpu = (c_app1 - c_app0) / wall
    bare_cpu = (c_bare1 - c_bare0) / wall
    stale, stale_recv = [], []
    for drawn, index, arrived in report["samples"]:
        sent = clock.sent_at(index) if report["connects"] == 1 else None
        if sent is not None:
            stale.append((drawn - sent) * 1000)
        stale_recv.append((drawn - arrived) * 1000)
    clock_ms = [x * 1000 for x in report.get("clock_samples", [])]
    span = report["t1"] - report["t0"]
    interval_ms = 1000.0 / fps
    tab_p99, repaint_p99 = pct(tabs["samples"], 99), pct(regroups["samples"], 99)
    return {
        "msgs_per_s": rate,
        "msgs_per_s_measured": r((bare_frames1 - bare_frames0) / wall),
        "app_cpu_per_s": r(app_cpu, 4),
        "bare_cpu_per_s": r(bare_cpu, 4),
        "cpu_ratio": r(ratio(app_cpu, bare_cpu), 2),
        "repaints_per_s": r(report["ladder_draws"] / span),
        "screen_updates_per_s": r(report["displays"] / span),
        # Where the app's CPU goes: the paint (on_clock: build, compose, encode), the rest of
        # the loop's thread (the feed, websockets, Textual's own timers), other threads.
        "paint_cpu_per_s": r(report["paint_cpu_s"] / span, 4),
        "paint_cpu_ms_per_paint": r(ratio(report["paint_cpu_s"] * 1000,
                                          report["ladder_draws"]), 2),
        "paint_observe_cpu_per_s": r(report["observe_cpu_s"] / span, 4),  # the histories
        "paint_build_cpu_per_s": r(report["build_cpu_s"] / span, 4),  # the widgets' builds
        "main_thread_cpu_per_s": r(report["main_thread_cpu_s"] / span, 4),
        "ladder_builds_per_s": r(report["ladder_repaints"] / span),
        "clock_interval_ms": r(interval_ms),
        "staleness_ms_p50": r(pct(stale, 50)),
        "staleness_ms_p99": r(pct(stale, 99)),
        "staleness_ms_max": r(max(stale, default=None)),
        "staleness_intervals_p50": r(ratio(pct(stale, 50), interval_ms), 2),
        "staleness_intervals_p99": r(ratio(pct(stale, 99), interval_ms), 2),
        "staleness_samples": len(stale),
        "staleness_recv_ms_p50": r(pct(stale_recv, 50)),
        "staleness_recv_ms_p99": r(pct(stale_recv, 99)),
        "clock_repaint_ms_p50": r(pct(clock_ms, 50)),
        "clock_repaint_ms_p99": r(pct(clock_ms, 99)),
        "clock_repaints": len(clock_ms),
        "loop_lag_ms_p99": r(report.get("loop_lag_ms_p99")),
        "loop_lag_ms_max": r(report.get("loop_lag_ms_max")),
        "loop_lag_max_cpu_share": r(report.get("loop_lag_max_cpu_share"), 2),
        "gc_ms_max": r(report.get("gc_ms_max")),
        "gc_ms_total": r(report.get("gc_ms_total")),
        "gc_full": report.get("gc_full"),
        "gc_ms_by_generation": [r(ms) for ms in report.get("gc_ms_by_generation", [])],
        "gc_count_by_generation": report.get("gc_count_by_generation"),
        "tab_switch_ms_p50": r(pct(tabs["samples"], 50)),
        "tab_switch_ms_p90": r(pct(tabs["samples"], 90)),
        "tab_switch_ms_p99": r(tab_p99),
        "tab_switch_ms_max": r(max(tabs["samples"], default=None)),
        "tab_switches": len(tabs["samples"]),
        "tab_switches_lost": tabs["lost"],
        "ordinary_repaint_ms_p50": r(pct(regroups["samples"], 50)),
        "ordinary_repaint_ms_p99": r(repaint_p99),
        # Where an ordinary repaint's time goes: key to its action, the build, build to drawn.
        **{f"ordinary_repaint_{stage}_ms_p50": r(pct([st[i] for st in regroups["stages"]], 50))
           for i, stage in enumerate(("input", "build", "draw"))},
        "ordinary_repaints": len(regroups["samples"]),
        "ordinary_repaints_lost": regroups["lost"],
        "tab_over_repaint_p99": r(ratio(tab_p99, repaint_p99), 2),
        "peak_rss_mb": r(mem.get("VmHWM")),
        "rss_mb": r(mem.get("VmRSS")),
        "terminal_kb_per_s": r((out1 - out0) / 1024 / wall),
        **screen_figures(app.term, out0, out1, wall),
        "app_cpu_per_s_switching_tabs": r(tabs["app_cpu"], 4),
        "bare_cpu_per_s_switching_tabs": r(tabs["bare_cpu"], 4),
        "app_cpu_per_s_regrouping": r(regroups["app_cpu"], 4),
        "kept_up": kept_up and status.get("connects") == 1,
        "frames_sent": session.stats.frames_sent,
        "frames_received": status.get("frames_total"),
        "depth_msgs_sent": session.stats.depth_msgs_sent,
        "backlog_end": backlog_end,
        "drain_s": r(drain_s, 3),
        "reconnects": status.get("connects", 0) - 1,
        "window_s": r(wall, 2),
        **({"idle_cpu_per_s": r(idle, 5)} if idle is not None else {}),
    }


# ------------------------------------------------------------------ main
async def bench(args: argparse.Namespace) -> dict[str, Any]:
    loads = [float(x) for x in args.loads.split(",") if x.strip()]
    t_start = mono()
    out: dict[str, Any] = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "reps": args.reps,
        "seconds_per_load": args.seconds,
        "fps": args.fps,
        "terminal": f"{COLS}x{ROWS}",
        "markets": list(MARKETS),
        "trades_per_s": TRADE_RATE * len(MARKETS),
        # Other work on the machine shows here: 2 cores with a load of 4 halve every share.
        "loadavg_1m_start": round(os.getloadavg()[0], 2),
        **({"note": args.note} if args.note else {}),
    }
    if args.cold_runs > 0:  # the app as installed: from bytecode, like Textual (bench_procs)
        out["cold_start_modules_compiled"] = byte_compile_app()
    per_load: list[list[dict[str, Any]]] = [[] for _ in loads]
    idle_app_runs: list[float | None] = []
    idle_one: list[float | None] = []
    wakes: list[tuple[float, float]] = []  # (app, one-widget) wake-ups per second, --only idle
    colds: list[tuple[float | None, float | None]] = []
    for rep in range(args.reps):
        if args.only == "idle":  # the idle pair alone: the app, then the one-widget app
            app_idle = await idle_app(MARKETS, loads[0], args.fps, args.idle_seconds,
                                      args.settle, args.idle_quiet)
            one_idle = await idle_one_widget(args.idle_seconds, args.settle)
            idle_app_runs.append(app_idle["cpu"])
            idle_one.append(one_idle["cpu"])
            wakes.append((app_idle["wakeups"], one_idle["wakeups"]))
            continue
        for i, rate in enumerate(loads):
            measure_idle = i == 0 and args.idle_seconds > 0
            profile_to = (Path(args.profile) / f"profile-{rate:g}-rep{rep + 1}.txt"
                          if args.profile else None)
            result = await run_load(rate, args, profile_to=profile_to,
                                    idle_seconds=args.idle_seconds if measure_idle else 0.0)
            per_load[i].append(result)
            if measure_idle:  # app, then the one-widget app, in every repetition
                idle_app_runs.append(result.pop("idle_cpu_per_s", None))
                idle_one.append((await idle_one_widget(args.idle_seconds,
                                                       args.settle))["cpu"])
        # Cold-start pairs spread over the repetitions (app, one-widget, app, ...).
        todo = args.cold_runs - len(colds)
        for _ in range(math.ceil(todo / (args.reps - rep)) if todo > 0 else 0):
            colds.append(await cold_pair())
    out["loads"] = [aggregate(reps) for reps in per_load if reps]
    pairs = list(zip(idle_app_runs, idle_one, strict=True))
    out["idle_cpu_per_s"] = r(median(idle_app_runs), 5)
    out["idle_cpu_per_s_bare_textual"] = r(median(idle_one), 5)
    out["idle_cpu_ratio"] = r(median(ratio(a, b) for a, b in pairs), 2)
    out["idle_cpu_runs"] = [[r(a, 5), r(b, 5)] for a, b in pairs]
    out["idle_seconds"], out["idle_quiet_s"] = args.idle_seconds, args.idle_quiet
    if wakes:
        out["idle_wakeups_per_s"] = r(median(a for a, _ in wakes), 1)
        out["idle_wakeups_per_s_bare_textual"] = r(median(b for _, b in wakes), 1)
    out["cold_start_s"] = r(median(a for a, _ in colds), 3)
    out["cold_start_bare_textual_s"] = r(median(b for _, b in colds), 3)
    out["cold_start_ratio"] = r(median(ratio(a, b) for a, b in colds), 2)
    out["cold_start_runs_s"] = [r(a, 3) for a, _ in colds]
    out["cold_start_bare_textual_runs_s"] = [r(b, 3) for _, b in colds]
    mem = (await rss_many(MARKETS_10[: args.many], args.fps)
           if args.many > 0 and args.only is None else {})
    out["rss_mb_10_markets"] = r(mem.get("VmHWM"))
    out["rss_mb_10_markets_now"] = r(mem.get("VmRSS"))
    out["goals"] = evaluate(out)
    out["loadavg_1m_end"] = round(os.getloadavg()[0], 2)
    out["bench_seconds"] = r(mono() - t_start)
    return out


QUICK = {"reps": 1, "seconds": 1.2, "tab_seconds": 1.2, "loads": "50", "settle": 0.3,
         "idle_seconds": 0.5, "idle_quiet": 0.5, "cold_runs": 1, "many": 2}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--reps", type=int, default=3,
                    help="interleaved repetitions; every figure is their median")
    ap.add_argument("--seconds", type=float, default=12.0, help="window per load")
    ap.add_argument("--loads", default="50,500,5000",
                    help="total depth messages per second over 4 markets, comma-separated")
    ap.add_argument("--tab-seconds", type=float, default=0.0,
                    help="tab window and ordinary-repaint window (default: --seconds)")
    ap.add_argument("--fps", type=float, default=10.0, help="the app's repaint clock")
    ap.add_argument("--idle-seconds", type=float, default=20.0,
                    help="idle CPU window (0: skip); the app's stale_after is set longer")
    ap.add_argument("--idle-quiet", type=float, default=12.0,
                    help="idle window start, seconds after the pause (the Δ10s column moves "
                         "for 10 s after the last change)")
    ap.add_argument("--only", choices=("idle",), default=None,
                    help="idle: only the interleaved idle pairs (at the first load), "
                         "with the same keys, and the wake-ups per second of each side")
    ap.add_argument("--settle", type=float, default=1.5,
                    help="seconds to let the app settle before a window")
    ap.add_argument("--cold-runs", type=int, default=3,
                    help="cold-start pairs (app, one-widget app) to take the median of")
    ap.add_argument("--many", type=int, default=10, help="markets for the RSS figure (0: skip)")
    ap.add_argument("--quick", action="store_true",
                    help="a tiny run (one load, 1 s windows, one repetition): the smoke test")
    ap.add_argument("--goals", action="store_true",
                    help="also print the goals as a table on stderr")
    ap.add_argument("--profile", default="",
                    help="py-spy every steady window into DIR/profile-LOAD-repN.txt "
                         "(collapsed stacks; summarize with profile_summary.py)")
    ap.add_argument("--note", default="", help="a remark copied into the JSON (e.g. the machine)")
    ap.add_argument("--app-prefix", default="",
                    help="run the app under this command, e.g. 'py-spy record -o p.svg --' "
                         "(its CPU figures then include the prefix's own process)")
    args = ap.parse_args(argv)
    if args.quick:  # tiny defaults; flags given explicitly still win
        ap.set_defaults(**QUICK)
        args = ap.parse_args(argv)
    args.reps = max(1, args.reps)
    AppProcess.prefix = shlex.split(args.app_prefix)
    out = asyncio.run(bench(args))
    print(json.dumps(out, indent=2))
    if args.goals:
        print(goals_table(out["goals"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
