"""Command-palette provider: add a market, switch to or close an open one."""

from __future__ import annotations

from collections.abc import Iterable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message

from dfx_tui.book.codec import normalize_market


class AddMarketRequest(Message):
    """Ask the app to open a tab for `market` (already normalised)."""

    def __init__(self, market: str) -> None:
        super().__init__()
        self.market = market


class ShowMarketRequest(Message):
    def __init__(self, market: str) -> None:
        super().__init__()
        self.market = market


class CloseMarketRequest(Message):
    def __init__(self, market: str) -> None:
        super().__init__()
        self.market = market


class MarketCommands(Provider):
    """Reads `open_markets` and `known_markets` from the app (plain tuples of names)."""

    def _names(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        app = self.app
        return (tuple(getattr(app, "open_markets", ())), tuple(getattr(app, "known_markets", ())))

    def _post(self, message: Message) -> None:
        self.app.post_message(message)

    def _commands(self, query: str) -> Iterable[tuple[str, Message, str]]:
        open_, known = self._names()
        typed: str | None = None
        try:
            typed = normalize_market(query.strip())
        except ValueError:
            typed = None
        if typed and typed not in open_ and typed not in known:
            yield f"Add market {typed}", AddMarketRequest(typed), "Open a new tab and subscribe"
        for name in known:
            if name not in open_:
                yield f"Add market {name}", AddMarketRequest(name), "Open a new tab and subscribe"
        for name in open_:
            yield f"Show market {name}", ShowMarketRequest(name), "Switch to this tab"
            yield f"Close market {name}", CloseMarketRequest(name), "Close the tab, unsubscribe"

    async def discover(self) -> Hits:
        for text, message, help_text in self._commands(""):
            if text.startswith("Add"):
                yield DiscoveryHit(text, lambda m=message: self._post(m), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, message, help_text in self._commands(query):
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), lambda m=message: self._post(m),
                          text=text, help=help_text)
