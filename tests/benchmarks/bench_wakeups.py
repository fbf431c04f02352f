"""What one wake-up of a sleeping thread costs on this machine, in CPU: prints JSON.

Why it matters (issue 11, eighth pass): the app at 50 msg/s sleeps between a few dozen
events a second, and each time a thread sleeps and is woken the machine charges it a fixed
price, whatever little it then does. Measured here as CPU seconds (user + system, this
process) per wake-up, for waits of `--sleep-ms`, in interleaved rounds, medians:

- `time.sleep` (the cheapest wait),
- `select` with a timeout on a pipe that never becomes ready (Textual's input thread polls
  like this every 0.1 s),
- `await asyncio.sleep` (a timer of the app's loop: bench_app's old watchdog),
- a `threading.Condition` hand-over to a waiting thread and back (a writer thread).

    python tests/benchmarks/bench_wakeups.py [--rounds 5] [--n 200] [--sleep-ms 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import selectors
import statistics
import threading
import time
from collections.abc import Callable


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def per_wakeup(run: Callable[[int], None], n: int) -> float:
    c0 = cpu()
    run(n)
    return (cpu() - c0) / n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--n", type=int, default=200, help="wake-ups a round and kind")
    ap.add_argument("--sleep-ms", type=float, default=10.0)
    args = ap.parse_args()
    wait = args.sleep_ms / 1000

    def sleeping(n: int) -> None:
        for _ in range(n):
            time.sleep(wait)

    read_end, write_end = os.pipe()
    selector = selectors.SelectSelector()
    selector.register(read_end, selectors.EVENT_READ)

    def selecting(n: int) -> None:
        for _ in range(n):
            selector.select(wait)

    def loop_timer(n: int) -> None:
        async def run() -> None:
            for _ in range(n):
                await asyncio.sleep(wait)
        asyncio.run(run())

    def hand_over(n: int) -> None:
        """The caller waits `wait`, then wakes a waiting thread, which wakes it back."""
        cond = threading.Condition()
        turn = [0]

        def other() -> None:
            for i in range(n):
                with cond:
                    cond.wait_for(lambda i=i: turn[0] == 2 * i + 1)
                    turn[0] += 1
                    cond.notify()

        thread = threading.Thread(target=other)
        thread.start()
        for i in range(n):
            time.sleep(wait)
            with cond:
                turn[0] += 1
                cond.notify()
                cond.wait_for(lambda i=i: turn[0] == 2 * i + 2)
        thread.join()

    kinds = {"sleep": sleeping, "select": selecting, "asyncio_sleep": loop_timer,
             "condition_hand_over": hand_over}
    samples: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(args.rounds):
        for name, run in kinds.items():
            samples[name].append(per_wakeup(run, args.n))
    os.close(read_end)
    os.close(write_end)
    print(json.dumps({
        "sleep_ms": args.sleep_ms, "rounds": args.rounds, "n": args.n,
        **{f"{k}_us_per_wakeup": round(statistics.median(v) * 1e6, 1)
           for k, v in samples.items()},
        **{f"{k}_us_rounds": [round(x * 1e6, 1) for x in v] for k, v in samples.items()},
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
