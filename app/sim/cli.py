"""dfx-sim: run the local DigiFinex v1 simulator until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from dfx_tui.app.sim.faults import Faults
from dfx_tui.app.sim.market import CATALOG
from dfx_tui.app.sim.server import SimConfig, SimServer


def build_parser() -> argparse.ArgumentParser:
    d = SimConfig()
    p = argparse.ArgumentParser(
        prog="dfx-sim",
        description="A local DigiFinex public WebSocket v1 exchange (depth, trades, tickers, "
        "faults).",
        epilog="Known markets: " + ", ".join(CATALOG),
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    p.add_argument(
        "--markets", default=",".join(d.markets), help="comma-separated, e.g. BTC_USDT,ETH_USDT"
    )
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument(
        "--rate", type=float, default=d.rate, help="depth messages per second per market"
    )
    p.add_argument(
        "--trade-rate", type=float, default=d.trade_rate, help="trades per second per market"
    )
    p.add_argument("--levels", type=int, default=d.levels, help="levels per side, about")
    p.add_argument("--subscribe-mode", choices=("replace", "add"), default=d.subscribe_mode)
    p.add_argument("--idle-timeout", type=float, default=d.idle_timeout, help="seconds; 0 = never")
    p.add_argument(
        "--snapshot-interval",
        type=float,
        default=d.snapshot_interval,
        help="seconds between clean=true depth; 0 = never",
    )
    f = p.add_argument_group("fault injection")
    f.add_argument(
        "--drop-every",
        type=float,
        default=0.0,
        metavar="S",
        help="abort each connection S seconds after it opens",
    )
    f.add_argument(
        "--stall-after",
        type=float,
        default=0.0,
        metavar="S",
        help="go silent (socket open) S seconds after open",
    )
    f.add_argument(
        "--corrupt-every",
        type=int,
        default=0,
        metavar="N",
        help="one corrupt frame after every N depth messages",
    )
    f.add_argument(
        "--crossed-after",
        type=float,
        default=0.0,
        metavar="S",
        help="one crossed-book update S seconds after open",
    )
    f.add_argument(
        "--refuse-handshakes",
        type=int,
        default=0,
        metavar="K",
        help="HTTP 502 for the first K handshakes",
    )
    f.add_argument("--text-acks", action="store_true", help="replies as text frames")
    f.add_argument(
        "--snapshot-before-ack", action="store_true", help="snapshots before the subscribe ack"
    )
    f.add_argument(
        "--lifetime",
        type=float,
        default=0.0,
        metavar="S",
        help="close each connection (1000) at age S",
    )
    f.add_argument("--ticker-silent", action="store_true",
                   help="ticker and all_ticker subscribes are acked, nothing is pushed")
    f.add_argument("--ticker-error", type=int, nargs="?", const=4, default=0, metavar="CODE",
                   help="ticker and all_ticker subscribes get an error reply (code 4 if none given)")
    f.add_argument("--ticker-garbage", action="store_true",
                   help="ticker pushes in odd shapes (not a list, missing fields, bad numbers)")
    p.add_argument("-v", "--verbose", action="store_true", help="log connections to stderr")
    return p


def config_from_args(a: argparse.Namespace) -> SimConfig:
    markets = tuple(m.strip().upper() for m in a.markets.split(",") if m.strip())
    faults = Faults(
        drop_every=a.drop_every,
        stall_after=a.stall_after,
        corrupt_every=a.corrupt_every,
        crossed_after=a.crossed_after,
        refuse_handshakes=a.refuse_handshakes,
        text_acks=a.text_acks,
        snapshot_before_ack=a.snapshot_before_ack,
        lifetime=a.lifetime,
        ticker_silent=a.ticker_silent,
        ticker_error=a.ticker_error,
        ticker_garbage=a.ticker_garbage,
    )
    return SimConfig(
        markets=markets,
        seed=a.seed,
        rate=a.rate,
        subscribe_mode=a.subscribe_mode,
        idle_timeout=a.idle_timeout,
        snapshot_interval=a.snapshot_interval,
        trade_rate=a.trade_rate,
        levels=a.levels,
        faults=faults,
    )


async def run(cfg: SimConfig, host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with SimServer(cfg, host=host, port=port) as sim:
        print(f"listening on {sim.url}", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        cfg = config_from_args(args)
    except ValueError as e:
        print(f"dfx-sim: {e}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(cfg, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
