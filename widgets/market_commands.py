"""Command-palette providers: the markets (add, show, close) and every key of the screen.

Both read the screen the palette was opened over: `MarketCommands` needs a screen that is a
`MarketDirectory`; `KeyCommands` lists the screen's own bindings. Markets to add come from
the exchange's market list when the feed has one (`catalog_of`: all_ticker, searched and
ordered by 24 h quote volume), else from the screen's fixed suggestions; a market name typed
in full is always offered.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message

from dfx_tui.book.catalog import normalize_query
from dfx_tui.book.codec import normalize_market
from dfx_tui.widgets.help_screen import key_text
from dfx_tui.widgets.market_messages import (
    AddMarketRequest,
    CloseMarketRequest,
    ShowMarketRequest,
)
from dfx_tui.widgets.ticker_text import catalog_of, ticker_summary

ADD_HELP = "Open a new tab and subscribe"
PALETTE_LIMIT = 20  # catalogue markets offered at a time; typing narrows them
_COMMAND_WORDS = ("add", "market")


def market_words(query: str) -> list[str]:
    """The words of a palette query that name a market: "add market eth" -> ["eth"] (words
    that begin a command word are dropped)."""
    return [w for w in query.split()
            if not any(c.startswith(w.lower()) for c in _COMMAND_WORDS)]


@runtime_checkable
class MarketDirectory(Protocol):
    """A screen that knows its open markets and the ones worth suggesting."""

    @property
    def open_markets(self) -> tuple[str, ...]: ...

    @property
    def known_markets(self) -> tuple[str, ...]: ...


class MarketCommands(Provider):
    """Add a market (typed or suggested), show or close an open one.

    The requests are posted to the screen; they bubble on to whoever owns the feed.
    """

    def _commands(self, query: str) -> Iterator[tuple[str, Message, str]]:
        screen = self.screen
        if not isinstance(screen, MarketDirectory):
            return
        open_, known = screen.open_markets, screen.known_markets
        catalog = catalog_of(self.app)
        if catalog is not None and len(catalog):
            yield from self._catalog_adds(query, open_)
            return
        try:
            typed: str | None = normalize_market(query.strip())
        except ValueError:
            typed = None
        if typed and typed not in open_ and typed not in known:
            yield f"Add market {typed}", AddMarketRequest(typed), ADD_HELP
        for name in known:
            if name not in open_:
                yield f"Add market {name}", AddMarketRequest(name), ADD_HELP
        yield from self._open_commands(open_)

    def _catalog_adds(self, query: str, open_: tuple[str, ...]
                      ) -> Iterator[tuple[str, Message, str]]:
        """The catalogue's markets matching the query, by 24 h quote volume, then the typed
        name if the catalogue lacks it; then the open markets' commands."""
        catalog = catalog_of(self.app)
        assert catalog is not None
        words = market_words(query)
        for ticker in catalog.search(normalize_query(" ".join(words)),
                                     limit=PALETTE_LIMIT + len(open_)):
            if ticker.symbol not in open_:
                yield (f"Add market {ticker.symbol}", AddMarketRequest(ticker.symbol),
                       ticker_summary(ticker))
        typed = None
        if len(words) == 1:  # one word that is a market name ("ladder depth" is a key)
            with contextlib.suppress(ValueError):
                typed = normalize_market(words[0])
        if typed and typed not in open_ and typed not in catalog:
            yield (f"Add market {typed}", AddMarketRequest(typed),
                   "Not in the exchange's list: open a tab and subscribe anyway")
        yield from self._open_commands(open_)

    @staticmethod
    def _open_commands(open_: tuple[str, ...]) -> Iterator[tuple[str, Message, str]]:
        for name in open_:
            yield f"Show market {name}", ShowMarketRequest(name), "Switch to this tab"
            yield f"Close market {name}", CloseMarketRequest(name), "Close the tab, unsubscribe"

    def _post(self, message: Message) -> None:
        self.screen.post_message(message)

    async def discover(self) -> Hits:
        for text, message, help_text in self._commands(""):
            if isinstance(message, AddMarketRequest):
                yield DiscoveryHit(text, lambda m=message: self._post(m), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        commands = list(self._commands(query))
        scores = [matcher.match(text) for text, _, _ in commands]
        # The catalogue's adds were found by symbol and come by 24 h quote volume: they keep
        # that order (one score, a hair less per rank), level with the best of them.
        adds = [i for i, (_, message, _) in enumerate(commands)
                if isinstance(message, AddMarketRequest)]
        if catalog_of(self.app) is not None and adds:
            top = max([scores[i] for i in adds] + [0.0]) or 1.0
            for rank, i in enumerate(adds):
                scores[i] = top - rank * 1e-6
        for (text, message, help_text), score in zip(commands, scores, strict=True):
            if score > 0:
                yield Hit(score, matcher.highlight(text), lambda m=message: self._post(m),
                          text=text, help=help_text)


class KeyCommands(Provider):
    """Every action a key of the screen runs, as a palette command.

    One command per binding that has an id and a tooltip (the tooltip says what it does and
    becomes the title); the help line shows the keys as currently bound (keymap applied).
    """

    def _commands(self) -> Iterator[tuple[str, str, str]]:
        screen = self.screen
        keys: dict[str, list[str]] = {}
        found: dict[str, tuple[str, str]] = {}
        for active in screen.active_bindings.values():
            binding = active.binding
            if active.node is not screen or not binding.id or not binding.tooltip:
                continue
            keys.setdefault(binding.id, []).append(key_text(binding.key))
            found.setdefault(binding.id, (binding.tooltip, binding.action))
        for binding_id, (tooltip, action) in found.items():
            title = tooltip[:1].upper() + tooltip[1:]
            yield title, f"key: {' / '.join(keys[binding_id])}", action

    async def discover(self) -> Hits:
        for title, help_text, action in self._commands():
            yield DiscoveryHit(title, partial(self.screen.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self.screen.run_action, action),
                          text=title, help=help_text)
