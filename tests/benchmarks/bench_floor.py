"""What a ladder repaint costs Textual itself, against bench_app's bare consumer: prints JSON.

Issue 11 asks the app's CPU to be at most 3x a bare websockets consumer at 50 msg/s. This
measures, in the same kind of pseudo-terminal as bench_app.py and interleaved with the bare
consumer at that load, a Textual app that does nothing but redraw `lines` rows (new strips,
only those lines refreshed) `fps` times a second (floor_textual.py). What a dfx-tui repaint
changes at 50 msg/s: about 22 ladder rows (one delta moves the Cum column and the depth bars
of every deeper row) and the header, at 9-10 paints a second.

    python tests/benchmarks/bench_floor.py [--reps 3] [--seconds 10] [--lines 1,22,46]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from bench_common import Terminal, cpu_seconds_fine, median, mono, r, term_env
from bench_procs import HERE, PY, start_bare, start_sim, stop_proc
from floor_textual import MARKER

MARKETS = ("BTC_USDT", "ETH_USDT", "XRP_USDT", "SHIB_USDT")


async def floor_cpu(lines: int, fps: float, seconds: float) -> float:
    term = Terminal()
    painted = term.wait_for(MARKER.encode())
    proc = await asyncio.create_subprocess_exec(
        PY, str(HERE / "floor_textual.py"), "--lines", str(lines), "--fps", str(fps),
        stdin=term.slave, stdout=term.slave, stderr=term.slave, env=term_env(),
        start_new_session=True)
    try:
        await asyncio.wait_for(painted, 20.0)
        await asyncio.sleep(1.0)
        c0, t0 = cpu_seconds_fine(proc.pid), mono()
        await asyncio.sleep(seconds)
        return (cpu_seconds_fine(proc.pid) - c0) / (mono() - t0)
    finally:
        proc.kill()
        await proc.wait()
        term.close()


async def bare_cpu(rate: float, seconds: float) -> float:
    sim = await start_sim(MARKETS, rate)
    try:
        proc, _port = await start_bare(sim.url, MARKETS)
        try:
            await asyncio.sleep(1.0)
            c0, t0 = cpu_seconds_fine(proc.pid), mono()
            await asyncio.sleep(seconds)
            return (cpu_seconds_fine(proc.pid) - c0) / (mono() - t0)
        finally:
            await stop_proc(proc)
    finally:
        await sim.stop()


async def bench(args: argparse.Namespace) -> dict[str, object]:
    counts = [int(n) for n in args.lines.split(",")]
    bare: list[float] = []
    floors: dict[int, list[float]] = {n: [] for n in counts}
    for _ in range(args.reps):
        bare.append(await bare_cpu(args.rate, args.seconds))
        for n in counts:
            floors[n].append(await floor_cpu(n, args.fps, args.seconds))
    b = median(bare)
    out: dict[str, object] = {"bare_cpu_per_s": r(b, 4), "rate_msgs_per_s": args.rate,
                              "fps": args.fps, "reps": args.reps}
    for n in counts:
        f = median(floors[n])
        out[f"floor_cpu_per_s_{n}_lines"] = r(f, 4)
        out[f"floor_over_bare_{n}_lines"] = r(f / b if f and b else None, 2)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--lines", default="1,22,46")
    ap.add_argument("--fps", type=float, default=10.0)
    ap.add_argument("--rate", type=float, default=50.0, help="the bare consumer's load")
    args = ap.parse_args()
    print(json.dumps(asyncio.run(bench(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
