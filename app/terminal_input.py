"""The terminal's keys read on the app's own loop, with no thread that polls.

Textual's Linux driver reads keys on a thread that wakes every 0.1 s whether or not a key
came (`select(0.1)`, to notice its exit flag and to time out a lone Escape). On this 2-core
machine each wake-up of a sleeping thread costs about 0.1 ms of CPU (a `select` with a
10 ms timeout: 75-99 us a wake-up, tests/benchmarks/bench_wakeups.py), so the poll alone was
0.0012 of a core (schedstat of the thread in bench_app at 50 msg/s): a sixth of what the whole
bare consumer uses. Here the
terminal is one more reader of the asyncio loop the app already sleeps in: no key, no work.

What the thread did is kept: the same parser (`XTermParser`), the same incremental UTF-8
decoding, each event through the driver's `process_message` (which intercepts in-band
resizes and posts to the app), and a lone Escape delivered when the parser's timeout ends
(`tick`, scheduled for that moment instead of polled).
"""

from __future__ import annotations

import asyncio
import os
import threading
from codecs import getincrementaldecoder
from collections.abc import Callable

from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.message import Message

READ_SIZE = 4096  # what Textual's input thread reads at a time
TICK_SLACK_S = 0.002  # past the parser's timeout, so `tick` finds it over
FALLBACK_TICK_S = 0.1  # the thread's poll


class LoopInput:
    """Feeds the terminal's input to `process` from the loop's reader callback."""

    def __init__(self, fileno: int, loop: asyncio.AbstractEventLoop,
                 process: Callable[[Message], None], on_error: Callable[[], None],
                 debug: bool = False) -> None:
        self.fileno = fileno
        self._loop = loop
        self._process = process
        self._on_error = on_error  # a failure in parsing: what the thread did (app.panic)
        self._parser = XTermParser(debug)
        self._decode = getincrementaldecoder("utf-8")().decode
        self._tick: asyncio.TimerHandle | None = None
        self.reading = False

    def start(self) -> None:
        """Read from now on (on the loop's thread)."""
        if not self.reading:
            self._loop.add_reader(self.fileno, self._ready)
            self.reading = True

    def stop(self) -> None:
        """Stop reading (on the loop's thread) and end the parser, as Textual's thread does
        (what it held is dropped). A new `LoopInput` reads after a resume."""
        self._stop_reading()
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None
        try:
            for _event in self._parser.feed(""):
                pass
        except (EOFError, ParseError):
            pass

    def _ready(self) -> None:
        try:
            data = os.read(self.fileno, READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # the terminal is gone (EIO after a hang-up): nothing more to read
            data = b""
        if not data:  # the end of input (a hang-up, a pipe's end)
            self._stop_reading()
            return
        self.feed(data)

    def feed(self, data: bytes) -> None:
        """Parse `data` read from the terminal (on the loop's thread)."""
        try:
            text = self._decode(data)
            if text:  # half a character so far (the parser takes "" as the end of input)
                for event in self._parser.feed(text):
                    self._process(event)
            self._arm_tick(after_input=True)
        except Exception:
            self._stop_reading()
            self._on_error()

    def read_until_end(self, stop: threading.Event) -> None:
        """On a thread, for input the loop cannot wait on (a regular file, /dev/null: epoll
        refuses them, and reading them never blocks): read to the end, each read parsed on
        the loop. Textual's thread polled such input forever, at 100 % of a core for
        /dev/null (each poll found it readable and read nothing)."""
        while not stop.is_set():
            try:
                data = os.read(self.fileno, READ_SIZE)
            except OSError:
                return
            if not data:
                return
            try:
                self._loop.call_soon_threadsafe(self.feed, data)
            except RuntimeError:  # the loop is closed: the app has ended
                return

    def _stop_reading(self) -> None:
        if self.reading:
            self.reading = False
            self._loop.remove_reader(self.fileno)

    def _arm_tick(self, after_input: bool = True) -> None:
        """Call the parser's `tick` when its timeout (a lone Escape) ends: Textual's parser
        keeps it as `_timeout_time`; without that (another Textual), once 0.1 s after each
        input, as often as the thread looked."""
        if self._tick is not None:
            return
        due: object = getattr(self._parser, "_timeout_time", _MISSING)
        if due is None or (due is _MISSING and not after_input):
            return
        delay = max(0.0, due - get_time()) if isinstance(due, float) else FALLBACK_TICK_S
        self._tick = self._loop.call_later(delay + TICK_SLACK_S, self._on_tick)

    def _on_tick(self) -> None:
        self._tick = None
        try:
            for event in self._parser.tick():
                self._process(event)
        except Exception:
            self._stop_reading()
            self._on_error()
            return
        self._arm_tick(after_input=False)


_MISSING = object()
