"""Command line entry point: `dfx-tui [options] [MARKET ...]`.

Headless mode (--once) never imports Textual; the interactive UI is imported lazily.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from dfx_tui.app.config import AppConfig

# The rest is imported in `main`, after it turned the garbage collector off (see there).

PROG = "dfx-tui"

EXAMPLES = """\
examples:
  {PROG}                              BTC_USDT, live, in the terminal UI
  {PROG} btc_usdt eth_usdt xrp_usdt   one tab per market (names are case-insensitive)
  {PROG} --demo                       offline: a built-in simulated exchange
  {PROG} --cn ETH_USDT                the mainland China host ({cn_host})
  {PROG} --record today.jsonl.gz BTC_USDT
                                      watch live and record every frame (gzip: .gz)
  {PROG} --replay today.jsonl.gz --speed 10
                                      play a recording back ten times as fast
  {PROG} --once --depth 5 BTC_USDT    print the top 5 levels and recent trades, then exit
  {PROG} --once --json --wait 2 BTC_USDT ETH_USDT | jq .markets.BTC_USDT.asks[0]
  {PROG} --markets                    every market of the exchange by 24 h quote volume, then exit

exit status: 0 ok; 1 runtime failure (unreachable, unknown market, timeout); 2 usage error
"""


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    from dfx_tui.app.config import CN_URL, DEFAULT_MARKETS, DEFAULT_URL

    p = _Parser(
        prog=PROG,
        description="Terminal order-book viewer for the DigiFinex exchange "
                    "(public WebSocket v1): live books and trades, several markets at once.",
        epilog=EXAMPLES.format(PROG=PROG, cn_host=urlsplit(CN_URL).hostname),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("markets", nargs="*", metavar="MARKET",
                   help=f"market names like BTC_USDT (default: {' '.join(DEFAULT_MARKETS)})")
    src = p.add_argument_group("data source")
    src.add_argument("--url", help=f"WebSocket URL, ws:// or wss:// (default: {DEFAULT_URL})")
    src.add_argument("--cn", action="store_true",
                     help=f"use the mainland China host ({urlsplit(CN_URL).hostname})")
    src.add_argument("--demo", action="store_true",
                     help="offline demo: run a simulated exchange in-process")
    src.add_argument("--replay", metavar="FILE", help="play back a recording instead of the network")
    src.add_argument("--speed", type=float, default=1.0, metavar="X",
                     help="replay speed factor; 0 = as fast as possible (default: 1)")
    src.add_argument("--loop", action="store_true",
                     help="with --replay: start again at the end of the recording")
    src.add_argument("--record", metavar="FILE",
                     help="record every received frame as JSON lines (gzip if FILE ends in .gz)")
    once = p.add_argument_group("headless mode")
    once.add_argument("--once", action="store_true",
                      help="no UI: wait for every book, print it, exit")
    once.add_argument("--markets", dest="catalog", action="store_true",
                      help="no UI: list the exchange's markets with their 24 h figures, by "
                           "quote volume, then exit (--wait S: collect for S seconds)")
    once.add_argument("--json", action="store_true",
                      help="with --once or --markets: print one JSON object")
    once.add_argument("--depth", type=int, default=10, metavar="N",
                      help="with --once: levels per side and trades shown (default: 10)")
    once.add_argument("--wait", type=float, default=0.0, metavar="S",
                      help="with --once: keep updating S seconds after the snapshots (default: 0)")
    once.add_argument("--timeout", type=float, default=15.0, metavar="S",
                      help="with --once: give up after S seconds (default: 15)")
    ui = p.add_argument_group("display")
    ui.add_argument("--config", metavar="FILE",
                    help="settings file (default: ~/.config/dfx-tui/config.toml if present)")
    ui.add_argument("--fps", type=float, default=None, metavar="N",
                    help="repaint rate of the UI (default: 10)")
    ui.add_argument("--serve", nargs="?", const="", metavar="HOST:PORT",
                    help="serve the app to web browsers instead (needs dfx-tui[web]; "
                         "default: 127.0.0.1:8000)")
    p.add_argument("-v", "--verbose", action="store_true", help="log warnings to stderr")
    p.add_argument("--version", action=_VersionAction, nargs=0,
                   help="show program's version number and exit")
    return p


class _VersionAction(argparse.Action):
    """argparse's "version" action, but the version is looked up only when asked for: the
    package metadata lookup took ~1.5 ms of every start."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(f"{parser.prog} {_version()}")  # on stdout, as argparse's own action
        parser.exit()


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("dfx-tui")
    except Exception:
        return "unknown"


