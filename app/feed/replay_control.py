"""The replay desk's engine: a recording played into the feed core, steerable, without asyncio.

`ReplayControl` reads the recording's lines (replay_index.LineReader) and applies them to the
core as the live client would have: frames to `handle_message`, a `connect` event forgets
what the live client forgot at that point, a `markets` event opens and closes markets as the
recording did. The driver (replay.py) calls `pump(now)` and sleeps as long as it says; the
keys call `toggle_pause`, `faster`, `slower` and `skip`, which take effect at once.

The position is the recording's clock: every line of time <= position has been applied, none
after it (`advance_to`). `seek(t)` goes there: forwards by playing on from here when that is
the shorter way, otherwise (backwards, or forwards past a point where every open market got a
fresh snapshot) it empties the books and plays from `RecordingIndex.rebuild_point` to t,
without sleeping. Either way the books come out as a straight replay leaves them at t.

Histories (heatmap, mid, pulling and stacking) run on the recording's clock, which a seek
moves: backwards they start again (a history never goes back in time); forwards, the time
skipped is a gap in them, as a reconnect would be.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from dfx_tui.app.feed.core import FeedCore
from dfx_tui.app.feed.notices import NoticeKind
from dfx_tui.app.feed.replay_index import (
    LineReader,
    RebuildPoint,
    RecordingIndex,
    event_markets,
    is_tape_line,
    line_time,
)
from dfx_tui.book.market_analytics import MarketAnalytics
from dfx_tui.book.state import LinkState, MarketState, ReplayStatus

# The speed steps of the faster/slower keys; 0 (as fast as possible) is the last, fastest one.
SPEEDS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 0.0)
STEP_S = 10.0  # the forward/back keys move this many seconds of the recording
BATCH = 512  # lines applied between two yields to the event loop (the UI breathes)


class ReplayControl:
    """Position, speed, pause and loop of one replay; `status` is what the status bar shows."""

    def __init__(self, core: FeedCore, path: str, *, speed: float = 1.0, loop: bool = False,
                 step: float = STEP_S, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.core = core
        self.path = path
        self.step = step
        self.monotonic = monotonic
        self.status = ReplayStatus(speed=max(0.0, speed), loop=loop)
        core.status.replay = self.status
        self.index: RecordingIndex | None = None
        self.muted = False  # while a seek plays lines through: their notices are not news
        self.on_change: Callable[[], None] | None = None  # the driver's "look again now"
        self.lines_played = 0
        self.ends = 0  # times the end was reached (the driver reports each)
        self.rebuilds = 0  # seeks that emptied the books and played from a snapshot point
        self._initial = tuple(core.markets)  # the markets before any markets event
        self._reader: LineReader | None = None
        self._next: tuple[int, float, dict[str, Any]] | None = None  # read, not yet applied
        self._t = 0.0  # time of the last line read
        self._applied_t = 0.0  # time of the last line applied
        self._connected = False  # a connect event was played
        self._markets_changed = False

    # ================================================================ opening
    def open(self, index: RecordingIndex, now: float) -> None:
        """Start at the beginning of the indexed recording (the file is opened here)."""
        self.index = index
        self._reader = LineReader(self.path, index.size)
        self._reader.seek(index.data_offset)
        self._t = self._applied_t = index.start
        st = self.status
        st.start, st.end = index.start, index.end
        st.anchor, st.anchor_at = index.start, now
        st.ready = True

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    # ================================================================ playing
    def clock(self, now: float) -> float:
        """The recording's time now (what the app's histories use as their clock)."""
        return self.status.position(now)

    def pump(self, now: float) -> float | None:
        """Apply every line due by `now` (at most a batch). Returns the seconds until the next
        line is due (0: call again soon, more is due), or None when nothing will be due until
        a key is pressed (paused, ended, not open)."""
        st = self.status
        if not st.ready or st.paused or st.ended:
            return None
        fast = st.speed <= 0
        target = st.end if fast else st.position(now)
        applied, at_end = self.advance_to(target, limit=BATCH, now=now)
        self._announce_markets()
        if applied >= BATCH and not at_end:
            # More is due than a batch: the clock waits for the data (at full speed it is
            # the data), so a slow machine plays slower instead of falling ever behind.
            self._anchor(self._applied_t, now)
            return 0.0
        if at_end:
            self._reached_end(now)
            return 0.0 if not st.ended else None
        if fast:
            self._anchor(self._applied_t, now)
            return 0.0
        assert self._next is not None
        return max(0.0, (self._next[1] - st.position(now)) / st.speed)

    def advance_to(self, target: float, *, limit: int | None = None,
                   now: float | None = None) -> tuple[int, bool]:
        """Apply the lines of time <= `target` (at most `limit`); returns how many were
        applied and whether the recording is at its end."""
        received_at = self.monotonic() if now is None else now
        applied = 0
        while limit is None or applied < limit:
            line = self._peek()
            if line is None:
                return applied, True
            if line[1] > target:
                return applied, False
            self._next = None
            self._applied_t = line[1]
            self._apply(line[2], received_at)
            applied += 1
        return applied, self._peek() is None

    def _peek(self) -> tuple[int, float, dict[str, Any]] | None:
        if self._next is None and self._reader is not None:
            got = self._reader.read()
            if got is not None:
                t = line_time(got[1].get("t"))
                if t is not None and t > self._t:
                    self._t = t
                self._next = (got[0], self._t, got[1])
        return self._next

    def _apply(self, line: dict[str, Any], received_at: float) -> None:
        self.lines_played += 1
        core = self.core
        if "frame" in line:
            core.handle_message(line["frame"], received_at)
        elif line.get("event") == "connect":
            if self._connected:
                core.mark_markets_stale()
            core.reset_link()
            self._connected = True
        elif (names := event_markets(line)) is not None:
            self._set_markets(names)

    def _announce_markets(self) -> None:
        if self._markets_changed and not self.muted:
            self._markets_changed = False
            names = ", ".join(self.core.markets)
            self.core.notice(NoticeKind.MARKETS_CHANGED, None, f"replay: markets {names}")

    def _reached_end(self, now: float) -> None:
        st = self.status
        if st.loop and st.end > st.start:
            self.seek(st.start, now)
            return
        st.ended = True
        self._anchor(st.end, now)
        self.ends += 1

    # ================================================================ the keys
    def toggle_pause(self, now: float) -> None:
        st = self.status
        self._anchor(st.position(now), now)
        st.paused = not st.paused
        self._changed()

    def faster(self, now: float) -> None:
        self.set_speed(_next_speed(self.status.speed, +1), now)

    def slower(self, now: float) -> None:
        self.set_speed(_next_speed(self.status.speed, -1), now)

    def set_speed(self, speed: float, now: float) -> None:
        st = self.status
        self._anchor(st.position(now), now)
        st.speed = max(0.0, speed)
        self._changed()

    def skip(self, seconds: float, now: float) -> None:
        """Seek `seconds` of the recording forwards (negative: back) from where it is."""
        self.seek(self.status.position(now) + seconds, now)

    def seek(self, target: float, now: float) -> None:
        """Go to recording time `target` (clamped to the recording), books as a straight replay
        leaves them there; paused or not, the speed stays."""
        index, st = self.index, self.status
        if index is None or self._reader is None:
            return
        target = min(max(target, index.start), index.end)
        here = st.position(now)
        point = index.rebuild_point(target, self._initial)
        self.muted = True
        try:
            if target > here:
                self._gap(here)
            nxt = self._peek()
            read_at = self._reader.offset if nxt is None else nxt[0]
            if not (target >= self._applied_t and point.offset <= read_at):
                # Back, or forward past a point where every open market has a fresh snapshot.
                self._rebuild(point)
            _, at_end = self.advance_to(target, now=now)
            if target < here:  # a history never goes back in time: it starts again
                for market in self.core.markets.values():
                    market.analytics = MarketAnalytics(market.analytics.settings)
        finally:
            self.muted = False
        st.ended = False
        self._anchor(target, now)
        self._announce_markets()
        if at_end and not st.loop and target >= index.end:
            st.ended = True
            self.ends += 1
        self._changed()

    # ================================================================ inside a seek
    def _rebuild(self, point: RebuildPoint) -> None:
        """Empty the books and tapes; refill the tapes from `point.tape_offset` (trades and
        markets events only), then read on from `point.offset` with the markets open there."""
        assert self._reader is not None
        self.rebuilds += 1
        core = self.core
        self._set_markets(point.tape_markets)
        for market in core.markets.values():
            market.book.clear()
            market.tape.clear()
            market.status.state = MarketState.WAITING
            market.status.error = ""
        if point.tape_offset < point.offset:
            received_at = self.monotonic()
            self._reader.seek(point.tape_offset)
            while (got := self._reader.read(is_tape_line, point.offset)) is not None:
                line = got[1]
                if "frame" in line:
                    core.handle_message(line["frame"], received_at)
                elif (names := event_markets(line)) is not None:
                    self._set_markets(names)
            self._set_markets(point.markets)  # what those events led to
        core.reset_link()
        core.set_link(LinkState.CONNECTING)
        self._connected = point.connected
        self._reader.seek(point.offset)
        self._next = None
        self._t = self._applied_t = point.t

    def _set_markets(self, names: Sequence[str]) -> None:
        core = self.core
        before = [(name, id(m)) for name, m in core.markets.items()]
        core.set_markets(names)
        if [(name, id(m)) for name, m in core.markets.items()] != before:
            self._markets_changed = True

    def _gap(self, at: float) -> None:
        """The time skipped is a gap in every market's histories, from `at` on."""
        for market in self.core.markets.values():
            market.analytics.observe(market.book, market.tape, False, at)

    def _anchor(self, position: float, now: float) -> None:
        st = self.status
        st.anchor, st.anchor_at = position, now

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()


def _next_speed(speed: float, direction: int) -> float:
    """The next speed step up or down from `speed` (any value, not only a step)."""
    if speed <= 0:  # as fast as possible: the top step
        return SPEEDS[-2] if direction < 0 else 0.0
    finite = SPEEDS[:-1]
    if direction > 0:
        return next((s for s in finite if s > speed), 0.0)
    return next((s for s in reversed(finite) if s < speed), speed)  # slowest: stays
