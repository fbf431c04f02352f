"""A terminal driver that never makes the app's loop wait on the terminal (issue 11).

Textual's `LinuxDriver` hands each write to a thread through a queue of 30 entries. When the
terminal stops reading (a stalled SSH link, a suspended terminal window), the thread blocks in
`write`, the queue fills, and the next `put` blocks the asyncio loop; that loop also runs the
feed, so no frame is read and no keep-alive ping is sent, and the server's idle timer (or the
app's own stale detection) drops the link.

`BackpressureDriver` keeps all of `LinuxDriver` but its writing:

- Handing text to the writer thread never blocks: the queue is unbounded. Each `write` call is
  written whole and in order by one thread, so the terminal never sees half an escape sequence
  or two writes interleaved.
- Pictures are not queued behind a terminal that does not read. Textual flushes the driver
  after each picture; if by then the oldest unwritten text has waited `HOLD_AFTER_S`, the
  driver holds the app's pictures (Textual's own batch: nothing is rendered or written) until
  the writer has drained, then asks for one full repaint. Latest wins: the pictures of the
  stall are skipped, and the screen is current one repaint after the terminal reads again.
  Only the few pictures of those first `HOLD_AFTER_S` wait in the queue, plus any rare control
  sequence written during the hold (a bell, a mode change), which must not be lost.
- Back from a suspension (SIGTSTP, SIGCONT) any hold ends and the screen is repainted in full.

And it wakes fewer threads, since on this machine every wake-up of a sleeping thread costs
about 0.1-0.2 ms of CPU (app/terminal_input.py):

- A picture is one hand-over to the writer: Textual writes it in three pieces (the sync start,
  the picture, the sync end) and each `put` woke the writer thread (33 wake-ups a second at
  9.5 pictures a second, bench_app at 50 msg/s). Writes on the loop are gathered until
  Textual's `flush` after the picture, or until the loop's next turn.
- Keys are read on the loop (`LoopInput`), not on a thread that polls ten times a second.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import IO, Any

from textual.app import App
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver

from dfx_tui.app.terminal_input import LoopInput

# A healthy terminal takes a picture in well under a millisecond; a slow but working link
# (a 30 KB full repaint over 1 Mbit/s) in about a quarter of a second. Text still unwritten
# after this long means the terminal is not taking pictures at the app's rate.
HOLD_AFTER_S = 0.25
# Also hold once this much text waits, however young (a burst of pictures, a huge screen).
HOLD_AFTER_CHARS = 1 << 20
# How soon the writer thread gets the interpreter after the loop hands it a picture. The loop
# keeps working after a paint (the feed, the next tick), and Python lets a waiting thread in
# only every `sys.getswitchinterval()` (5 ms by default): the first drawn book reached the
# terminal ~8 ms after it was drawn, against ~2 ms for a one-widget app that writes on its
# loop (cold start, medians of 9). At 1 ms: ~3 ms. The writer holds the interpreter only to
# hand a text to `write`, so the loop loses almost nothing.
WRITER_SWITCH_INTERVAL_S = 0.001


class TerminalWriter(threading.Thread):
    """Writes texts to the terminal in order, each whole; `submit` never blocks."""

    def __init__(self, file: IO[str], on_drained: Callable[[], None]) -> None:
        super().__init__(daemon=True, name="dfx-terminal-writer")
        self._file = file
        self._on_drained = on_drained
        self._cond = threading.Condition(threading.Lock())
        self._texts: deque[tuple[float, str | None]] = deque()  # (submitted at, text); None: stop
        self._oldest: float | None = None  # when the oldest text not yet written was submitted
        self._drain_wanted = False
        self.waiting_chars = 0
        self.error: BaseException | None = None  # the terminal went away (EIO after a hang-up)

    def submit(self, text: str) -> None:
        self._put(text)

    def _put(self, text: str | None) -> None:
        now = time.monotonic()
        with self._cond:
            if self.error is not None:
                return  # nobody will read it
            self._texts.append((now, text))
            if text is not None:
                self.waiting_chars += len(text)
            if self._oldest is None:
                self._oldest = now
            self._cond.notify()

    def lag(self, now: float) -> float:
        """How long the oldest unwritten text has waited (0 when everything is written)."""
        oldest = self._oldest
        return 0.0 if oldest is None else now - oldest

    def call_when_drained(self) -> None:
        """Call `on_drained` (on this thread) once everything submitted so far is written."""
        with self._cond:
            self._drain_wanted = True
            self._cond.notify()

    def stop(self) -> None:
        """Write everything submitted, then end the thread; blocks until then, as Textual's
        writer does: the sequences that restore the terminal must reach it."""
        self._put(None)
        if self.is_alive():
            self.join()

    def run(self) -> None:
        try:
            self._write_all()
        except Exception as exc:  # OSError or ValueError: the terminal is gone
            with self._cond:
                self.error = exc
                self._texts.clear()
                self._oldest = None
                self.waiting_chars = 0

    def _write_all(self) -> None:
        cond, texts = self._cond, self._texts
        write, flush = self._file.write, self._file.flush
        while True:
            with cond:
                while not texts and not self._drain_wanted:
                    cond.wait()
                if not texts:
                    self._drain_wanted = False
                    drained = True
                else:
                    drained = False
                    _, text = texts.popleft()
            if drained:
                self._on_drained()
                continue
            if text is None:
                flush()
                return
            write(text)
            flush()
            with cond:
                self.waiting_chars -= len(text)
                self._oldest = texts[0][0] if texts else None


class BackpressureDriver(LinuxDriver):
    """Textual's Linux/macOS driver with a writer that never blocks the loop (module doc)."""

    def __init__(self, app: App[Any], *, debug: bool = False, mouse: bool = True,
                 size: tuple[int, int] | None = None) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self._terminal: TerminalWriter | None = None
        self._loop_thread = 0  # Textual's Driver keeps the app's loop as `_loop`
        self._holding = False
        self._started = False
        self._pending: list[str] = []  # written on the loop, not yet handed to the writer
        self._input: LoopInput | None = None
        self._input_wanted = False

    def start_application_mode(self) -> None:
        self._loop_thread = threading.get_ident()
        self._input_wanted = True
        if self._terminal is None or not self._terminal.is_alive():
            assert self._file is not None, "no terminal to write to"
            self._terminal = TerminalWriter(self._file, self._writer_drained)
            self._terminal.start()
        super().start_application_mode()  # type: ignore[no-untyped-call]
        if self._started:
            # Back from a suspension (SIGTSTP, then SIGCONT): the alternate screen is blank
            # again, and a hold begun before it would never end (`close` wrote everything
            # and stopped the writer without a drained call). Release and repaint in full.
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._release)  # we are in a signal handler
        self._started = True

    def write(self, data: str) -> None:
        terminal = self._terminal
        if terminal is None:  # not in application mode, no terminal to draw on
            return
        if threading.get_ident() != self._loop_thread:
            terminal.submit(data)
            return
        pending = self._pending
        if not pending:  # whatever `flush` does not take goes at the loop's next turn
            self._loop.call_soon(self._submit_pending)
        pending.append(data)

    def _submit_pending(self) -> None:
        pending, terminal = self._pending, self._terminal
        if pending:
            text = "".join(pending)
            pending.clear()
            if terminal is not None:
                terminal.submit(text)

    def flush(self) -> None:
        """Called by Textual after each picture: hold pictures if the terminal is behind."""
        if threading.get_ident() != self._loop_thread:
            return
        self._submit_pending()
        terminal = self._terminal
        if terminal is None or self._holding:
            return
        if (terminal.lag(time.monotonic()) > HOLD_AFTER_S
                or terminal.waiting_chars > HOLD_AFTER_CHARS):
            self._holding = True
            self._app._begin_batch()  # the app renders and writes no picture until released
            terminal.call_when_drained()

    def _writer_drained(self) -> None:
        """On the writer thread: everything is written; release on the loop."""
        with contextlib.suppress(RuntimeError):  # the loop is closed: the app has ended
            self._loop.call_soon_threadsafe(self._release)

    def _release(self) -> None:
        """On the loop: end the hold, if any, and repaint the whole screen."""
        app = self._app
        if self._holding:
            self._holding = False
            app._end_batch()
        # The pictures of the hold were skipped (one of them perhaps rendered, then dropped
        # by Textual's batch check): one full repaint makes the screen current.
        with contextlib.suppress(Exception):  # no screen: the app is ending
            app.screen.refresh()

    # ------------------------------------------------------------ keys on the loop
    def run_input_thread(self) -> None:
        """Textual's input thread calls this: hand the reading to the loop and end."""
        with contextlib.suppress(RuntimeError):  # the loop is closed: the app has ended
            self._loop.call_soon_threadsafe(self._start_input)

    def _start_input(self) -> None:
        if not self._input_wanted:  # input was disabled before the loop got here
            return
        if self._input is None:  # a new parser after each suspension
            self._input = LoopInput(self.fileno, self._loop, self.process_message,
                                    self._input_failed, self._debug)
        try:
            self._input.start()
        except (OSError, ValueError):
            # Input the loop cannot wait on (stdin from a regular file or /dev/null: epoll
            # refuses them): read to its end on a thread, which `disable_input` joins.
            self._key_thread = threading.Thread(
                target=self._input.read_until_end, args=(self.exit_event,),
                name="dfx-input", daemon=True)
            self._key_thread.start()

    def _input_failed(self) -> None:
        """In an `except` block: what Textual's input thread does with an exception."""
        import rich.traceback

        self._app.call_later(self._app.panic, rich.traceback.Traceback())

    def disable_input(self) -> None:
        self._input_wanted = False
        if self._input is not None:
            self._input.stop()
            self._input = None
        super().disable_input()

    def close(self) -> None:
        self._submit_pending()
        terminal, self._terminal = self._terminal, None
        if terminal is not None:
            terminal.stop()
        super().close()


def with_backpressure(driver_class: type[Driver]) -> type[Driver]:
    """The driver class to run the app with: ours in place of Textual's Linux/macOS driver;
    any other (the Windows driver, a `TEXTUAL_DRIVER` override) is kept. With ours, the
    process switches threads every `WRITER_SWITCH_INTERVAL_S` (it is the app's process)."""
    if driver_class is not LinuxDriver:
        return driver_class
    sys.setswitchinterval(WRITER_SWITCH_INTERVAL_S)
    return BackpressureDriver
