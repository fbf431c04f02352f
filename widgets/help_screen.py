"""The `?` help screen: every key of the market view, from the bindings themselves."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def help_table(rows: Sequence[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold #e3b341", no_wrap=True)
    table.add_column()
    for keys, description in rows:
        table.add_row(Text(keys), Text(description))
    return table


class HelpScreen(ModalScreen[None]):
    """Lists the keys; escape, `?`, `q` or enter closes it."""

    BINDINGS = [
        Binding("escape,question_mark,q,enter", "close", "Close", id="help-close"),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
    }
    HelpScreen > VerticalScroll {
        width: 66;
        max-width: 96%;
        height: auto;
        max-height: 90%;
        padding: 0 2;
        border: round $accent;
        border-title-color: $accent;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        background: $surface;
    }
    HelpScreen Static { width: 1fr; }
    """

    def __init__(self, rows: Sequence[tuple[str, str]], notes: Sequence[str] = ()) -> None:
        super().__init__()
        self.rows = list(rows)
        self.notes = list(notes)

    def compose(self) -> ComposeResult:
        box = VerticalScroll()
        box.border_title = "dfx-tui keys"
        box.border_subtitle = "esc to close"
        with box:
            yield Static(help_table(self.rows))
            for note in self.notes:
                yield Static(Text(note, style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
