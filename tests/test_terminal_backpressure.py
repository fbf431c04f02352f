"""Terminal back-pressure (issue 11): a terminal that stops reading never stalls the feed.

The real `dfx-tui` runs on a pseudo-terminal against dfx-sim (on a thread of this process, so
its counters and truth can be read). This test reads the terminal through `pyte`, a real VT
emulator, then stops reading for longer than the app's stale detection (15 s) while the sim
pushes 50 depth messages a second, and resumes. With Textual's stock writer the app's loop
blocks on the full terminal and the link is dropped; now:

- no reconnect: the sim saw one connection, the status bar says `reconnects 0`;
- the loop kept running: the app's keep-alive pings reached the sim during the stall;
- once reading resumes, the screen shows the sim's book (header best bid x ask and every
  ladder row) within one repaint plus slack;
- the stall's pictures were skipped, not queued: what the terminal reads after resuming,
  until the screen is current, is about one full picture, not 30 s of them.

`measure_stall(120)` is the manual long run (figures printed; see the module's end).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyte
import pytest

from dfx_tui.app.sim.server import SimConfig, SimServer
from dfx_tui.app.terminal import TerminalWriter

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="pseudo-terminal test for Linux")

ROWS, COLS = 30, 100  # narrow layout: the ladder above the tape, 7 levels a side
MARKET = "BTC_USDT"
STALL_S = 30.0  # more than the app's stale detection (15 s) and the sim's idle close below
# The live server closes a link silent for 60 s; the app pings every 20 s. The sim closes at
# 24 s, still above the ping interval, so a test stall of 30 s shows what 75 s did live.
IDLE_CLOSE_S = 24.0
REPAINT_S = 0.1  # the app's clock at its default 10 fps
SLACK_S = 1.4  # reading the backlog and one full picture through pyte, on a loaded machine
# Bytes read after resuming until the screen is current: the few KiB the pty held, the
# pictures of the first quarter second of the stall and one full repaint (about 25 KiB at
# 100x30). A writer that queued the stall's pictures would replay 30 s of them (~1.5 MB).
BYTES_TO_CURRENT_MAX = 200_000

HEADER_RE = re.compile(rf"{MARKET}\b.*?\s(\d+(?:\.\d+)?) × (\d+(?:\.\d+)?)\s")
ROW_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s+\d+(?:\.\d+)?\s")


# ----------------------------------------------------------------- the simulator on a thread
@contextlib.contextmanager
def sim_on_thread(config: SimConfig) -> Iterator[tuple[SimServer, Callable[..., Any]]]:
    """A started SimServer on its own loop; `call(fn)` runs fn on that loop, returns its value."""
    loop = asyncio.new_event_loop()
    sim = SimServer(config, host="127.0.0.1", port=0)
    thread = threading.Thread(target=loop.run_forever, name="sim", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(sim.start(), loop).result(10)

    def call(fn: Callable[[], Any]) -> Any:
        async def run() -> Any:
            return fn()
        return asyncio.run_coroutine_threadsafe(run(), loop).result(10)

    try:
        yield sim, call
    finally:
        asyncio.run_coroutine_threadsafe(sim.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


# ----------------------------------------------------------------- the terminal
class AltScreen(pyte.Screen):
    """pyte without the alternate screen ignores `CSI ? 1049 h`; a terminal shows a blank
    screen there, so a picture the app never repaints after entering it stays missing."""

    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        super().set_mode(*modes, **kwargs)
        if kwargs.get("private") and 1049 in modes:
            self.erase_in_display(2)


class Terminal:
    """The master side of a pty, read on a thread into a pyte screen; reading can stop."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.screen = AltScreen(COLS, ROWS)
        self._stream = pyte.ByteStream(self.screen)
        self.lock = threading.Lock()
        self.reading = threading.Event()
        self.reading.set()
        self.bytes_read = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pty-reader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.is_set():
            if not self.reading.is_set():
                self.reading.wait(0.05)
                continue
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:  # the app closed its side
                return
            if not data:
                return
            with self.lock:
                self.bytes_read += len(data)
                self._stream.feed(data)

    def lines(self) -> list[str]:
        with self.lock:
            return list(self.screen.display)

    def waiting_bytes(self) -> int:
        """Bytes the app wrote that the terminal has not read yet."""
        buf = fcntl.ioctl(self.master, termios.FIONREAD, b"\0\0\0\0")
        return int(struct.unpack("i", buf)[0])

    def close(self) -> None:
        self.reading.set()
        self._done.set()
        self._thread.join(5)


