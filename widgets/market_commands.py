"""Command-palette providers: the markets (add, show, close) and every key of the screen.

Both read the screen the palette was opened over, never the app: `MarketCommands` needs a
screen that is a `MarketDirectory`; `KeyCommands` lists the screen's own bindings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message

from dfx_tui.book.codec import normalize_market
from dfx_tui.widgets.help_screen import key_text


@dataclass
class AddMarketRequest(Message):
    """Open a tab for `market` (already normalised) and subscribe to it."""

    market: str


@dataclass
class ShowMarketRequest(Message):
    """Switch to the open tab of `market`."""

    market: str


@dataclass
class CloseMarketRequest(Message):
    """Close the tab of `market` and unsubscribe."""

    market: str


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
        try:
            typed: str | None = normalize_market(query.strip())
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

    def _post(self, message: Message) -> None:
        self.screen.post_message(message)

    async def discover(self) -> Hits:
        for text, message, help_text in self._commands(""):
            if isinstance(message, AddMarketRequest):
                yield DiscoveryHit(text, lambda m=message: self._post(m), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, message, help_text in self._commands(query):
            score = matcher.match(text)
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
