"""Replay: a recording (see recorder.py) fed through the same core as live frames, no network.

`run_replay` indexes the recording in a thread (replay_index.py), then drives its
`ReplayControl` (replay_control.py): every recorded frame goes to `FeedCore.handle_message`
at its recorded pace (scaled by the speed; 0 = as fast as possible), every recorded
(re)connection makes the core forget what the live client forgot at the same point, and
every recorded change of markets opens or closes them, so the books end as they ended live.
The keys of the replay desk steer the control while this waits; at the end it waits for them
too (a seek back plays on), unless `--loop` starts again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from dfx_tui.app.feed.notices import ERROR_LIMIT, NoticeKind
from dfx_tui.app.feed.replay_control import ReplayControl
from dfx_tui.app.feed.replay_index import build_index
from dfx_tui.book.state import LinkState
from dfx_tui.book.text import inert_text


async def run_replay(control: ReplayControl, warnings: list[str]) -> None:
    """Play `control`'s recording until cancelled; skipped lines of the recording are appended
    to `warnings`. Each time the end is reached: the link DOWN and a REPLAY_DONE notice (the
    first time also a WARNING if lines were skipped). A file that fails: DOWN and an ERROR,
    and this returns."""
    core = control.core
    core.set_link(LinkState.CONNECTING)
    core.reset_link()
    stopping = False
    try:
        index = await asyncio.to_thread(build_index, control.path, warnings.append,
                                        lambda: stopping)
        control.open(index, time.monotonic())
        wake = asyncio.Event()
        control.on_change = wake.set
        reported = 0
        while True:
            wake.clear()
            delay = control.pump(time.monotonic())
            if control.ends > reported:
                reported = control.ends
                _report_end(control, warnings, first=reported == 1)
            if delay is None:
                await wake.wait()
            elif delay <= 0:
                await asyncio.sleep(0)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), delay)
    except (OSError, EOFError, ValueError) as exc:
        control.status.ended = True
        core.set_link(LinkState.DOWN, f"replay failed: {exc}")
        core.notice(NoticeKind.ERROR, None, f"replay failed: {exc}")
    finally:
        stopping = True  # an index pass still running in its thread ends soon
        control.on_change = None
        control.close()


def _report_end(control: ReplayControl, warnings: list[str], *, first: bool) -> None:
    core = control.core
    warning = inert_text("; ".join(warnings), ERROR_LIMIT) if warnings else ""
    core.set_link(LinkState.DOWN, warning)
    if warning and first:
        core.notice(NoticeKind.WARNING, None, f"recording: {warning}")
    core.notice(NoticeKind.REPLAY_DONE, None,
                f"replay finished: {control.lines_played} lines")
