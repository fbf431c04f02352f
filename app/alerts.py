"""Alerts in the running app: the engine fed from the feed's data, the notification, the
palette command and the alerts screen.

`AlertWatcher.check` runs in `DfxApp.observe_markets` on the render clock, for every open
market (hidden tabs too), with the trades `MarketAnalytics.observe` found new (every one, an
event: none may be skipped) and, while the book is live, the book once a tick (mid, spread
and imbalance are states; see book/alerts.py for why once a tick and not per message). The
engine is indexed: a tick with nothing near a level costs a bisection, not a scan.

A fired alert becomes a notification and the terminal bell; many at once (a burst of big
trades) make at most `MAX_TOASTS` notifications and one bell.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual.app import App
from textual.command import Hit, Hits, Provider

from dfx_tui.widgets.safe import sanitize

if TYPE_CHECKING:
    from dfx_tui.book.alerts import AlertBook, AlertSpec, Fired
    from dfx_tui.book.state import Market
    from dfx_tui.book.tape import Trade
    from dfx_tui.widgets.alerts_screen import AlertRow, AlertsScreen

# The engine (book/alerts.py, app/alert_specs.py) and the alerts screen are imported when the
# first alert is set or the screen opens, not at start: ~5 ms of a cold start's imports, for a
# feature most runs do not use.

MAX_TOASTS = 3  # notifications for one tick's alerts; the rest are counted in the last
TOAST_S = 8.0
HINT = ("price above|below P · last above|below P · trade SIZE · spread BPS · "
        "imbalance ±R [within BPS]")


class AlertWatcher:
    """The app's alerts (see the module doc)."""

    def __init__(self, specs: Iterable[AlertSpec] = ()) -> None:
        self._book: AlertBook | None = None  # made with the first alert
        for spec in specs:
            self.book.add(spec)
        self.fired_count = 0
        self.last_fired_at: float | None = None  # time.monotonic() of the last notification
        self.on_change: Callable[[], None] | None = None  # an alert was added (the app paints)

    @property
    def book(self) -> AlertBook:
        if self._book is None:
            from dfx_tui.book.alerts import AlertBook

            self._book = AlertBook()
        return self._book

    @property
    def watching(self) -> bool:
        """Whether `check` can fire anything: an alert was ever set."""
        return self._book is not None

    def check(self, market: Market, fresh: list[Trade], live: bool, now: float) -> list[Fired]:
        """The alerts of one market that fire now: trades oldest first, then the book."""
        if self._book is None:  # no alert was ever set
            return []
        fired: list[Fired] = []
        for trade in fresh:
            fired += self.book.on_trade(market.name, trade, now)
        if live:
            fired += self.book.on_book(market.name, market.book, now)
        return fired

    def add_text(self, text: str, default_market: str | None) -> AlertSpec:
        """Add the alert `text` describes; ValueError says what is wrong with it."""
        from dfx_tui.app.alert_specs import parse_alert

        spec = parse_alert(text, default_market)
        self.add(spec)
        return spec

    def add(self, spec: AlertSpec) -> None:
        self.book.add(spec)
        if self.on_change is not None:
            self.on_change()

    def rows(self) -> list[AlertRow]:
        from dfx_tui.app.alert_specs import describe
        from dfx_tui.widgets.alerts_screen import AlertRow

        return [AlertRow(a.id, describe(a.spec), a.armed) for a in self.book.list()]

    def notify(self, app: App[Any], fired: list[Fired]) -> None:
        """Show what fired (at most MAX_TOASTS notifications) and ring the bell once."""
        self.fired_count += len(fired)
        shown = fired[:MAX_TOASTS]
        for i, event in enumerate(shown):
            text = sanitize(event.text(), 160)
            if i == len(shown) - 1 and len(fired) > len(shown):
                text += f"\n(+{len(fired) - len(shown)} more alerts)"
            app.notify(text, title="Alert", severity="warning", timeout=TOAST_S, markup=False)
        app.bell()
        self.last_fired_at = time.monotonic()

    def screen(self, default_market: str | None) -> AlertsScreen:
        """The alerts screen over this watcher (adds go to `default_market` unless named)."""
        from dfx_tui.app.alert_specs import EXAMPLE, describe, parse_alert
        from dfx_tui.widgets.alerts_screen import AlertsScreen

        def check(text: str) -> str | None:
            try:
                parse_alert(text, default_market)
            except ValueError as exc:
                return str(exc)
            return None

        def add(text: str) -> str | None:
            spec = self.add_text(text, default_market)
            return f"Alert added: {describe(spec)}"

        return AlertsScreen(self.rows, self.book.remove, add, check, EXAMPLE, HINT)


@runtime_checkable
class ShowsAMarket(Protocol):
    def current_market(self) -> str | None: ...


def watcher_of(app: App[Any]) -> AlertWatcher | None:
    watcher = getattr(app, "alert_watcher", None)
    return watcher if isinstance(watcher, AlertWatcher) else None


class AlertCommands(Provider):
    """`alert [MARKET] price above 65000` (see app/alert_specs.py) typed into the palette:
    one command that adds it, or one that says what is wrong and opens the alerts screen."""

    async def search(self, query: str) -> Hits:
        watcher = watcher_of(self.app)
        text = query.strip()
        if watcher is None or not text.lower().startswith("alert"):
            return
        from dfx_tui.app.alert_specs import describe, parse_alert

        screen = self.screen
        market = screen.current_market() if isinstance(screen, ShowsAMarket) else None
        try:
            spec = parse_alert(text, market)
        except ValueError as exc:
            title = f"Alert: {sanitize(str(exc), 100)}"
            yield Hit(0.5, title, lambda: self._open(watcher, market), text=title,
                      help=f"alert {HINT} · enter: the alerts screen")
            return
        title = f"Add alert: {describe(spec)}"
        yield Hit(1.0, title, lambda: self._add(watcher, spec), text=title,
                  help="fires once per crossing, with a notification and the bell")

    def _add(self, watcher: AlertWatcher, spec: AlertSpec) -> None:
        from dfx_tui.app.alert_specs import describe

        watcher.add(spec)
        self.app.notify(f"Alert added: {describe(spec)}", markup=False)

    def _open(self, watcher: AlertWatcher, market: str | None) -> None:
        self.app.push_screen(watcher.screen(market))
