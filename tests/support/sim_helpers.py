"""Helpers for the simulator tests: a small asyncio client and a replayed book."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import zlib
from collections.abc import Iterator
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from dfx_tui.book.orderbook import OrderBook


def decode(frame: bytes | str) -> Any:
    """binary = zlib (with header) + JSON; text = JSON."""
    if isinstance(frame, str):
        return json.loads(frame)
    assert frame[:1] == b"\x78", "server frames carry the zlib header"
    return json.loads(zlib.decompress(frame))


class Client:
    """A raw protocol client: send requests, read decoded frames."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._id = 0
        self.frames: list[Any] = []

    @classmethod
    async def open(cls, url: str) -> Client:
        return cls(
            await connect(url, proxy=None, max_size=None, max_queue=None, ping_interval=None)
        )

    async def close(self) -> None:
        await self.ws.close()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def send(self, method: str, params: Any = None) -> int:
        self._id += 1
        body = {"id": self._id, "method": method, "params": [] if params is None else params}
        await self.ws.send(json.dumps(body))
        return self._id

    async def recv(self, timeout: float = 3.0) -> Any:
        frame = await asyncio.wait_for(self.ws.recv(), timeout)
        msg = decode(frame)
        self.frames.append(msg)
        return msg

    async def recv_raw(self, timeout: float = 3.0) -> bytes | str:
        return await asyncio.wait_for(self.ws.recv(), timeout)

    async def reply(self, rid: int, timeout: float = 3.0) -> dict:
        """Read until the reply with this id (pushes on the way are kept in self.frames)."""
        while True:
            msg = await self.recv(timeout)
            if msg.get("id") == rid:
                return msg

    async def call(self, method: str, params: Any = None) -> dict:
        return await self.reply(await self.send(method, params))

    async def push(self, method: str, timeout: float = 3.0) -> dict:
        while True:
            msg = await self.recv(timeout)
            if msg.get("method") == method:
                return msg


class Replayer:
    """Feeds depth pushes into the project's OrderBook, one per market."""

    def __init__(self) -> None:
        self.books: dict[str, OrderBook] = {}
        self.snapshots = 0
        self.updates = 0

    def feed(self, msg: Any) -> None:
        if not isinstance(msg, dict) or msg.get("method") != "depth.update":
            return
        clean, levels, market = msg["params"]
        book = self.books.setdefault(market, OrderBook(market))
        if clean:
            book.apply_snapshot(levels["asks"], levels["bids"])
            self.snapshots += 1
        else:
            assert book.has_snapshot, "delta before any snapshot"
            book.apply_update(levels["asks"], levels["bids"])
            self.updates += 1

    def as_truth(self, market: str) -> dict[str, list[list[str]]]:
        book = self.books[market]
        return {"bids": [list(lv) for lv in book.bids()], "asks": [list(lv) for lv in book.asks()]}


async def drain(client: Client, replayer: Replayer, quiet: float = 0.3) -> None:
    """Read and replay frames until none arrives for `quiet` seconds."""
    while True:
        try:
            msg = await client.recv(quiet)
        except TimeoutError:
            return
        replayer.feed(msg)


async def drain_sent(client: Client, replayer: Replayer, session: Any,
                     timeout: float = 10.0) -> None:
    """Replay frames until every depth message the session sent has arrived.

    Counts, not silence: a quiet period can be faked by a stalled loop on a loaded machine.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    stats = session.stats
    while (replayer.updates < stats.depth_msgs_sent
           or replayer.snapshots < stats.snapshots_sent):
        left = deadline - loop.time()
        assert left > 0, (f"got {replayer.updates}/{stats.depth_msgs_sent} updates and "
                          f"{replayer.snapshots}/{stats.snapshots_sent} snapshots")
        replayer.feed(await client.recv(left))


@contextlib.contextmanager
def serving_in_thread(sim: Any) -> Iterator[Any]:
    """Run a simulator (SimServer or a subclass) on its own loop and thread.

    For code under test that runs its own asyncio loop, such as `cli.main`.
    """
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(sim.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(5), "the simulator did not start"
    try:
        yield sim
    finally:
        asyncio.run_coroutine_threadsafe(sim.stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