def shown_book(lines: list[str]) -> tuple[tuple[Decimal, Decimal] | None,
                                          list[tuple[Decimal, Decimal]],
                                          list[tuple[Decimal, Decimal]]]:
    """(header best bid, best ask), ladder asks (best first), ladder bids (best first)."""
    header = None
    asks: list[tuple[Decimal, Decimal]] = []
    bids: list[tuple[Decimal, Decimal]] = []
    side = asks
    for line in lines:
        m = HEADER_RE.search(line)
        if m and header is None:
            header = (Decimal(m.group(1)), Decimal(m.group(2)))
            continue
        if "spread" in line and asks:
            side = bids
            continue
        row = ROW_RE.match(line)
        if row:
            side.append((Decimal(row.group(1)), Decimal(row.group(2))))
        elif side is bids and bids:
            break  # the ladder ended; the tape starts below
    asks.reverse()  # drawn worst (highest) first
    return header, asks, bids


def screen_matches(lines: list[str], truth: dict[str, list[list[str]]]) -> bool:
    header, asks, bids = shown_book(lines)
    want_asks = [(Decimal(p), Decimal(a)) for p, a in truth["asks"]]
    want_bids = [(Decimal(p), Decimal(a)) for p, a in truth["bids"]]
    return (header == (want_bids[0][0], want_asks[0][0])
            and len(asks) >= 3 and len(bids) >= 3
            and asks == want_asks[:len(asks)] and bids == want_bids[:len(bids)])


def screen_whole(lines: list[str], truth: dict[str, list[list[str]]]) -> bool:
    """The sim's book on screen, and every fixed line where it belongs, once."""
    text = "\n".join(lines)
    return (screen_matches(lines, truth) and lines[0].startswith(f" {MARKET}")
            and "━" in lines[1] and "Price    Size" in lines[3] and " Cum " in lines[3]
            and "Time         Price" in text and lines[-1].startswith("a Add")
            and "reconnects 0" in lines[-2] and text.count("a Add") == 1
            and text.count("reconnects") == 1)


def process_state(pid: int) -> str:
    """R, S, T (stopped), ... from /proc."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def proc_figure(pid: int, file: str, key: str) -> int:
    """A number from /proc/PID/FILE: status VmRSS (KiB), io wchar (bytes written by write(2))."""
    for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return 0


@dataclass
class StallReport:
    stall_s: float
    connections: int = 0
    reconnects_shown: str = "?"
    requests_during_stall: int = 0
    depth_sent_during_stall: int = 0
    idle_closes: int = 0
    slow_closes: int = 0
    waiting_at_resume: int = 0
    written_during_stall: int = 0
    rss_before_kib: int = 0
    rss_after_kib: int = 0
    seconds_to_current: float | None = None
    bytes_to_current: int | None = None
    alive: bool = True
    last_screen: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in asdict(self).items() if k != "last_screen")


def _wait(pred: Callable[[], bool], timeout: float, what: str, term: Terminal) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n" + "\n".join(term.lines()))
        time.sleep(0.05)


@contextlib.contextmanager
def app_on_pty(url: str, tmp: Path) -> Iterator[tuple[subprocess.Popen[bytes], Terminal]]:
    """The real dfx-tui on a ROWS x COLS pseudo-terminal, after its first picture of MARKET."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.pop("DFX_TUI_CONFIG", None)  # no settings file of this machine's user
    env.update(TERM="xterm-256color", XDG_CONFIG_HOME=str(tmp))
    proc = subprocess.Popen([sys.executable, "-m", "dfx_tui.app.cli", "--url", url, MARKET],
                            stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True)
    os.close(slave)
    term = Terminal(master)
    try:
        _wait(lambda: "reconnects 0" in "\n".join(term.lines())
              and shown_book(term.lines())[0] is not None, 30, "the first picture", term)
        yield proc, term
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        term.close()
        os.close(master)


