"""`dfx-tui --serve [HOST:PORT]`: the same app in a web browser (issue 14), via textual-serve.

This process only serves the page and relays each terminal stream: every browser session runs
its own `dfx-tui` (the same arguments minus `--serve`) as a subprocess with Textual's web
driver, so `dfx-tui --demo --serve` gives each visitor a demo of their own. textual-serve is
the optional `web` extra (the terminal install stays lean) and is imported only here.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import re
import shlex
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from aiohttp import web
    from textual_serve.server import Server

PROG = "dfx-tui"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_ADDRESS = f"{DEFAULT_HOST}:{DEFAULT_PORT}"
OPTION = "--serve"
# How long Ctrl+C waits for the browser sessions' apps to quit (about 2 s with one demo).
SHUTDOWN_S = 10.0
# The module the served command runs: the same entry point as the `dfx-tui` script.
CLI_MODULE = "dfx_tui.app.cli"
MISSING_EXTRA = f"{PROG}: --serve needs the web extra: install dfx-tui[web] (pip install 'dfx-tui[web]')"

# A Host header we are willing to echo back into the page as the URL to connect to: a name,
# an IPv4 address or a bracketed IPv6 address, and an optional port; nothing else.
_HOST_HEADER = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
                          r"(?::[0-9]{1,5})?")
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})


class ServeError(Exception):
    """A usage error of `--serve` (exit status 2)."""


def parse_address(text: str) -> tuple[str, int]:
    """`HOST:PORT`, `[IPV6]:PORT`, `HOST`, `:PORT` or `PORT` -> (host, port); the host defaults
    to loopback and the port to 8000; an empty text (a bare `--serve`) means both."""
    bad = f"--serve expects HOST:PORT (for example {DEFAULT_ADDRESS}), got {text!r:.60}"
    if not text:
        return DEFAULT_HOST, DEFAULT_PORT
    if any(c.isspace() or not c.isprintable() for c in text):
        raise ServeError(bad)
    if text.isdigit():
        host, port_text = DEFAULT_HOST, text
    elif text.startswith("["):
        close = text.find("]")
        if close < 0 or text[close + 1:close + 2] not in (":", ""):
            raise ServeError(bad)
        host, port_text = text[1:close], text[close + 2:] or str(DEFAULT_PORT)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ServeError(bad) from None
    else:
        host, sep, port_text = text.rpartition(":")
        if not sep:
            host, port_text = text, str(DEFAULT_PORT)
        if ":" in host:  # an IPv6 address without brackets
            raise ServeError(bad)
        host = host or DEFAULT_HOST
        if not _HOST_HEADER.fullmatch(host):
            # `--serve BTC_USDT`: argparse took a market (never a host name) for the address.
            raise ServeError(bad if sep else f"{bad}; put markets before --serve")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ServeError(f"--serve: the port must be a number from 1 to 65535, got {text!r:.60}")
    return host, int(port_text)


def is_loopback(host: str) -> bool:
    """Whether listening on `host` keeps the app on this machine. A name other than localhost
    may resolve anywhere, so only loopback names and addresses count."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def served_argv(argv: Sequence[str]) -> list[str]:
    """The command line without `--serve` and its value, as argparse read it: the option may be
    abbreviated (`--serv`) or joined (`--serve=HOST:PORT`), and takes the next word as its value
    unless that word starts with `-`; everything after `--` is left alone."""
    out: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            out.append(word)
            out.extend(words)
            break
        name, joined, _ = word.partition("=")
        if len(name) >= 4 and OPTION.startswith(name):
            if not joined:
                value = next(words, None)
                if value is not None and value.startswith("-"):
                    out.append(value)  # the next option, not this one's value
            continue
        out.append(word)
    return out


def served_command(argv: Sequence[str]) -> str:
    """The shell command each browser session runs (textual-serve starts it with a shell)."""
    return shlex.join([sys.executable, "-m", CLI_MODULE, *served_argv(argv)])


def _check_args(args: argparse.Namespace) -> None:
    if args.once:
        raise ServeError("--serve shows the UI in a browser; it cannot be used with --once")
    if args.record:
        raise ServeError("--serve runs one app per browser session; they cannot all --record "
                         "to one file")


def serve(args: argparse.Namespace, argv: Sequence[str] | None = None) -> int:
    """Serve the app until interrupted; the exit status for `main`."""
    try:
        host, port = parse_address(args.serve)
        _check_args(args)
    except ServeError as exc:
        print(f"{PROG}: {exc} (see {PROG} --help)", file=sys.stderr)
        return 2
    try:
        server = _make_server(served_command(sys.argv[1:] if argv is None else argv), host, port)
    except ImportError:
        print(MISSING_EXTRA, file=sys.stderr)
        return 2
    if not is_loopback(host):
        print(f"{PROG}: warning: listening on {host}:{port}, beyond loopback: anyone who can "
              "reach this port can open the app (there is no login)", file=sys.stderr,
              flush=True)
    # textual-serve asks for the current loop; give it one of its own (no deprecation warning).
    asyncio.set_event_loop(asyncio.new_event_loop())
    try:
        server.serve()
    except OSError as exc:  # the port is taken, the host does not resolve, ...
        print(f"{PROG}: cannot serve on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def _make_server(command: str, host: str, port: int) -> Server:
    """A textual-serve `Server` that also works behind a wildcard or IPv6 address and refuses
    other sites' pages. Raises ImportError without the web extra."""
    from aiohttp import web
    from textual_serve.server import Server

    bound_url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    loopback_only = is_loopback(host)
    sessions: set[asyncio.Task[Any]] = set()  # the running browser sessions' handlers

    class DfxServer(Server):
        def _request_url(self, request: web.Request) -> str:
            # textual-serve writes absolute http and ws URLs into the page from `public_url`;
            # the bound address is wrong for 0.0.0.0 or a name, so use the address the
            # browser itself asked for (checked, as it is echoed into the page).
            if request.host and _HOST_HEADER.fullmatch(request.host):
                return f"{request.scheme}://{request.host}"
            return bound_url

        def _check_request(self, request: web.Request) -> None:
            # A loopback server must not answer pages of other sites: a DNS-rebinding page
            # (Host: evil.example) or any page opening our WebSocket (Origin: evil.example)
            # would otherwise start apps on this machine and type into them.
            hostname = urlsplit(f"//{request.host}").hostname or ""
            if loopback_only and not is_loopback(hostname):
                raise web.HTTPForbidden(text="this server answers only on loopback addresses")
            origin = request.headers.get("Origin")
            if origin is not None and urlsplit(origin).netloc.lower() != request.host.lower():
                raise web.HTTPForbidden(text="cross-origin request refused")

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            self._check_request(request)
            # Safe to set on the shared server: the page is rendered from it with no await
            # in between, so no other request can change it first.
            self.public_url = self._request_url(request)
            response: web.StreamResponse = await super().handle_index(request)
            return response

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            self._check_request(request)
            task = asyncio.current_task()
            assert task is not None  # aiohttp runs each handler in a task of its own
            sessions.add(task)
            try:
                response: web.WebSocketResponse = await super().handle_websocket(request)
            finally:
                sessions.discard(task)
            return response

        async def on_shutdown(self, app: web.Application) -> None:
            # Ctrl+C: end every browser session now (each stops its app) instead of waiting
            # for aiohttp's shutdown timeout.
            for task in list(sessions):
                task.cancel()
            if sessions:
                await asyncio.wait(list(sessions), timeout=SHUTDOWN_S)

    return DfxServer(command, host=host, port=port, title=PROG, public_url=bound_url)
