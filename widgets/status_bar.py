"""The status bar: connection state in colour, age of the last message, rates, errors."""

from __future__ import annotations

import math
from collections.abc import Mapping

from rich.style import Style
from rich.text import Text

from dfx_tui.book.state import ConnectionStatus, LinkState
from dfx_tui.widgets.market_header import UNKNOWN_LABEL, badge
from dfx_tui.widgets.replay_status import append_problems, replay_inputs, replay_text
from dfx_tui.widgets.text_line import PLAIN, TextLine, style_of

_BOLD = Style(bold=True)


# The age in whole steps of seconds, coarser as it grows (below `limit`, steps of `step`):
# a trader reads "3s" against "4s" as news, "45s" against "46s" as the same silence. Each
# shows the age rounded down, like the whole seconds. A quiet bar is repainted only when its
# text changes, so a long silence costs a repaint every 5-10 s, then every minute.
AGE_STEPS = ((20, 1), (60, 5), (120, 10))


def age_text(age: float | None) -> str:
    if age is None:
        return "no data yet"
    age = max(0.0, age)
    if age < 1:
        return f"{age:.1f}s ago"
    for limit, step in AGE_STEPS:
        if age < limit:
            return f"{int(age) // step * step}s ago"
    return f"{age / 60:.0f}m ago"


def age_changes_in(age: float | None) -> float | None:
    """Seconds until `age_text` shows another step (None: never, no message yet). A
    sub-second age's tenths are not counted: it changes when it reaches one second."""
    if age is None:
        return None
    age = max(0.0, age)
    if age < 1:
        return 1.0 - age
    for limit, step in AGE_STEPS:
        if age < limit:
            return (int(age) // step + 1) * step - age
    # "Nm ago" rounds to the nearest minute: the next half minute.
    return (math.floor((age - 30) / 60) + 1) * 60 + 30 - age


def status_text(status: ConnectionStatus, now: float, *, paused: bool = False,
                tag: str | None = None, styles: Mapping[str, Style] | None = None) -> Text:
    """The whole bar as inert `Text` (the error message is server text: sanitized).

    `styles` are the bar's component styles by name (`live`, `paused`, `warn`, ...);
    without them the bar has no colours.
    """
    if status.replay is not None:  # a recording: never shown as the link's state
        return replay_text(status, now, paused=paused, tag=tag, styles=styles)
    st: Mapping[str, Style] = styles or {}
    state = status.state
    text = Text(no_wrap=True, overflow="ellipsis")
    if tag:
        badge(text, tag, st.get("tag", UNKNOWN_LABEL))
    badge(text, state.value.upper(), st.get(state.value, UNKNOWN_LABEL))
    if paused:
        badge(text, "PAUSED", st.get("paused", UNKNOWN_LABEL))
    age = None if status.last_message_at is None else now - status.last_message_at
    sep = " │ "
    text.append(" ")
    text.append(f"last msg {age_text(age)}", _BOLD if age is not None and age > 5 else PLAIN)
    text.append(f"{sep}{status.msgs_per_s:.0f} msg/s")
    text.append(sep)
    text.append(f"reconnects {status.reconnects}",
                style_of(st, "warn") + _BOLD if status.reconnects else PLAIN)
    latency = "–" if status.latency_ms is None else f"{status.latency_ms:.0f} ms"
    text.append(f"{sep}ping {latency}")
    append_problems(text, status, st, sep)
    return text


class StatusBar(TextLine):
    """One line at the bottom; `update_view` repaints only when the text changed."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $text;
    }
    StatusBar > .status--connecting {
        background: $state-connecting; color: $badge-text; text-style: bold;
    }
    StatusBar > .status--live { background: $state-live; color: $badge-text; text-style: bold; }
    StatusBar > .status--stale, StatusBar > .status--reconnecting {
        background: $state-stale; color: $badge-text; text-style: bold;
    }
    StatusBar > .status--resyncing {
        background: $state-resyncing; color: $badge-text; text-style: bold;
    }
    StatusBar > .status--down { background: $state-down; color: $badge-text; text-style: bold; }
    StatusBar > .status--tag { background: $badge-demo; color: $badge-text; text-style: bold; }
    StatusBar > .status--paused {
        background: $badge-paused; color: $badge-text; text-style: bold;
    }
    StatusBar > .status--replay { background: $badge-replay; color: $badge-text; text-style: bold; }
    StatusBar > .status--replay-bar { color: $badge-replay; }
    StatusBar > .status--warn { color: $warn-text; }
    StatusBar > .status--error { color: $error-text; }
    """

    COMPONENT_CLASSES = {
        *(f"status--{state.value}" for state in LinkState),
        "status--tag", "status--paused", "status--warn", "status--error",
        "status--replay", "status--replay-bar",
    }

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(Text(" connecting…"), name=name, id=id, classes=classes)
        self._inputs: tuple[object, ...] | None = None
        self._shown: tuple[ConnectionStatus, float, bool, str | None] | None = None
        self._shown_sub_second = False  # the bar shows an age under a second

    def update_view(self, status: ConnectionStatus, now: float, *, paused: bool = False,
                    tag: str | None = None) -> bool:
        # Everything `status_text` reads, with the age as shown: called on every paint, so
        # an unchanged bar costs a tuple compare instead of building a Text.
        age = None if status.last_message_at is None else now - status.last_message_at
        inputs = (status.state, age_text(age), age is not None and age > 5, status.msgs_per_s,
                  status.reconnects, status.latency_ms, status.frames_rejected,
                  status.last_error, paused, tag, replay_inputs(status, now))
        before = self._inputs
        if inputs == before:
            return False
        sub_second = age is not None and age < 1
        if (before is not None and sub_second and self._shown_sub_second
                and inputs[0] == before[0] and inputs[2:] == before[2:]):
            # Only the tenths of a sub-second age moved ("0.1s ago" -> "0.3s ago"): not news
            # (it is under a second either way, and turns "1s" when it reaches one), so not
            # redrawn. A redraw of the bottom line beside a ladder change makes Textual
            # compose every widget in between (bench: +0.3-4 ms a paint); and an idle app
            # would have to wake every second to draw it (issue 11).
            return False
        self._inputs = inputs
        self._shown = (status, now, paused, tag)
        self._shown_sub_second = sub_second
        return self.show(status_text(status, now, paused=paused, tag=tag,
                                     styles=self.component_styles()))

    def restyle(self) -> None:
        if self._shown is None:
            return
        status, now, paused, tag = self._shown
        self._inputs = None
        self.update_view(status, now, paused=paused, tag=tag)