def measure_stall(stall_s: float, tmp: Path, *, idle_close_s: float = IDLE_CLOSE_S,
                  settle_s: float = 10.0) -> StallReport:
    """Run the app on a pty, stop reading for `stall_s`, resume; return what was seen."""
    report = StallReport(stall_s)
    config = SimConfig(markets=(MARKET,), seed=5, rate=50.0, trade_rate=5.0,
                       idle_timeout=idle_close_s)
    with sim_on_thread(config) as (sim, call), app_on_pty(sim.url, tmp) as (proc, term):
        session = sim.sessions[0]
        time.sleep(1.0)
        report.rss_before_kib = proc_figure(proc.pid, "status", "VmRSS")
        requests0 = call(lambda: session.stats.requests)
        depth0 = call(lambda: session.stats.depth_msgs_sent)
        wchar0 = proc_figure(proc.pid, "io", "wchar")

        term.reading.clear()  # the terminal stops reading: a stalled link
        time.sleep(stall_s)
        report.requests_during_stall = call(lambda: session.stats.requests) - requests0
        report.depth_sent_during_stall = call(lambda: session.stats.depth_msgs_sent) - depth0
        report.rss_after_kib = proc_figure(proc.pid, "status", "VmRSS")
        report.written_during_stall = proc_figure(proc.pid, "io", "wchar") - wchar0
        report.waiting_at_resume = term.waiting_bytes()
        # Freeze the market, let what is in flight land, then take the truth.
        call(sim.pause)
        time.sleep(0.5)
        truth = call(lambda: sim.truth(MARKET))

        t_resume, read0 = time.monotonic(), term.bytes_read
        term.reading.set()
        deadline = t_resume + settle_s
        while time.monotonic() < deadline:
            with term.lock:
                lines, read = list(term.screen.display), term.bytes_read
            if screen_matches(lines, truth):
                report.seconds_to_current = round(time.monotonic() - t_resume, 3)
                report.bytes_to_current = read - read0
                break
            time.sleep(0.01)
        time.sleep(0.5)  # the status bar repaints at the next tick
        report.last_screen = term.lines()
        shown = re.search(r"reconnects \d+", "\n".join(report.last_screen))
        report.reconnects_shown = shown.group(0) if shown else "?"
        report.connections = call(lambda: sim.stats.connections)
        report.idle_closes = call(lambda: sim.stats.idle_closes)
        report.slow_closes = call(lambda: sim.stats.slow_closes)
        report.alive = proc.poll() is None
    return report


@pytest.mark.timeout(120)
def test_a_terminal_that_stops_reading_never_stalls_the_feed(tmp_path: Path) -> None:
    report = measure_stall(STALL_S, tmp_path)
    print(report.summary())
    why = report.summary() + "\n" + "\n".join(report.last_screen)
    assert report.alive, why
    assert report.connections == 1 and report.reconnects_shown == "reconnects 0", why
    assert report.idle_closes == 0 and report.slow_closes == 0, why
    # The loop that reads the socket kept running: its keep-alive pings reached the sim.
    assert report.requests_during_stall >= 1, why
    assert report.seconds_to_current is not None and report.bytes_to_current is not None, why
    assert report.seconds_to_current <= REPAINT_S + SLACK_S, why
    assert report.bytes_to_current <= BYTES_TO_CURRENT_MAX, why


