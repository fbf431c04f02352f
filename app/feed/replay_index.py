"""A recording's index, built in one pass when a replay opens, and a reader from any line.

Seeking must leave the books as a straight replay would at the same position. A clean depth
snapshot replaces a book whole, so a seek rebuilds from the nearest earlier line where every
market open at the target has had its latest snapshot (see `RecordingIndex.rebuild_point`).
For that the index keeps the byte offset and time of every clean depth snapshot per market,
of every `markets` event (the recorded set of markets changed) and of every `connect` event,
and the recording's first and last times.

Offsets are into the decompressed text, so one reader serves both kinds of file. A plain
file seeks straight to an offset. A `.gz` file seeks with `gzip.GzipFile.seek`: forwards it
decompresses from where it is, backwards it decompresses again from the start. Measured on
this machine: ~220 MB of recording a second (10 MB in 45 ms), that is about a second per
hour of a 400 msg/s recording (~230 MB decompressed), on top of parsing the lines from the
snapshot on. Decompressing into memory instead would hold those 230 MB per hour: not bounded.

The pass is cheap per line: `Recorder` writes every line as ``{"t":<number>,"frame":...}``,
so the time is read without parsing the JSON, and only the lines that can be a clean
snapshot (``true`` in them), the events and anything unusual are parsed. Measured on a
recording of the simulator at 400 msg/s: 3 us a line against 6.5 us for parsing every line.
A line that looks like a frame but is broken inside is then found only when played (and
skipped there, like every unreadable line); the torn last line of a killed writer has no
newline and is always parsed, so it is reported as before.

Times: a line's time is its ``t`` if that is a sane number, never less than the line
before's (a clock stepped back, or a line without a time, takes the previous time), so the
recording's clock only moves forward, in the index and in the replay alike.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dfx_tui.app.feed.recorder import torn_gzip, torn_last_line
from dfx_tui.book.codec import (
    DepthUpdate,
    ProtocolError,
    TradesUpdate,
    classify,
    normalize_market,
)

MAX_TIME = 1e11  # Unix seconds past year 5000: not a recording's time
_FRAME_PREFIX = b'{"t":'
_FRAME_KEY = b'"frame":'
CHECK_STOP_EVERY = 4096  # lines between looks at the caller's stop flag
# A seek refills the tapes from their last clean trades batch, but reads at most this much
# before the books' starting point for it (~2 min of a 400 msg/s recording, ~0.1 s to scan).
TAPE_LOOKBACK = 8 << 20


def open_binary(path: str) -> io.BufferedIOBase:
    """The recording's text as bytes (decompressed for a `.gz` name), seekable."""
    if path.endswith(".gz"):
        return gzip.GzipFile(path, "rb")
    return open(path, "rb")  # noqa: SIM115


def line_time(value: Any) -> float | None:
    """A line's ``t`` as seconds, or None if it is not a sane time."""
    if type(value) is not int and type(value) is not float:
        return None
    try:
        t = float(value)
    except OverflowError:
        return None
    return t if math.isfinite(t) and 0.0 <= t <= MAX_TIME else None


def event_markets(line: dict[str, Any]) -> list[str] | None:
    """The markets of a ``markets`` event, normalised and deduplicated; None if the line is no
    such event or names no valid market (the app never records an empty set)."""
    if line.get("event") != "markets" or type(line.get("markets")) is not list:
        return None
    keys: list[str] = []
    for name in line["markets"]:
        if type(name) is str:
            try:
                key = normalize_market(name)
            except ValueError:
                continue
            if key not in keys:
                keys.append(key)
    return keys or None


def clean_batch(line: dict[str, Any]) -> tuple[str, str] | None:
    """("depth" or "trades", market) for a clean depth snapshot or a clean trades batch."""
    try:
        event = classify(line.get("frame"))
    except ProtocolError:
        return None
    if type(event) is DepthUpdate and event.clean:
        return "depth", event.market
    if type(event) is TradesUpdate and event.clean:
        return "trades", event.market
    return None


def is_tape_line(raw: bytes) -> bool:
    """A line that can change a tape or the markets (the rest is skipped unparsed)."""
    return b'"trades.update"' in raw or b'"markets"' in raw


@dataclass(frozen=True, slots=True)
class MarketsEvent:
    t: float
    offset: int
    markets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RebuildPoint:
    """Where to start reading so the books (and tapes) at the target come out right."""

    offset: int  # the first line to play
    t: float  # the recording's time at that line
    markets: tuple[str, ...]  # the markets open just before it
    connected: bool  # a connect event came before it
    tape_offset: int  # trades (and markets events) are played from here up to `offset`
    tape_markets: tuple[str, ...]  # the markets open just before `tape_offset`


