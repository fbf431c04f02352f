"""Replay: a recording (see recorder.py) fed through the same core as live frames, no network.

Every recorded frame goes to `FeedCore.handle_message` at its recorded pace (scaled by
`speed`; 0 = as fast as possible), and every recorded (re)connection makes the core forget
what the live client forgot at the same point, so the books end as they ended live.
"""

from __future__ import annotations

import asyncio
import time

from dfx_tui.app.feed.core import FeedCore
from dfx_tui.app.feed.notices import ERROR_LIMIT, NoticeKind
from dfx_tui.app.feed.recorder import read_recording
from dfx_tui.book.state import LinkState
from dfx_tui.book.text import inert_text

YIELD_EVERY = 512  # lines between yields to the event loop at full speed (the UI breathes)


async def replay(core: FeedCore, path: str, speed: float, warnings: list[str]) -> None:
    """Play `path` into `core`; skipped lines of the recording are appended to `warnings`.
    Ends with the link DOWN and a REPLAY_DONE notice (or ERROR if the file fails)."""
    core.set_link(LinkState.CONNECTING)
    core.reset_link()
    connected = False
    first_t: float | None = None
    start = time.monotonic()
    n = 0
    try:
        for line in read_recording(path, on_skip=warnings.append):
            if "meta" in line:
                continue
            t = line.get("t")
            if speed > 0 and (type(t) is int or type(t) is float):
                if first_t is None:
                    first_t = t
                delay = start + (t - first_t) / speed - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            elif n % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            n += 1
            if "frame" in line:
                core.handle_message(line["frame"], time.monotonic())
            elif line.get("event") == "connect":
                if connected:
                    core.mark_markets_stale()
                core.reset_link()
                connected = True
    except (OSError, EOFError, ValueError) as exc:
        core.set_link(LinkState.DOWN, f"replay failed: {exc}")
        core.notice(NoticeKind.ERROR, None, f"replay failed: {exc}")
    else:
        warning = inert_text("; ".join(warnings), ERROR_LIMIT) if warnings else ""
        core.set_link(LinkState.DOWN, warning)
        if warning:
            core.notice(NoticeKind.WARNING, None, f"recording: {warning}")
        core.notice(NoticeKind.REPLAY_DONE, None, f"replay finished: {n} lines")
