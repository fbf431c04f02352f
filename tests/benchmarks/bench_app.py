"""End-to-end load benchmark of the running app: prints one JSON object of figures.

dfx-sim runs in this process (so its per-connection counters are at hand); the app runs in a
child process (`app_probe.py`: the real DfxApp, FeedClient and widgets, on a real loopback
socket, in a pseudo-terminal so Textual's real driver encodes and writes every frame), and
a bare consumer (`bare_consumer.py`: receive, inflate, parse, nothing else) in another,
subscribed to the same markets of the same simulator, so both get the same frames and their
CPU is compared in the same run.

For each load (total depth messages per second over 4 markets, plus about 2 trades per
second per market) it measures, over a steady window of ``--seconds`` with no key pressed:

- ``app_cpu_per_s`` / ``bare_cpu_per_s``: CPU seconds per wall second of each process
  (/proc/PID/stat utime+stime, all threads), and ``cpu_ratio`` = app / bare;
- ``repaints_per_s``: screen updates that drew the visible ladder (``screen_updates_per_s``:
  all screen updates; ``ladder_builds_per_s``: ladder rebuilds);
- ``staleness_ms_p50/p99``: from the simulator writing a frame that changed the visible
  book to the screen update that draws it (so a backlog in the app counts as staleness);
  ``staleness_recv_ms_*`` measure the same from the frame's arrival in the app;
- ``tab_switch_ms_p50/p99``, in a second window (``--tab-seconds``) at the same load: from
  writing a tab key into the terminal to the screen update that draws the new tab's ladder
  with its current book, a switch every ~0.5 s (``app_cpu_per_s_switching_tabs``: the CPU
  of that window, tab animations included);
- ``peak_rss_mb``: VmHWM of the app process;
- ``kept_up``: after both windows the simulator pauses; the app must have handled every frame
  the simulator wrote to it (received == sent) within ``DRAIN_LIMIT_S``. ``backlog_end`` is
  how many frames were still in flight when the windows closed.

Then ``idle_cpu_per_s`` (feed connected, simulator paused: nothing moving), ``cold_start_s``
(spawning ``dfx-tui --demo`` in a terminal to the first drawn book: the spread row on the
terminal's output; median of ``--cold-runs``), and ``rss_mb_10_markets`` (peak RSS with 10
markets open and each tab drawn once). ``idle_cpu_per_s_bare_textual`` is a one-widget
Textual app for comparison.

    python tests/benchmarks/bench_app.py [--seconds 12] [--loads 50,500,5000] [--fps 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import os
import platform
import pty
import shlex
import statistics
import struct
import sys
import termios
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PY = sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")
MARKETS = ("BTC_USDT", "ETH_USDT", "XRP_USDT", "SHIB_USDT")
MARKETS_10 = ("BTC_USDT", "ETH_USDT", "SOL_USDT", "EOS_USDT", "XRP_USDT", "DOGE_USDT",
              "DFT_USDT", "SHIB_USDT", "PEPE_USDT", "ABC_USDT")
COLS, ROWS = 160, 50
TRADE_RATE = 2.0  # trades per second per market
DRAIN_LIMIT_S = 2.0
TAB_EVERY_S = 0.5
mono = time.monotonic


# ------------------------------------------------------------------ /proc
def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime, all threads


def mem_mb(pid: int) -> dict[str, float]:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0]) / 1024
    return out


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))
    return s[k]


def r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None else round(x, nd)


# ------------------------------------------------------------------ terminal
class Terminal:
    """A pseudo-terminal whose output is read (and counted) on the event loop."""

    def __init__(self, cols: int = COLS, rows: int = ROWS) -> None:
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.set_blocking(self.master, False)
        self.bytes = 0
        self._tail = b""
        self.last = b""  # the last output, for error messages
        self._marker: tuple[bytes, asyncio.Future[float]] | None = None
        asyncio.get_running_loop().add_reader(self.master, self._read)

    def _read(self) -> None:
        try:
            data = os.read(self.master, 1 << 16)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # EIO: the child closed the terminal
            asyncio.get_running_loop().remove_reader(self.master)
            return
        now = mono()
        self.bytes += len(data)
        self.last = (self.last + data)[-4096:]
        if self._marker is not None:
            marker, fut = self._marker
            if marker in self._tail + data and not fut.done():
                fut.set_result(now)
                self._marker = None
            self._tail = (self._tail + data)[-len(marker):]

    def wait_for(self, marker: bytes) -> asyncio.Future[float]:
        fut = asyncio.get_running_loop().create_future()
        self._marker = (marker, fut)
        return fut

    def key(self, data: bytes) -> float:
        t = mono()
        os.write(self.master, data)
        return t

    def close(self) -> None:
        with contextlib.suppress(Exception):
            asyncio.get_running_loop().remove_reader(self.master)
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


def _term_env() -> dict[str, str]:
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    for key in ("TEXTUAL", "TEXTUAL_DEBUG", "TEXTUAL_DEVTOOLS_PORT"):
        env.pop(key, None)
    return env


# ------------------------------------------------------------------ the app process
class AppProcess:
    """app_probe.py in a terminal, with a command pipe in and an event pipe out."""

    def __init__(self, proc: Any, term: Terminal, cmd_w: int) -> None:
        self.proc = proc
        self.term = term
        self.cmd_w = cmd_w
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)
        self._reader_task: asyncio.Task[None] | None = None

    prefix: list[str] = []  # e.g. a profiler: ["py-spy", "record", "-o", "out.svg", "--"]

    @classmethod
    async def start(cls, url: str, markets: tuple[str, ...], fps: float) -> AppProcess:
        term = Terminal()
        cmd_r, cmd_w = os.pipe()
        out_r, out_w = os.pipe()
        proc = await asyncio.create_subprocess_exec(
            *cls.prefix, PY, str(HERE / "app_probe.py"), "--url", url, "--markets", ",".join(markets),
            "--fps", str(fps), "--cmd-fd", str(cmd_r), "--out-fd", str(out_w),
            # Textual draws on stderr; a traceback would land there too.
            stdin=term.slave, stdout=term.slave, stderr=term.slave, pass_fds=(cmd_r, out_w),
            env=_term_env(), start_new_session=True)
        os.close(cmd_r)
        os.close(out_w)
        self = cls(proc, term, cmd_w)
        reader = asyncio.StreamReader(limit=1 << 24)
        await asyncio.get_running_loop().connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(out_r, "rb"))
        self._reader_task = asyncio.create_task(self._dispatch(reader))
        return self

    async def _dispatch(self, reader: asyncio.StreamReader) -> None:
        while line := await reader.readline():
            with contextlib.suppress(ValueError):
                obj = json.loads(line)
                self.queues[obj.get("ev", "")].put_nowait(obj)
        self.queues["exit"].put_nowait({"ev": "exit"})

    async def expect(self, ev: str, timeout: float) -> dict[str, Any]:
        try:
            return await asyncio.wait_for(self.queues[ev].get(), timeout)
        except TimeoutError:
            raise RuntimeError(f"app probe: no {ev!r} within {timeout:g} s; "
                               f"terminal: {self.term.last[-2000:]!r}") from None

    def drain(self, ev: str) -> None:
        q = self.queues[ev]
        while not q.empty():
            q.get_nowait()

    def command(self, cmd: str) -> None:
        os.write(self.cmd_w, (cmd + "\n").encode())

    async def ask(self, cmd: str, ev: str, timeout: float = 5.0) -> dict[str, Any]:
        self.drain(ev)
        self.command(cmd)
        return await self.expect(ev, timeout)

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.command("quit")
        try:
            await asyncio.wait_for(self.proc.wait(), 5.0)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()
        if self._reader_task is not None:
            self._reader_task.cancel()
        with contextlib.suppress(OSError):
            os.close(self.cmd_w)
        self.term.close()


async def start_bare(url: str, markets: tuple[str, ...]) -> tuple[Any, int]:
    proc = await asyncio.create_subprocess_exec(
        PY, str(HERE / "bare_consumer.py"), url, *markets,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 20.0)
    return proc, json.loads(line)["port"]


async def stop_proc(proc: Any) -> None:
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 5.0)
        except TimeoutError:
            proc.kill()
            await proc.wait()


# ------------------------------------------------------------------ simulator side
async def start_sim(markets: tuple[str, ...], total_rate: float) -> Any:
    from dfx_tui.app.sim.server import SimConfig, SimServer

    cfg = SimConfig(markets=markets, seed=1, rate=total_rate / len(markets),
                    trade_rate=TRADE_RATE, snapshot_interval=600.0, idle_timeout=120.0)
    return await SimServer(cfg, host="127.0.0.1", port=0).start()


def find_session(sim: Any, port: int) -> Any:
    for s in sim.sessions:
        addr = getattr(s.ws, "remote_address", None)
        if addr and addr[1] == port:
            return s
    raise RuntimeError(f"no simulator session from port {port}")


class SendClock:
    """Stamps every frame the simulator writes to one session: frame index -> time."""

    def __init__(self, session: Any) -> None:
        self.base = session.stats.frames_sent  # frames before this have no stamp
        self.times: list[float] = []
        write = session._write
        stats = session.stats

        def _write(frame: Any, field: str | None) -> None:
            n = stats.frames_sent
            write(frame, field)
            if stats.frames_sent != n:
                self.times.append(mono())

        session._write = _write

    def sent_at(self, index: int) -> float | None:
        """Time the index-th frame (1-based, as the app counts) was written."""
        i = index - self.base - 1
        return self.times[i] if 0 <= i < len(self.times) else None


# ------------------------------------------------------------------ one load
async def run_load(rate: float, seconds: float, fps: float, *, tab_seconds: float,
                   idle_seconds: float = 0.0, settle: float = 1.5) -> dict[str, Any]:
    sim = await start_sim(MARKETS, rate)
    app = bare = None
    try:
        app = await AppProcess.start(sim.url, MARKETS, fps)
        ready = await app.expect("ready", 30.0)
        session = find_session(sim, ready["port"])
        clock = SendClock(session)
        bare, bare_port = await start_bare(sim.url, MARKETS)
        bare_session = find_session(sim, bare_port)
        await asyncio.sleep(settle)

        # ---- window 1, steady load: CPU, repaints, staleness (no keys pressed)
        await app.ask("mark", "marked")
        t0 = mono()
        c_app0, c_bare0 = cpu_seconds(app.pid), cpu_seconds(bare.pid)
        out0, bare_frames0 = app.term.bytes, bare_session.stats.frames_sent
        await asyncio.sleep(seconds)
        t1 = mono()
        c_app1, c_bare1 = cpu_seconds(app.pid), cpu_seconds(bare.pid)
        report = await app.ask("report", "report")
        out1, bare_frames1 = app.term.bytes, bare_session.stats.frames_sent

        # ---- window 2, the same load with a tab key every TAB_EVERY_S
        app.drain("tab")
        switches: list[float] = []
        lost = 0
        t2 = mono()
        c_app2, c_bare2 = cpu_seconds(app.pid), cpu_seconds(bare.pid)
        next_key = t2 + 0.1
        while next_key < t2 + tab_seconds:
            await asyncio.sleep(max(0.0, next_key - mono()))
            pressed = app.term.key(b"\t")
            try:
                ev = await app.expect("tab", 2.0)
                switches.append((ev["drawn"] - pressed) * 1000)
            except RuntimeError:
                lost += 1
            next_key = max(pressed + TAB_EVERY_S, mono() + 0.05)
        await asyncio.sleep(max(0.0, t2 + tab_seconds - mono()))
        t3 = mono()
        c_app3, c_bare3 = cpu_seconds(app.pid), cpu_seconds(bare.pid)
        sent_end = session.stats.frames_sent
        status = await app.ask("status", "status")
        backlog_end = max(0, sent_end - status["frames_total"])

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
            await asyncio.sleep(settle)
            i0, ti0 = cpu_seconds(app.pid), mono()
            await asyncio.sleep(idle_seconds)
            idle = (cpu_seconds(app.pid) - i0) / (mono() - ti0)
        mem = mem_mb(app.pid)

        wall = t1 - t0
        app_cpu = (c_app1 - c_app0) / wall
        bare_cpu = (c_bare1 - c_bare0) / wall
        stale, stale_recv = [], []
        for drawn, index, arrived in report["samples"]:
            sent = clock.sent_at(index) if report["connects"] == 1 else None
            if sent is not None:
                stale.append((drawn - sent) * 1000)
            stale_recv.append((drawn - arrived) * 1000)
        span = report["t1"] - report["t0"]
        depth_sent = session.stats.depth_msgs_sent
        return {
            "msgs_per_s": rate,
            "msgs_per_s_measured": r((bare_frames1 - bare_frames0) / wall),
            "app_cpu_per_s": r(app_cpu, 4),
            "bare_cpu_per_s": r(bare_cpu, 4),
            "cpu_ratio": r(app_cpu / bare_cpu, 2) if bare_cpu > 0 else None,
            "repaints_per_s": r(report["ladder_draws"] / span),
            "screen_updates_per_s": r(report["displays"] / span),
            "ladder_builds_per_s": r(report["ladder_repaints"] / span),
            "staleness_ms_p50": r(pct(stale, 50)),
            "staleness_ms_p99": r(pct(stale, 99)),
            "staleness_ms_max": r(max(stale, default=None)),
            "staleness_samples": len(stale),
            "staleness_recv_ms_p50": r(pct(stale_recv, 50)),
            "staleness_recv_ms_p99": r(pct(stale_recv, 99)),
            "tab_switch_ms_p50": r(pct(switches, 50)),
            "tab_switch_ms_p90": r(pct(switches, 90)),
            "tab_switch_ms_p99": r(pct(switches, 99)),
            "tab_switch_ms_max": r(max(switches, default=None)),
            "tab_switches": len(switches),
            "tab_switches_lost": lost,
            "peak_rss_mb": r(mem.get("VmHWM")),
            "rss_mb": r(mem.get("VmRSS")),
            "terminal_kb_per_s": r((out1 - out0) / 1024 / wall),
            "app_cpu_per_s_switching_tabs": r((c_app3 - c_app2) / (t3 - t2), 4),
            "bare_cpu_per_s_switching_tabs": r((c_bare3 - c_bare2) / (t3 - t2), 4),
            "kept_up": kept_up and status.get("connects") == 1,
            "frames_sent": session.stats.frames_sent,
            "frames_received": status.get("frames_total"),
            "depth_msgs_sent": depth_sent,
            "backlog_end": backlog_end,
            "drain_s": r(drain_s, 3),
            "reconnects": status.get("connects", 0) - 1,
            "window_s": r(wall, 2),
            **({"idle_cpu_per_s": r(idle, 4)} if idle is not None else {}),
        }
    finally:
        if bare is not None:
            await stop_proc(bare)
        if app is not None:
            await app.stop()
        await sim.stop()


# ------------------------------------------------------------------ the other figures
async def cold_start(runs: int, timeout: float = 20.0) -> list[float]:
    """`dfx-tui --demo` in a terminal: spawn to the first spread row on the output."""
    exe = Path(PY).with_name("dfx-tui")
    argv = [str(exe), "--demo"] if exe.exists() else [
        PY, "-c", "from dfx_tui.app.cli import main; raise SystemExit(main())", "--demo"]
    times = []
    for _ in range(runs):
        term = Terminal()
        seen = term.wait_for(b"spread ")
        t0 = mono()
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=term.slave, stdout=term.slave, stderr=term.slave,
            env=_term_env(), start_new_session=True)
        try:
            times.append(await asyncio.wait_for(seen, timeout) - t0)
            await asyncio.sleep(0.3)
            term.key(b"q")
            await asyncio.sleep(0.1)
            term.key(b"q")
            await asyncio.wait_for(proc.wait(), 5.0)
        except TimeoutError:
            pass
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            term.close()
    return times


async def rss_many(markets: tuple[str, ...], fps: float) -> dict[str, float]:
    """Peak RSS with every market open and each tab drawn at least once."""
    sim = await start_sim(markets, 20.0 * len(markets))
    app = None
    try:
        app = await AppProcess.start(sim.url, markets, fps)
        await app.expect("ready", 30.0)
        for _ in markets:
            app.term.key(b"\t")
            with contextlib.suppress(RuntimeError):
                await app.expect("tab", 3.0)
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
        return mem_mb(app.pid)
    finally:
        if app is not None:
            await app.stop()
        await sim.stop()


BARE_TEXTUAL = """
from textual.app import App
from textual.widgets import Footer, Static
class Bare(App):
    def compose(self):
        yield Static("idle")
        yield Footer()