def validate_url(url: str) -> str:
    if any(c.isspace() or not c.isprintable() for c in url):
        raise UsageError(f"--url must not contain spaces or control characters: {url!r:.80}")
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss"):
        raise UsageError(f"--url must start with ws:// or wss://, got {url!r:.80}")
    if not parts.hostname:
        raise UsageError(f"--url has no host: {url!r:.80}")
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise UsageError(f"--url has a bad port: {url!r:.80}") from None
    return url


def config_from_args(args: argparse.Namespace) -> AppConfig:
    from dfx_tui.app.config import CN_URL, DEFAULT_MARKETS, AppConfig
    from dfx_tui.app.settings import ConfigError, load_settings
    from dfx_tui.book.codec import normalize_market

    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    markets: list[str] = []
    for name in args.markets:
        try:
            key = normalize_market(name)
        except ValueError:
            raise UsageError(f"not a market name: {name!r:.40} (expected BASE_QUOTE, "
                             "for example BTC_USDT)") from None
        if key not in markets:
            markets.append(key)
    sources = [n for n, on in (("--url", args.url), ("--cn", args.cn), ("--demo", args.demo),
                               ("--replay", args.replay)) if on]
    if len(sources) > 1:
        raise UsageError(f"{' and '.join(sources)} cannot be used together")
    if args.record and args.replay:
        raise UsageError("--record and --replay cannot be used together")
    if args.speed < 0 or args.speed != args.speed:
        raise UsageError("--speed must be 0 (as fast as possible) or more")
    if args.depth < 1:
        raise UsageError("--depth must be 1 or more")
    if args.wait < 0 or args.timeout <= 0:
        raise UsageError("--wait must be 0 or more and --timeout more than 0")
    if args.fps is not None and not 0 < args.fps <= 120:
        raise UsageError("--fps must be between 0 and 120")
    if args.json and not (args.once or args.catalog):
        raise UsageError("--json only works with --once or --markets")
    if args.loop and (not args.replay or args.once):
        raise UsageError("--loop only works with --replay, without --once")
    if args.catalog:
        if args.once or args.replay:
            raise UsageError(f"--markets and {'--once' if args.once else '--replay'} "
                             "cannot be used together")
        if markets:
            raise UsageError("--markets lists every market: give no MARKET names")
    cfg = AppConfig()
    cfg.theme, cfg.keymap = settings.theme, settings.keymap
    cfg.alerts, cfg.export_dir = settings.alerts, settings.export_dir
    cfg.big_trade, cfg.min_trade = settings.big_trade, settings.min_trade
    cfg.trader = settings.trader
    if settings.fps is not None:
        cfg.fps = settings.fps
    if args.url:
        cfg.url = validate_url(args.url)
    elif args.cn:
        cfg.url = CN_URL
    elif settings.url and not (args.demo or args.replay):
        try:
            cfg.url = validate_url(settings.url)
        except UsageError as exc:
            raise UsageError(f"config file {settings.path}: {exc}".replace("--url", "url")) from None
    cfg.demo = args.demo
    cfg.speed = args.speed
    cfg.replay_loop = args.loop
    if args.fps is not None:
        cfg.fps = args.fps
    if args.replay:
        from dfx_tui.app.feed.recorder import read_header

        try:
            meta = read_header(args.replay)
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot replay {args.replay}: {_oneline(exc)}") from None
        cfg.replay = args.replay
        if not markets:
            markets = [normalize_market(m) for m in meta.get("markets", [])
                       if isinstance(m, str)]
    if args.record:
        try:
            with open(args.record, "ab"):
                pass
        except OSError as exc:
            raise UsageError(f"cannot record to {args.record}: {_oneline(exc)}") from None
        cfg.record = args.record
    cfg.markets = markets or settings.markets or list(DEFAULT_MARKETS)
    return cfg


