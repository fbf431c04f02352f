"""The add-market dialog: type a market name or part of one, pick from the list, enter adds.

With the exchange's market list (a `MarketCatalog`, filled by all_ticker) the list shows the
markets matching what is typed, highest 24 h quote volume first, with last price and change;
up/down pick, enter adds the highlighted one. Before that list arrives (or without it) the
typed name comes first and the fixed suggestions after it, so a name typed in full is always
accepted. Escape cancels.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from dfx_tui.book.catalog import MarketCatalog, normalize_query
from dfx_tui.book.codec import normalize_market
from dfx_tui.book.ticker import Ticker
from dfx_tui.widgets.ticker_text import ticker_row

LIST_LIMIT = 30  # rows in the list; typing narrows it
REFRESH_S = 1.0  # while open, look for markets the catalogue gained


def valid_market(text: str) -> bool:
    try:
        normalize_market(text.strip())
    except ValueError:
        return False
    return True


def typed_market(text: str) -> str | None:
    """What was typed as a market name, or None if it is not one (yet)."""
    try:
        return normalize_market(text.strip())
    except ValueError:
        return None


class AddMarketScreen(ModalScreen[str | None]):
    """Dismisses with the uppercase market name, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="add-market-cancel"),
        Binding("down", "pick(1)", "Next", show=False, id="add-market-next"),
        Binding("up", "pick(-1)", "Previous", show=False, id="add-market-previous"),
    ]

    DEFAULT_CSS = """
    AddMarketScreen {
        align: center middle;
        background: $background 60%;
    }
    AddMarketScreen > Vertical {
        width: 60;
        height: auto;
        padding: 0 1;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
    }
    AddMarketScreen #add-market-list {
        height: auto;
        max-height: 12;
        border: none;
        padding: 0;
        background: $surface;
    }
    AddMarketScreen #add-market-list.-empty { display: none; }
    AddMarketScreen #add-market-hint { color: $text-muted; }
    AddMarketScreen > .add-market--rise { color: $bid; }
    AddMarketScreen > .add-market--fall { color: $ask; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"add-market--rise", "add-market--fall"}

    def __init__(self, suggestions: tuple[str, ...] = (),
                 catalog: MarketCatalog | None = None) -> None:
        super().__init__()
        self.suggestions = suggestions
        self.catalog = catalog
        self._listed_size = -1  # the catalogue's size when the list was made
        self._moved = False  # the pick was moved by a key since the last keystroke typed

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Add market"
        with box:
            yield Input(placeholder="a name or part of one, e.g. eth", id="add-market-input",
                        restrict=r"[A-Za-z0-9_]*", max_length=49)
            choices = OptionList(id="add-market-list")
            choices.can_focus = False  # typing stays in the input; up/down move the pick
            yield choices
            yield Static("", id="add-market-hint", markup=False)

    def on_mount(self) -> None:
        self.refresh_choices()
        if self.catalog is not None:
            self.set_interval(REFRESH_S, self._catalog_grew)

    # ----------------------------------------------------------------- the list
    @property
    def choices(self) -> OptionList:
        return self.query_one("#add-market-list", OptionList)

    def _has_catalog(self) -> bool:
        return self.catalog is not None and len(self.catalog) > 0

    def candidates(self, query: str) -> list[tuple[str, Ticker | None]]:
        """The markets to offer for `query`, in order: the catalogue's matches by 24 h quote
        volume (then the typed name if the catalogue lacks it), or, without a catalogue, the
        typed name then the matching suggestions."""
        typed = typed_market(query)
        catalog = self.catalog
        if catalog is not None and len(catalog):
            found: list[tuple[str, Ticker | None]] = [
                (t.symbol, t) for t in catalog.search(query, limit=LIST_LIMIT)]
            if typed is not None and typed not in catalog:
                found.append((typed, None))
            return found
        fragment = normalize_query(query)
        names = [typed] if typed is not None else []
        names += [n for n in self.suggestions if fragment in n and n != typed]
        return [(name, None) for name in names[:LIST_LIMIT]]

    def refresh_choices(self) -> None:
        """Remake the list for what is typed now. The pick goes to the first row, unless it
        was moved by a key and its market is still listed (the catalogue grew meanwhile)."""
        choices = self.choices
        picked = self.picked() if self._moved else None
        query = self.query_one("#add-market-input", Input).value
        styles = {"rise": self.get_component_rich_style("add-market--rise", partial=True),
                  "fall": self.get_component_rich_style("add-market--fall", partial=True)}
        listed = self._has_catalog()
        options = [Option(ticker_row(t, styles) if t is not None
                          else self._plain_row(name, listed), id=name)
                   for name, t in self.candidates(query)]
        choices.clear_options()
        choices.add_options(options)
        choices.set_class(not options, "-empty")
        ids = [o.id for o in options]
        choices.highlighted = ids.index(picked) if picked in ids else (0 if ids else None)
        self._listed_size = len(self.catalog) if self.catalog is not None else -1
        self._show_hint(listed)

    @staticmethod
    def _plain_row(name: str, listed: bool) -> Text:
        row = Text(name, Style(bold=True), no_wrap=True)
        if listed:
            row.append("  not in the exchange's list", Style(dim=True))
        return row

    def _show_hint(self, listed: bool) -> None:
        hint = "↑↓ pick   enter: add   esc: cancel"
        if listed:
            assert self.catalog is not None
            hint += f"\n{len(self.catalog)} markets, by 24 h quote volume"
        elif self.catalog is not None:
            hint += "\nthe exchange's market list has not arrived yet"
        self.query_one("#add-market-hint", Static).update(hint)

    def _catalog_grew(self) -> None:
        if self.catalog is not None and len(self.catalog) != self._listed_size:
            self.refresh_choices()

    def picked(self) -> str | None:
        """The highlighted market of the list, or None."""
        choices = self.choices
        index = choices.highlighted
        if index is None or index >= choices.option_count:
            return None
        return choices.get_option_at_index(index).id

    # ----------------------------------------------------------------- events and keys
    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._moved = False
        self.refresh_choices()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = self.picked() or event.value.strip()
        if valid_market(value):
            self.dismiss(normalize_market(value))
        else:
            self.notify("Not a market name: use BASE_QUOTE, e.g. ETH_USDT",
                        severity="warning", markup=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def action_pick(self, step: int) -> None:
        self._moved = True
        choices = self.choices
        if step > 0:
            choices.action_cursor_down()
        else:
            choices.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
