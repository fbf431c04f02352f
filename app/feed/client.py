"""The feed client: one WebSocket for all markets (or one replay), books kept right through
every fault.

A small facade over three parts, built the way websockets is (a protocol object without I/O
plus an asyncio connection) and the way the simulator in app/sim/ is:
- `FeedCore` (core.py): markets, the data path, integrity policy, requests and timers; plain
  calls that take `now`, no asyncio;
- `FeedLink` (link.py): the live connection: connect, read frames, write what the core asks;
- `run_replay` (replay.py): a recording driven through the same core by a `ReplayControl`
  (replay_control.py), which the replay desk's keys steer (`replay`).
This class wires them, owns the recording and the rates' once-a-second clock (`_second`),
and is what the app and `--once` use.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from websockets.asyncio.client import ClientConnection

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.backoff import Backoff
from dfx_tui.app.feed.core import MAX_BOOK_LEVELS, FeedCore
from dfx_tui.app.feed.link import MAX_FRAME, FeedLink
from dfx_tui.app.feed.notices import ERROR_LIMIT, FeedNotice, NoticeKind
from dfx_tui.book.catalog import MarketCatalog
from dfx_tui.book.state import ConnectionStatus, LinkState, Market
from dfx_tui.book.text import inert_text

if TYPE_CHECKING:
    # Imported when a recording is made or played (--record, --replay), not at every start:
    # the replay modules were ~3 ms of a cold start's imports.
    from dfx_tui.app.feed.recorder import Recorder
    from dfx_tui.app.feed.replay_control import ReplayControl

__all__ = ["MAX_BOOK_LEVELS", "MAX_FRAME", "FeedClient", "FeedNotice", "NoticeKind"]

# The rates' once-a-second work rides on the first message from 0.9 s after the last run
# (a message a second, as the tickers are, brings it every time, with some jitter to
# spare), else on a timer at 1.1 s (the recording is flushed within about a second).
SECOND_EARLY_S = 0.9
SILENCE_S = 1.1


class FeedClient:
    """One connection (or one replay) feeding `markets`; status in `status`, rare events via
    `on_notice` (called on the event loop, never per message)."""

    def __init__(self, config: AppConfig, on_notice: Callable[[FeedNotice], None] | None = None,
                 *, backoff_base: float = 0.5, backoff_max: float = 30.0,
                 max_size: int = MAX_FRAME) -> None:
        self.config = config
        self.on_notice = on_notice
        self.max_size = max_size
        self.core = FeedCore(config, self._notice, backoff=Backoff(backoff_base, backoff_max))
        # The data path, straight to the core (no extra call per frame). Instance attributes:
        # the link takes `handle_frame` when it starts, so a wrapper set before (bench_app's
        # probe) sees every frame.
        self.handle_frame: Callable[[bytes | str, float], None] = self.core.handle_frame
        self.handle_message: Callable[[Any, float], None] = self.core.handle_message
        self.recorder: Recorder | None = None
        self.replay_warnings: list[str] = []  # skipped lines of the recording (e.g. torn tail)
        # The replay desk: position, speed, pause, loop (None when live).
        self.replay: ReplayControl | None = None
        if config.replay:
            from dfx_tui.app.feed.replay_control import ReplayControl

            self.replay = ReplayControl(self.core, config.replay, speed=config.speed,
                                        loop=config.replay_loop)
        self._link: FeedLink | None = None
        self._task: asyncio.Task[None] | None = None
        self._silence: asyncio.TimerHandle | None = None  # `_second` when no message brings it
        self._started = False
        self._stopped = False

    # ================================================================ what the app reads
    @property
    def markets(self) -> dict[str, Market]:
        return self.core.markets

    @markets.setter
    def markets(self, value: dict[str, Market]) -> None:
        self.core.markets = value

    @property
    def status(self) -> ConnectionStatus:
        return self.core.status

    @status.setter
    def status(self, value: ConnectionStatus) -> None:
        self.core.status = value

    @property
    def backoff(self) -> Backoff:
        return self.core.backoff

    @property
    def frames_dropped(self) -> int:
        return self.core.frames_dropped

    @property
    def catalog(self) -> MarketCatalog:
        """The exchange's markets from all_ticker (empty until its first push)."""
        return self.core.tickers.catalog

    @property
    def connects(self) -> int:
        """Successful handshakes."""
        return self._link.connects if self._link is not None else 0

    @property
    def failed_connects(self) -> int:
        """Failed attempts in a row since the last handshake."""
        return self._link.failed_connects if self._link is not None else 0

    @property
    def _ws(self) -> ClientConnection | None:  # bench_app's probe reads the local port here
        return self._link.websocket if self._link is not None else None

    @property
    def replay_done(self) -> bool:
        """A replay is at its end (or failed); a seek back plays on."""
        return self.replay is not None and self.replay.status.ended

    def wall_time(self) -> float:
        """Unix seconds now: the recording's clock during a replay (the app's histories run on
        it, lining up with the recorded trade times), the system's otherwise."""
        if self.replay is not None:
            return self.replay.clock(time.monotonic())
        return time.time()
    def watch(self, market: str | None, callback: Callable[[], bool] | None) -> None:
        """Call `callback` at the next message for `market` or change of the link's state,
        and again after each while it returns True (see `FeedCore.watch`): how the app learns that what it shows changed, without
        a message per frame."""
        self.core.watch(market, callback)

    def watch_data(self, callback: Callable[[], None] | None) -> None:
        """Call `callback` once at the next depth or trades message of any market (see
        `FeedCore.watch_data`): how the app learns that a hidden tab's histories have
        something to take, without polling every market every second."""
        self.core.watch_data(callback)

    def ready(self) -> bool:
        """True once every market has a snapshot and is live, or is REJECTED."""
        return self.core.ready()

    async def wait_ready(self, timeout: float) -> bool:
        """`ready()`, waiting up to `timeout` seconds (less if a replay ends first)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.ready():
                return True
            if self.replay_done or time.monotonic() >= deadline:
                return self.ready()
            await asyncio.sleep(0.01)

    # ================================================================ markets
    def add_market(self, name: str) -> Market:
        before = len(self.markets)
        market = self.core.add_market(name)
        if len(self.markets) != before:
            self._record_markets()
        return market

    def remove_market(self, name: str) -> None:
        before = len(self.markets)
        self.core.remove_market(name)
        if len(self.markets) != before:
            self._record_markets()

    def set_markets(self, names: Iterable[str]) -> None:
        before = list(self.markets)
        self.core.set_markets(names)
        if list(self.markets) != before:
            self._record_markets()

    def resubscribe(self) -> None:
        """Send the subscription again (soon, coalesced with other changes)."""
        self.core.request_resubscribe()

    _request_resubscribe = resubscribe  # the soak benchmark's name for it

    # ================================================================ lifecycle
    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        config = self.config
        if config.record and not config.replay:
            from dfx_tui.app.feed.recorder import Recorder

            try:
                self.recorder = Recorder(config.record, list(self.markets), config.url)
                self.core.record_frame = self._record_frame
            except OSError as exc:  # the live view goes on without a recording
                self._record_failed(exc)
        self.core.on_second = self._second
        self._second(time.monotonic())
        if self.replay is not None:
            from dfx_tui.app.feed.replay import run_replay

            self._task = asyncio.create_task(run_replay(self.replay, self.replay_warnings),
                                             name="dfx-feed-replay")
        else:
            self._link = FeedLink(self.core, config, max_size=self.max_size,
                                  on_frame=self.handle_frame, on_connect=self._record_connect)
            self._task = asyncio.create_task(self._link.run(), name="dfx-feed")

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self._link is not None:
            await self._link.close()
        self.core.on_second = None
        if self._silence is not None:
            self._silence.cancel()
            self._silence = None
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._task = None
        if self.recorder is not None:
            try:
                self.recorder.close()
            except OSError as exc:
                self._record_failed(exc)
        self.core.set_link(LinkState.DOWN)

    def _second(self, now: float) -> None:
        """The once-a-second work: the rates, the status bar's news (`status_changed` fires
        the app's watch), the recording's flush. Run by the first message at least
        `SECOND_EARLY_S` after the last run (`FeedCore.on_second`: no wake-up of its own
        while messages come, e.g. the tickers' one a second), else by a timer `SILENCE_S`
        after it, which is not set again once nothing moves any more (no rate, no news):
        an idle feed's clock sleeps until the next message (issue 11: a 1 Hz timer woke it)."""
        core = self.core
        core.update_rates(now)
        moving = core.status_changed(now) or core.status.msgs_per_s > 0 or any(
            m.status.msgs_per_s for m in core.markets.values())
        if self.recorder is not None:
            try:
                self.recorder.flush()
            except OSError as exc:
                self._record_failed(exc)
        core.second_at = now + SECOND_EARLY_S
        if self._silence is not None:
            self._silence.cancel()
            self._silence = None
        if moving and not self._stopped:
            self._silence = asyncio.get_running_loop().call_later(SILENCE_S, self._silent)

    def _silent(self) -> None:
        self._silence = None
        self._second(time.monotonic())

    def _notice(self, notice: FeedNotice) -> None:
        if self.replay is not None and self.replay.muted:
            return  # a seek playing lines through to its target: nothing there is news
        if self.on_notice is not None:
            self.on_notice(notice)

    # ================================================================ recording
    def _record_frame(self, obj: Any, received_at: float) -> None:
        if self.recorder is not None:
            try:
                self.recorder.frame(obj, received_at)
            except OSError as exc:  # disk full, say: stop recording, never stop the feed
                self._record_failed(exc)

    def _record_connect(self, url: str) -> None:
        self._record_event("connect", url=url)

    def _record_markets(self) -> None:
        self._record_event("markets", markets=list(self.markets))

    def _record_event(self, kind: str, **fields: Any) -> None:
        if self.recorder is not None:
            try:
                self.recorder.event(kind, **fields)
            except OSError as exc:
                self._record_failed(exc)

    def _record_failed(self, exc: OSError) -> None:
        text = inert_text(f"recording stopped: {exc}", ERROR_LIMIT)
        self.core.status.last_error = text
        self.core.notice(NoticeKind.ERROR, None, text)
        self.core.record_frame = None
        if self.recorder is not None:
            with contextlib.suppress(OSError):
                self.recorder.close()
            self.recorder = None
