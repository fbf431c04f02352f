"""The status bar during a replay: REPLAY (never the link's LIVE), the recording's own clock,
the position as a bar, the speed.

`replay_text` replaces the live bar's connection part while `ConnectionStatus.replay` is set;
`replay_inputs` is what it shows, for the bar's "changed since the last tick?" check.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from rich.style import Style
from rich.text import Text

from dfx_tui.book.state import ConnectionStatus, ReplayStatus
from dfx_tui.widgets.market_header import UNKNOWN_LABEL, badge
from dfx_tui.widgets.safe import sanitize
from dfx_tui.widgets.text_line import style_of

PROGRESS_CELLS = 14  # the position bar's width; each cell shows halves
SEP = " │ "


def speed_text(speed: float) -> str:
    return "max speed" if speed <= 0 else f"×{speed:g}"


def clock_text(t: float) -> str:
    """The recording's time of day, in UTC (the exchange's and the recording's time base)."""
    try:
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return "time unknown"


def duration_text(seconds: float) -> str:
    s = int(max(0.0, seconds))
    hours, rest = divmod(s, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_halves(replay: ReplayStatus, now: float, cells: int = PROGRESS_CELLS) -> int:
    """How many half cells of the bar are filled."""
    span = replay.end - replay.start
    if span <= 0:
        return 2 * cells if replay.ready else 0
    fraction = (replay.position(now) - replay.start) / span
    return round(min(1.0, max(0.0, fraction)) * 2 * cells)


def progress_bar(halves: int, cells: int = PROGRESS_CELLS) -> tuple[str, str]:
    """The filled and the empty part of the bar."""
    full, half = divmod(halves, 2)
    filled = "━" * full + ("╸" if half else "")
    return filled, "─" * (cells - len(filled))


def replay_inputs(status: ConnectionStatus, now: float) -> tuple[object, ...] | None:
    """Everything `replay_text` shows that changes while a replay plays (None when live)."""
    replay = status.replay
    if replay is None:
        return None
    return (int(replay.position(now)), progress_halves(replay, now), replay.speed,
            replay.paused, replay.ended, replay.ready, replay.loop, replay.end)


def replay_text(status: ConnectionStatus, now: float, *, paused: bool = False,
                tag: str | None = None, styles: Mapping[str, Style] | None = None) -> Text:
    """The whole bar during a replay, as inert `Text` (the error is sanitized). `paused` is
    the display's pause (`p`); the replay's own pause is `status.replay.paused`."""
    st: Mapping[str, Style] = styles or {}
    replay = status.replay
    assert replay is not None
    text = Text(no_wrap=True, overflow="ellipsis")
    if tag:
        badge(text, tag, st.get("tag", UNKNOWN_LABEL))
    badge(text, "REPLAY", st.get("replay", UNKNOWN_LABEL))
    if replay.ended:
        badge(text, "END", st.get("down", UNKNOWN_LABEL))
    elif replay.paused:
        badge(text, "PAUSED", st.get("paused", UNKNOWN_LABEL))
    if paused:
        badge(text, "VIEW PAUSED", st.get("paused", UNKNOWN_LABEL))
    text.append(" ")
    if not replay.ready:
        text.append("reading the recording…")
    else:
        position = replay.position(now)
        text.append(clock_text(position))
        text.append(" ")
        filled, empty = progress_bar(progress_halves(replay, now))
        text.append(filled, style_of(st, "replay-bar"))
        text.append(empty)
        text.append(f" {duration_text(position - replay.start)}"
                    f"/{duration_text(replay.end - replay.start)}")
        text.append(f"{SEP}{speed_text(replay.speed)}")
        if replay.loop:
            text.append(" loop")
        text.append(f"{SEP}{status.msgs_per_s:.0f} msg/s")
    append_problems(text, status, st, SEP)
    return text


def append_problems(text: Text, status: ConnectionStatus, st: Mapping[str, Style],
                    sep: str) -> None:
    """The end of the status line, live or replayed: rejected frames and the last error."""
    if status.frames_rejected:
        text.append(sep)
        text.append(f"rejected {status.frames_rejected}", style_of(st, "warn"))
    if status.last_error:
        text.append(sep)
        text.append(f"error: {sanitize(status.last_error, 120)}", style_of(st, "error"))
