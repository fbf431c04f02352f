"""The link's CPU per frame, websockets' `recv` path against the direct path
(`DirectConnection.on_frame`, app/feed/link.py), both into the same `FeedCore`.

A raw server in a child process (a hand-made handshake, then the pre-encoded WebSocket
frames of bench_feed_hook's streams) writes the frames in bursts, as dfx-sim does (at 5,000
msg/s over 4 markets: about 12 frames a market every 10 ms, so ``--burst 12 --gap 0.0025``);
this process reads them and reports its own CPU time (all threads) per frame. Modes are
interleaved, ``--runs`` each; the medians are printed as one JSON object. The server's work
is not counted, so the figure is the client's alone, and the machine's other load mostly
moves both modes alike.

    python tests/benchmarks/bench_link.py [--frames 20000] [--burst 12] [--gap 0.0025]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import multiprocessing
import socket
import struct
import time
from statistics import median

from bench_feed_hook import MARKETS, make_frames
from websockets.asyncio.client import connect

from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.core import FeedCore
from dfx_tui.app.feed.link import DirectConnection

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def ws_frame(payload: bytes) -> bytes:
    """One unmasked binary frame, as a server sends it."""
    n = len(payload)
    if n < 126:
        return struct.pack("!BB", 0x82, n) + payload
    if n < 65536:
        return struct.pack("!BBH", 0x82, 126, n) + payload
    return struct.pack("!BBQ", 0x82, 127, n) + payload


def serve(sock: socket.socket, wire: list[bytes], burst: int, gap: float) -> None:
    conn, _ = sock.accept()
    request = b""
    while b"\r\n\r\n" not in request:
        request += conn.recv(4096)
    key = next(line.split(b":", 1)[1].strip() for line in request.split(b"\r\n")
               if line.lower().startswith(b"sec-websocket-key"))
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    time.sleep(0.2)
    for i in range(0, len(wire), burst):
        conn.sendall(b"".join(wire[i:i + burst]))
        time.sleep(gap)
    conn.close()


async def read(port: int, direct: bool, snapshots: list[bytes]) -> tuple[float, int, int]:
    core = FeedCore(AppConfig(markets=list(MARKETS)), lambda notice: None)
    for frame in snapshots:
        core.handle_frame(frame, 0.0)
    handle = core.handle_frame
    ws = await connect(f"ws://127.0.0.1:{port}", compression=None, ping_interval=None,
                       max_size=4 << 20, create_connection=DirectConnection)
    t0 = time.process_time()
    if direct:
        ws.on_frame = handle
    mono = time.monotonic
    try:
        async for data in ws:  # FeedLink._serve's loop: all of it in `recv` mode
            handle(data, mono())
    except Exception:
        pass
    return time.process_time() - t0, core.status.messages - len(snapshots), core.frames_dropped


def once(wire: list[bytes], snapshots: list[bytes], direct: bool, burst: int,
         gap: float) -> float:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    server = multiprocessing.Process(target=serve, args=(sock, wire, burst, gap))
    server.start()
    cpu, frames, dropped = asyncio.run(read(sock.getsockname()[1], direct, snapshots))
    server.join()
    sock.close()
    if frames != len(wire) or dropped:
        raise RuntimeError(f"read {frames} of {len(wire)} frames, {dropped} dropped")
    return cpu / frames * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=20_000)
    ap.add_argument("--burst", type=int, default=12, help="frames a write")
    ap.add_argument("--gap", type=float, default=0.0025, help="seconds between writes")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    snapshots, frames = make_frames(args.frames)
    wire = [ws_frame(f) for f in frames]
    runs: dict[str, list[float]] = {"recv": [], "direct": []}
    for _ in range(args.runs):
        for mode in runs:
            runs[mode].append(once(wire, snapshots, mode == "direct", args.burst, args.gap))
    out: dict[str, object] = {f"us_per_frame_{m}": round(median(v), 2) for m, v in runs.items()}
    out["saved_us_per_frame"] = round(median(r - d for r, d in zip(runs["recv"], runs["direct"],
                                                                  strict=True)), 2)
    out["runs"] = {m: [round(x, 2) for x in v] for m, v in runs.items()}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