def test_a_resize_while_pictures_are_held_shows_whole_at_the_new_size(tmp_path: Path) -> None:
    """A resize during a hold: after the release the screen is whole at the new size (the book,
    the status bar and the footer moved down, nothing left where they were)."""
    rows2, cols2 = ROWS + 4, COLS  # same width: the footer and status bar only move
    config = SimConfig(markets=(MARKET,), seed=6, rate=50.0, trade_rate=5.0)
    with sim_on_thread(config) as (sim, call), app_on_pty(sim.url, tmp_path) as (proc, term):
        term.reading.clear()
        time.sleep(1.5)  # the terminal is full: pictures are held
        fcntl.ioctl(term.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows2, cols2, 0, 0))
        os.kill(proc.pid, signal.SIGWINCH)
        time.sleep(1.5)  # the app lays out the new size, its picture is skipped
        call(sim.pause)
        time.sleep(0.5)
        truth = call(lambda: sim.truth(MARKET))
        with term.lock:
            term.screen.resize(rows2, cols2)
        t_resume = time.monotonic()
        term.reading.set()

        _wait(lambda: screen_whole(term.lines(), truth), REPAINT_S + SLACK_S,
              "the whole screen at the new size", term)
        print(f"screen current {time.monotonic() - t_resume:.3f} s after resume")


def test_a_suspension_during_a_hold_ends_it_and_repaints(tmp_path: Path) -> None:
    """SIGTSTP while pictures are held: Textual stops the writer (it writes everything first)
    with no drained call; after SIGCONT the hold must end and the blank alternate screen be
    painted whole. (Before this was handled the screen stayed blank for good.)"""
    config = SimConfig(markets=(MARKET,), seed=7, rate=50.0, trade_rate=5.0)
    with sim_on_thread(config) as (sim, call), app_on_pty(sim.url, tmp_path) as (proc, term):
        term.reading.clear()
        time.sleep(1.5)  # the terminal is full: pictures are held
        os.kill(proc.pid, signal.SIGTSTP)
        time.sleep(0.5)
        term.reading.set()  # the app leaves application mode, then stops itself
        _wait(lambda: process_state(proc.pid) == "T", 10, "the app to stop", term)
        call(sim.pause)
        truth = call(lambda: sim.truth(MARKET))
        t_resume = time.monotonic()
        os.kill(proc.pid, signal.SIGCONT)
        # (plus a second: the frames the sim sent while the app was stopped come first)
        _wait(lambda: screen_whole(term.lines(), truth), REPAINT_S + SLACK_S + 1.0,
              "the whole screen after SIGCONT", term)
        print(f"screen whole {time.monotonic() - t_resume:.3f} s after SIGCONT")


def test_the_writer_never_blocks_and_keeps_every_byte_in_order() -> None:
    """A pipe nobody reads: submitting 8 MB returns at once; then every byte arrives, in order."""
    read_fd, write_fd = os.pipe()
    drained = threading.Event()
    file = os.fdopen(write_fd, "w", encoding="utf-8")
    try:
        writer = TerminalWriter(file, drained.set)
        writer.start()
        texts = [f"\x1b[{i % 40 + 1};1H" + "█" * 900 + f"\x1b[0m{i}\n" for i in range(3000)]
        t0 = time.monotonic()
        for text in texts:
            writer.submit(text)
        submit_s = time.monotonic() - t0
        time.sleep(0.3)
        assert writer.lag(time.monotonic()) >= 0.3  # stuck behind the full pipe
        writer.call_when_drained()
        got = bytearray()
        while not drained.is_set() or select.select([read_fd], [], [], 0)[0]:
            if select.select([read_fd], [], [], 0.05)[0]:
                got += os.read(read_fd, 1 << 16)
        assert submit_s < 1.0, submit_s  # a blocking writer would wait on the reader forever
        assert got.decode() == "".join(texts)
        assert writer.lag(time.monotonic()) == 0.0 and writer.waiting_chars == 0
        os.close(read_fd)  # the terminal goes away: the writer stops, submit still returns
        writer.submit("x" * 100_000)
        writer.stop()
        assert isinstance(writer.error, OSError)
        writer.submit("after the end")
    finally:
        with contextlib.suppress(OSError):  # a broken pipe: what was buffered is lost
            file.close()


if __name__ == "__main__":
    # The manual long run, against the live server's 60 s idle close:
    #   python tests/test_terminal_backpressure.py 120
    import tempfile

    with tempfile.TemporaryDirectory() as tmpdir:
        stall = float(sys.argv[1]) if len(sys.argv) > 1 else 120.0
        found = measure_stall(stall, Path(tmpdir), idle_close_s=60.0)
        print(found.summary())
        print("\n".join(found.last_screen))
