"""The `?` help screen: the keys as bound now (a keymap from the config file included).

Rows come from the bindings Textual resolves for the screen (`Screen.active_bindings`), so a
rebound key shows under its new name and a key taken by a priority binding shows what it
really does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Static

HelpRow = tuple[str, str]  # (keys, what they do)


def key_text(key: str) -> str:
    """A key as people write it: `ctrl+q`, `shift+tab`, `?`, `]` (not the footer's `^q`)."""
    *modifiers, name = key.split("+")
    return "+".join([*modifiers, format_key(name)])


def _keys_cell(keys: list[str]) -> str:
    digits = [int(k) for k in keys if len(k) == 1 and k.isdigit()]
    if len(digits) == len(keys) > 2 and digits == list(range(digits[0], digits[0] + len(keys))):
        return f"{keys[0]} … {keys[-1]}"  # a run of digit keys, e.g. the tab jumps
    return " / ".join(keys)


def help_rows(bindings: Iterable[Binding], order: Sequence[str | None] = ()) -> list[HelpRow]:
    """One row per binding id, or per `Binding.Group` (its description names the row).

    A row says what the binding does with its tooltip, else its description. Bindings without
    an id and system bindings are left out. Rows follow the ids in `order` (e.g. the screen's
    BINDINGS), then the rest as met.
    """
    position = {binding_id: i for i, binding_id in enumerate(order)}
    rows: dict[object, tuple[list[str], str]] = {}
    rank: dict[object, int] = {}
    for binding in bindings:
        if binding.id is None or binding.system:
            continue
        row: object = binding.group or binding.id
        if row not in rows:
            rows[row] = ([], binding.group.description if binding.group is not None
                         else binding.tooltip or binding.description)
        keys = rows[row][0]
        if (key := key_text(binding.key)) not in keys:
            keys.append(key)
        rank[row] = min(rank.get(row, len(position)), position.get(binding.id, len(position)))
    # sorted() is stable: rows not in `order` keep the order they were met in.
    return [(_keys_cell(rows[row][0]), rows[row][1]) for row in sorted(rows, key=rank.__getitem__)]


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
    HelpScreen Grid {
        grid-size: 2;
        grid-columns: auto 1fr;
        grid-gutter: 0 2;
        height: auto;
    }
    HelpScreen .help-keys {
        color: $text-warning;
        text-style: bold;
    }
    HelpScreen .help-note {
        color: $text-muted;
    }
    """

    def __init__(self, rows: Sequence[HelpRow], notes: Sequence[str] = ()) -> None:
        super().__init__()
        self.rows = list(rows)
        self.notes = list(notes)

    def compose(self) -> ComposeResult:
        box = VerticalScroll()
        box.border_title = "dfx-tui keys"
        box.border_subtitle = "esc to close"
        with box:
            with Grid():
                for keys, description in self.rows:
                    yield Static(keys, classes="help-keys", markup=False)
                    yield Static(description, markup=False)
            for note in self.notes:
                yield Static(note, classes="help-note", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
