"""Issue 13's figures: the app's CPU with the heatmap shown against the plain ladder view in
the same run, and the time from the frame that triggers an alert to its notification.

For each load (total depth messages per second over 4 markets, plus about 2 trades a second
per market), dfx-sim runs in this process and two app processes (`views_probe.py`: the real
DfxApp and FeedClient, each in its own pseudo-terminal so Textual's real driver encodes and
writes every frame) subscribe to the same markets of the same simulator, so both get the same
frames at the same time on the same (shared, noisy) machine. One stays on the ladder; in the
other the bench presses `h` `z` `z` in its terminal (the heatmap in the ladder's place, one
second a column, so a new column opens with every sample), then waits ``--settle`` seconds so
the heatmap's whole window holds history (83 columns at 160x50). Over the same window it
reads both processes' CPU seconds per wall second (/proc/PID/stat, all threads):
``cpu_ratio`` = heatmap / ladder (goal: at most 1.3).

Then, at ``--alert-load``, one app with a trade alert on every market (any size, 1 s
cool-down): from the arrival of the frame that carried the trade to the notification
(``alert_notify_ms``) and to the first screen update showing its toast (``alert_shown_ms``).

    python tests/benchmarks/bench_views.py [--seconds 15] [--loads 500,5000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import os
import pty
import statistics
import struct
import sys
import termios
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MARKETS = ("BTC_USDT", "ETH_USDT", "XRP_USDT", "SHIB_USDT")
COLS, ROWS = 160, 50
TRADE_RATE = 2.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
mono = time.monotonic


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))], 1)


class Probe:
    """views_probe.py in a pseudo-terminal whose output is drained (and searched) here."""

    def __init__(self, proc: Any, master: int, slave: int, events: asyncio.Queue[Any]) -> None:
        self.proc, self.master, self.slave, self.events = proc, master, slave, events
        self.tail = b""

    @classmethod
    async def start(cls, url: str, seconds: float, *extra: str) -> Probe:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        os.set_blocking(master, False)
        out_r, out_w = os.pipe()
        env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(HERE / "views_probe.py"), "--url", url, "--markets",
            ",".join(MARKETS), "--seconds", str(seconds), "--out-fd", str(out_w), *extra,
            stdin=slave, stdout=slave, stderr=slave, pass_fds=(out_w,), env=env,
            start_new_session=True)
        os.close(out_w)
        events: asyncio.Queue[Any] = asyncio.Queue()
        self = cls(proc, master, slave, events)
        loop = asyncio.get_running_loop()
        loop.add_reader(master, self._drain)
        reader = asyncio.StreamReader(limit=1 << 24)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader),
                                     os.fdopen(out_r, "rb"))
        self._task = asyncio.create_task(self._events(reader))
        return self

    def _drain(self) -> None:
        try:
            data = os.read(self.master, 1 << 16)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            asyncio.get_running_loop().remove_reader(self.master)
            return
        self.tail = (self.tail + data)[-65536:]

    async def _events(self, reader: asyncio.StreamReader) -> None:
        while line := await reader.readline():
            with contextlib.suppress(ValueError):
                self.events.put_nowait(json.loads(line))

    async def expect(self, ev: str, timeout: float) -> dict[str, Any]:
        deadline = mono() + timeout
        while True:
            obj = await asyncio.wait_for(self.events.get(), max(0.1, deadline - mono()))
            if obj.get("ev") == ev:
                return dict(obj)

    async def press(self, key: bytes, marker: bytes, timeout: float = 10.0) -> None:
        self.tail = b""
        os.write(self.master, key)
        deadline = mono() + timeout
        while marker not in self.tail:
            if mono() > deadline:
                raise RuntimeError(f"no {marker!r} on screen after pressing {key!r}")
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.proc.wait(), 10.0)
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        self._task.cancel()
        with contextlib.suppress(Exception):
            asyncio.get_running_loop().remove_reader(self.master)
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


async def start_sim(total_rate: float) -> Any:
    from dfx_tui.app.sim.server import SimConfig, SimServer

    cfg = SimConfig(markets=MARKETS, seed=1, rate=total_rate / len(MARKETS),
                    trade_rate=TRADE_RATE, snapshot_interval=600.0, idle_timeout=120.0)
    return await SimServer(cfg, host="127.0.0.1", port=0).start()


async def cpu_pair(rate: float, seconds: float, settle: float) -> dict[str, Any]:
    sim = await start_sim(rate)
    probes: list[Probe] = []
    try:
        run_for = settle + seconds + 3.0
        ladder = await Probe.start(sim.url, run_for)
        heatmap = await Probe.start(sim.url, run_for)
        probes = [ladder, heatmap]
        await asyncio.gather(ladder.expect("ready", 30), heatmap.expect("ready", 30))
        await heatmap.press(b"h", b"heatmap")
        os.write(heatmap.master, b"zz")  # checked in the report (a redraw writes only "1")
        await asyncio.sleep(settle)
        c0 = [cpu_seconds(p.proc.pid) for p in probes]
        t0 = mono()
        await asyncio.sleep(seconds)
        c1 = [cpu_seconds(p.proc.pid) for p in probes]
        wall = mono() - t0
        reports = await asyncio.gather(*(p.expect("report", run_for + 10) for p in probes))
    finally:
        for p in probes:
            await p.close()
        await sim.stop()
    ladder_cpu, heat_cpu = ((b - a) / wall for a, b in zip(c0, c1, strict=True))
    assert [(r["body"], r["seconds"]) for r in reports] == [("ladder", 5), ("heatmap", 1)], \
        reports
    return {"msgs_per_s": rate, "ladder_cpu_per_s": round(ladder_cpu, 4),
            "heatmap_cpu_per_s": round(heat_cpu, 4),
            "cpu_ratio": round(heat_cpu / ladder_cpu, 3) if ladder_cpu > 0 else None}


async def alert_latency(rate: float, seconds: float) -> dict[str, Any]:
    sim = await start_sim(rate)
    probe = None
    try:
        probe = await Probe.start(sim.url, seconds, "--alert-latency")
        await probe.expect("ready", 30)
        report = await probe.expect("report", seconds + 20)
    finally:
        if probe is not None:
            await probe.close()
        await sim.stop()
    samples = report["samples"]
    notify = [(n - a) * 1000 for a, n, _s in samples]
    shown = [(s - a) * 1000 for a, _n, s in samples if s is not None]
    return {"msgs_per_s": rate, "alerts_fired": report["alerts_fired"],
            "samples": len(samples), "alert_notify_ms_p50": pct(notify, 50),
            "alert_notify_ms_p99": pct(notify, 99), "alert_shown_ms_p50": pct(shown, 50),
            "alert_shown_ms_p99": pct(shown, 99), "alert_shown_ms_max": pct(shown, 100)}


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    loads = [float(x) for x in args.loads.split(",")]
    out: dict[str, Any] = {"python": sys.version.split()[0], "loadavg": os.getloadavg(),
                           "seconds": args.seconds, "fps": 10, "loads": []}
    for rate in loads:
        runs = [await cpu_pair(rate, args.seconds, args.settle) for _ in range(args.repeats)]
        ratios = [r["cpu_ratio"] for r in runs if r["cpu_ratio"] is not None]
        out["loads"].append({"msgs_per_s": rate, "runs": runs,
                             "cpu_ratio_median": round(statistics.median(ratios), 3)
                             if ratios else None})
    out["alerts"] = await alert_latency(args.alert_load, args.alert_seconds)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--settle", type=float, default=90.0,
                    help="seconds from showing the heatmap to measuring (fills its window)")
    ap.add_argument("--loads", default="500,5000")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--alert-load", type=float, default=500.0)
    ap.add_argument("--alert-seconds", type=float, default=20.0)
    print(json.dumps(asyncio.run(main_async(ap.parse_args())), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
