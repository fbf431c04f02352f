"""`DirectConnection` (app/feed/link.py): complete data frames go to `on_frame` as they are
parsed, everything else through websockets' own queue, and the messages keep their order
whichever path each took."""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from dfx_tui.app.feed.link import DirectConnection

# Binary and text frames, a fragmented message in between, then more frames: the server's
# sends, in order (the payloads say which is which).
SENDS: list[bytes | str | list[bytes]] = [
    b"b0", "t1", b"b2", [b"f3-a", b"f3-b", b"f3-c"], b"b4", "t5", [b"f6-a", b"f6-b"], b"b7",
]
EXPECTED: list[bytes | str] = [
    b"b0", "t1", b"b2", b"f3-af3-bf3-c", b"b4", "t5", b"f6-af6-b", b"b7",
]


async def _server(ws: ServerConnection) -> None:
    await ws.recv()  # "go": the client has set on_frame (or deliberately not)
    for item in SENDS:
        if isinstance(item, list):
            async def parts(chunks: list[bytes] = item) -> AsyncIterator[bytes]:
                for chunk in chunks:
                    yield chunk
                    await asyncio.sleep(0.01)  # the fragments arrive in separate reads
            await ws.send(parts())
        else:
            await ws.send(item)
    with contextlib.suppress(ConnectionClosed):
        await ws.recv()  # held open until the client has read everything


async def _read(direct: bool) -> tuple[list[bytes | str], list[str]]:
    got: list[bytes | str] = []
    paths: list[str] = []
    async with serve(_server, "127.0.0.1", 0, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        ws = await connect(f"ws://127.0.0.1:{port}", compression=None, ping_interval=None,
                           create_connection=DirectConnection)
        assert isinstance(ws, DirectConnection)

        def on_frame(data: bytes | str, received_at: float) -> None:
            got.append(data)
            paths.append("direct")

        if direct:
            ws.on_frame = on_frame
        await ws.send("go")
        async for data in ws:  # what `FeedLink._serve` does with the rest
            got.append(data)
            paths.append("recv")
            if len(got) == len(EXPECTED):
                break
        while len(got) < len(EXPECTED):
            await asyncio.sleep(0.01)
        await ws.close()
    return got, paths


async def test_frames_keep_their_order_on_both_paths() -> None:
    got, paths = await asyncio.wait_for(_read(direct=True), 10)
    assert got == EXPECTED
    assert all(type(g) is type(e) for g, e in zip(got, EXPECTED, strict=True))  # bytes, str
    # Whole frames took the direct path, fragmented messages websockets' own; a whole frame
    # read while such a message still waits in websockets' queue waits behind it.
    assert paths[:3] == ["direct"] * 3
    assert paths[3] == paths[6] == "recv"


async def test_without_on_frame_everything_goes_through_recv() -> None:
    got, paths = await asyncio.wait_for(_read(direct=False), 10)
    assert got == EXPECTED
    assert set(paths) == {"recv"}


async def test_the_feed_reads_a_zlib_frame_through_the_direct_path() -> None:
    """A real `FeedClient` against a server that sends one snapshot: applied, and by the
    direct path (websockets' queue never held it)."""
    from dfx_tui.app.config import AppConfig
    from dfx_tui.app.feed.client import FeedClient
    from dfx_tui.book.codec import encode_server_frame

    snapshot = encode_server_frame({"method": "depth.update", "id": None, "params": [
        True, {"asks": [["101", "1"]], "bids": [["100", "2"]]}, "BTC_USDT"]})
    queued: list[int] = []

    async def server(ws: ServerConnection) -> None:
        async for message in ws:
            if '"depth.subscribe"' in str(message):
                await ws.send(snapshot)

    async with serve(server, "127.0.0.1", 0, compression=None) as srv:
        port = srv.sockets[0].getsockname()[1]
        feed = FeedClient(AppConfig(url=f"ws://127.0.0.1:{port}", markets=["BTC_USDT"]))
        await feed.start()
        try:
            for _ in range(300):
                ws = feed._ws
                if ws is not None:
                    queued.append(len(ws.recv_messages.frames))
                if feed.markets["BTC_USDT"].book.has_snapshot:
                    break
                await asyncio.sleep(0.01)
            book = feed.markets["BTC_USDT"].book
            assert book.best_bid() == ("100", "2") and book.best_ask() == ("101", "1")
            assert isinstance(feed._ws, DirectConnection) and feed._ws.on_frame is not None
            assert not any(queued)
        finally:
            await feed.stop()
    assert zlib.decompress(snapshot)  # the frame was zlib data, as the live server's
