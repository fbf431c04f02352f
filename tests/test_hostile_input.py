"""Hostile input (issue 7): nothing from the network or the command line takes over the terminal.

Server strings (error messages, close reasons, trade and level fields, market names) reach the
screen only inert: Rich markup shown literally, no ESC/C0/C1/bidi control characters. Bombs
and oversized frames are rejected with memory bounded. Bad command lines exit 2 with one line.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import tracemalloc
import zlib
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfx_tui.app import cli
from dfx_tui.app.config import AppConfig
from dfx_tui.app.feed.client import FeedClient
from dfx_tui.app.sim.server import SimConfig
from dfx_tui.book.codec import MAX_INFLATED, encode_server_frame
from dfx_tui.book.state import ConnectionStatus, LinkState, Market, MarketState
from dfx_tui.widgets.market_header import header_text
from dfx_tui.widgets.safe import inert, sanitize
from dfx_tui.widgets.status_bar import status_text
from tests.support.fault_harness import app_against, control_chars
from tests.support.feed import fast_config, wait_until
from tests.support.hostile_sim import HOSTILE_TEXT, HostileSim, depth_push, trades_push
from tests.support.sim_helpers import serving_in_thread

# Decimal-looking texts that Python's float() accepts but a terminal must never get raw.
SNEAKY_NUMBERS = ["\x0b65000.00", "65000.00\n", "\x0c65000.00", "\x8565000.00", "\u202865000.00",
                  "65000.00\u2029", "6_5000.00", "\u0665\u0660\u0660\u0660", " 65000.00",
                  "65000.00\t", "\r65000.00"]


# ------------------------------------------------------------------ widgets/safe.py
@pytest.mark.parametrize("evil", [HOSTILE_TEXT, "\x1b[2J", "\x07", "\x9b2J", "\x1b]8;;http://x\x1b\\",
                                  "a\u202eb", "\x00\x01\x7f", "x\u2028y\u2029z", "\x85NEL"])
def test_sanitize_leaves_no_control_characters(evil):
    clean = sanitize(evil)
    assert not control_chars(clean), (evil, clean)
    assert "\n" not in clean and "\r" not in clean
    assert inert(evil).plain == clean


def test_markup_stays_literal():
    text = "[red]x[/red] [bold link=https://evil]y[/]"
    assert inert(text).plain == text
    assert sanitize(text) == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=1, max_value=250))
def test_sanitize_total(text, limit):
    clean = sanitize(text, limit)
    assert len(clean) <= limit
    assert not control_chars(clean)
    assert clean == clean.strip()


def test_status_bar_and_header_render_server_text_inertly():
    status = ConnectionStatus(state=LinkState.RECONNECTING, last_error=HOSTILE_TEXT,
                              reconnects=2)
    plain = status_text(status, 0.0).plain
    assert not control_chars(plain) and "[red]x[/red]" in plain
    market = Market("BTC_USDT")
    market.status.state = MarketState.REJECTED
    market.status.error = HOSTILE_TEXT
    plain = header_text(market, "REJECTED").plain
    assert not control_chars(plain) and "[red]x[/red]" in plain


# ------------------------------------------------------------------ through the real app
async def test_hostile_subscribe_error_is_inert_everywhere(hostile):
    sim = await hostile(markets=("BTC_USDT",))
    sim.fail_next_subscribes("depth", 1, code=1, message=HOSTILE_TEXT)
    async with app_against(sim.url, ["BTC_USDT"]) as run:
        market = run.feed.markets["BTC_USDT"]
        await wait_until(lambda: market.status.state is MarketState.REJECTED, 4, "the refusal")
        await wait_until(lambda: run.notes and "refused" in run.bar, 3, "toast and bar")
        await run.pilot.pause(0.2)
        for text in (run.bar, run.app.active_pane().header.plain,
                     *(m for _s, m in run.notes)):
            assert not control_chars(text), repr(text)
            assert "[red]x[/red]" in text  # markup shown literally, never applied
        screen = run.screen_text()
        bad = [(i, control_chars(line)) for i, line in enumerate(screen) if control_chars(line)]
        assert not bad, bad
        assert any("[red]x[/red]" in line for line in screen)
        # and the feed's own status strings are already inert (they reach --once's stderr too)
        assert not control_chars(run.feed.status.last_error)
        assert not control_chars(market.status.error)


async def test_sneaky_numbers_never_reach_the_screen(hostile):
    sim = await hostile(markets=("BTC_USDT",), trade_rate=0.0)
    async with app_against(sim.url, ["BTC_USDT"]) as run:
        await wait_until(lambda: run.feed.ready(), 5, "live")
        sim.pause()
        st_ = run.feed.status
        sent = 0
        for i, text in enumerate(SNEAKY_NUMBERS):
            trade = {"id": 9_000_000_000 + i, "time": 1.7e9, "price": text, "amount": "1",
                     "type": "buy"}
            sim.inject(trades_push("BTC_USDT", [trade]))
            sim.inject(trades_push("BTC_USDT", [{**trade, "price": "65000.00", "amount": text}]))
            sim.inject(depth_push("BTC_USDT", [[text, "1"]], []))
            sim.inject(depth_push("BTC_USDT", [], [["1.00", text]]))
            sent += 4
        await wait_until(lambda: st_.frames_rejected >= sent, 3,
                         f"all {sent} sneaky frames rejected (got {st_.frames_rejected})")
        tape = run.feed.markets["BTC_USDT"].tape
        assert all(t.id < 9_000_000_000 for t in tape)
        await run.pilot.pause(0.2)
        screen = run.screen_text()
        bad = [(i, control_chars(line)) for i, line in enumerate(screen) if control_chars(line)]
        assert not bad, bad


NUMBERISH = st.text(alphabet=st.sampled_from(list("0123456789.eE+-_ \t\n\x0b\x0c\r\x85\xa0"
                                                   "\u2028\u0665\uff11\x1b[]")), max_size=12)


@settings(max_examples=500, deadline=None)
@given(NUMBERISH, NUMBERISH)
def test_every_accepted_number_is_plain_printable_ascii(price, amount):
    """Whatever float() accepts, the book and tape keep only plain decimal text."""
    from dfx_tui.book.levels import parse_levels
    from dfx_tui.book.tape import Trade

    accepted = []
    with contextlib.suppress(ValueError):
        parse_levels([[price, amount]])
        accepted += [price, amount]
    with contextlib.suppress(ValueError):
        Trade.from_wire({"id": 1, "time": 1.0, "price": price, "amount": amount, "type": "buy"})
        accepted += [price, amount]
    for text in accepted:
        assert text.isascii() and text.isprintable() and " " not in text and "_" not in text


@pytest.mark.parametrize("body", [
    trades_push("BTC_USDT", [{"id": 1, "time": 10**400, "price": "1", "amount": "1",
                              "type": "buy"}]),
    trades_push("BTC_USDT", [{"id": 1, "time": 1.7e12, "price": "1", "amount": "1",
                              "type": "buy"}]),  # milliseconds: no date to show
    trades_push("BTC_USDT", [{"id": 1, "time": -1, "price": "1", "amount": "1", "type": "buy"}]),
    trades_push("BTC_USDT", [{"id": 1, "time": 1.7e9, "price": "1e-300", "amount": "1",
                              "type": "buy"}]),
    trades_push("BTC_USDT", [{"id": 1, "time": 1.7e9, "price": "1", "amount": "1e308",
                              "type": "sell"}]),
    depth_push("BTC_USDT", [["1e-300", "1"]], []),
    depth_push("BTC_USDT", [["100", "1e31"]], []),
    depth_push("BTC_USDT", [], [["1e30", "1"]]),
    depth_push("BTC_USDT", [], [["100", "1e-25"]]),
])
def test_huge_and_tiny_numbers_are_protocol_errors(body):
    from dfx_tui.book.codec import ProtocolError, classify

    with pytest.raises(ProtocolError):
        classify(body)
    feed = FeedClient(AppConfig(markets=["BTC_USDT"]))
    feed.handle_frame(encode_server_frame(body), 1.0)  # never raises
    assert feed.status.frames_rejected == 1


async def test_a_millisecond_trade_time_does_not_crash_the_app(hostile):
    sim = await hostile(markets=("BTC_USDT",))
    async with app_against(sim.url, ["BTC_USDT"]) as run:
        await wait_until(lambda: run.feed.ready(), 5, "live")
        trade = {**sim.trades("BTC_USDT")[0], "id": 9_999_999_999}
        sim.inject(trades_push("BTC_USDT", [{**trade, "time": trade["time"] * 1000}]))
        sim.inject(trades_push("BTC_USDT", [{**trade, "time": 10**400}]))
        await wait_until(lambda: run.feed.status.frames_rejected == 2, 3, "both rejected")
        await run.pilot.pause(0.2)
        assert run.app.is_running and run.feed.status.reconnects == 0
        assert all(t.id != 9_999_999_999 for t in run.feed.markets["BTC_USDT"].tape)


def test_sneaky_market_names_are_rejected():
    feed = FeedClient(AppConfig(markets=["BTC_USDT"]))
    for name in ("[red]X_Y", "\x1b[2J_X", "BTC_USDT\n", "BTC_USDT\x00", "ＢＴＣ_USDT", "B\u202eC_USDT"):
        feed.handle_message(depth_push(name, [["1", "1"]], [], clean=True), 1.0)
    assert feed.status.frames_rejected == 6
    assert list(feed.markets) == ["BTC_USDT"]
    assert not control_chars(feed.status.last_error)


# ------------------------------------------------------------------ bombs and big frames
def test_decompression_bomb_memory_is_bounded():
    feed = FeedClient(AppConfig(markets=["BTC_USDT"]))
    bomb = zlib.compress(b"\0" * (4 * MAX_INFLATED), 9)  # 64 MiB of zeros in ~64 KiB
    assert len(bomb) < 100_000
    tracemalloc.start()
    try:
        for _ in range(3):
            feed.handle_frame(bomb, 1.0)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert feed.status.frames_rejected == 3
    assert "inflates past 16 MiB" in feed.status.last_error
    assert peak < 2 * MAX_INFLATED + (8 << 20), f"peak {peak / 2**20:.1f} MiB"


def test_huge_valid_snapshot_under_the_inflate_cap_is_refused():
    """A 2.5 MB frame of a million valid levels: rejected by count, the old book kept."""
    from dfx_tui.book.levels import MAX_LEVELS

    feed = FeedClient(AppConfig(markets=["BTC_USDT"]))
    feed.handle_frame(encode_server_frame(depth_push("BTC_USDT", [["2", "1"]], [["1", "1"]],
                                                     clean=True)), 1.0)
    asks = [[str(100 + i), "1"] for i in range(MAX_LEVELS + 1)]
    feed.handle_frame(encode_server_frame(depth_push("BTC_USDT", asks, [], clean=True)), 2.0)
    assert feed.status.frames_rejected == 1 and "levels" in feed.status.last_error
    assert len(feed.markets["BTC_USDT"].book) == 2
    trade = {"id": 1, "time": 1.7e9, "price": "1", "amount": "1", "type": "buy"}
    feed.handle_frame(encode_server_frame(trades_push("BTC_USDT", [trade] * (MAX_LEVELS + 1))),
                      3.0)
    assert feed.status.frames_rejected == 2 and "trades" in feed.status.last_error


def test_updates_cannot_grow_a_book_without_end():
    from dfx_tui.app.feed.client import MAX_BOOK_LEVELS
    from dfx_tui.book.levels import MAX_LEVELS

    feed = FeedClient(AppConfig(markets=["BTC_USDT"]))
    feed.handle_message(depth_push("BTC_USDT", [["2", "1"]], [["1", "1"]], clean=True), 1.0)
    market = feed.markets["BTC_USDT"]
    for n in range(MAX_BOOK_LEVELS // MAX_LEVELS + 1):
        asks = [[str(1000 + n * MAX_LEVELS + i), "1"] for i in range(MAX_LEVELS)]
        feed.handle_message(depth_push("BTC_USDT", asks, []), 2.0 + n)
    assert len(market.book) <= MAX_BOOK_LEVELS
    assert market.status.state is MarketState.RESYNCING and "grew past" in market.status.error
    feed.handle_message(depth_push("BTC_USDT", [["2", "1"]], [["1", "1"]], clean=True), 9.0)
    assert market.status.state is MarketState.LIVE and len(market.book) == 2


def test_oversized_text_frame_rejected():
    feed = FeedClient(AppConfig(markets=["BTC_USDT"]))
    feed.handle_frame("[" * (MAX_INFLATED + 1), 1.0)
    feed.handle_frame("[" * 200_000, 1.0)  # deep nesting: RecursionError inside json
    assert feed.status.frames_rejected == 2
    feed.handle_frame(encode_server_frame(depth_push("BTC_USDT", [["2", "1"]], [["1", "1"]],
                                                     clean=True)), 2.0)
    assert feed.markets["BTC_USDT"].status.state is MarketState.LIVE


# ------------------------------------------------------------------ --once and usage errors
@pytest.fixture
def thread_sim() -> Iterator[HostileSim]:
    """A HostileSim on its own loop and thread, since `cli.main` runs its own asyncio loop."""
    with serving_in_thread(HostileSim(SimConfig(markets=("BTC_USDT", "ETH_USDT"), seed=5,
                                                rate=20.0))) as sim:
        yield sim


def test_once_prints_server_errors_inertly(thread_sim, capsys):
    thread_sim.fail_next_subscribes("depth", 5, code=1, message=HOSTILE_TEXT)
    assert cli.main(["--once", "--timeout", "5", "--url", thread_sim.url, "BTC_USDT"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1, err
    assert "BTC_USDT" in err and "[red]x[/red]" in err
    assert not control_chars(err[:-1]), repr(err)


@pytest.mark.parametrize("argv, needle", [
    (["--once", "--url", "ws://h/\x1b[2J"], "--url"),
    (["--once", "--url", "ws://a b/ws/v1/"], "--url"),
    (["--once", "--url", "ws://h\x07/"], "--url"),
    (["--once", "--url", "ws://"], "no host"),
    (["--once", "--url", "wss://:443/"], "no host"),
    (["--once", "--url", "ftp://h/"], "ws:// or wss://"),
    (["\x1b[2J_X"], "not a market name"),
    (["[red]X_Y"], "not a market name"),
    ([""], "not a market name"),
    (["A" * 40 + "_USDT"], "not a market name"),
    (["--record", "/nonexistent-dir/x.jsonl", "--once"], "cannot record"),
    (["--record", "/", "--once"], "cannot record"),
    (["--replay", "/"], "cannot replay"),
])
def test_usage_errors_one_inert_line_exit_2(capsys, argv, needle):
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err
    assert not control_chars(err[:-1]), repr(err)


@pytest.mark.parametrize("text, needle", [
    ('url = "ws://h/\\u001b[2J"', "control characters"),
    ('url = "ws://a b/"', "control characters"),
    ('markets = ["\\u001b[2J_X"]', "not a market name"),
    ('markets = ["[red]X_Y"]', "not a market name"),
])
def test_hostile_config_file_is_a_usage_error(tmp_path, capsys, text, needle):
    path = tmp_path / "config.toml"
    path.write_text(text + "\n")
    assert cli.main(["--config", str(path), "--once"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err
    assert not control_chars(err[:-1]), repr(err)


@pytest.mark.parametrize("content", [b"\x1f\x8b\x08garbage", gzip.compress(b"\xff\xfe\x00"),
                                     b"\x00" * 100, b'{"t": 1, "meta": 5}\n'])
def test_unreadable_recordings_are_usage_errors(tmp_path, capsys, content):
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(content)
    assert cli.main(["--replay", str(path), "--once"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot replay" in err and "Traceback" not in err


def test_recording_with_hostile_frames_replays_safely(tmp_path, capsys):
    """A recording is input too: junk lines and junk frames in it are skipped, not fatal."""
    meta = {"t": 0.0, "meta": {"format": "dfx-tui-recording", "version": 1,
                               "markets": ["BTC_USDT"], "url": "ws://x/"}}
    snap = {"t": 1.0, "frame": depth_push("BTC_USDT", [["101", "1"]], [["100", "1"]], True)}
    bad_update = {"t": 1.1, "frame": depth_push("BTC_USDT", [["NaN", "1"]], [])}
    junk = [{"t": 1.2, "frame": {"error": {"code": 1, "message": HOSTILE_TEXT}, "id": 5,
                                 "result": None}},
            {"t": 1.3, "frame": [1, 2]}, [1, 2], "x", {"t": 1.4}]
    snap2 = {"t": 2.0, "frame": depth_push("BTC_USDT", [["102", "1"]], [["99", "1"]], True)}
    path = tmp_path / "rec.jsonl"
    lines = [meta, snap, bad_update, *junk, snap2]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines) + "not json\n")
    assert cli.main(["--once", "--json", "--replay", str(path), "--speed", "0"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["markets"]["BTC_USDT"]["best_bid"] == "99"
    assert "warning" in err and not control_chars(err.replace("\n", ""))
    # A recording that ends on an unreadable update: that book is not known to be right.
    path.write_text("".join(json.dumps(x) + "\n" for x in [meta, snap, bad_update]))
    assert cli.main(["--once", "--json", "--replay", str(path), "--speed", "0"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert "BTC_USDT" in err and "resyncing" in err


def test_fast_config_helper_is_sane():
    cfg = fast_config("ws://127.0.0.1:1/ws/v1/")
    assert cfg.pong_timeout < cfg.stale_after < cfg.snapshot_timeout