Bare().run()
"""


async def idle_bare_textual(seconds: float, settle: float) -> float:
    term = Terminal()
    proc = await asyncio.create_subprocess_exec(
        PY, "-c", BARE_TEXTUAL, stdin=term.slave, stdout=term.slave, stderr=term.slave, env=_term_env(), start_new_session=True)
    try:
        await asyncio.sleep(settle + 0.5)
        c0, t0 = cpu_seconds(proc.pid), mono()
        await asyncio.sleep(seconds)
        return (cpu_seconds(proc.pid) - c0) / (mono() - t0)
    finally:
        proc.kill()
        await proc.wait()
        term.close()


# ------------------------------------------------------------------ main
async def bench(args: argparse.Namespace) -> dict[str, Any]:
    loads = [float(x) for x in args.loads.split(",") if x.strip()]
    t_start = mono()
    out: dict[str, Any] = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "seconds_per_load": args.seconds,
        "fps": args.fps,
        "terminal": f"{COLS}x{ROWS}",
        "markets": list(MARKETS),
        "trades_per_s": TRADE_RATE * len(MARKETS),
    }
    results = []
    for i, rate in enumerate(loads):
        results.append(await run_load(rate, args.seconds, args.fps, settle=args.settle,
                                      tab_seconds=args.tab_seconds or args.seconds,
                                      idle_seconds=args.idle_seconds if i == 0 else 0.0))
    out["loads"] = results
    out["idle_cpu_per_s"] = results[0].pop("idle_cpu_per_s", None) if results else None
    out["idle_cpu_per_s_bare_textual"] = (
        r(await idle_bare_textual(args.idle_seconds, args.settle), 4) if args.idle_seconds > 0 else None)
    colds = await cold_start(args.cold_runs) if args.cold_runs > 0 else []
    out["cold_start_s"] = r(statistics.median(colds), 3) if colds else None
    out["cold_start_runs_s"] = [r(c, 3) for c in colds]
    mem = await rss_many(MARKETS_10[: args.many], args.fps) if args.many > 0 else {}
    out["rss_mb_10_markets"] = r(mem.get("VmHWM"))
    out["rss_mb_10_markets_now"] = r(mem.get("VmRSS"))
    out["bench_seconds"] = r(mono() - t_start)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=12.0, help="window per load")
    ap.add_argument("--loads", default="50,500,5000",
                    help="total depth messages per second over 4 markets, comma-separated")
    ap.add_argument("--tab-seconds", type=float, default=0.0,
                    help="window with a tab key every 0.5 s (default: --seconds)")
    ap.add_argument("--fps", type=float, default=10.0, help="the app's repaint clock")
    ap.add_argument("--idle-seconds", type=float, default=8.0,
                    help="idle CPU window (0: skip); must stay under the feed's stale_after")
    ap.add_argument("--settle", type=float, default=1.5,
                    help="seconds to let the app settle before a window")
    ap.add_argument("--cold-runs", type=int, default=3, help="cold starts to take the median of")
    ap.add_argument("--many", type=int, default=10, help="markets for the RSS figure (0: skip)")
    ap.add_argument("--app-prefix", default="",
                    help="run the app under this command, e.g. 'py-spy record -o p.svg --' "
                         "(its CPU figures then include the prefix's own process)")
    args = ap.parse_args(argv)
    AppProcess.prefix = shlex.split(args.app_prefix)
    out = asyncio.run(bench(args))
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
