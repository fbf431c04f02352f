"""The alerts screen: every alert listed (armed or waiting to re-arm), removed with a key, and
a small input to add one. The screen knows nothing of the alert engine: the app hands it
callables to list, add and remove (app/alerts.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Function
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from dfx_tui.widgets.safe import sanitize

REFRESH_S = 1.0  # the list is read again this often while shown (alerts fire and re-arm)


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: int
    text: str  # what it watches (from the app; server text already made inert)
    armed: bool


class AddAlertScreen(ModalScreen[str | None]):
    """Type an alert; dismisses with the text once `check` finds nothing wrong, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="add-alert-cancel")]

    DEFAULT_CSS = """
    AddAlertScreen {
        align: center middle;
        background: $background 60%;
    }
    AddAlertScreen > Vertical {
        width: 70;
        height: auto;
        padding: 0 1;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
    }
    AddAlertScreen #add-alert-hint { color: $text-muted; }
    """

    def __init__(self, check: Callable[[str], str | None], example: str, hint: str) -> None:
        super().__init__()
        self.check_text = check  # the reason a text is not an alert, or None
        self.example = example
        self.hint = hint

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Add alert"
        with box:
            yield Input(placeholder=f"e.g. {self.example}", id="add-alert-input",
                        validators=[Function(lambda t: self.check_text(t) is None,
                                                 "not an alert")],
                        max_length=120)
            yield Static(self.hint + "\nenter: add   esc: cancel", id="add-alert-hint",
                         markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        why = self.check_text(event.value)
        if why is None:
            self.dismiss(event.value)
        else:
            self.notify(sanitize(why, 160), severity="warning", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AlertsScreen(ModalScreen[None]):
    """Lists the alerts; `x`/delete removes the highlighted one, `a` adds, escape closes."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="alerts-close", tooltip="close the alerts"),
        Binding("x,delete,backspace", "remove", "Remove", id="alerts-remove",
                tooltip="remove the highlighted alert"),
        Binding("a", "add", "Add", id="alerts-add", tooltip="add an alert"),
    ]

    DEFAULT_CSS = """
    AlertsScreen {
        align: center middle;
        background: $background 60%;
    }
    AlertsScreen > Vertical {
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 80%;
        padding: 0 1;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
    }
    AlertsScreen OptionList { height: auto; max-height: 20; border: none; }
    AlertsScreen #alerts-empty { color: $text-muted; }
    AlertsScreen #alerts-hint { color: $text-muted; }
    """

    def __init__(self, rows: Callable[[], list[AlertRow]], remove: Callable[[int], bool],
                 add: Callable[[str], str | None], check: Callable[[str], str | None],
                 example: str, hint: str) -> None:
        super().__init__()
        self.list_rows = rows
        self.remove_alert = remove
        self.add_alert = add  # adds a checked text; returns a note to show, or None
        self.check_text = check
        self.example = example
        self.hint = hint
        self.options = OptionList(id="alerts-list")
        self._shown: list[AlertRow] | None = None  # None: not read yet

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Alerts"
        with box:
            yield self.options
            yield Static(f"No alerts yet. a: add one, e.g. {self.example}", id="alerts-empty",
                         markup=False)
            yield Static("a: add   x: remove   esc: close   · each fires once per crossing",
                         id="alerts-hint", markup=False)

    def on_mount(self) -> None:
        self.reload()
        self.set_interval(REFRESH_S, self.reload)

    def reload(self) -> None:
        rows = self.list_rows()
        if rows == self._shown:
            return
        highlighted = self.options.highlighted
        self._shown = rows
        self.options.set_options(
            Option(f"#{r.id:<3} {'armed ' if r.armed else 'fired '} {r.text}", id=str(r.id))
            for r in rows)
        if rows:
            self.options.highlighted = min(highlighted or 0, len(rows) - 1)
        self.options.display = bool(rows)
        self.query_one("#alerts-empty", Static).display = not rows

    def action_close(self) -> None:
        self.dismiss(None)

    def action_remove(self) -> None:
        index, shown = self.options.highlighted, self._shown or []
        if index is None or not 0 <= index < len(shown):
            return
        if self.remove_alert(shown[index].id):
            self.reload()

    def action_add(self) -> None:
        def added(text: str | None) -> None:
            if text:
                note = self.add_alert(text)
                if note:
                    self.notify(note, markup=False)
                self.reload()

        self.app.push_screen(AddAlertScreen(self.check_text, self.example, self.hint), added)
