"""What bench_app.py's parts share: the pseudo-terminal, /proc readers and small statistics."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pty
import statistics
import struct
import termios
import time
from collections.abc import Iterable

CLK_TCK = os.sysconf("SC_CLK_TCK")
COLS, ROWS = 160, 50
mono = time.monotonic

# Textual asks whether the terminal supports synchronized output (mode 2026) and, if so, wraps
# every screen update in ESC[?2026h ... ESC[?2026l. Kitty, WezTerm, foot, iTerm2, Windows
# Terminal and others answer "supported"; so does this terminal, which also lets the screen
# model (screen_model.py) tell one update from the next.
SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"


# ------------------------------------------------------------------ /proc
def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime, all threads


def cpu_seconds_fine(pid: int) -> float:
    """CPU seconds of every live thread, to the nanosecond (schedstat): for idle windows,
    where the 10 ms ticks of /proc/PID/stat are too coarse (1 tick in 8 s is 0.125%)."""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
    except OSError:
        return cpu_seconds(pid)
    return total / 1e9


def switches(pid: int) -> int:
    """Context switches of every live thread so far (voluntary: the thread slept and was
    woken; involuntary: preempted): an idle process's wake-ups."""
    total = 0
    with contextlib.suppress(OSError):
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches:",
                                        "nonvoluntary_ctxt_switches:")):
                        total += int(line.split(":", 1)[1])
    return total


def mem_mb(pid: int) -> dict[str, float]:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0]) / 1024
    return out


# ------------------------------------------------------------------ statistics
def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))
    return s[k]


def r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None else round(x, nd)


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b <= 0 else a / b


def median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


# ------------------------------------------------------------------ terminal
class Terminal:
    """A pseudo-terminal whose output is read (counted, and kept if asked) on the event loop."""

    def __init__(self, cols: int = COLS, rows: int = ROWS, *, keep: bool = False) -> None:
        self.cols, self.rows = cols, rows
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.set_blocking(self.master, False)
        self.bytes = 0
        self.data: bytearray | None = bytearray() if keep else None  # all output, if kept
        self._tail = b""
        self._query_tail = b""
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
        if self.data is not None:
            self.data += data
        self.last = (self.last + data)[-4096:]
        seen = self._query_tail + data
        if SYNC_QUERY in seen:
            with contextlib.suppress(OSError):
                os.write(self.master, SYNC_REPLY)
            seen = b""
        self._query_tail = seen[-(len(SYNC_QUERY) - 1):]
        if self._marker is not None:
            marker, fut = self._marker
            if marker in self._tail + data and not fut.done():
                fut.set_result(now)
                self._marker = None
            self._tail = (self._tail + data)[-len(marker):]

    def wait_for(self, marker: bytes) -> asyncio.Future[float]:
        fut = asyncio.get_running_loop().create_future()
        self._marker = (marker, fut)
        self._tail = b""
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


def term_env() -> dict[str, str]:
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    for key in ("TEXTUAL", "TEXTUAL_DEBUG", "TEXTUAL_DEVTOOLS_PORT", "TERM_PROGRAM"):
        env.pop(key, None)
    return env
