"""Fuzzed bytes and fuzzed JSON never raise anything but the codec's own ProtocolError."""

from __future__ import annotations

import contextlib
import json
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dfx_tui.book.codec import MAX_INFLATED, ProtocolError, classify, decode_frame

JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                      st.text(max_size=12))
JSON = st.recursive(JSON_LEAF, lambda c: st.one_of(st.lists(c, max_size=5),
                                                   st.dictionaries(st.text(max_size=8), c,
                                                                   max_size=5)),
                    max_leaves=30)

# Messages shaped like the real ones, with any part swapped for junk.
LEVEL = st.one_of(st.lists(st.one_of(st.text(max_size=10), JSON_LEAF), max_size=3), JSON_LEAF)
DEPTH_LIKE = st.fixed_dictionaries({
    "method": st.sampled_from(["depth.update", "trades.update", "ticker.update", 5]),
    "params": st.one_of(
        st.tuples(st.one_of(st.booleans(), JSON_LEAF),
                  st.one_of(st.fixed_dictionaries({"asks": st.lists(LEVEL, max_size=4),
                                                   "bids": st.lists(LEVEL, max_size=4)}),
                            st.lists(st.dictionaries(st.sampled_from(
                                ["id", "time", "price", "amount", "type"]), JSON_LEAF),
                                max_size=3),
                            JSON),
                  st.one_of(st.sampled_from(["BTC_USDT", "eth_usdt", "[b]X", "\x1b[2J"]),
                            JSON_LEAF)).map(list),
        JSON),
    "id": st.one_of(st.none(), JSON_LEAF),
})


def _check(data) -> None:
    try:
        decode_frame(data)
    except ProtocolError as exc:
        assert str(exc)  # says what was wrong


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_fuzzed_bytes(data):
    _check(data)
    _check(zlib.compress(data))


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_fuzzed_text(text):
    _check(text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(JSON, DEPTH_LIKE))
def test_fuzzed_json(obj):
    text = json.dumps(obj)
    _check(text)
    _check(zlib.compress(text.encode()))
    with contextlib.suppress(ProtocolError):
        classify(obj)


@pytest.mark.parametrize("data", [
    b"", b"\x78\x9c", b"not zlib", zlib.compress(b"{"), zlib.compress(b"[1,2]"),
    zlib.compress(b'{"id": NaN, "result": 1}'), zlib.compress(b'{"method": "depth.update"}'),
    "[" * 100_000, '{"id": 1e999, "result": 1}', zlib.compress(b"\xff\xfe"),
    zlib.compress(b'{"method":"depth.update","params":[false,{"asks":[["1","NaN"]]},"A_B"],"id":null}'),
    zlib.compress(b'{"method":"depth.update","params":[false,{"asks":[["Infinity","1"]]},"A_B"],"id":null}'),
    zlib.compress(b'{"method":"depth.update","params":[false,{"bids":[["1","-2"]]},"A_B"],"id":null}'),
    zlib.compress(b'{"method":"trades.update","params":[false,[{"id":1}],"A_B"],"id":null}'),
])
def test_known_bad_frames_raise_protocol_error(data):
    with pytest.raises(ProtocolError):
        decode_frame(data)


def test_decompression_bomb_is_capped():
    # 64 MiB of zeros compress to ~64 KiB: the codec must refuse it without inflating it all.
    bomb = zlib.compress(b"\0" * (4 * MAX_INFLATED), 9)
    assert len(bomb) < 200_000
    with pytest.raises(ProtocolError, match="inflates past"):
        decode_frame(bomb)
