"""TradeTape: bounded, newest first, deduplicated, rolling volumes."""

from __future__ import annotations

import pytest

from dfx_tui.book.tape import Trade, TradeTape


def _t(tid: int, time: float, price: str = "100", amount: str = "1", side: str = "buy") -> Trade:
    return Trade.from_wire({"id": tid, "time": time, "price": price, "amount": amount,
                            "type": side})


def test_clean_batch_replaces_and_later_batches_add_newest_first():
    tape = TradeTape("X")
    tape.apply(True, [_t(3, 3.0), _t(2, 2.0), _t(1, 1.0)])
    assert [t.id for t in tape] == [3, 2, 1]
    tape.apply(False, [_t(5, 5.0), _t(4, 4.0)])
    assert [t.id for t in tape] == [5, 4, 3, 2, 1]
    tape.apply(True, [_t(10, 10.0)])
    assert [t.id for t in tape] == [10]


def test_duplicates_are_dropped():
    tape = TradeTape("X")
    tape.apply(True, [_t(2, 2.0), _t(1, 1.0)])
    assert tape.apply(False, [_t(3, 3.0), _t(2, 2.0)]) == 1
    assert [t.id for t in tape] == [3, 2, 1]
    v = tape.version
    assert tape.apply(False, [_t(3, 3.0)]) == 0
    assert tape.version == v  # nothing new, nothing to repaint


def test_out_of_order_trades_are_placed_by_time():
    tape = TradeTape("X")
    tape.apply(False, [_t(5, 5.0)])
    tape.apply(False, [_t(4, 4.0)])
    tape.apply(False, [_t(6, 6.0)])
    assert [t.id for t in tape] == [6, 5, 4]


def test_bounded():
    tape = TradeTape("X", maxlen=500)
    for i in range(1200):
        tape.apply(False, [_t(i, float(i))])
    assert len(tape) == 500
    assert tape.last().id == 1199 and tape.newest()[-1].id == 700


def test_integer_time_is_float():
    t = _t(1, 1597419159)
    assert isinstance(t.time, float) and t.time == 1597419159.0


def test_rolling_volume_and_last_direction():
    tape = TradeTape("X")
    tape.apply(True, [_t(4, 100.0, "10.5", "2", "sell"), _t(3, 95.0, "10.4", "1.5", "buy"),
                      _t(2, 50.0, "10.4", "7", "buy"), _t(1, 10.0, "10.0", "3", "sell")])
    assert tape.rolling_volume(30.0) == (1.5, 2.0)  # trades at 95 and 100 only
    assert tape.rolling_volume(1000.0) == (8.5, 5.0)
    assert tape.last().price == "10.5"
    assert tape.last_direction() == 1
    tape.apply(False, [_t(5, 101.0, "10.5", "1", "buy")])
    assert tape.last_direction() == 1  # same price: direction against the last distinct price
    tape.apply(False, [_t(6, 102.0, "10.1", "1", "sell")])
    assert tape.last_direction() == -1


@pytest.mark.parametrize("raw", [
    {"id": 1, "time": 1.0, "price": "1", "amount": "1"},
    {"id": "1", "time": 1.0, "price": "1", "amount": "1", "type": "buy"},
    {"id": 1, "time": "1", "price": "1", "amount": "1", "type": "buy"},
    {"id": 1, "time": 1.0, "price": 1.0, "amount": "1", "type": "buy"},
    {"id": 1, "time": 1.0, "price": "1", "amount": "-1", "type": "buy"},
    {"id": 1, "time": 1.0, "price": "NaN", "amount": "1", "type": "buy"},
    {"id": 1, "time": 1.0, "price": "1", "amount": "1", "type": "[red]x"},
    {"id": True, "time": 1.0, "price": "1", "amount": "1", "type": "buy"},
    [1, 2],
])
def test_malformed_trades_raise_value_error(raw):
    with pytest.raises(ValueError):
        Trade.from_wire(raw)
