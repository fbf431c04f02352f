"""The add-market dialog: type a market name (case-insensitive), enter adds, escape cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Function
from textual.widgets import Input, Static

from dfx_tui.book.codec import normalize_market


def valid_market(text: str) -> bool:
    try:
        normalize_market(text.strip())
    except ValueError:
        return False
    return True


class AddMarketScreen(ModalScreen[str | None]):
    """Dismisses with the uppercase market name, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="add-market-cancel")]

    DEFAULT_CSS = """
    AddMarketScreen {
        align: center middle;
        background: $background 60%;
    }
    AddMarketScreen > Vertical {
        width: 50;
        height: auto;
        padding: 0 1;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
    }
    AddMarketScreen #add-market-hint { color: $text-muted; }
    """

    def __init__(self, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.suggestions = suggestions

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Add market"
        with box:
            yield Input(placeholder="e.g. ETH_USDT", id="add-market-input",
                        validators=[Function(valid_market, "BASE_QUOTE, e.g. ETH_USDT")],
                        restrict=r"[A-Za-z0-9_]*", max_length=49)
            hint = "enter: add   esc: cancel"
            if self.suggestions:
                hint += "\n" + " ".join(self.suggestions[:8])
            yield Static(hint, id="add-market-hint", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if valid_market(value):
            self.dismiss(normalize_market(value))
        else:
            self.notify("Not a market name: use BASE_QUOTE, e.g. ETH_USDT",
                        severity="warning", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)