Series = tuple[list[float], list[int]]  # times and offsets, in file order


@dataclass(slots=True)
class RecordingIndex:
    start: float = 0.0  # time of the first line after the header
    end: float = 0.0  # time of the last line
    data_offset: int = 0  # byte offset of the first line after the header
    size: int = 0  # bytes indexed: a file still being written is played up to here
    lines: int = 0
    snapshots: dict[str, Series] = field(default_factory=dict)  # clean depth, per market
    trade_batches: dict[str, Series] = field(default_factory=dict)  # clean trades, per market
    market_events: list[MarketsEvent] = field(default_factory=list)
    connects: list[int] = field(default_factory=list)  # offsets of connect events

    def rebuild_point(self, target: float, initial: Sequence[str]) -> RebuildPoint:
        """The line to replay from (books empty, markets as returned) to reach every line of
        time <= `target` with the books of a straight replay. `initial`: the markets open
        before any markets event.

        For each market open at the target: its last snapshot at or before the target, taken
        only if it came after the market was (last) opened (a market closed and opened again
        starts with an empty book). The earliest of those is the start: from there each such
        market gets its snapshot again, and a market without one had an empty book anyway.
        Such a market may then say WAITING where a straight replay says RESYNCING (an update
        came before its first snapshot): starting where it was opened would say the same,
        but a market that never gets a snapshot (refused live) would make every seek play
        from the start of the recording.

        Tapes the same way, from each market's last clean trades batch (or its opening), read
        from at most `TAPE_LOOKBACK` bytes earlier: within that the tapes come out exact too.
        """
        events = self.market_events
        k = bisect_right([e.t for e in events], target)
        sets = [tuple(initial), *(e.markets for e in events[:k])]
        opened = [self.data_offset, *(e.offset for e in events[:k])]
        books: tuple[int, float] | None = None
        tapes: list[int] = []
        for market in sets[-1]:
            j = len(sets) - 1
            while j > 0 and market in sets[j - 1]:
                j -= 1
            got = _last_since(self.snapshots.get(market), target, opened[j])
            if got is not None and (books is None or got[0] < books[0]):
                books = got
            batch = _last_since(self.trade_batches.get(market), target, opened[j])
            tapes.append(opened[j] if batch is None else batch[0])
        if books is None:  # no open market has a snapshot yet: every book is empty
            books = opened[-1], events[k - 1].t if k else self.start
        start = books[0]
        tape_start = min([start, *tapes])
        if start - tape_start > TAPE_LOOKBACK:
            known = self._line_starts()
            tape_start = known[bisect_left(known, start - TAPE_LOOKBACK)]
        offsets = [e.offset for e in events]

        def markets_at(offset: int) -> tuple[str, ...]:
            return sets[min(bisect_left(offsets, offset), len(sets) - 1)]

        return RebuildPoint(start, books[1], markets_at(start),
                            bisect_left(self.connects, start) > 0, tape_start,
                            markets_at(tape_start))

    def _line_starts(self) -> list[int]:
        """Offsets known to start a line (every indexed point)."""
        found = {self.data_offset, *self.connects, *(e.offset for e in self.market_events)}
        for series in (*self.snapshots.values(), *self.trade_batches.values()):
            found.update(series[1])
        return sorted(found)


def _last_since(series: Series | None, target: float, since: int) -> tuple[int, float] | None:
    """(offset, time) of the last point of `series` at or before `target`, if at `since` or
    later."""
    if series is None:
        return None
    times, offsets = series
    i = bisect_right(times, target) - 1
    return (offsets[i], times[i]) if i >= 0 and offsets[i] >= since else None