def _oneline(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split())


def main(argv: Sequence[str] | None = None) -> int:
    # Start-up builds long-lived objects only (modules, classes, styles, widgets): the
    # collections it triggered found nothing to free and took ~40 ms of a ~350 ms cold start
    # (one full collection ~20 ms). Off from here (the imports above are the few this module
    # needs to be imported); the headless modes turn it on again before they run, the app
    # collects once, freezes that heap and turns it on 1.5 s after start
    # (app/collector.py StartupHeap.freeze).
    gc.disable()
    try:
        return _main(argv)
    finally:
        gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    import logging

    try:
        args = build_parser().parse_args(argv)
        config = config_from_args(args)
    except UsageError as exc:
        print(f"{PROG}: {exc} (see {PROG} --help)", file=sys.stderr)
        return 2
    log = logging.getLogger("dfx_tui")
    if args.verbose:
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    else:
        log.addHandler(logging.NullHandler())
        log.propagate = False
    if args.serve is not None:  # issue 14: the same app in a web browser
        from dfx_tui.app.serve import serve

        gc.enable()
        return serve(args, argv)
    if args.once or args.catalog:
        import asyncio

        gc.enable()
        try:
            return asyncio.run(_run_once(config, args) if args.once
                               else _run_markets(config, args))
        except KeyboardInterrupt:
            return 130
    prepare_ui()
    from dfx_tui.app.tui import run_tui

    return run_tui(config)


def prepare_ui() -> None:
    """Before the UI is imported: Textual's screen updates follow our paints
    (app/update_rate.py), and two standard modules websockets imports but start-up does not
    use wait for their first use (app/deferred_modules.py: ~10 ms or more of a cold start)."""
    from dfx_tui.app.deferred_modules import defer_modules
    from dfx_tui.app.update_rate import follow_paint_clock

    follow_paint_clock()
    defer_modules()


async def _run_once(config: AppConfig, args: argparse.Namespace) -> int:
    from dfx_tui.app.feed.headless import OnceError, fetch_once, write_json, write_text

    sim = None
    try:
        if config.demo:
            from dfx_tui.app.demo import start_demo_sim

            sim = await start_demo_sim(config)
        try:
            feed = await fetch_once(config, wait=args.wait, timeout=args.timeout)
        except OnceError as exc:
            print(f"{PROG}: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:  # e.g. the recording file vanished
            print(f"{PROG}: {_oneline(exc)}", file=sys.stderr)
            return 1
        for warning in feed.replay_warnings:
            print(f"{PROG}: warning: {warning}", file=sys.stderr)
        if args.json:
            write_json(feed, args.depth, sys.stdout)
        else:
            write_text(feed, args.depth, sys.stdout)
        sys.stdout.flush()
        return 0
    finally:
        if sim is not None:
            await sim.stop()


async def _run_markets(config: AppConfig, args: argparse.Namespace) -> int:
    from dfx_tui.app.feed.headless import OnceError, catalog_json, catalog_text, fetch_catalog

    sim = None
    try:
        if config.demo:
            from dfx_tui.app.demo import start_demo_sim

            sim = await start_demo_sim(config)
        try:
            catalog, complete = await fetch_catalog(config, wait=args.wait,
                                                    timeout=args.timeout)
        except OnceError as exc:
            print(f"{PROG}: {exc}", file=sys.stderr)
            return 1
        if not complete:
            print(f"{PROG}: warning: the list was still growing after {args.timeout:g} s",
                  file=sys.stderr)
        if args.json:
            catalog_json(catalog, complete, sys.stdout)
        else:
            catalog_text(catalog, sys.stdout)
        sys.stdout.flush()
        return 0
    finally:
        if sim is not None:
            await sim.stop()


if __name__ == "__main__":
    raise SystemExit(main())
