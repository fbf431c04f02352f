"""Quit confirmation: `y`, `enter` or a second `q` quits; any other key cancels."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

CONFIRM_KEYS = frozenset({"y", "Y", "enter", "q"})


class ConfirmQuitScreen(ModalScreen[bool]):
    """A small modal; dismisses with True to quit."""

    DEFAULT_CSS = """
    ConfirmQuitScreen {
        align: center middle;
        background: $background 60%;
    }
    ConfirmQuitScreen > Vertical {
        width: auto;
        height: auto;
        padding: 1 3;
        border: thick $error;
        background: $surface;
    }
    ConfirmQuitScreen Static { width: auto; }
    ConfirmQuitScreen #quit-title { text-style: bold; }
    ConfirmQuitScreen #quit-hint { color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Quit dfx-tui?", id="quit-title")
            yield Static("y / enter / q: quit    any other key: stay", id="quit-hint")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.dismiss(event.key in CONFIRM_KEYS)

    def on_click(self, event: events.Click) -> None:
        self.dismiss(False)
