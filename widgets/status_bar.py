"""The status bar: connection state in colour, age of the last message, rates, errors."""

from __future__ import annotations

from rich.text import Text

from dfx_tui.book.state import ConnectionStatus, LinkState
from dfx_tui.widgets.market_header import badge
from dfx_tui.widgets.safe import sanitize
from dfx_tui.widgets.text_line import TextLine

STATE_STYLES: dict[LinkState, str] = {
    LinkState.CONNECTING: "bold #000000 on #58a6ff",
    LinkState.LIVE: "bold #000000 on #3fb950",
    LinkState.STALE: "bold #000000 on #d29922",
    LinkState.RESYNCING: "bold #000000 on #db6d28",
    LinkState.RECONNECTING: "bold #000000 on #d29922",
    LinkState.DOWN: "bold #ffffff on #da3633",
}


def age_text(age: float | None) -> str:
    if age is None:
        return "no data yet"
    age = max(0.0, age)
    if age < 1:
        return f"{age:.1f}s ago"
    if age < 120:  # whole seconds: a quiet feed repaints the bar once a second, not per tick
        return f"{int(age)}s ago"
    return f"{age / 60:.0f}m ago"


def status_text(status: ConnectionStatus, now: float, *, paused: bool = False,
                tag: str | None = None) -> Text:
    """The whole bar as inert `Text` (the error message is server text: sanitized)."""
    state = status.state
    text = Text(no_wrap=True, overflow="ellipsis")
    if tag:
        badge(text, tag, "bold #ffffff on #8957e5")
    badge(text, state.value.upper(), STATE_STYLES.get(state, "bold reverse"))
    if paused:
        badge(text, "PAUSED", "bold #000000 on #e3b341")
    age = None if status.last_message_at is None else now - status.last_message_at
    sep = " │ "
    text.append(" ")
    text.append(f"last msg {age_text(age)}", "bold" if age is not None and age > 5 else "")
    text.append(f"{sep}{status.msgs_per_s:.0f} msg/s")
    text.append(sep)
    text.append(f"reconnects {status.reconnects}", "bold #d29922" if status.reconnects else "")
    latency = "–" if status.latency_ms is None else f"{status.latency_ms:.0f} ms"
    text.append(f"{sep}ping {latency}")
    if status.frames_rejected:
        text.append(sep)
        text.append(f"rejected {status.frames_rejected}", "#d29922")
    if status.last_error:
        text.append(sep)
        text.append(f"error: {sanitize(status.last_error, 120)}", "#ff7b72")
    return text


class StatusBar(TextLine):
    """One line at the bottom; `update_view` repaints only when the text changed."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $text;
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(Text(" connecting…"), name=name, id=id, classes=classes)
        self._inputs: tuple | None = None

    def update_view(self, status: ConnectionStatus, now: float, *, paused: bool = False,
                    tag: str | None = None) -> bool:
        # Everything `status_text` reads, with the age as shown: called on every clock tick,
        # so an unchanged bar costs a tuple compare instead of building a Text.
        age = None if status.last_message_at is None else now - status.last_message_at
        inputs = (status.state, age_text(age), age is not None and age > 5, status.msgs_per_s,
                  status.reconnects, status.latency_ms, status.frames_rejected,
                  status.last_error, paused, tag)
        if inputs == self._inputs:
            return False
        self._inputs = inputs
        return self.show(status_text(status, now, paused=paused, tag=tag))
