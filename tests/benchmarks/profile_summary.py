"""Top functions of a py-spy profile (``--format raw``: collapsed stacks), as Markdown tables.

    python tests/benchmarks/profile_summary.py PROFILE.txt [--top 15]

Own time: samples whose innermost frame is the function. Cumulative: samples with the
function anywhere on the stack (counted once per sample; the event loop's and the probe's
own frames, on every stack, are left out). Both in % of the CPU samples:
py-spy's own idle detection does not work on this kind of machine (a thread blocked in
``select`` or a ``Condition.wait`` is sampled as running), so samples whose innermost frame
is one of the blocking calls in ``WAITS`` are left out, and their share is printed.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# Innermost frames that mean "blocked, waiting": the event loop's and the input thread's
# select, the writer thread's queue wait.
WAITS = ("select (selectors.py)", "Condition.wait (threading.py)", "Event.wait (threading.py)",
         "Thread.join (threading.py)", "Lock.acquire (threading.py)")

# Frames on (nearly) every stack, left out of the cumulative table: they say nothing.
SCAFFOLD = ("(asyncio/runners.py)", "(asyncio/base_events.py)", "(asyncio/events.py)",
            "(app_probe.py)", "_bootstrap (threading.py)", "_bootstrap_inner (threading.py)",
            "Thread.run (threading.py)", "invoke (textual/_callback.py)",
            "_invoke (textual/_callback.py)")

# What comes before a package-relative path: site-packages, the standard library, this
# checkout (app/, widgets/, book/, tests/benchmarks/).
_ROOT = Path(__file__).resolve().parents[2]
_ANCHOR = re.compile("|".join([r".*site-packages/", r".*/lib/python3\.\d+/",
                               re.escape(f"{_ROOT}/tests/benchmarks/"),
                               re.escape(f"{_ROOT}/")]))

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def short(frame: str) -> str:
    """``func (path/to/file.py:12)`` -> ``func (file.py)``, package-relative where possible."""
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    path = _ANCHOR.split(m["file"], 1)[-1]
    return f"{m['func']} ({path})"


def is_wait(frame: str) -> bool:
    return frame.endswith(WAITS)


def summarize(text: str, keep_waits: bool = False) -> tuple[int, int, Counter[str], Counter[str]]:
    """(CPU samples, waiting samples left out, own counts, cumulative counts)."""
    own: Counter[str] = Counter()
    cum: Counter[str] = Counter()
    total = waiting = 0
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [short(f) for f in stack.split(";")]
        if not keep_waits and is_wait(frames[-1]):
            waiting += n
            continue
        total += n
        own[frames[-1]] += n
        for f in set(frames):
            if not f.endswith(SCAFFOLD):
                cum[f] += n
    return total, waiting, own, cum


def table(title: str, counts: Counter[str], total: int, top: int) -> str:
    rows = [f"| {title} | % of samples |", "|---|---:|"]
    rows += [f"| `{name}` | {100 * n / total:.1f} |" for name, n in counts.most_common(top)]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("profile", type=Path)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--keep-waits", action="store_true", help="count blocked samples too")
    args = ap.parse_args(argv)
    total, waiting, own, cum = summarize(args.profile.read_text(), args.keep_waits)
    if not total:
        raise SystemExit(f"{args.profile}: no samples")
    print(f"{total} CPU samples ({waiting} more blocked in a wait, left out)\n")
    print(table("own time", own, total, args.top))
    print()
    print(table("cumulative", cum, total, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