def build_index(path: str, on_skip: Callable[[str], None] | None = None,
                stop: Callable[[], bool] | None = None) -> RecordingIndex:
    """One pass over `path`. Unreadable lines are skipped and reported through `on_skip` with
    the wording of `recorder.read_recording`. `stop` is asked now and then (the pass runs in a
    thread): if it says True the pass ends early with what it has."""
    skip = on_skip or (lambda why: None)
    index = RecordingIndex()
    running: float | None = None  # the recording's time so far (None: no time seen yet)
    pending: list[_Point] = []  # points seen before the first time
    bad: int | None = None
    offset = number = 0
    with open_binary(path) as fh:
        try:
            while True:
                raw = fh.readline()
                if not raw:
                    break
                at, offset = offset, offset + len(raw)
                number += 1
                if stop is not None and number % CHECK_STOP_EVERY == 0 and stop():
                    break
                if raw.isspace():
                    continue
                if bad is not None:
                    skip(f"line {bad} is not a recording line; skipped")
                    bad = None
                t, obj = _fast_frame_time(raw), None
                if t is None or b"true" in raw:
                    try:
                        obj = json.loads(raw)
                    except ValueError:
                        bad = number
                        continue
                    if type(obj) is not dict:
                        skip(f"line {number} is not a recording line; skipped")
                        continue
                    if "meta" in obj:  # the header (first) or a stray one: no data, no time
                        if at == 0:
                            index.data_offset = offset
                        continue
                    t = line_time(obj.get("t"))
                if t is not None and (running is None or t > running):
                    if running is None:
                        index.start = t
                        _settle(index, pending, t)
                    running = t
                index.lines += 1
                if obj is None:
                    continue
                point = _point_of(obj, at)
                if point is not None:
                    if running is None:
                        pending.append(point)
                    else:
                        _settle(index, [point], running)
        except (EOFError, OSError) as exc:
            # A gzip stream cut short by a kill: everything before it is indexed.
            torn_gzip(exc, skip)
    torn_last_line(bad, skip)
    index.end = index.start if running is None else running
    index.size = offset
    _settle(index, pending, index.start)
    return index


# (kind, offset, markets): "depth" (a clean snapshot) or "trades" (a clean batch) of the one
# market named, "connect", or "markets" (the markets of the event).
_Point = tuple[str, int, tuple[str, ...]]


def _fast_frame_time(raw: bytes) -> float | None:
    """The time of a frame line as `Recorder` writes it, read without parsing the JSON; None
    if the line is anything else (then it is parsed)."""
    if not (raw.startswith(_FRAME_PREFIX) and raw.endswith(b"}\n")):
        return None
    comma = raw.find(b",", 5)
    if comma < 0 or not raw.startswith(_FRAME_KEY, comma + 1):
        return None
    try:
        return line_time(float(raw[5:comma]))
    except ValueError:
        return None


def _point_of(line: dict[str, Any], offset: int) -> _Point | None:
    if "frame" in line:
        batch = clean_batch(line)
        return None if batch is None else (batch[0], offset, (batch[1],))
    if line.get("event") == "connect":
        return ("connect", offset, ())
    names = event_markets(line)
    return None if names is None else ("markets", offset, tuple(names))


def _settle(index: RecordingIndex, points: list[_Point], t: float) -> None:
    for kind, offset, names in points:
        if kind == "markets":
            index.market_events.append(MarketsEvent(t, offset, names))
        elif kind == "connect":
            index.connects.append(offset)
        else:
            by_market = index.snapshots if kind == "depth" else index.trade_batches
            times, offsets = by_market.setdefault(names[0], ([], []))
            times.append(t)
            offsets.append(offset)
    points.clear()


class LineReader:
    """Reads a recording's lines from a byte offset: (offset, object) for every line that is
    a JSON object other than the header; other lines are skipped (the index reported them).
    Reading stops at `limit` (the end of what was indexed) or where the file cannot be read
    any more (a gzip stream cut short, or changed since it was indexed)."""

    def __init__(self, path: str, limit: int | None = None) -> None:
        self._fh = open_binary(path)
        self.offset = 0  # of the next line to read
        self.limit = limit

    def seek(self, offset: int) -> None:
        if offset != self.offset:
            try:
                self._fh.seek(offset)
            except (EOFError, OSError, zlib.error):
                self.limit = 0  # unreadable from here: read as the end
            self.offset = offset

    def read(self, keep: Callable[[bytes], bool] | None = None, stop: int | None = None
             ) -> tuple[int, dict[str, Any]] | None:
        """The next line (only lines `keep` says yes to, if given), or None at the end or at
        offset `stop` (a line start: reading goes on from there without seeking)."""
        fh, limit = self._fh, self.limit
        if stop is not None:
            limit = stop if limit is None else min(stop, limit)
        while True:
            if limit is not None and self.offset >= limit:
                return None
            try:
                raw = fh.readline()
            except (EOFError, OSError, zlib.error):
                return None
            if not raw:
                return None
            at = self.offset
            self.offset = at + len(raw)
            if raw.isspace() or (keep is not None and not keep(raw)):
                continue
            try:
                obj = json.loads(raw)
            except ValueError:
                continue
            if type(obj) is dict and "meta" not in obj:
                return at, obj

    def close(self) -> None:
        self._fh.close()
