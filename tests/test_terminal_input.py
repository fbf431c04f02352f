"""Keys read on the app's loop (app/terminal_input.py) and one hand-over a picture
(app/terminal.py): the parts of the driver that wake fewer threads.

`LoopInput` reads a real pseudo-terminal on a real asyncio loop: keys, escape sequences,
UTF-8 split across reads, a lone Escape delivered after the parser's delay (no poll), and
nothing read after `stop`. The driver's writes are handed to a real `TerminalWriter`."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
import tty
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.message import Message

from dfx_tui.app.terminal import BackpressureDriver, TerminalWriter
from dfx_tui.app.terminal_input import LoopInput

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="pseudo-terminal test for Linux")


class Keys:
    def __init__(self) -> None:
        self.events: list[tuple[float, Message]] = []
        self.errors = 0

    def process(self, message: Message) -> None:
        self.events.append((time.monotonic(), message))

    def failed(self) -> None:
        self.errors += 1

    def keys(self) -> list[str]:
        return [m.key for _, m in self.events if isinstance(m, events.Key)]


def raw_pty() -> tuple[int, int]:
    """A pty whose terminal side is in raw mode, as Textual's driver sets it."""
    master, slave = os.openpty()
    tty.setraw(slave)
    return master, slave


@asynccontextmanager
async def reading() -> AsyncIterator[tuple[int, LoopInput, Keys]]:
    """(the typing side of a pty, a started LoopInput on its terminal side, what it got)."""
    master, slave = raw_pty()
    keys = Keys()
    reader = LoopInput(slave, asyncio.get_running_loop(), keys.process, keys.failed)
    reader.start()
    try:
        yield master, reader, keys
    finally:
        reader.stop()
        os.close(master)
        os.close(slave)


async def until(pred: Any, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def test_keys_and_sequences_arrive_in_order() -> None:
    async with reading() as (master, _reader, keys):
        os.write(master, b"ab\x1b[Aq")
        await until(lambda: len(keys.keys()) == 4)
        assert keys.keys() == ["a", "b", "up", "q"]
        assert keys.errors == 0


async def test_a_character_split_across_reads_is_one_key() -> None:
    async with reading() as (master, _reader, keys):
        data = "é".encode()
        os.write(master, data[:1])
        await asyncio.sleep(0.05)
        assert keys.keys() == []
        os.write(master, data[1:])
        await until(lambda: keys.keys() == ["é"])


async def test_a_lone_escape_arrives_after_the_parsers_delay() -> None:
    """Textual's thread polled every 0.1 s to time a lone Escape out; here the timeout is
    scheduled, so it arrives ESCAPE_DELAY (0.1 s) after the key, not at the next poll."""
    async with reading() as (master, _reader, keys):
        sent = time.monotonic()
        os.write(master, b"\x1b")
        await until(lambda: keys.keys() == ["escape"], timeout=1.0)
        waited = keys.events[0][0] - sent
        assert 0.09 <= waited < 0.4, waited


async def test_nothing_is_read_after_stop() -> None:
    async with reading() as (master, reader, keys):
        os.write(master, b"x")
        await until(lambda: keys.keys() == ["x"])
        reader.stop()
        assert not reader.reading
        os.write(master, b"y")
        await asyncio.sleep(0.1)
        assert keys.keys() == ["x"]


async def test_the_terminal_going_away_stops_reading_without_an_error() -> None:
    master, slave = raw_pty()
    keys = Keys()
    reader = LoopInput(slave, asyncio.get_running_loop(), keys.process, keys.failed)
    reader.start()
    os.write(master, b"k")
    await until(lambda: keys.keys() == ["k"])
    os.close(master)  # a hang-up: reads on the terminal side fail (EIO)
    await until(lambda: not reader.reading)
    assert keys.errors == 0
    reader.stop()
    os.close(slave)


class Recorder:
    """A terminal file that records each write."""

    def __init__(self) -> None:
        self.writes: list[str] = []
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            self.writes.append(text)
        return len(text)

    def flush(self) -> None:
        pass


async def test_a_picture_is_one_hand_over_to_the_writer() -> None:
    """Textual writes a picture as the sync start, the picture and the sync end, then
    flushes: the writer thread gets one text (one wake-up), in order. A write with no flush
    after it (a mode change) goes at the loop's next turn."""
    driver = BackpressureDriver(App())
    file = Recorder()
    drained = threading.Event()
    writer = TerminalWriter(file, drained.set)  # type: ignore[arg-type]
    writer.start()
    driver._terminal = writer
    driver._loop_thread = threading.get_ident()
    try:
        driver.write("\x1b[?2026h")
        driver.write("picture")
        driver.write("\x1b[?2026l")
        driver.flush()
        driver.write("\x07")  # no flush follows
        await asyncio.sleep(0)
        await asyncio.sleep(0.05)
        writer.call_when_drained()
        assert await asyncio.to_thread(drained.wait, 5)
        assert file.writes == ["\x1b[?2026hpicture\x1b[?2026l", "\x07"]
    finally:
        writer.stop()


def test_the_real_app_reads_keys_on_its_loop_before_and_after_a_suspension(
        tmp_path: Path) -> None:
    """`dfx-tui` on a pseudo-terminal: a key opens the help, a lone Escape closes it, and
    after SIGTSTP / SIGCONT (a new reader on the loop) keys still arrive."""
    from dfx_tui.app.sim.server import SimConfig
    from tests.test_terminal_backpressure import (
        MARKET,
        _wait,
        app_on_pty,
        process_state,
        sim_on_thread,
    )

    def help_shown() -> bool:
        return "dfx-tui keys" in "\n".join(term.lines())

    config = SimConfig(markets=(MARKET,), seed=3, rate=20.0, trade_rate=2.0)
    with sim_on_thread(config) as (sim, _call), app_on_pty(sim.url, tmp_path) as (proc, term):
        os.write(term.master, b"?")
        _wait(help_shown, 10, "the help", term)
        os.write(term.master, b"\x1b")
        _wait(lambda: not help_shown(), 10, "the help to close on a lone Escape", term)
        os.kill(proc.pid, signal.SIGTSTP)
        _wait(lambda: process_state(proc.pid) == "T", 10, "the app to stop", term)
        os.kill(proc.pid, signal.SIGCONT)
        time.sleep(0.5)
        os.write(term.master, b"?")
        _wait(help_shown, 10, "the help after SIGCONT", term)


async def test_input_the_loop_cannot_wait_on_is_read_to_its_end_on_a_thread(
        tmp_path: Path) -> None:
    """epoll refuses regular files and /dev/null: the driver reads them to their end on a
    thread (keys parsed on the loop), which then ends: Textual's thread polled /dev/null at
    100 % of a core."""
    typed = tmp_path / "keys"
    typed.write_bytes(b"ab\x1b[A")
    for path in (os.devnull, str(typed)):
        driver = BackpressureDriver(App())
        keys = Keys()
        driver.process_message = keys.process  # type: ignore[method-assign]
        fd = os.open(path, os.O_RDONLY)
        try:
            driver.fileno = fd
            driver._input_wanted = True
            driver._start_input()
            thread = driver._key_thread
            assert thread is not None
            thread.join(2)
            assert not thread.is_alive()
            expected = [] if path == os.devnull else ["a", "b", "up"]
            await until(lambda keys=keys, expected=expected: keys.keys() == expected)
        finally:
            os.close(fd)
