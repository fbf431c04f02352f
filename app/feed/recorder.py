"""Recordings: every received message's decoded JSON with its receive time, as JSON lines.

Line kinds (one JSON object each):
- ``{"t": wall_seconds, "meta": {"format": "dfx-tui-recording", "version": 1, "markets": [...],
  "url": "..."}}`` first;
- ``{"t": wall_seconds, "frame": <server message>}`` for every decoded frame;
- ``{"t": wall_seconds, "event": "connect", "url": "..."}`` at every (re)connection, so that a
  replay forgets what the live client forgot at the same point.

A name ending in ``.gz`` is gzip-compressed. The writer flushes at least once a second (the
feed calls `flush` from its 1 Hz timer), so killing the process loses at most about a second.
"""

from __future__ import annotations

import gzip
import io
import json
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

FORMAT = "dfx-tui-recording"
VERSION = 1

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def open_text(path: str, mode: str) -> IO[str]:
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.GzipFile(path, mode + "b"), encoding="utf-8")
    return open(path, mode, encoding="utf-8")  # noqa: SIM115


class Recorder:
    """Writes a recording. `received_at` values are `time.monotonic()`; lines carry wall time."""

    def __init__(self, path: str, markets: list[str], url: str) -> None:
        self.path = path
        self._gzip = path.endswith(".gz")
        self._raw = gzip.open(path, "wb") if self._gzip else open(path, "wb")  # noqa: SIM115
        self._offset = time.time() - time.monotonic()
        self.lines = 0
        self._dirty = False
        self.closed = False
        self._write({"t": time.time(), "meta": {"format": FORMAT, "version": VERSION,
                                               "markets": list(markets), "url": url}})
        self.flush()

    def _write(self, obj: dict[str, Any]) -> None:
        self._raw.write(_dumps(obj).encode() + b"\n")
        self.lines += 1
        self._dirty = True

    def frame(self, obj: Any, received_at: float) -> None:
        if not self.closed:
            self._write({"t": round(received_at + self._offset, 6), "frame": obj})

    def event(self, kind: str, **fields: Any) -> None:
        if not self.closed:
            self._write({"t": round(time.time(), 6), "event": kind, **fields})

    def flush(self) -> None:
        if self.closed or not self._dirty:
            return
        self._raw.flush()  # for gzip: a sync flush, so the data so far is decodable
        self._dirty = False

    def close(self) -> None:
        if self.closed:
            return
        try:
            self.flush()
        finally:  # the file is closed even when the last flush fails (disk full)
            self.closed = True
            self._raw.close()


def read_recording(path: str, on_skip: Callable[[str], None] | None = None
                   ) -> Iterator[dict[str, Any]]:
    """Yield the lines of a recording as dicts. A torn last line (killed writer), a gzip stream
    cut short, or a line that is not a JSON object is skipped; `on_skip` is told why."""
    skip = on_skip or (lambda why: None)
    bad: int | None = None  # the last unreadable line, reported once we know if it was last
    number = 0
    with open_text(path, "r") as fh:
        try:
            for line in fh:
                number += 1
                if not line.strip():
                    continue
                if bad is not None:
                    skip(f"line {bad} is not a recording line; skipped")
                    bad = None
                try:
                    obj = json.loads(line)
                except ValueError:
                    bad = number  # a line cut short by a kill, if it is the last one
                    continue
                if type(obj) is dict:
                    yield obj
                else:
                    skip(f"line {number} is not a recording line; skipped")
        except (EOFError, OSError) as exc:
            # A gzip stream cut short by a kill: everything before it was already yielded.
            torn_gzip(exc, skip)
    torn_last_line(bad, skip)


def torn_gzip(exc: EOFError | OSError, skip: Callable[[str], None]) -> None:
    """A gzip stream cut short by a kill is a torn tail, said once; any other error raises."""
    if "end-of-stream" not in str(exc) and not isinstance(exc, EOFError):
        raise exc
    skip("the recording is truncated (a gzip stream cut short: was the writer killed?)")


def torn_last_line(bad: int | None, skip: Callable[[str], None]) -> None:
    """The last line was cut short (the writer killed mid-line): skipped, and said so."""
    if bad is not None:
        skip(f"the last line (line {bad}) is truncated (was the writer killed?); skipped")


def read_header(path: str) -> dict[str, Any]:
    """The meta header of a recording; ValueError if the file is not one."""
    try:
        first = next(read_recording(path), None)
    except OSError as exc:
        raise ValueError(exc.strerror or str(exc)) from None
    except EOFError:
        first = None
    if first is None or type(first.get("meta")) is not dict or first["meta"].get("format") != FORMAT:
        raise ValueError(f"{path} is not a dfx-tui recording")
    meta: dict[str, Any] = first["meta"]
    return meta
